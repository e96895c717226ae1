"""What the public intake form adds to a case: how it came in and the client's private link."""

from __future__ import annotations

from django.db import models

from careloop.cases.models import Case


class Source(models.TextChoices):
    FACILITY = "facility", "Facility link"
    UNIT = "unit", "Unit QR code"
    KIOSK = "kiosk", "Lobby kiosk"


class IntakeSubmission(models.Model):
    """One accepted public form. `form_nonce` is unique, so a replayed or double-posted form
    is refused instead of opening a second case."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="intake")
    source = models.CharField(max_length=10, choices=Source.choices)
    form_nonce = models.CharField(max_length=64, unique=True)
    submitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.source} submission for case {self.case_id}"


class ClientAccess(models.Model):
    """The client's private status link. Only a SHA-256 of the random token is kept: the link
    cannot be rebuilt from the database, nor guessed from the case reference."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="client_access")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"client access to case {self.case_id}"
