"""Text messages and voicemail. Written only by sms.services and sms.voicemail.

Client phone numbers are kept only where a reply must find its case (`SmsThread`) or where a
STOP must be honoured (`SmsOptOut`); the texts themselves live on the case (its narrative and
notes) and in messaging.OutboundMessage, never here."""

from __future__ import annotations

from datetime import time

from django.db import models

from careloop.cases.models import Case
from careloop.orgs.models import Facility, Organization


class FacilityNumber(models.Model):
    """A phone number of a facility at the provider: texts to it open or thread cases there,
    voicemails left on it open cases there, and texts from the facility are sent from it.
    `opens_at`/`closes_at` (facility-local, working days) tell a voicemail left after hours."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sms_numbers"
    )
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="sms_numbers")
    phone_number = models.CharField(
        max_length=16, unique=True, help_text="In international form, e.g. +13125550100."
    )
    language = models.CharField(
        max_length=10, default="en", help_text="Language of cases opened from this number."
    )
    opens_at = models.TimeField(default=time(8, 0), help_text="Office opens (local time).")
    closes_at = models.TimeField(default=time(18, 0), help_text="Office closes (local time).")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phone_number"]

    def __str__(self) -> str:
        return self.phone_number


class SmsThread(models.Model):
    """A client number that texts about a case: replies from it thread onto the case."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sms_threads")
    phone_number = models.CharField(max_length=16)
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "phone_number"], name="sms_thread_unique")
        ]
        indexes = [
            models.Index(
                fields=["organization", "phone_number", "-last_at"], name="sms_thread_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"thread of case {self.case_id}"


class SmsOptOut(models.Model):
    """A number that texted STOP (opted out) or START again, per organization. Nothing is sent
    to an opted-out number."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    phone_number = models.CharField(max_length=16)
    opted_out = models.BooleanField(default=True)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "phone_number"], name="sms_optout_unique"
            )
        ]

    def __str__(self) -> str:
        return f"opt-out {self.pk} ({'out' if self.opted_out else 'in'})"


class InboundKind(models.TextChoices):
    MESSAGE = "message", "Text message"
    VOICEMAIL = "voicemail", "Voicemail"


class InboundOutcome(models.TextChoices):
    OPENED = "opened", "Opened a case"
    THREADED = "threaded", "Added to a case"
    CHECKBACK = "checkback", "Answered a check-back"
    OPTED_OUT = "opted_out", "Opted out"
    OPTED_IN = "opted_in", "Opted in again"


class InboundEvent(models.Model):
    """One webhook from the provider, by its id (MessageSid or CallSid): a replayed webhook
    finds its row and does nothing. Holds no text and no number."""

    provider_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=InboundKind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, related_name="+")
    outcome = models.CharField(max_length=10, choices=InboundOutcome.choices)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} {self.provider_id} ({self.outcome})"


class Voicemail(models.Model):
    """The recording behind a case opened from a voicemail (its transcript is the narrative)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="voicemail")
    recording_url = models.URLField(max_length=500)
    duration_seconds = models.PositiveIntegerField()
    after_hours = models.BooleanField()
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"voicemail for case {self.case_id}"
