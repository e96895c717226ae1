"""Issued letters: the PDF exactly as it left, kept once and never changed.

Written only by careloop.letters.services (called from the issue paths in cases.records);
database triggers refuse UPDATE and DELETE (migration 0002)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.cases.models import Case


class LetterKind(models.TextChoices):
    DECISION = "decision", "Decision letter"
    INTERIM = "interim", "Interim letter"


class IssuedLetter(models.Model):
    """One issued letter. `template_id` and `template_version` name the wording used;
    `sha256` is the digest of `pdf`, so a copy handed to anyone can be checked against it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="issued_letters")
    kind = models.CharField(max_length=10, choices=LetterKind.choices)
    template_id = models.CharField(max_length=60)
    template_version = models.CharField(max_length=20)
    language = models.CharField(max_length=10)
    delivery = models.CharField(max_length=20)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the PDF was erased under the retention policy."
    )

    class Meta:
        ordering = ["issued_at", "id"]
        indexes = [models.Index(fields=["case", "issued_at"], name="issued_letter_case_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="decision"), name="issued_letter_one_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} letter #{self.pk} for case {self.case_id}"

    @property
    def filename(self) -> str:
        return f"{self.case.reference}-{self.kind}-{self.pk}.pdf"
