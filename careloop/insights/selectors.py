"""Reads for insights: facilities a user may see, monthly complaint counts (DOMAIN.md M13),
exposure per month and volumes. Every read is scoped; the dashboard read is audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from careloop.audit.services import audit_record
from careloop.cases.models import Case, Channel, Kind
from careloop.insights.denominators import default_measure, month_add, months_between
from careloop.insights.models import Exposure, Measure
from careloop.insights.permissions import can_view_facility_insights
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import role_label

COMPLAINT_KINDS = (Kind.COMPLAINT, Kind.GRIEVANCE)


@dataclass(frozen=True, kw_only=True)
class Period:
    first_on: date  # first day of the first month
    last_on: date  # first day of the last month

    @property
    def months(self) -> list[date]:
        return months_between(self.first_on, self.last_on)


def period_default(*, facility: Facility, now: datetime) -> Period:
    """The last 12 complete months in the facility's time zone."""
    today = now.astimezone(ZoneInfo(facility.time_zone)).date()
    last = month_add(today.replace(day=1), -1)
    return Period(first_on=month_add(last, -11), last_on=last)


def facility_get_for(*, user: User, facility_id: int) -> Facility:
    if user.organization_id is None:
        raise Http404("No such facility.")
    facility = Facility.objects.filter(pk=facility_id, organization_id=user.organization_id).first()
    if facility is None or not can_view_facility_insights(user, facility):
        raise Http404("No such facility.")
    return facility


def facilities_for(*, user: User) -> list[Facility]:
    if user.organization_id is None:
        return []
    candidates = Facility.objects.filter(organization_id=user.organization_id).order_by("name")
    return [f for f in candidates if can_view_facility_insights(user, f)]


def _cases_in(facility: Facility, period: Period) -> QuerySet[Case]:
    tz = ZoneInfo(facility.time_zone)
    start = datetime.combine(period.first_on, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(month_add(period.last_on, 1), datetime.min.time(), tzinfo=tz)
    return Case.objects.filter(facility=facility, received_at__gte=start, received_at__lt=end)


def complaints_by_month(*, facility: Facility, period: Period) -> dict[date, int]:
    """Complaints and grievances received per facility-local month, each case counted once
    (M13: several issues in one complaint count as one)."""
    rows = (
        _cases_in(facility, period)
        .filter(kind__in=COMPLAINT_KINDS)
        .annotate(month=TruncMonth("received_at", tzinfo=ZoneInfo(facility.time_zone)))
        .values("month")
        .annotate(count=Count("id"))
    )
    counts = {m: 0 for m in period.months}
    for row in rows:
        month = row["month"]
        month_on = month.date() if isinstance(month, datetime) else month
        counts[month_on.replace(day=1)] = row["count"]
    return counts


def exposure_by_month(
    *, facility: Facility, period: Period, measure: Measure
) -> dict[date, int | None]:
    """Summed exposure of the facility's units per month; None where nothing was imported."""
    rows = (
        Exposure.objects.filter(
            unit__facility=facility,
            measure=measure,
            period_start_on__gte=period.first_on,
            period_start_on__lte=period.last_on,
        )
        .values("period_start_on")
        .annotate(total=Sum("value"))
    )
    totals: dict[date, int | None] = dict.fromkeys(period.months)
    for row in rows:
        totals[row["period_start_on"]] = row["total"]
    return totals


def volumes(
    *, facility: Facility, period: Period
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Cases received in the period by kind and by channel, as (label, count), largest first."""
    cases = _cases_in(facility, period)
    kinds = Counter({r["kind"]: r["n"] for r in cases.values("kind").annotate(n=Count("id"))})
    channels = Counter(
        {r["channel"]: r["n"] for r in cases.values("channel").annotate(n=Count("id"))}
    )
    kind_labels, channel_labels = dict(Kind.choices), dict(Channel.choices)
    return (
        [(str(kind_labels.get(k, k)), n) for k, n in kinds.most_common()],
        [(str(channel_labels.get(c, c)), n) for c, n in channels.most_common()],
    )


def facility_dashboard_viewed(
    *, user: User, facility: Facility, period: Period, now: datetime
) -> None:
    audit_record(
        actor=user,
        action="R",
        event_type="insights.viewed",
        at=now,
        organization_id=facility.organization_id,
        object_type="facility",
        object_id=str(facility.pk),
        actor_role=role_label(user),
        detail={"from": f"{period.first_on:%Y-%m}", "to": f"{period.last_on:%Y-%m}"},
    )


def organization_dashboard_viewed(
    *, user: User, organization_id: int, period: Period, now: datetime
) -> None:
    audit_record(
        actor=user,
        action="R",
        event_type="insights.viewed",
        at=now,
        organization_id=organization_id,
        object_type="organization",
        object_id=str(organization_id),
        actor_role=role_label(user),
        detail={"from": f"{period.first_on:%Y-%m}", "to": f"{period.last_on:%Y-%m}"},
    )


__all__ = [
    "COMPLAINT_KINDS",
    "Period",
    "complaints_by_month",
    "default_measure",
    "exposure_by_month",
    "facilities_for",
    "facility_dashboard_viewed",
    "facility_get_for",
    "organization_dashboard_viewed",
    "period_default",
    "volumes",
]
