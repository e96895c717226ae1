"""Reads behind the dashboard figures, for one facility or all of an organization's: each
facility's period is its own local months. The arithmetic lives in figures.py and funnel.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum

from careloop.cases.models import HCAT_CATEGORIES, Case, Kind
from careloop.followups.selectors import RecoverySuccess, recovery_success
from careloop.insights import figures, rollups
from careloop.insights.denominators import month_add, month_end
from careloop.insights.funnel import Funnel, UnitInput, funnel
from careloop.insights.models import Exposure, Measure
from careloop.insights.selectors import COMPLAINT_KINDS, Period
from careloop.orgs.models import Facility, Organization, Unit
from careloop.policies.models import CaseClock, ClockStatus
from careloop.recovery.models import SPEND_KINDS, Budget, LedgerEntry
from careloop.recovery.selectors import cents


def bounds(facility: Facility, period: Period) -> tuple[datetime, datetime]:
    tz = ZoneInfo(facility.time_zone)
    start = datetime.combine(period.first_on, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(month_add(period.last_on, 1), datetime.min.time(), tzinfo=tz)
    return start, end


def within(facilities: Sequence[Facility], period: Period, field: str, prefix: str = "") -> Q:
    """Rows of these facilities whose `field` falls in each facility's local period."""
    q = Q(pk__in=[])
    for f in facilities:
        start, end = bounds(f, period)
        q |= Q(**{f"{prefix}facility_id": f.pk, f"{field}__gte": start, f"{field}__lt": end})
    return q


def _cases(
    facilities: Sequence[Facility], period: Period, field: str, unit: Unit | None = None
) -> QuerySet[Case]:
    cases = Case.objects.filter(within(facilities, period, field))
    return cases if unit is None else cases.filter(unit=unit)


@dataclass(frozen=True, kw_only=True)
class Figures:
    acknowledge: figures.Durations
    resolve: figures.Durations
    compliance: list[figures.PackCompliance]
    compliments: int
    budget: list[figures.BudgetLine]
    success: RecoverySuccess | None
    categories: list[tuple[str, int]]


def figures_for(
    *,
    organization: Organization,
    facilities: Sequence[Facility],
    period: Period,
    whole: bool,
    unit: Unit | None = None,
    rolled: bool = False,
) -> Figures:
    """Every dashboard figure for these facilities, or for one unit of the one facility;
    `whole` when they are the organization's every facility (recovery success is then the
    overall row). Recovery success is not broken down by unit. `rolled`: case figures from
    the rollups (the dashboards), else read live (the monthly report)."""
    if rolled:
        case = rollups.case_figures_read(facilities=facilities, period=period, unit=unit)
        acknowledge, resolve, compliance = case.acknowledge, case.resolve, case.compliance
        compliments, categories = case.compliments, case.categories
    else:
        ack = _cases(facilities, period, "acknowledged_at", unit).values_list(
            "received_at", "acknowledged_at"
        )
        resolved = _cases(facilities, period, "resolved_at", unit).values_list(
            "received_at", "resolved_at"
        )
        received = _cases(facilities, period, "received_at", unit)
        acknowledge, resolve = figures.durations(ack), figures.durations(resolved)
        compliance = figures.clock_compliance(_ended_clocks(facilities, period, unit))
        compliments = received.filter(kind=Kind.COMPLIMENT).count()
        categories = _categories(received)
    return Figures(
        acknowledge=acknowledge,
        resolve=resolve,
        compliance=compliance,
        compliments=compliments,
        budget=_budget(organization, facilities, period, unit),
        success=None if unit else _success(organization, facilities, period, whole=whole),
        categories=categories,
    )


def _ended_clocks(
    facilities: Sequence[Facility], period: Period, unit: Unit | None
) -> list[tuple[str, bool]]:
    """Clocks due in the period that have ended: met on time, or breached (a breached clock
    stays breached when it is met late). By due date, since the sweep records a breach when it
    runs, not when the deadline passed."""
    clocks = CaseClock.objects.filter(
        within(facilities, period, "due_at", prefix="case__"),
        status__in=[ClockStatus.MET, ClockStatus.BREACHED],
    )
    if unit is not None:
        clocks = clocks.filter(case__unit=unit)
    rows = clocks.values_list("pack_id", "status")
    return [(pack_id, status == ClockStatus.MET) for pack_id, status in rows]


def _budget(
    organization: Organization,
    facilities: Sequence[Facility],
    period: Period,
    unit: Unit | None,
) -> list[figures.BudgetLine]:
    in_scope = Unit.objects.filter(facility__in=facilities)
    if unit is not None:
        in_scope = in_scope.filter(pk=unit.pk)
    units = list(in_scope)
    entries = LedgerEntry.objects.filter(
        within(facilities, period, "effective_at", prefix="unit__"),
        organization_id=organization.pk,
        kind__in=SPEND_KINDS,
        unit__in=units,
    )
    spent = {
        row["currency"]: cents(row["total"])
        for row in entries.values("currency").annotate(total=Sum("amount")).order_by()
    }
    budgets = Budget.objects.filter(
        unit__in=units, start_on__lte=month_end(period.last_on), end_on__gte=period.first_on
    ).values_list("currency", "amount")
    return figures.budget_lines(spent=spent, budgets=list(budgets))


def _success(
    organization: Organization, facilities: Sequence[Facility], period: Period, *, whole: bool
) -> RecoverySuccess | None:
    if not facilities:
        return None
    start, end = bounds(facilities[0], period)
    if whole:
        return recovery_success(
            organization=organization, start=start, end=end, group_by="overall"
        )[0]
    rows = recovery_success(organization=organization, start=start, end=end, group_by="facility")
    return next((r for r in rows if r.key == facilities[0].pk), None)


def _categories(received: QuerySet[Case]) -> list[tuple[str, int]]:
    counts = received.aggregate(
        **{field: Count("id", filter=Q(**{f"{field}__gt": 0})) for field, _ in HCAT_CATEGORIES}
    )
    return figures.category_volumes(counts, HCAT_CATEGORIES)


def unit_funnel(
    *, facility: Facility, period: Period, measure: Measure, per: int, rolled: bool = False
) -> Funnel:
    """Complaints per unit against the unit's exposure over the period (from the rollups for
    the dashboards, live for the monthly report)."""
    complaints = (
        rollups.unit_complaints_read(facility=facility, period=period)
        if rolled
        else dict(
            _cases([facility], period, "received_at")
            .filter(kind__in=COMPLAINT_KINDS, unit__isnull=False)
            .values_list("unit_id")
            .annotate(n=Count("id"))
            .values_list("unit_id", "n")
        )
    )
    exposure = dict(
        Exposure.objects.filter(
            unit__facility=facility,
            measure=measure,
            period_start_on__gte=period.first_on,
            period_start_on__lte=period.last_on,
        )
        .values_list("unit_id")
        .annotate(total=Sum("value"))
        .values_list("unit_id", "total")
    )
    units = Unit.objects.filter(facility=facility).order_by("name")
    return funnel(
        [
            UnitInput(label=u.name, events=complaints.get(u.pk, 0), exposure=exposure.get(u.pk, 0))
            for u in units
        ],
        per=per,
    )
