"""Reads for insights: facilities a user may see, monthly complaint counts (DOMAIN.md M13),
exposure per month and volumes. Every read is scoped; the dashboard read is audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from careloop.audit.services import audit_record
from careloop.cases.models import HCAT_CATEGORIES, Case, Channel, Kind, ReporterType
from careloop.insights.counting import (
    WINDOW_DAYS,
    CaseFacts,
    counted_firsts,
    counted_issues,
    counting_groups,
    person_key,
)
from careloop.insights.denominators import default_measure, month_add, months_between
from careloop.insights.models import Exposure, Measure
from careloop.insights.permissions import can_view_facility_insights, can_view_unit_insights
from careloop.orgs.models import Facility, Unit, User
from careloop.orgs.permissions import role_label
from careloop.text.models import CaseLink

COMPLAINT_KINDS = (Kind.COMPLAINT, Kind.GRIEVANCE)
HCAT_FIELDS = tuple(name for name, _label in HCAT_CATEGORIES)


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


def unit_get_for(*, user: User, unit_id: int) -> Unit:
    """A unit whose dashboard the user may see: any case access covering the unit (unit
    members too); missing and out of scope give the same 404."""
    if user.organization_id is None:
        raise Http404("No such unit.")
    unit = (
        Unit.objects.select_related("facility__organization")
        .filter(pk=unit_id, facility__organization_id=user.organization_id)
        .first()
    )
    if unit is None or not can_view_unit_insights(user, unit):
        raise Http404("No such unit.")
    return unit


def units_for(*, user: User) -> list[Unit]:
    if user.organization_id is None:
        return []
    candidates = (
        Unit.objects.filter(facility__organization_id=user.organization_id)
        .select_related("facility")
        .order_by("facility__name", "name")
    )
    return [u for u in candidates if can_view_unit_insights(user, u)]


def facilities_for(*, user: User) -> list[Facility]:
    if user.organization_id is None:
        return []
    candidates = Facility.objects.filter(organization_id=user.organization_id).order_by("name")
    return [f for f in candidates if can_view_facility_insights(user, f)]


def _cases_in(
    facility: Facility, period: Period, unit: Unit | None = None, lookback_days: int = 0
) -> QuerySet[Case]:
    tz = ZoneInfo(facility.time_zone)
    start = datetime.combine(period.first_on, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(month_add(period.last_on, 1), datetime.min.time(), tzinfo=tz)
    start -= timedelta(days=lookback_days)
    cases = Case.objects.filter(facility=facility, received_at__gte=start, received_at__lt=end)
    return cases if unit is None else cases.filter(unit=unit)


def complaints_by_month(
    *, facility: Facility, period: Period, unit: Unit | None = None
) -> dict[date, int]:
    """Complaints and grievances received per facility-local month, each case counted once
    (M13: several issues in one complaint count as one)."""
    rows = (
        _cases_in(facility, period, unit)
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


@dataclass(frozen=True, kw_only=True)
class ComplaintCounts:
    counted: dict[date, int]  # complaints counted once per person and issue (M13)
    issues: dict[date, int]  # the issue-level count (counting.counted_issues)


def complaint_counts_by_month(
    *, facility: Facility, period: Period, unit: Unit | None = None
) -> ComplaintCounts:
    """Complaints and grievances per facility-local month, a repeat on the same issue from
    the same person counted once (counting.py), in the month of the first complaint; and the
    issue-level count beside it. Cases up to WINDOW_DAYS before the period are read, so a
    repeat of one counted earlier is not counted again; a case confirmed as a duplicate or
    repeat of another (text.CaseLink) counts with it when both are in that window."""
    tz = ZoneInfo(facility.time_zone)
    complaints = _cases_in(facility, period, unit, lookback_days=WINDOW_DAYS).filter(
        kind__in=COMPLAINT_KINDS
    )
    links = list(
        CaseLink.objects.filter(from_case__in=complaints.values("pk")).values_list(
            "from_case_id", "to_case_id"
        )
    )
    rows = complaints.values(
        "pk",
        "received_at",
        "reporter_type",
        "reporter_email",
        "reporter_phone",
        "recovery_client__client_id",
        *HCAT_FIELDS,
    )
    facts = [
        CaseFacts(
            case_id=r["pk"],
            received_at=r["received_at"],
            person=person_key(
                client_id=r["recovery_client__client_id"],
                email=r["reporter_email"],
                phone=r["reporter_phone"],
                anonymous=r["reporter_type"] == ReporterType.ANONYMOUS,
            ),
            severities={name: r[name] for name in HCAT_FIELDS},
        )
        for r in rows
    ]
    counted = {m: 0 for m in period.months}
    for first in counted_firsts(counting_groups(facts, links=links)):
        month_on = first.received_at.astimezone(tz).date().replace(day=1)
        if month_on in counted:
            counted[month_on] += 1
    issues = {m: 0 for m in period.months}
    for fact, _issue in counted_issues(facts, links=links):
        month_on = fact.received_at.astimezone(tz).date().replace(day=1)
        if month_on in issues:
            issues[month_on] += 1
    return ComplaintCounts(counted=counted, issues=issues)


def counted_complaints_by_month(
    *, facility: Facility, period: Period, unit: Unit | None = None
) -> dict[date, int]:
    """Complaints counted once per person and issue, per facility-local month."""
    return complaint_counts_by_month(facility=facility, period=period, unit=unit).counted


def exposure_by_month(
    *, facility: Facility, period: Period, measure: Measure, unit: Unit | None = None
) -> dict[date, int | None]:
    """Summed exposure of the facility's units (or one unit) per month; None where nothing
    was imported."""
    exposure = Exposure.objects.filter(
        unit__facility=facility,
        measure=measure,
        period_start_on__gte=period.first_on,
        period_start_on__lte=period.last_on,
    )
    rows = (
        (exposure if unit is None else exposure.filter(unit=unit))
        .values("period_start_on")
        .annotate(total=Sum("value"))
    )
    totals: dict[date, int | None] = dict.fromkeys(period.months)
    for row in rows:
        totals[row["period_start_on"]] = row["total"]
    return totals


def volumes(
    *, facility: Facility, period: Period, unit: Unit | None = None
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Cases received in the period by kind and by channel, as (label, count), largest first."""
    cases = _cases_in(facility, period, unit)
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


def unit_dashboard_viewed(*, user: User, unit: Unit, period: Period, now: datetime) -> None:
    audit_record(
        actor=user,
        action="R",
        event_type="insights.viewed",
        at=now,
        organization_id=unit.facility.organization_id,
        object_type="unit",
        object_id=str(unit.pk),
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
    "complaint_counts_by_month",
    "complaints_by_month",
    "counted_complaints_by_month",
    "default_measure",
    "exposure_by_month",
    "facilities_for",
    "facility_dashboard_viewed",
    "facility_get_for",
    "organization_dashboard_viewed",
    "period_default",
    "unit_dashboard_viewed",
    "unit_get_for",
    "units_for",
    "volumes",
]
