"""Safety screening at intake: who is on call, what screening flagged, and who was paged.

Writes happen only in safety.services (and safety.paging for pages)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.cases.models import Case
from careloop.orgs.models import Facility, Organization

DEFAULT_ESCALATE_AFTER_MINUTES = 15


class OnCallRota(models.Model):
    """A facility's on-call list for safety pages (one per facility)."""

    facility = models.OneToOneField(Facility, on_delete=models.CASCADE, related_name="on_call")
    escalate_after_minutes = models.PositiveIntegerField(
        default=DEFAULT_ESCALATE_AFTER_MINUTES,
        help_text="Minutes a page may go unacknowledged before the next person is paged.",
    )

    def __str__(self) -> str:
        return f"on-call rota of facility {self.facility_id}"


class OnCallEntry(models.Model):
    """One person's place in the order. `weekdays` are 0 (Monday) to 6 (Sunday), empty for
    every day; times are local to the facility. An end before the start wraps past midnight
    (the weekday of the start counts); no times at all means the whole day."""

    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_entries"
    )
    position = models.PositiveIntegerField(default=0)
    weekdays = models.JSONField(default=list, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False),
                name="on_call_times_both_or_neither",
            )
        ]

    def __str__(self) -> str:
        return f"on-call #{self.position} user {self.user_id}"


class FlagStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class SafetyFlag(models.Model):
    """What screening found in a new case. `hits` name rules, risks and character spans in the
    case's narrative or desired outcome, never the matched words."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="safety_flags")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    risks = models.JSONField(default=list)
    hits = models.JSONField(default=list)
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.PENDING)
    original_kind = models.CharField(max_length=30)
    filed_as_safety_concern = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "-created_at"],
                name="safety_flag_pending",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"safety flag #{self.pk} on case {self.case_id}"


class PageAudience(models.TextChoices):
    ON_CALL = "on_call", "On call"
    FALLBACK = "fallback", "Managers (nobody else to page)"


class SafetyPage(models.Model):
    """One person paged about a flag. Step 0 is the first page; each escalation adds a step.
    `emailed_at` claims the email so it is sent once."""

    flag = models.ForeignKey(SafetyFlag, on_delete=models.PROTECT, related_name="pages")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="safety_pages"
    )
    step = models.PositiveSmallIntegerField()
    audience = models.CharField(max_length=10, choices=PageAudience.choices)
    sent_at = models.DateTimeField()
    due_ack_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True)
    escalated_at = models.DateTimeField(null=True)
    emailed_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["step", "id"]
        indexes = [
            models.Index(
                fields=["due_ack_by"],
                name="safety_page_open_due",
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["flag", "user"], name="safety_page_once_per_user")
        ]

    def __str__(self) -> str:
        return f"page #{self.pk} (step {self.step}) to user {self.user_id}"
