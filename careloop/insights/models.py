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
