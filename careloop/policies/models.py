"""Clocks running on cases. The deadline maths lives in clocks.py; the rules in packs/*.toml."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ClockStatus(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    CANCELLED = "cancelled", "No longer applies"


class CaseClock(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="clocks")
    pack_id = models.CharField(max_length=60)
    pack_version = models.CharField(max_length=30)
    clock_id = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    rule = models.CharField(max_length=40, blank=True)
    start_event = models.CharField(max_length=30)
    started_at = models.DateTimeField()
    duration = models.PositiveIntegerField()
    unit = models.CharField(max_length=20)
    calendar = models.CharField(max_length=30)
    stops_on = models.JSONField(default=list)
    escalations = models.JSONField(default=list)
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True)
    status = models.CharField(
        max_length=10, choices=ClockStatus.choices, default=ClockStatus.RUNNING
    )
    met_at = models.DateTimeField(null=True)
    paused_at = models.DateTimeField(null=True)
    pausable = models.BooleanField(default=False)
    warned_at = models.DateTimeField(null=True)
    breached_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="clock_running_due",
                condition=Q(status="running"),
            ),
            models.Index(
                fields=["warn_at"],
                name="clock_running_warn",
                condition=Q(status="running", warned_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "pack_id", "clock_id"], name="clock_once_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pack_id}:{self.clock_id}"


class Notification(models.Model):
    """A message sent to staff by a clock escalation (kept for the record and for tests)."""

    clock = models.ForeignKey(CaseClock, on_delete=models.PROTECT, related_name="notifications")
    level = models.CharField(max_length=10)
    recipient_email = models.EmailField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.level} to {self.recipient_email}"
