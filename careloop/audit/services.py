"""The one write path for audit events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from careloop.audit.chain import audit_key, event_hash
from careloop.audit.context import current_source
from careloop.audit.models import AuditEvent, AuditReview, ChainHead
from careloop.orgs.models import User


def audit_record(
    *,
    actor: User | None,
    action: str,
    event_type: str,
    at: datetime,
    organization_id: int | None,
    case_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    fields: Sequence[str] = (),
    actor_role: str = "",
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. `detail` must never hold client free text."""
    at = at.astimezone(UTC)
    with transaction.atomic(savepoint=False):
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        record: dict[str, Any] = {
            "seq": head.last_seq + 1,
            "recorded_at": at.isoformat(),
            "organization_id": organization_id,
            "actor_id": actor.pk if actor is not None else None,
            "actor_label": actor.get_username() if actor is not None else "system",
            "actor_role": actor_role,
            "action": action,
            "event_type": event_type,
            "outcome": outcome,
            "case_id": case_id,
            "object_type": object_type,
            "object_id": object_id,
            "fields": list(fields),
            "source": current_source(),
            "detail": detail or {},
        }
        digest = event_hash(prev_hash=head.last_hash, record=record, key=audit_key())
        event = AuditEvent.objects.create(
            **{**record, "recorded_at": at}, prev_hash=head.last_hash, hash=digest
        )
        head.last_seq = event.seq
        head.last_hash = digest
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def audit_review_record(
    *, actor: User, at: datetime, organization_id: int | None, up_to_seq: int, notes: str
) -> AuditReview:
    with transaction.atomic():
        review = AuditReview.objects.create(
            reviewer_id=actor.pk,
            reviewer_label=actor.get_username(),
            organization_id=organization_id,
            reviewed_at=at,
            up_to_seq=up_to_seq,
            notes=notes,
        )
        audit_record(
            actor=actor,
            action="C",
            event_type="audit.reviewed",
            at=at,
            organization_id=organization_id,
            object_type="audit_review",
            object_id=str(review.pk),
            detail={"up_to_seq": up_to_seq},
        )
    return review
