"""Inbound email: facility mailboxes, what was read from them, attachments kept on cases.

Written only by careloop.mail.services (mailboxes) and careloop.mail.intake (messages)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from careloop.cases.models import Case, Note
from careloop.messaging.models import OutboundMessage
from careloop.orgs.models import Facility

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class TlsMode(models.TextChoices):
    IMPLICIT = "implicit", "Implicit TLS (IMAPS, usually port 993)"
    STARTTLS = "starttls", "STARTTLS (usually port 143)"
    PLAIN = "plain", "No encryption (loopback only)"


class AuthMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    XOAUTH2 = "xoauth2", "OAuth2 (XOAUTH2 with a refresh token)"


class Mailbox(models.Model):
    """One IMAP mailbox whose new messages become cases of `facility`.

    Secrets (`password`, `oauth_client_secret`, `oauth_refresh_token`) are stored as given and
    never shown back in full or logged. `address` is the mailbox's own address: outbound email
    about the facility's cases carries it as Reply-To."""

    facility = models.OneToOneField(Facility, on_delete=models.PROTECT, related_name="mailbox")
    address = models.EmailField()
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField()
    tls_mode = models.CharField(max_length=10, choices=TlsMode.choices, default=TlsMode.IMPLICIT)
    verify_certificate = models.BooleanField(default=True)
    username = models.CharField(max_length=255)
    auth_method = models.CharField(
        max_length=10, choices=AuthMethod.choices, default=AuthMethod.PASSWORD
    )
    password = models.CharField(max_length=500, blank=True)
    oauth_token_url = models.URLField(max_length=500, blank=True)
    oauth_client_id = models.CharField(max_length=255, blank=True)
    oauth_client_secret = models.CharField(max_length=500, blank=True)
    oauth_refresh_token = models.CharField(max_length=2000, blank=True)
    folder = models.CharField(max_length=200, default="INBOX")
    enabled = models.BooleanField(default=True)
    last_checked_at = models.DateTimeField(null=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"mailbox {self.pk} of facility {self.facility_id}"


class Outcome(models.TextChoices):
    CASE = "case", "New case"
    REPLY = "reply", "Added to a case"
    AUTO_REPLY = "auto_reply", "Automatic reply (ignored)"
    BOUNCE = "bounce", "Delivery failure report"
    DUPLICATE = "duplicate", "Already received (same Message-ID)"
    RATE_LIMITED = "rate_limited", "Too many messages from this sender"
    QUARANTINED = "quarantined", "Quarantined"


class InboundMessage(models.Model):
    """One message read from a mailbox. Its row commits in the same transaction as the case
    (or note) it made, so a message is processed exactly once: the IMAP flag set afterwards
    only saves the next sweep from reading it again. `uidvalidity`+`uid` name it on the
    server; `message_id` lets a message delivered twice be recognized."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=255, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, related_name="inbound_emails"
    )
    note = models.ForeignKey(Note, on_delete=models.PROTECT, null=True, related_name="+")
    size = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="inbound_message_server_uid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["mailbox", "message_id"],
                name="inbound_message_msgid",
                condition=~Q(message_id=""),
            ),
            models.Index(fields=["mailbox", "sender", "received_at"], name="inbound_sender_at"),
            models.Index(fields=["message_id"], name="inbound_any_msgid"),
        ]

    def __str__(self) -> str:
        return f"inbound message {self.pk} ({self.outcome})"


class FailedAttempt(models.Model):
    """A message whose processing raised an unexpected error (`error` is the exception's class
    name). It is retried on later sweeps and quarantined after fetch.MAX_ATTEMPTS, so a
    passing fault (a deploy, the database restarting) costs nothing and a message that always
    fails does not block the mailbox."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=100)
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="mail_failed_attempt_uid"
            ),
        ]

    def __str__(self) -> str:
        return f"failed attempt at uid {self.uid} of mailbox {self.mailbox_id}"


class MailAttachment(models.Model):
    """A file that came with an email on a case. `content` is empty when it was refused
    (`refused_reason` says why); its name, type and size stay as the record."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mail_attachments")
    message = models.ForeignKey(
        InboundMessage, on_delete=models.PROTECT, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(null=True)
    refused_reason = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"attachment {self.pk} on case {self.case_id}"


class OutboundBounce(models.Model):
    """A delivery failure report that names a message we sent: that message bounced."""

    outbound = models.OneToOneField(
        OutboundMessage, on_delete=models.PROTECT, related_name="bounce"
    )
    report = models.ForeignKey(InboundMessage, on_delete=models.PROTECT, related_name="+")
    status_code = models.CharField(max_length=20, blank=True)
    bounced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"bounce of message {self.outbound_id}"
