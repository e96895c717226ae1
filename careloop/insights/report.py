"""The monthly facility report's figures: the month and the 12 months before it, the u-chart
over those 13 months (the same chart data the dashboard's SVG draws) and the unit hotspots.
Reads only counts, durations, pack ids and unit names: no client free text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from careloop.insights import queries, selectors
from careloop.insights.dashboard import PER, RateRow, complaint_rate_chart
from careloop.insights.denominators import default_measure, month_add
from careloop.insights.funnel import Funnel
from careloop.insights.spc import ChartResult
from careloop.orgs.models import Facility

PRIOR_MONTHS = 12


@dataclass(frozen=True, kw_only=True)
class Headline:
    """One column of the headline table."""

    period: selectors.Period
    counted: int  # complaints counted once per person and issue (M13)
    cases: int  # every complaint and grievance case
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


def _headline(rows: list[RateRow], period: selectors.Period, figures: queries.Figures) -> Headline:
    inside = [r for r in rows if period.first_on <= r.month_on <= period.last_on]
    measured = [r for r in inside if r.exposure is not None]
    exposure = sum(r.exposure or 0 for r in measured) if measured else None
    rate = sum(r.complaints for r in measured) * PER / exposure if exposure else None
    return Headline(
        period=period,
        counted=sum(r.complaints for r in inside),
        cases=sum(r.cases for r in inside),
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
    counted = selectors.counted_complaints_by_month(facility=facility, period=window)
    raw = selectors.complaints_by_month(facility=facility, period=window)
    exposure = selectors.exposure_by_month(facility=facility, period=window, measure=measure)
    chart, rows = complaint_rate_chart(complaints=counted, exposure=exposure, cases=raw)

    def figures_of(period: selectors.Period) -> queries.Figures:
        return queries.figures_for(
            organization=facility.organization, facilities=[facility], period=period, whole=False
        )

    return MonthlyReport(
        organization_name=facility.organization.name,
        facility_name=facility.name,
        time_zone=facility.time_zone,
        month_on=month_on,
        generated_on=now.astimezone(ZoneInfo(facility.time_zone)).date(),
        measure_label=measure.label,
        unit_label=f"per {PER:,} {measure.label.lower()}",
        month=_headline(rows, this, figures_of(this)),
        prior=_headline(rows, prior, figures_of(prior)),
        chart=chart,
        rows=rows,
        hotspots=queries.unit_funnel(facility=facility, period=window, measure=measure, per=PER),
        hotspots_period=window,
    )
