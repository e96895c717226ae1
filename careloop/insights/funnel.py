"""Pure funnel-plot maths for exposure-normalized rates (Spiegelhalter 2005, normal approximation
to the Poisson): around the overall rate p (events per unit of exposure), a unit with exposure n
is expected to lie within p +/- z * sqrt(p / n). Limits at 95 % (z = 1.96) and 99.8 %
(z = 3.09); a lower limit below zero is cut to zero. Units whose expected count p * n is below a
minimum are not judged (the approximation and the count are too small)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

Z95 = 1.959963984540054  # two-sided 95 %
Z998 = 3.090232306167813  # two-sided 99.8 %
MIN_EXPECTED = 5.0  # expected events below this: too few to judge


@dataclass(frozen=True, kw_only=True)
class Limits:
    lower: float
    upper: float


def funnel_limits(*, rate: float, exposure: float, z: float) -> Limits:
    """Limits for a unit with this exposure around `rate` (events per unit of exposure)."""
    if exposure <= 0:
        raise ValueError("exposure must be positive")
    if rate < 0:
        raise ValueError("rate must not be negative")
    half = z * math.sqrt(rate / exposure)
    return Limits(lower=max(0.0, rate - half), upper=rate + half)


class Verdict(StrEnum):
    WITHIN = "within"
    ABOVE_95 = "above 95 %"
    BELOW_95 = "below 95 %"
    ABOVE_998 = "above 99.8 %"
    BELOW_998 = "below 99.8 %"
    TOO_FEW = "too few to judge"


@dataclass(frozen=True, kw_only=True)
class UnitInput:
    label: str
    events: int
    exposure: int


@dataclass(frozen=True, kw_only=True)
class UnitPoint:
    label: str
    events: int
    exposure: int
    rate: float  # events per `per` exposure units
    expected: float
    verdict: Verdict
    lower95: float | None
    upper95: float | None
    lower998: float | None
    upper998: float | None

    @property
    def outside(self) -> bool:
        return self.verdict not in (Verdict.WITHIN, Verdict.TOO_FEW)


@dataclass(frozen=True, kw_only=True)
class Funnel:
    rate: float | None  # overall, per `per`
    per: int
    points: list[UnitPoint]

    @property
    def judged(self) -> list[UnitPoint]:
        return [p for p in self.points if p.verdict != Verdict.TOO_FEW]

    @property
    def too_few(self) -> list[UnitPoint]:
        return [p for p in self.points if p.verdict == Verdict.TOO_FEW]


def _verdict(value: float, l95: Limits, l998: Limits) -> Verdict:
    if value > l998.upper:
        return Verdict.ABOVE_998
    if value < l998.lower:
        return Verdict.BELOW_998
    if value > l95.upper:
        return Verdict.ABOVE_95
    if value < l95.lower:
        return Verdict.BELOW_95
    return Verdict.WITHIN


def funnel(
    units: Sequence[UnitInput], *, per: int = 1000, min_expected: float = MIN_EXPECTED
) -> Funnel:
    """Each unit with exposure against the pooled rate of them all; units without exposure are
    left out (they have no rate)."""
    usable = [u for u in units if u.exposure > 0]
    total_n = sum(u.exposure for u in usable)
    if not total_n:
        return Funnel(rate=None, per=per, points=[])
    p = sum(u.events for u in usable) / total_n
    points = []
    for u in usable:
        value = u.events / u.exposure
        expected = p * u.exposure
        if expected < min_expected:
            points.append(_point(u, per, expected, Verdict.TOO_FEW, None, None))
            continue
        l95 = funnel_limits(rate=p, exposure=u.exposure, z=Z95)
        l998 = funnel_limits(rate=p, exposure=u.exposure, z=Z998)
        points.append(_point(u, per, expected, _verdict(value, l95, l998), l95, l998))
    return Funnel(rate=p * per, per=per, points=sorted(points, key=lambda x: x.label))


def _point(
    u: UnitInput,
    per: int,
    expected: float,
    verdict: Verdict,
    l95: Limits | None,
    l998: Limits | None,
) -> UnitPoint:
    def scaled(value: float | None) -> float | None:
        return None if value is None else value * per

    return UnitPoint(
        label=u.label,
        events=u.events,
        exposure=u.exposure,
        rate=u.events / u.exposure * per,
        expected=expected,
        verdict=verdict,
        lower95=scaled(l95.lower if l95 else None),
        upper95=scaled(l95.upper if l95 else None),
        lower998=scaled(l998.lower if l998 else None),
        upper998=scaled(l998.upper if l998 else None),
    )
