"""Messages sent to clients. Written only by messaging.services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from careloop.orgs.models import Organization


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundMessage(models.Model):
    """One message to one address, rendered when queued and delivered by a worker.

    `last_error` holds an exception class name and an SMTP code, never server or client text;
    `claimed_until` is the lease of the worker sending it (an expired lease may be taken over).

    An optional attachment (e.g. an issued letter's PDF): its bytes are kept only until the
    message is delivered or given up on; its name, type and SHA-256 stay as the record of what
    was attached (the document itself is kept by whoever owns it, e.g. letters.IssuedLetter)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="outbound_messages"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, related_name="messages"
    )
    channel = models.CharField(
        max_length=10, choices=MessageChannel.choices, default=MessageChannel.EMAIL
    )
    to_address = models.CharField(max_length=254)
    language = models.CharField(max_length=10)
    template = models.SlugField(max_length=60)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True)
    last_error = models.CharField(max_length=100, blank=True)
    redact_after_send = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)
    message_id = models.CharField(max_length=255, blank=True)
    # Text messages: the provider's last delivery report (queued, sent, delivered, undelivered...).
    provider_status = models.CharField(max_length=20, blank=True)
    attachment_name = models.CharField(max_length=120, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    attachment_content = models.BinaryField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="message_queued_due",
                condition=Q(status="queued"),
            ),
            models.Index(
                fields=["claimed_until"],
                name="message_sending_lease",
                condition=Q(status="sending"),
            ),
            # Inbound email threads replies by the Message-ID we sent.
            models.Index(
                fields=["message_id"], name="message_sent_id", condition=~Q(message_id="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} message {self.pk} ({self.status})"
