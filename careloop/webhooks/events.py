"""Emitting events to an organization's webhooks: one WebhookDelivery row per matching
subscription, written in the caller's transaction (a rolled-back change sends nothing), sent
later by the delivery sweep (never in the user's request).

Payloads carry ids, references, types and timestamps only: no client text, names or contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from careloop.orgs.models import Organization
from careloop.webhooks.models import EventType, WebhookDelivery, WebhookSubscription


class CaseLike(Protocol):
    pk: Any
    reference: str
    kind: str
    status: str
    channel: str
    organization_id: int
    facility_id: int
    unit_id: int | None
    received_at: datetime


def emit(
    event_type: str, organization: Organization | int, payload: dict[str, Any], *, at: datetime
) -> int:
    """Queue `event_type` for each active subscription of the organization that wants it; how
    many deliveries were queued."""
    if event_type not in EventType.values:
        raise ValueError(f"Unknown webhook event {event_type!r}")
    organization_id = organization if isinstance(organization, int) else organization.pk
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(organization_id=organization_id, active=True)
        if event_type in s.event_types
    ]
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=s,
            event_type=event_type,
            payload={**payload, "occurred_at": at.isoformat()},
            next_attempt_at=at,
            created_at=at,
        )
        for s in subscriptions
    )
    return len(subscriptions)


def case_payload(case: CaseLike, **extra: Any) -> dict[str, Any]:
    """What a subscriber may know about a case: ids, reference, codes and times."""
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "kind": case.kind,
        "status": case.status,
        "channel": case.channel,
        "facility_id": case.facility_id,
        "unit_id": case.unit_id,
        "received_at": case.received_at.isoformat(),
        **extra,
    }


def emit_case(event_type: str, case: CaseLike, *, at: datetime, **extra: Any) -> int:
    return emit(event_type, case.organization_id, case_payload(case, **extra), at=at)


class ClockLike(Protocol):
    pk: Any
    clock_id: str
    due_at: datetime

    @property
    def case(self) -> Any: ...


def emit_clock(*, clock: ClockLike, breached: bool, at: datetime) -> int:
    """A clock's warning (clock.at_risk) or breach (clock.breached)."""
    return emit_case(
        "clock.breached" if breached else "clock.at_risk",
        clock.case,
        at=at,
        clock_id=clock.pk,
        clock=clock.clock_id,
        due_at=clock.due_at.isoformat(),
    )
