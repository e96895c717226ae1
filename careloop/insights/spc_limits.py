"""Centre lines and 3-sigma limits of SPC control charts, one part (phase) at a time.

Pure functions, no Django. Formulas: DOMAIN.md section 6 (S1-S7, S12). Every function takes the
rows of one part; ``base`` marks the rows used to compute the centre line and limits (the
baseline, minus excluded points). Limits are returned for every row, so frozen limits extend
over the rest of the part. ``None`` means missing.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "D2",
    "MR_UCL_FACTOR",
    "LimitRow",
    "Limits",
    "a3",
    "b3",
    "b4",
    "c4",
    "c_limits",
    "i_limits",
    "laney_limits",
    "median_centre",
    "moving_ranges",
    "mr_limits",
    "p_limits",
    "s_limits",
    "u_limits",
    "xbar_limits",
]

D2 = 1.128  # d2 for moving ranges of two points (sigma = MR-bar / d2)
MR_UCL_FACTOR = 3.267  # D4 for n = 2


@dataclass(frozen=True, kw_only=True)
class LimitRow:
    """One plotted point as the limit calculations see it."""

    y: float | None  # plotted value: proportion, rate, count, value, subgroup mean or sd
    base: bool  # used for the centre line and limits
    n: float | None = None  # denominator (p, u) or subgroup size (Xbar, S)
    y_sum: float | None = None  # numerator (p, u)
    sd: float | None = None  # subgroup standard deviation (Xbar, S)


@dataclass(frozen=True, kw_only=True)
class Limits:
    cl: list[float | None]
    lcl: list[float | None]
    ucl: list[float | None]


def c4(n: int) -> float:
    """Bias constant of the sample standard deviation: E[s] = c4(n) sigma."""
    if n < 2:
        raise ValueError("c4 needs n >= 2")
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2.0) - math.lgamma((n - 1) / 2.0))


def a3(n: int) -> float:
    """Xbar limits factor from s-bar: 3 / (c4 sqrt(n))."""
    return 3.0 / (c4(n) * math.sqrt(n))


def b3(n: int) -> float:
    """S chart lower factor, truncated at 0."""
    c = c4(n)
    return max(0.0, 1.0 - 3.0 * math.sqrt(1.0 - c * c) / c)


def b4(n: int) -> float:
    """S chart upper factor."""
    c = c4(n)
    return 1.0 + 3.0 * math.sqrt(1.0 - c * c) / c


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _constant(rows: Sequence[LimitRow], cl: float | None, half_width: float | None) -> Limits:
    size = len(rows)
    if cl is None or half_width is None:
        return Limits(cl=[cl] * size, lcl=[None] * size, ucl=[None] * size)
    return Limits(cl=[cl] * size, lcl=[cl - half_width] * size, ucl=[cl + half_width] * size)


def moving_ranges(values: Sequence[float | None]) -> list[float | None]:
    """|x_i - x_{i-1}|; the first and any range touching a missing value are None."""
    ranges: list[float | None] = [None]
    for previous, current in itertools.pairwise(values):
        ranges.append(None if previous is None or current is None else abs(current - previous))
    return ranges[: len(values)]


def median_centre(rows: Sequence[LimitRow]) -> Limits:
    """Run chart: median of the base values, no limits."""
    present = [r.y for r in rows if r.base and r.y is not None]
    cl = statistics.median(present) if present else None
    return _constant(rows, cl, None)


def i_limits(rows: Sequence[LimitRow], *, screen_moving_ranges: bool) -> Limits:
    """XmR individuals chart: CL = mean, sigma = MR-bar / 1.128.

    Moving ranges are taken between consecutive base points (excluded points are skipped).
    With screening, moving ranges above 3.267 MR-bar are dropped and MR-bar recomputed once.
    """
    base = [r.y for r in rows if r.base]
    cl = _mean(base)
    ranges = [m for m in moving_ranges(base) if m is not None]
    if cl is None or not ranges:
        return _constant(rows, cl, None)
    mr_bar = statistics.fmean(ranges)
    if screen_moving_ranges:
        kept = [m for m in ranges if m < MR_UCL_FACTOR * mr_bar]
        if kept:
            mr_bar = statistics.fmean(kept)
    return _constant(rows, cl, 3.0 * mr_bar / D2)


def mr_limits(rows: Sequence[LimitRow]) -> Limits:
    """Moving-range chart; rows carry the moving ranges as y. UCL = 3.267 MR-bar, LCL = 0."""
    cl = _mean([r.y for r in rows if r.base])
    size = len(rows)
    if cl is None:
        return Limits(cl=[None] * size, lcl=[None] * size, ucl=[None] * size)
    return Limits(cl=[cl] * size, lcl=[0.0] * size, ucl=[MR_UCL_FACTOR * cl] * size)


def c_limits(rows: Sequence[LimitRow]) -> Limits:
    """c chart: CL = c-bar, sigma = sqrt(c-bar); LCL truncated at 0."""
    cl = _mean([r.y for r in rows if r.base])
    limits = _constant(rows, cl, None if cl is None else 3.0 * math.sqrt(cl))
    return Limits(cl=limits.cl, lcl=[_floor0(v) for v in limits.lcl], ucl=limits.ucl)


def _floor0(value: float | None) -> float | None:
    return None if value is None else max(0.0, value)


def _ratio_centre(rows: Sequence[LimitRow]) -> float | None:
    used = [r for r in rows if r.base and r.y is not None and r.y_sum is not None and r.n]
    total_n = sum(r.n for r in used if r.n is not None)
    if not used or total_n <= 0:
        return None
    return sum(r.y_sum for r in used if r.y_sum is not None) / total_n


def _ratio_sigmas(rows: Sequence[LimitRow], cl: float, *, proportion: bool) -> list[float | None]:
    variance = cl * (1.0 - cl) if proportion else cl
    return [None if not r.n or r.n <= 0 else math.sqrt(variance / r.n) for r in rows]


def _ratio_limits(
    rows: Sequence[LimitRow], cl: float | None, sigmas: Sequence[float | None], *, proportion: bool
) -> Limits:
    size = len(rows)
    if cl is None:
        return Limits(cl=[None] * size, lcl=[None] * size, ucl=[None] * size)
    lcl: list[float | None] = []
    ucl: list[float | None] = []
    for sigma in sigmas:
        if sigma is None:
            lcl.append(None)
            ucl.append(None)
            continue
        lcl.append(max(0.0, cl - 3.0 * sigma))
        upper = cl + 3.0 * sigma
        ucl.append(min(1.0, upper) if proportion else upper)
    return Limits(cl=[cl] * size, lcl=lcl, ucl=ucl)


def p_limits(rows: Sequence[LimitRow]) -> Limits:
    """p chart: p-bar = sum(y)/sum(n); sigma_i = sqrt(p-bar(1-p-bar)/n_i); limits in [0, 1]."""
    cl = _ratio_centre(rows)
    sigmas = [] if cl is None else _ratio_sigmas(rows, cl, proportion=True)
    return _ratio_limits(rows, cl, sigmas, proportion=True)


def u_limits(rows: Sequence[LimitRow]) -> Limits:
    """u chart: u-bar = sum(y)/sum(n); sigma_i = sqrt(u-bar/n_i); LCL truncated at 0."""
    cl = _ratio_centre(rows)
    sigmas = [] if cl is None else _ratio_sigmas(rows, cl, proportion=False)
    return _ratio_limits(rows, cl, sigmas, proportion=False)


def laney_sigma_z(z_scores: Sequence[float | None], *, method: str) -> float | None:
    """Between-subgroup inflation factor: MR-bar(z)/1.128 ("moving_range") or sd(z) ("sd")."""
    present = [z for z in z_scores if z is not None]
    if method == "sd":
        return statistics.stdev(present) if len(present) >= 2 else None
    if method != "moving_range":
        raise ValueError(f"unknown sigma_z method {method!r}")
    ranges = [m for m in moving_ranges(z_scores) if m is not None]
    return statistics.fmean(ranges) / D2 if ranges else None


def laney_limits(rows: Sequence[LimitRow], *, proportion: bool, sigma_z_method: str) -> Limits:
    """Laney p' / u': limits = centre +- 3 sigma_i sigma_z, z_i = (y_i - centre) / sigma_i."""
    cl = _ratio_centre(rows)
    if cl is None:
        return _ratio_limits(rows, None, [], proportion=proportion)
    sigmas = _ratio_sigmas(rows, cl, proportion=proportion)
    z_scores: list[float | None] = []
    for row, sigma in zip(rows, sigmas, strict=True):
        if not row.base:
            continue
        z_scores.append(None if row.y is None or not sigma else (row.y - cl) / sigma)
    sigma_z = laney_sigma_z(z_scores, method=sigma_z_method)
    if sigma_z is None:
        return _ratio_limits(rows, cl, [None] * len(rows), proportion=proportion)
    inflated = [None if s is None else s * sigma_z for s in sigmas]
    return _ratio_limits(rows, cl, inflated, proportion=proportion)


def _pooled_sd(rows: Sequence[LimitRow], *, empty_subgroup_quirk: bool = False) -> float | None:
    """s-bar over the base subgroups with n >= 2.

    Equal subgroup sizes: the mean of the subgroup standard deviations (Montgomery 6.29).
    Unequal sizes: the pooled standard deviation sqrt(sum((n-1) s^2) / sum(n-1)) (6.31).
    With ``empty_subgroup_quirk`` every empty base subgroup adds n - 1 = -1 to the degrees of
    freedom and counts as a different size, as the reference package (qicharts2) does.
    """
    used = [
        (row.n, row.sd)
        for row in rows
        if row.base and row.sd is not None and row.n is not None and row.n >= 2
    ]
    if not used:
        return None
    empty = sum(1 for row in rows if row.base and row.n == 0) if empty_subgroup_quirk else 0
    if len({n for n, _ in used}) == 1 and not empty:
        return statistics.fmean(sd for _, sd in used)
    numerator = sum((n - 1) * sd**2 for n, sd in used)
    degrees = sum(n - 1 for n, _ in used) - empty
    return math.sqrt(numerator / degrees) if degrees > 0 else None


def _subgroup_size(row: LimitRow) -> int | None:
    return None if row.n is None or row.n < 2 or row.y is None else round(row.n)


def xbar_limits(rows: Sequence[LimitRow], *, empty_subgroup_quirk: bool = False) -> Limits:
    """Xbar chart: CL = size-weighted grand mean; limits CL +- A3(n_i) s_pooled."""
    used = [r for r in rows if r.base and r.y is not None and r.n]
    total = sum(r.n for r in used if r.n is not None)
    cl = (
        sum(r.y * r.n for r in used if r.y is not None and r.n is not None) / total
        if used
        else None
    )
    s_bar = _pooled_sd(rows, empty_subgroup_quirk=empty_subgroup_quirk)
    lcl: list[float | None] = []
    ucl: list[float | None] = []
    for row in rows:
        size = _subgroup_size(row)
        if cl is None or s_bar is None or size is None:
            lcl.append(None)
            ucl.append(None)
        else:
            lcl.append(cl - a3(size) * s_bar)
            ucl.append(cl + a3(size) * s_bar)
    return Limits(cl=[cl] * len(rows), lcl=lcl, ucl=ucl)


def s_limits(rows: Sequence[LimitRow], *, empty_subgroup_quirk: bool = False) -> Limits:
    """S chart: CL = pooled s; limits B3(n_i) s, B4(n_i) s."""
    s_bar = _pooled_sd(rows, empty_subgroup_quirk=empty_subgroup_quirk)
    lcl: list[float | None] = []
    ucl: list[float | None] = []
    for row in rows:
        size = _subgroup_size(row)
        if s_bar is None or size is None:
            lcl.append(None)
            ucl.append(None)
        else:
            lcl.append(b3(size) * s_bar)
            ucl.append(b4(size) * s_bar)
    return Limits(cl=[s_bar] * len(rows), lcl=lcl, ucl=ucl)
