"""Pure assembly of the facility dashboard's rate chart: months, counts and exposure in,
u-chart result and table rows out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from careloop.insights.spc import ChartOptions, ChartResult, ChartType, Point, compute_chart

PER = 1000  # rates per 1,000 exposure units (DOMAIN.md M12)


@dataclass(frozen=True, kw_only=True)
class RateRow:
    month_on: date
    complaints: int  # counted once per person and issue (M13)
    cases: int  # every complaint and grievance case
    issues: int  # the issue-level count (counting.counted_issues)
    exposure: int | None
    rate: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    signal: bool


def month_label(month_on: date) -> str:
    return f"{month_on:%Y-%m}"


def complaint_rate_chart(
    *,
    complaints: dict[date, int],
    exposure: dict[date, int | None],
    cases: dict[date, int] | None = None,
    issues: dict[date, int] | None = None,
) -> tuple[ChartResult, list[RateRow]]:
    """A u-chart of complaints per 1,000 exposure units; a month without exposure is missing.
    `cases` is the raw case count and `issues` the issue-level count shown beside the counted
    one (both the complaints by default)."""
    raw = complaints if cases is None else cases
    issue_counts = complaints if issues is None else issues
    months = sorted(complaints)
    points = [
        Point(x=month_label(m), y=float(complaints[m]), n=_float(exposure.get(m))) for m in months
    ]
    result = compute_chart(chart=ChartType.U, points=points, options=ChartOptions(multiply=PER))
    rows = [
        RateRow(
            month_on=m,
            complaints=complaints[m],
            cases=raw.get(m, 0),
            issues=issue_counts.get(m, 0),
            exposure=exposure.get(m),
            rate=p.y,
            cl=p.cl,
            lcl=p.lcl,
            ucl=p.ucl,
            signal=p.sigma_signal,
        )
        for m, p in zip(months, result.points, strict=True)
    ]
    return result, rows


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


MIN_POINTS_FOR_ALERT = 6  # as many months with data as the chart needs to draw limits


def newest_signal(result: ChartResult, *, min_points: int = MIN_POINTS_FOR_ALERT) -> str | None:
    """Why the newest point is a special-cause signal, or None: not a signal, no data for the
    newest month, or too few months with data to trust the limits."""
    present = [p for p in result.points if p.y is not None]
    if len(present) < min_points or result.points[-1].y is None:
        return None
    newest = result.points[-1]
    if newest.sigma_signal:
        return (
            "above the upper limit"
            if (newest.ucl is not None and newest.y is not None and newest.y > newest.ucl)
            else "below the lower limit"
        )
    if newest.rules:
        return "Western Electric rule " + ", ".join(str(r) for r in newest.rules)
    return None
