"""Administrators manage their organization's webhook subscriptions (audited; the secret is
never written to the audit log)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of
from careloop.webhooks.delivery import target_url_problem
from careloop.webhooks.models import (
    TEST_EVENT,
    EventType,
    WebhookDelivery,
    WebhookSubscription,
    new_secret,
)


def _admin_org(actor: User) -> int:
    if not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Administrators only.")
    return org_id_of(actor)


def subscriptions_for(*, actor: User) -> list[WebhookSubscription]:
    return list(WebhookSubscription.objects.filter(organization_id=_admin_org(actor)))


def subscription_get_for(*, actor: User, subscription_id: int) -> WebhookSubscription | None:
    return WebhookSubscription.objects.filter(
        pk=subscription_id, organization_id=_admin_org(actor)
    ).first()


def _audit(
    actor: User, sub: WebhookSubscription, event: str, fields: list[str], now: datetime
) -> None:
    audit_record(
        actor=actor,
        action="C" if event == "created" else "U",
        event_type=f"webhook.subscription.{event}",
        at=now,
        organization_id=sub.organization_id,
        object_type="webhooksubscription",
        object_id=str(sub.pk),
        fields=fields,
        actor_role="admin",
    )


@transaction.atomic
def subscription_save(
    *,
    actor: User,
    subscription: WebhookSubscription | None,
    target_url: str,
    event_types: list[str],
    active: bool,
    now: datetime,
) -> WebhookSubscription:
    """Create (`subscription` None) or change a subscription of the actor's organization."""
    organization_id = _admin_org(actor)
    problem = target_url_problem(target_url)
    if problem:
        raise ValidationError(problem, code="target_url")
    unknown = sorted(set(event_types) - set(EventType.values))
    if unknown or not event_types:
        raise ValidationError("Choose at least one event, from the list.", code="event_types")
    chosen = sorted(set(event_types))
    if subscription is None:
        created = WebhookSubscription.objects.create(
            organization_id=organization_id,
            target_url=target_url,
            event_types=chosen,
            active=active,
            created_at=now,
            created_by=actor,
        )
        _audit(actor, created, "created", ["target_url", "event_types", "active", "secret"], now)
        return created
    sub = WebhookSubscription.objects.select_for_update().get(
        pk=subscription.pk, organization_id=organization_id
    )
    new = {"target_url": target_url, "event_types": chosen, "active": active}
    changed = [name for name, value in new.items() if getattr(sub, name) != value]
    for name, value in new.items():
        setattr(sub, name, value)
    sub.save(update_fields=list(new))
    _audit(actor, sub, "changed", changed, now)
    return sub


@transaction.atomic
def subscription_secret_rotate(
    *, actor: User, subscription: WebhookSubscription, now: datetime
) -> WebhookSubscription:
    organization_id = _admin_org(actor)
    sub = WebhookSubscription.objects.select_for_update().get(
        pk=subscription.pk, organization_id=organization_id
    )
    sub.secret = new_secret()
    sub.save(update_fields=["secret"])
    _audit(actor, sub, "secret_rotated", ["secret"], now)
    return sub


@transaction.atomic
def subscription_test_send(
    *, actor: User, subscription: WebhookSubscription, now: datetime
) -> WebhookDelivery:
    """Queue a test event to this subscription alone; the sweep sends it."""
    organization_id = _admin_org(actor)
    sub = WebhookSubscription.objects.get(pk=subscription.pk, organization_id=organization_id)
    delivery = WebhookDelivery.objects.create(
        subscription=sub,
        event_type=TEST_EVENT,
        payload={"test": True, "subscription_id": sub.pk, "occurred_at": now.isoformat()},
        next_attempt_at=now,
        created_at=now,
    )
    _audit(actor, sub, "test_queued", ["deliveries"], now)
    return delivery
