"""Denominators: exposure per unit, measure and month (DOMAIN.md M12)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from careloop.orgs.models import Organization, Unit


class Measure(models.TextChoices):
    PATIENT_DAYS = "patient_days", "Patient days"
    RESIDENT_DAYS = "resident_days", "Resident days"
    ADMISSIONS = "admissions", "Admissions"
    DISCHARGES = "discharges", "Discharges"
    ENCOUNTERS = "encounters", "Encounters"
    VISITS = "visits", "Visits"
    PRESCRIPTIONS = "prescriptions", "Prescriptions"
    SHIFTS = "shifts", "Shifts"


STAFF_MEASURES = (Measure.ENCOUNTERS, Measure.SHIFTS)  # attributed to a named staff member


class Exposure(models.Model):
    """How much care a unit gave in one calendar month, in one measure."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="exposures"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="exposures")
    measure = models.CharField(max_length=20, choices=Measure.choices)
    period_start_on = models.DateField(help_text="First day of the month.")
    period_end_on = models.DateField(help_text="Last day of the month.")
    value = models.PositiveBigIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "measure", "period_start_on"], name="exposure_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end_on__gte=F("period_start_on")),
                name="exposure_period_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "measure", "period_start_on"], name="exposure_org_period"
            )
        ]
        ordering = ["-period_start_on", "unit_id", "measure"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.measure} {self.period_start_on:%Y-%m} = {self.value}"


class StaffExposure(models.Model):
    """Encounters attributed to, or shifts worked by, one named staff member in one calendar
    month: the denominator of per-person complaint rates (peer review work product)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="staff_exposures"
    )
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="staff_exposures"
    )
    measure = models.CharField(max_length=20, choices=Measure.choices)
    period_start_on = models.DateField(help_text="First day of the month.")
    period_end_on = models.DateField(help_text="Last day of the month.")
    value = models.PositiveBigIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "measure", "period_start_on"],
                name="staff_exposure_unique_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end_on__gte=F("period_start_on")),
                name="staff_exposure_period_ordered",
            ),
        ]
        ordering = ["-period_start_on", "person_id", "measure"]

    def __str__(self) -> str:
        return f"person {self.person_id} {self.measure} {self.period_start_on:%Y-%m}"


class InsightAlert(models.Model):
    """A special-cause signal on a watched metric in a facility's newest month, recorded once
    and sent to the facility's quality leads; acknowledged by one of them."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="insight_alerts"
    )
    facility = models.ForeignKey(
        "orgs.Facility", on_delete=models.PROTECT, related_name="insight_alerts"
    )
    metric = models.CharField(max_length=40)
    month_on = models.DateField(help_text="First day of the month that signalled.")
    rule = models.CharField(max_length=80)
    value = models.FloatField(null=True)
    created_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        "orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "metric", "month_on"], name="insight_alert_once"
            )
        ]
        ordering = ["-month_on", "-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.metric} at facility {self.facility_id} in {self.month_on:%Y-%m}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ImprovementTask(models.Model):
    """Work opened from a special-cause alert: who will look into it, by when, and how far it
    has got. Written only by insights.tasks services."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="improvement_tasks"
    )
    facility = models.ForeignKey(
        "orgs.Facility", on_delete=models.PROTECT, related_name="improvement_tasks"
    )
    alert = models.ForeignKey(InsightAlert, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["organization", "status", "due_on"], name="improvement_task_open")
        ]

    def __str__(self) -> str:
        return f"improvement task #{self.pk}"


class CaseRollup(models.Model):
    """Cases received per facility, unit (null: no unit), facility-local month, kind and
    channel, with how many were rated in each HCAT category. Rebuilt by rollups.py only."""

    facility = models.ForeignKey("orgs.Facility", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, related_name="+")
    month_on = models.DateField()
    kind = models.CharField(max_length=30)
    channel = models.CharField(max_length=20)
    cases = models.PositiveIntegerField()
    sev_quality = models.PositiveIntegerField()
    sev_safety = models.PositiveIntegerField()
    sev_environment = models.PositiveIntegerField()
    sev_institutional = models.PositiveIntegerField()
    sev_listening = models.PositiveIntegerField()
    sev_communication = models.PositiveIntegerField()
    sev_respect = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["facility", "month_on"], name="case_rollup_month")]

    def __str__(self) -> str:
        return f"{self.facility_id}/{self.unit_id} {self.month_on:%Y-%m} {self.kind}"


class FigureRollup(models.Model):
    """One figure per facility, unit, facility-local month and key: counted complaints and
    issues (key "facility": grouped over the whole facility, unit null; key "unit": grouped
    within the unit), clocks met and breached (key: the pack) by due month, and times to
    acknowledge and resolve (every case's, in `seconds`) by the month of the event."""

    facility = models.ForeignKey("orgs.Facility", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, related_name="+")
    month_on = models.DateField()
    metric = models.CharField(max_length=20)
    key = models.CharField(max_length=60, blank=True)
    value = models.PositiveIntegerField(default=0)
    seconds = models.BinaryField(
        default=b"", help_text="Durations in seconds, float64 little-endian, for percentiles."
    )

    class Meta:
        indexes = [
            models.Index(fields=["facility", "metric", "month_on"], name="figure_rollup_month")
        ]

    def __str__(self) -> str:
        return f"{self.facility_id}/{self.unit_id} {self.month_on:%Y-%m} {self.metric}"


class RollupState(models.Model):
    """When a facility's rollups were last refreshed: recent months every refresh, every
    month at the last full rebuild. The dashboards show both."""

    facility = models.OneToOneField(
        "orgs.Facility", on_delete=models.CASCADE, related_name="rollup_state"
    )
    refreshed_at = models.DateTimeField(null=True, help_text="None: never built yet.")
    recent_from_on = models.DateField(null=True, help_text="First month rebuilt at refreshed_at.")
    full_at = models.DateTimeField(null=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="A sweeper is rebuilding since (conditional UPDATE)."
    )

    def __str__(self) -> str:
        return f"rollups of facility {self.facility_id}"


class SurveyRollup(models.Model):
    """Survey answers per facility, unit (null: no unit), facility-local month, scored item
    and answer value. Rebuilt with the other rollups; read for the top-box trends."""

    facility = models.ForeignKey("orgs.Facility", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, related_name="+")
    month_on = models.DateField()
    item = models.ForeignKey("surveys.Item", on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=40)
    answers = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["facility", "month_on"], name="survey_rollup_month")]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.month_on:%Y-%m} item {self.item_id}"
