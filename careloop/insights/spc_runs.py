"""Run-rule statistics for SPC charts: Anhøj rules and Western Electric sensitizing rules.

Pure functions, no Django. See DOMAIN.md section 6 (S8, S10) and Appendix A
("Anhøj run-chart limits").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "RunStatistics",
    "binomial_quantile",
    "crossings_minimum",
    "longest_run_limit",
    "run_statistics",
    "western_electric",
]


def binomial_quantile(
    *, probability: float, trials: int, p_numerator: int = 1, p_denominator: int = 2
) -> int:
    """Smallest k with P(X <= k) >= probability for X ~ Binomial(trials, p).

    p is given as an exact fraction (default 1/2) so that the cumulative sum is computed
    with integers and is free of rounding error (like R's ``qbinom``).
    """
    if trials < 0:
        raise ValueError("trials must be >= 0")
    if not 0.0 <= probability <= 1.0:
        raise ValueError("probability must be within [0, 1]")
    if not 0 <= p_numerator <= p_denominator or p_denominator <= 0:
        raise ValueError("p must be a fraction within [0, 1]")
    q_numerator = p_denominator - p_numerator
    target = Fraction(repr(probability))  # 0.05 -> exactly 1/20
    total = p_denominator**trials
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k) * p_numerator**k * q_numerator ** (trials - k)
        # cumulative / total >= probability, in exact rational arithmetic
        if cumulative * target.denominator >= target.numerator * total:
            return k
    return trials


def longest_run_limit(n_useful: int) -> int:
    """Anhøj (Schilling) limit: a longest run greater than this is a signal."""
    if n_useful < 1:
        raise ValueError("n_useful must be >= 1")
    return round(math.log2(n_useful)) + 3


def crossings_minimum(n_useful: int) -> int:
    """Anhøj (Chen) limit: fewer crossings than this is a signal (5th pct of Bin(n-1, 0.5))."""
    if n_useful < 1:
        raise ValueError("n_useful must be >= 1")
    return binomial_quantile(probability=0.05, trials=n_useful - 1)


@dataclass(frozen=True, kw_only=True)
class RunStatistics:
    """Anhøj run statistics of one part (phase) of a chart."""

    part: int
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool


def run_statistics(
    *, part: int, values: Sequence[float | None], centre: Sequence[float | None]
) -> RunStatistics:
    """Anhøj statistics of the included points of a part against their centre line.

    Points that are missing, have no centre line or lie exactly on it are not useful.
    """
    if len(values) != len(centre):
        raise ValueError("values and centre must have the same length")
    sides: list[int] = []
    for y, cl in zip(values, centre, strict=True):
        if y is None or cl is None or y == cl:
            continue
        sides.append(1 if y > cl else -1)
    n_useful = len(sides)
    if n_useful == 0:
        return RunStatistics(
            part=part,
            n_obs=len(values),
            n_useful=0,
            longest_run=None,
            longest_run_max=None,
            n_crossings=None,
            n_crossings_min=None,
            runs_signal=False,
        )
    longest = current = 1
    crossings = 0
    for previous, side in itertools.pairwise(sides):
        if side == previous:
            current += 1
            longest = max(longest, current)
        else:
            crossings += 1
            current = 1
    run_max = longest_run_limit(n_useful)
    crossings_min = crossings_minimum(n_useful)
    return RunStatistics(
        part=part,
        n_obs=len(values),
        n_useful=n_useful,
        longest_run=longest,
        longest_run_max=run_max,
        n_crossings=crossings,
        n_crossings_min=crossings_min,
        runs_signal=longest > run_max or crossings < crossings_min,
    )


def _zone(y: float, cl: float, sigma: float) -> float:
    """Signed distance from the centre line in sigma units."""
    return (y - cl) / sigma


def western_electric(
    *,
    values: Sequence[float | None],
    centre: Sequence[float | None],
    upper: Sequence[float | None],
) -> list[tuple[int, ...]]:
    """Western Electric rules 1-4 per point (the point that completes a pattern is flagged).

    Sigma per point is (UCL - CL) / 3, so variable limits (p, u charts) are handled.
    Points without a value or limits break no pattern but are never flagged and are skipped.
    1: beyond 3 sigma; 2: 2 of 3 consecutive beyond 2 sigma on the same side;
    3: 4 of 5 consecutive beyond 1 sigma on the same side; 4: 8 consecutive on one side.
    """
    if not len(values) == len(centre) == len(upper):
        raise ValueError("values, centre and upper must have the same length")
    flags: list[tuple[int, ...]] = [() for _ in values]
    usable: list[tuple[int, float]] = []
    for index, (y, cl, ucl) in enumerate(zip(values, centre, upper, strict=True)):
        if y is None or cl is None or ucl is None or ucl <= cl:
            continue
        usable.append((index, _zone(y, cl, (ucl - cl) / 3.0)))
    zones = [z for _, z in usable]
    for position, (index, z) in enumerate(usable):
        fired: list[int] = []
        if abs(z) > 3.0:
            fired.append(1)
        for side in (1.0, -1.0):
            last3 = zones[max(0, position - 2) : position + 1]
            if len(last3) == 3 and z * side > 2.0 and sum(1 for v in last3 if v * side > 2.0) >= 2:
                fired.append(2)
            last5 = zones[max(0, position - 4) : position + 1]
            if len(last5) == 5 and z * side > 1.0 and sum(1 for v in last5 if v * side > 1.0) >= 4:
                fired.append(3)
            last8 = zones[max(0, position - 7) : position + 1]
            if len(last8) == 8 and all(v * side > 0.0 for v in last8):
                fired.append(4)
        flags[index] = tuple(sorted(set(fired)))
    return flags
