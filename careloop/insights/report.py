"""The monthly facility report's figures: the month and the 12 months before it, the u-chart
over those 13 months (the same chart data the dashboard's SVG draws) and the unit hotspots.
Reads only counts, durations, pack ids and unit names: no client free text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from careloop.cases.models import CorrectiveAction
from careloop.insights import queries, selectors
from careloop.insights.dashboard import PER, RateRow, complaint_rate_chart
from careloop.insights.denominators import default_measure, month_add, month_end
from careloop.insights.funnel import Funnel
from careloop.insights.grievance_log import category_of
from careloop.insights.spc import ChartResult
from careloop.orgs.models import Facility

PRIOR_MONTHS = 12
ACTIONS_LISTED = 40


@dataclass(frozen=True, kw_only=True)
class Theme:
    """An HCAT category: cases rated in it this month and in the 12 months before."""

    label: str
    month: int
    prior: int


def top_themes(month: list[tuple[str, int]], prior: list[tuple[str, int]]) -> list[Theme]:
    """Categories raised in either period, most raised this month first (then in the months
    before, then by HCAT order)."""
    before = dict(prior)
    themes = [
        (index, Theme(label=label, month=n, prior=before.get(label, 0)))
        for index, (label, n) in enumerate(month)
    ]
    raised = [(i, t) for i, t in themes if t.month or t.prior]
    return [t for _i, t in sorted(raised, key=lambda it: (-it[1].month, -it[1].prior, it[0]))]


@dataclass(frozen=True, kw_only=True)
class ActionLine:
    """A corrective action recorded or completed in the month: coded fields only (its
    description is staff free text and stays on the case)."""

    reference: str
    unit: str
    category: str
    recorded_on: date
    due_on: date | None
    done_on: date | None


@dataclass(frozen=True, kw_only=True)
class Actions:
    recorded: int
    completed: int
    overdue: int  # open at the month's end with a due date before it
    lines: list[ActionLine]  # at most ACTIONS_LISTED, oldest first
    more: bool  # more actions than listed


@dataclass(frozen=True, kw_only=True)
class Headline:
    """One column of the headline table."""

    period: selectors.Period
    counted: int  # complaints counted once per person and issue (M13)
    cases: int  # every complaint and grievance case
    issues: int  # the issue-level count
    exposure: int | None  # summed over the months with exposure data
    rate: float | None  # counted complaints in those months per PER exposure units
    figures: queries.Figures


@dataclass(frozen=True, kw_only=True)
class MonthlyReport:
    organization_name: str
    facility_name: str
    time_zone: str
    month_on: date
    generated_on: date
    measure_label: str
    unit_label: str  # "per 1,000 patient days"
    month: Headline
    prior: Headline
    chart: ChartResult
    rows: list[RateRow]
    hotspots: Funnel
    hotspots_period: selectors.Period
    themes: list[Theme]
    actions: Actions


def _headline(rows: list[RateRow], period: selectors.Period, figures: queries.Figures) -> Headline:
    inside = [r for r in rows if period.first_on <= r.month_on <= period.last_on]
    measured = [r for r in inside if r.exposure is not None]
    exposure = sum(r.exposure or 0 for r in measured) if measured else None
    rate = sum(r.complaints for r in measured) * PER / exposure if exposure else None
    return Headline(
        period=period,
        counted=sum(r.complaints for r in inside),
        cases=sum(r.cases for r in inside),
        issues=sum(r.issues for r in inside),
        exposure=exposure,
        rate=rate,
        figures=figures,
    )


def monthly_report(*, facility: Facility, month_on: date, now: datetime) -> MonthlyReport:
    """Every figure of the report for the facility-local month starting `month_on`."""
    window = selectors.Period(first_on=month_add(month_on, -PRIOR_MONTHS), last_on=month_on)
    this = selectors.Period(first_on=month_on, last_on=month_on)
    prior = selectors.Period(first_on=window.first_on, last_on=month_add(month_on, -1))
    measure = default_measure(facility.setting)
    counts = selectors.complaint_counts_by_month(facility=facility, period=window)
    raw = selectors.complaints_by_month(facility=facility, period=window)
    exposure = selectors.exposure_by_month(facility=facility, period=window, measure=measure)
    chart, rows = complaint_rate_chart(
        complaints=counts.counted, exposure=exposure, cases=raw, issues=counts.issues
    )

    def figures_of(period: selectors.Period) -> queries.Figures:
        return queries.figures_for(
            organization=facility.organization, facilities=[facility], period=period, whole=False
        )

    month_figures, prior_figures = figures_of(this), figures_of(prior)

    return MonthlyReport(
        organization_name=facility.organization.name,
        facility_name=facility.name,
        time_zone=facility.time_zone,
        month_on=month_on,
        generated_on=now.astimezone(ZoneInfo(facility.time_zone)).date(),
        measure_label=measure.label,
        unit_label=f"per {PER:,} {measure.label.lower()}",
        month=_headline(rows, this, month_figures),
        prior=_headline(rows, prior, prior_figures),
        chart=chart,
        rows=rows,
        hotspots=queries.unit_funnel(facility=facility, period=window, measure=measure, per=PER),
        hotspots_period=window,
        themes=top_themes(month_figures.categories, prior_figures.categories),
        actions=month_actions(facility=facility, month_on=month_on),
    )


def month_actions(*, facility: Facility, month_on: date) -> Actions:
    """Corrective actions on the facility's cases recorded or completed in the local month."""
    start, end = queries.bounds(facility, selectors.Period(first_on=month_on, last_on=month_on))
    last_on = month_end(month_on)
    zone = ZoneInfo(facility.time_zone)
    actions = CorrectiveAction.objects.filter(case__facility=facility)
    recorded = Q(created_at__gte=start, created_at__lt=end)
    completed = Q(done_on__gte=month_on, done_on__lte=last_on)
    overdue = actions.filter(
        Q(done_on__isnull=True) | Q(done_on__gt=last_on),
        created_at__lt=end,
        due_on__lte=last_on,
    ).count()
    listed = (
        actions.filter(recorded | completed)
        .select_related("case__unit")
        .order_by("created_at", "pk")
    )
    shown = list(listed[: ACTIONS_LISTED + 1])
    return Actions(
        recorded=actions.filter(recorded).count(),
        completed=actions.filter(completed).count(),
        overdue=overdue,
        lines=[
            ActionLine(
                reference=a.case.reference,
                unit=a.case.unit.name if a.case.unit else "",
                category=category_of({n: getattr(a.case, n) for n in selectors.HCAT_FIELDS}),
                recorded_on=a.created_at.astimezone(zone).date(),
                due_on=a.due_on,
                done_on=a.done_on,
            )
            for a in shown[:ACTIONS_LISTED]
        ],
        more=len(shown) > ACTIONS_LISTED,
    )
