"""Outbound webhooks: an organization's subscriptions and each delivery to them. Written only by
webhooks.events (emission), webhooks.delivery (the sweep) and webhooks.services (admin)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from careloop.orgs.models import Organization


class EventType(models.TextChoices):
    CASE_OPENED = "case.opened", "Case opened"
    CLOCK_AT_RISK = "clock.at_risk", "Clock at risk"
    CLOCK_BREACHED = "clock.breached", "Clock breached"
    CASE_RESOLVED = "case.resolved", "Case resolved"
    SURVEY_LOW_SCORE = "survey.low_score", "Low survey score"
    SAFETY_CONCERN = "safety.concern", "Safety concern flagged"


TEST_EVENT = "webhook.test"  # sent by the "send test event" button only


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookSubscription(models.Model):
    """Where an organization wants events POSTed, signed with `secret` (HMAC-SHA256)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    target_url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, default=new_secret)
    event_types = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"webhook {self.pk} to {self.target_url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one subscription. `payload` holds ids, references, types and timestamps,
    never client text, names or contacts. `claimed_until` is the sending worker's lease."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True)
    response_code = models.PositiveSmallIntegerField(null=True)
    last_error = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_pending_due",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["claimed_until"],
                name="webhook_sending_lease",
                condition=Q(status="sending"),
            ),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} delivery {self.pk} ({self.status})"
