"""Statistical process control engine: run charts (Anhøj rules) and control charts.

Pure functions, no Django, no database. Dataclasses in, dataclasses out.
DOMAIN.md sections 6 and 7.7 give the rules; the reference outputs in
careloop/insights/tests/fixtures come from a widely used SPC package (qicharts2) and are
reproduced exactly.

Conventions:
- ``parts`` are phases: limits and run statistics are computed separately per part.
- ``exclude`` points are shown (and get a sigma signal) but are used neither for limits nor
  for run statistics.
- ``freeze`` = k: the limits of the part holding the first k points are computed from those
  points only and extended; a part wholly after the baseline uses all its points.
- Run statistics compare each included point with the chart's centre line (the median for
  run charts, the mean-based centre line for control charts).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from careloop.insights import spc_limits as lim
from careloop.insights.spc_runs import RunStatistics, run_statistics, western_electric

__all__ = [
    "T_CHART_EXPONENT",
    "ChartOptions",
    "ChartResult",
    "ChartType",
    "PartSummary",
    "Point",
    "PointResult",
    "RunStatistics",
    "Subgroup",
    "compute_chart",
    "subgroups_from_pairs",
    "summarize",
]

T_CHART_EXPONENT = 3.6  # t chart: y^(1/3.6) is approximately normal for exponential times


class ChartType(StrEnum):
    RUN = "run"
    I = "i"  # noqa: E741 - the standard name of the individuals chart
    MR = "mr"
    XBAR = "xbar"
    S = "s"
    P = "p"
    PP = "pp"  # Laney p'
    U = "u"
    UP = "up"  # Laney u'
    C = "c"
    T = "t"


_SUBGROUP_CHARTS = frozenset({ChartType.XBAR, ChartType.S})
_RATIO_CHARTS = frozenset({ChartType.P, ChartType.PP, ChartType.U, ChartType.UP})


@dataclass(frozen=True, kw_only=True)
class Point:
    """One plotted point: a value or count ``y`` and, for p and u charts, a denominator ``n``."""

    x: str
    y: float | None
    n: float | None = None


@dataclass(frozen=True, kw_only=True)
class Subgroup:
    """One plotted point of an Xbar or S chart: the raw observations (None = missing)."""

    x: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, kw_only=True)
class ChartOptions:
    parts: tuple[int, ...] = ()  # 0-based indices where a new part (phase) starts
    exclude: frozenset[int] = frozenset()  # 0-based indices shown but not used
    freeze: int | None = None  # number of leading points forming the baseline
    multiply: float = 1.0  # p, p', u, u': e.g. 1000 for a rate per 1,000
    screen_moving_ranges: bool = True  # I and t charts: drop MRs > 3.267 MR-bar (qicharts2)
    laney_sigma_z: Literal["moving_range", "sd"] = "moving_range"  # "sd": categorical x axis
    allow_negative_lcl: bool = True  # I and Xbar charts; False truncates the LCL at 0
    western_electric: bool = False  # sensitizing rules 1-4 (control charts only)
    # Xbar/S: reproduce the reference package, where an empty subgroup (all values missing)
    # subtracts one degree of freedom from the pooled s-bar. Off: empty subgroups are ignored.
    empty_subgroup_quirk: bool = False


@dataclass(frozen=True, kw_only=True)
class PointResult:
    x: str
    y: float | None
    n: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    part: int  # 1-based
    included: bool
    baseline: bool
    sigma_signal: bool
    rules: tuple[int, ...] = ()  # Western Electric rules fired at this point


@dataclass(frozen=True, kw_only=True)
class ChartResult:
    chart: ChartType
    points: tuple[PointResult, ...]
    runs: tuple[RunStatistics, ...]  # one per part

    def runs_for(self, part: int) -> RunStatistics:
        return self.runs[part - 1]


@dataclass(frozen=True, kw_only=True)
class PartSummary:
    """Per-part summary: run statistics and average limits (for variable-limit charts)."""

    runs: RunStatistics
    average_lcl: float | None
    cl: float | None
    average_ucl: float | None
    sigma_signal: bool


@dataclass(kw_only=True)
class _Row:
    x: str
    y: float | None
    n: float | None = None
    y_sum: float | None = None
    sd: float | None = None
    part: int = 1
    included: bool = True
    baseline: bool = True


def subgroups_from_pairs(pairs: Iterable[tuple[str | None, float | None]]) -> list[Subgroup]:
    """Group (x, value) pairs into subgroups, keeping the order in which x first appears.

    Pairs without a subgroup label (x is None) belong to no point and are dropped, as the
    reference package does; missing values stay in their subgroup and are ignored there.
    """
    grouped: dict[str, list[float | None]] = {}
    for x, value in pairs:
        if x is None:
            continue
        grouped.setdefault(x, []).append(value)
    return [Subgroup(x=x, values=tuple(values)) for x, values in grouped.items()]


def _subgroup_row(subgroup: Subgroup, *, chart: ChartType) -> _Row:
    present = [v for v in subgroup.values if v is not None]
    mean = statistics.fmean(present) if present else None
    sd = statistics.stdev(present) if len(present) >= 2 else None
    y = mean if chart is ChartType.XBAR else sd
    return _Row(x=subgroup.x, y=y, n=float(len(present)), sd=sd)


def _point_row(point: Point, *, chart: ChartType) -> _Row:
    if chart in _RATIO_CHARTS:
        if point.y is None or point.n is None or point.n <= 0:
            return _Row(x=point.x, y=None, n=point.n, y_sum=point.y)
        return _Row(x=point.x, y=point.y / point.n, n=point.n, y_sum=point.y)
    if point.y is not None and not math.isfinite(point.y):
        raise ValueError(f"non-finite value at {point.x!r}")
    return _Row(x=point.x, y=point.y, n=point.n)


def _build_rows(
    chart: ChartType, points: Sequence[Point] | Sequence[Subgroup], options: ChartOptions
) -> list[_Row]:
    rows: list[_Row] = []
    for item in points:
        if isinstance(item, Subgroup):
            if chart not in _SUBGROUP_CHARTS:
                raise TypeError(f"{chart} chart takes Point, not Subgroup")
            rows.append(_subgroup_row(item, chart=chart))
        else:
            if chart in _SUBGROUP_CHARTS:
                raise TypeError(f"{chart} chart takes Subgroup, not Point")
            rows.append(_point_row(item, chart=chart))
    starts = sorted(set(options.parts))
    if any(s <= 0 or s >= len(rows) for s in starts):
        raise ValueError("part starts must lie within (0, number of points)")
    if any(i < 0 or i >= len(rows) for i in options.exclude):
        raise ValueError("excluded index out of range")
    if options.freeze is not None and not 1 <= options.freeze <= len(rows):
        raise ValueError("freeze must lie within [1, number of points]")
    part = 1
    for index, row in enumerate(rows):
        if index in starts:
            part += 1
        row.part = part
        row.included = index not in options.exclude
        row.baseline = options.freeze is None or index < options.freeze
    return rows


def _limit_rows(rows: Sequence[_Row]) -> list[lim.LimitRow]:
    has_baseline = any(r.baseline and r.included for r in rows)
    return [
        lim.LimitRow(
            y=r.y,
            base=r.included and (r.baseline or not has_baseline),
            n=r.n,
            y_sum=r.y_sum,
            sd=r.sd,
        )
        for r in rows
    ]


def _part_limits(chart: ChartType, rows: list[_Row], options: ChartOptions) -> lim.Limits:
    if chart is ChartType.MR:
        ranges = lim.moving_ranges([r.y for r in rows])
        for row, moving_range in zip(rows, ranges, strict=True):
            row.y = moving_range
        return lim.mr_limits(_limit_rows(rows))
    if chart is ChartType.T:
        return _t_limits(rows, options)
    limit_rows = _limit_rows(rows)
    if chart is ChartType.RUN:
        return lim.median_centre(limit_rows)
    if chart is ChartType.I:
        return lim.i_limits(limit_rows, screen_moving_ranges=options.screen_moving_ranges)
    if chart is ChartType.C:
        return lim.c_limits(limit_rows)
    if chart is ChartType.P:
        return lim.p_limits(limit_rows)
    if chart is ChartType.U:
        return lim.u_limits(limit_rows)
    if chart in (ChartType.PP, ChartType.UP):
        return lim.laney_limits(
            limit_rows, proportion=chart is ChartType.PP, sigma_z_method=options.laney_sigma_z
        )
    quirk = options.empty_subgroup_quirk
    if chart is ChartType.XBAR:
        return lim.xbar_limits(limit_rows, empty_subgroup_quirk=quirk)
    return lim.s_limits(limit_rows, empty_subgroup_quirk=quirk)


def _t_limits(rows: list[_Row], options: ChartOptions) -> lim.Limits:
    """t chart: I chart of y^(1/3.6), then everything raised back to the power 3.6.

    A negative transformed LCL has no back-transform and becomes 0.
    """
    if any(r.y is not None and r.y < 0 for r in rows):
        raise ValueError("t chart needs non-negative times between events")
    exponent = T_CHART_EXPONENT
    for row in rows:
        row.y = None if row.y is None else row.y ** (1.0 / exponent)
    limits = lim.i_limits(_limit_rows(rows), screen_moving_ranges=options.screen_moving_ranges)
    for row in rows:
        row.y = None if row.y is None else row.y**exponent

    def back(value: float | None) -> float | None:
        if value is None:
            return None
        return 0.0 if value < 0 else value**exponent

    return lim.Limits(
        cl=[back(v) for v in limits.cl],
        lcl=[back(v) for v in limits.lcl],
        ucl=[back(v) for v in limits.ucl],
    )


def _scale(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def compute_chart(
    *,
    chart: ChartType,
    points: Sequence[Point] | Sequence[Subgroup],
    options: ChartOptions | None = None,
) -> ChartResult:
    """Centre line, limits, sigma signals and Anhøj run statistics of a chart, per part."""
    options = options or ChartOptions()
    rows = _build_rows(chart, points, options)
    factor = options.multiply if chart in _RATIO_CHARTS else 1.0
    results: list[PointResult] = []
    runs: list[RunStatistics] = []
    for part in sorted({r.part for r in rows}):
        part_rows = [r for r in rows if r.part == part]
        limits = _part_limits(chart, part_rows, options)
        ys = [_scale(r.y, factor) for r in part_rows]
        cls = [_scale(v, factor) for v in limits.cl]
        lcls = [_scale(v, factor) for v in limits.lcl]
        ucls = [_scale(v, factor) for v in limits.ucl]
        if not options.allow_negative_lcl:
            lcls = [None if v is None else max(0.0, v) for v in lcls]
        included = [r.included for r in part_rows]
        runs.append(
            run_statistics(
                part=part,
                values=[y for y, inc in zip(ys, included, strict=True) if inc],
                centre=[c for c, inc in zip(cls, included, strict=True) if inc],
            )
        )
        rules: list[tuple[int, ...]] = [() for _ in part_rows]
        if options.western_electric and chart is not ChartType.RUN:
            flagged = western_electric(
                values=[y if inc else None for y, inc in zip(ys, included, strict=True)],
                centre=cls,
                upper=ucls,
            )
            rules = flagged
        for i, row in enumerate(part_rows):
            y, lcl, ucl = ys[i], lcls[i], ucls[i]
            signal = y is not None and (
                (ucl is not None and y > ucl) or (lcl is not None and y < lcl)
            )
            results.append(
                PointResult(
                    x=row.x,
                    y=y,
                    n=row.n,
                    cl=cls[i],
                    lcl=lcl,
                    ucl=ucl,
                    part=part,
                    included=row.included,
                    baseline=row.baseline,
                    sigma_signal=signal,
                    rules=rules[i],
                )
            )
    return ChartResult(chart=chart, points=tuple(results), runs=tuple(runs))


def summarize(result: ChartResult) -> list[PartSummary]:
    """Per part: run statistics, mean LCL, mean CL, mean UCL and whether any point signals."""
    summaries: list[PartSummary] = []
    for runs in result.runs:
        points = [p for p in result.points if p.part == runs.part]

        def average(values: Iterable[float | None]) -> float | None:
            present = [v for v in values if v is not None]
            return statistics.fmean(present) if present else None

        summaries.append(
            PartSummary(
                runs=runs,
                average_lcl=average(p.lcl for p in points),
                cl=average(p.cl for p in points),
                average_ucl=average(p.ucl for p in points),
                sigma_signal=any(p.sigma_signal for p in points),
            )
        )
    return summaries
