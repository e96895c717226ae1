"""Sending queued webhook deliveries: a sweep of the worker, never a user's request.

Each delivery is claimed with a conditional UPDATE (a lease), POSTed outside any transaction,
and its outcome recorded only if the lease is still ours, so two workers never send one at the
same time. A worker that dies mid-send leaves a lease that expires; the delivery is then sent
again with the same X-Careloop-Delivery id (receivers de-duplicate on it). Failures are retried
with exponential back-off (messaging.backoff) up to MAX_ATTEMPTS, then marked failed."""

from __future__ import annotations

import ipaddress
import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q

from careloop.audit.services import audit_record
from careloop.core.time import utcnow
from careloop.messaging.backoff import retry_delay
from careloop.webhooks.models import DeliveryStatus, WebhookDelivery
from careloop.webhooks.signing import webhook_signature

logger = logging.getLogger("careloop.webhooks")

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10.0
LEASE = timedelta(minutes=2)  # well past the timeout
RESPONSE_READ_LIMIT = 4096
USER_AGENT = "Careloop-Webhooks/1"


class DeliveryError(Exception):
    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason[:100]
        self.code = code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: the subscriber must give the final address."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def target_url_problem(url: str) -> str:
    """Why a target address is refused ("" if it is fine): https only, except on loopback."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return ""
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return ""
    return "The address must start with https:// (plain http only for this machine)."


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The same bytes on every attempt."""
    document = {
        "id": delivery.pk,
        "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _post(delivery: WebhookDelivery, *, now: datetime, timeout: float) -> int:
    subscription = delivery.subscription
    problem = target_url_problem(subscription.target_url)
    if problem:
        raise DeliveryError("TargetRefused")
    body = delivery_body(delivery)
    timestamp = int(now.timestamp())
    request = urllib.request.Request(  # noqa: S310  # scheme checked by target_url_problem
        subscription.target_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Careloop-Event": delivery.event_type,
            "X-Careloop-Delivery": str(delivery.pk),
            "X-Careloop-Timestamp": str(timestamp),
            "X-Careloop-Signature": webhook_signature(
                secret=subscription.secret, timestamp=timestamp, body=body
            ),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(RESPONSE_READ_LIMIT)
            code = int(response.status)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}", code=exc.code) from None
    except (OSError, ValueError) as exc:  # refused, reset, timed out, bad address
        raise DeliveryError(type(exc).__name__) from None
    if not 200 <= code < 300:
        raise DeliveryError(f"HTTP {code}", code=code)
    return code


def _due(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )


def webhooks_deliver_due(
    *, now: datetime, limit: int = 50, timeout: float = TIMEOUT_SECONDS
) -> int:
    """Send up to `limit` due deliveries; how many were delivered. Call outside any
    transaction."""
    due = list(
        WebhookDelivery.objects.filter(_due(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if webhook_deliver(delivery_id=pk, now=now, timeout=timeout))


def webhook_deliver(*, delivery_id: int, now: datetime, timeout: float = TIMEOUT_SECONDS) -> bool:
    """Send one delivery if it is due and unclaimed; True if it was delivered now."""
    lease = now + LEASE
    claimed = WebhookDelivery.objects.filter(_due(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_until=lease
    )
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    try:
        code = _post(delivery, now=now, timeout=timeout)
    except DeliveryError as exc:
        _outcome_record(delivery_id, lease=lease, now=now, code=exc.code, error=exc.reason)
        return False
    return _outcome_record(delivery_id, lease=lease, now=now, code=code, error="")


@transaction.atomic
def _outcome_record(
    delivery_id: int, *, lease: datetime, now: datetime, code: int | None, error: str
) -> bool:
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_until=lease)
        .first()
    )
    if delivery is None:
        logger.warning("webhook delivery %s: claim lost before its outcome", delivery_id)
        return False
    delivery.attempts += 1
    delivery.response_code = code
    delivery.claimed_until = None
    delivery.last_error = error
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
    elif delivery.attempts < MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    else:
        delivery.status = DeliveryStatus.FAILED
    if error:
        logger.warning(
            "webhook delivery %s failed (%s), attempt %s of %s",
            delivery.pk,
            error,
            delivery.attempts,
            MAX_ATTEMPTS,
        )
    delivery.save(
        update_fields=[
            "attempts",
            "response_code",
            "claimed_until",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if delivery.status != DeliveryStatus.PENDING:
        audit_record(
            actor=None,
            action="U",
            event_type=f"webhook.{delivery.status}",
            at=now,
            organization_id=delivery.subscription.organization_id,
            object_type="webhookdelivery",
            object_id=str(delivery.pk),
            fields=["status", "attempts", "response_code"],
            detail={"event": delivery.event_type, "response_code": code},
        )
    return not error


def webhooks_sweep_summary() -> str:
    """For the worker's sweep loop: counts only."""
    sent = webhooks_deliver_due(now=utcnow())
    return f"{sent} delivered" if sent else ""
