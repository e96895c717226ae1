"""Imports of historical cases: saved column mappings, each upload as a batch, and the record
that ties an imported case to its row in the other system (so a second import of the same file
creates nothing). Written only by imports.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.cases.models import Case
from careloop.orgs.models import Organization


class ImportMapping(models.Model):
    """A column mapping an organization saved for reuse (imports.mapping reads `spec`)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_mappings"
    )
    name = models.CharField(max_length=100)
    spec = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="import_mapping_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded: choose the mapping"
    CHECKING = "checking", "Dry run running"
    CHECKED = "checked", "Dry run done"
    IMPORTING = "importing", "Import running"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Import refused"
    DISCARDED = "discarded", "Discarded"


FINISHED = frozenset({BatchStatus.IMPORTED, BatchStatus.FAILED, BatchStatus.DISCARDED})
RUNNING = frozenset({BatchStatus.CHECKING, BatchStatus.IMPORTING})


class ImportBatch(models.Model):
    """One uploaded file. Its bytes (client data) are kept only until the batch finishes."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="import_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    file_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=10)
    file_size = models.PositiveIntegerField()
    file_digest = models.CharField(max_length=64, help_text="SHA-256 of the uploaded bytes.")
    content = models.BinaryField(null=True)
    mapping_name = models.CharField(max_length=100, blank=True)
    mapping_spec = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    checked_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_planned = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    cases_created = models.PositiveIntegerField(default=0)
    report = models.JSONField(
        default=dict, blank=True, help_text="The last dry run or import; no client text."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"


class ImportedRecord(models.Model):
    """Append-only: this case came from `source_id` in `source`."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="imported_from")
    source = models.CharField(max_length=60)
    source_id = models.CharField(max_length=100)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")
    row_number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "source_id"], name="imported_record_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"
