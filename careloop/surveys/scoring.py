"""Pure survey scores: box percentages, linear mean, NPS and CSAT, each with n and a 95 % CI.

No Django, no database. Every score is computed exactly with ``Fraction`` and reported in points
(0..100, or -100..100 for NPS-like differences) together with its ``n`` and a confidence
interval: Wilson score for proportions, the multinomial difference variance for NPS, a normal
interval from the item variance for the linear mean. A score whose ``n`` is below a configurable
minimum comes back as ``Suppressed``.

Scales live in ``scoring_scales``, FFT in ``scoring_fft``, HCAHPS-style stars in
``scoring_stars`` and benchmark comparison in ``scoring_benchmarks``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from statistics import NormalDist

from careloop.surveys.scoring_scales import (
    SCALES,
    AnswerT,
    Box,
    Scale,
    box_counts,
    validated_counts,
)

DEFAULT_MINIMUM_N = 5
DEFAULT_CONFIDENCE = 0.95

_HUNDRED = Fraction(100)


# --- results ------------------------------------------------------------------------------------


class SuppressionReason(StrEnum):
    NO_RESPONSES = "no_responses"
    BELOW_MINIMUM_N = "below_minimum_n"


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A score withheld because too few people answered; show ``display`` instead of a number."""

    reason: SuppressionReason
    n: int
    minimum_n: int

    @property
    def display(self) -> str:
        return "*" if self.reason is SuppressionReason.BELOW_MINIMUM_N else "-"


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float
    confidence: float

    def contains(self, value: Fraction | Decimal | int) -> bool:
        return self.low <= float(value) <= self.high


@dataclass(frozen=True, slots=True)
class Score:
    """An exact score in points with its ``n`` and confidence interval."""

    value: Fraction
    n: int
    ci: Interval

    def rounded(self, *, places: int = 1) -> Decimal:
        return round_half_up(self.value, places=places)


@dataclass(frozen=True, slots=True)
class BoxScores:
    scale: Scale
    n: int
    top: Score
    middle: Score | None  # None when the scale has no middle box (yes/no)
    bottom: Score


@dataclass(frozen=True, slots=True)
class NpsScore:
    n: int
    promoters: Score
    passives: Score
    detractors: Score
    nps: Score


# --- arithmetic helpers -------------------------------------------------------------------------


def round_half_up(value: Fraction | Decimal | int, *, places: int = 0) -> Decimal:
    """Round exactly, ties away from zero (2.5 -> 3, -2.5 -> -3), never banker's rounding."""
    exact = Fraction(value)
    scaled = abs(exact) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    signed = -whole if exact < 0 else whole
    return Decimal(signed).scaleb(-places)


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(*, successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Wilson score interval for ``successes / n``, in points (0..100)."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes} of {n}")
    z = _z(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low=100 * low, high=100 * high, confidence=confidence)


def difference_interval(
    *, plus: int, minus: int, n: int, confidence: float = DEFAULT_CONFIDENCE
) -> Interval:
    """Normal interval for ``(plus - minus) / n`` where both come from one multinomial sample.

    ``Var(p1 - p2) = (p1 + p2 - (p1 - p2)^2) / n``; in points, clipped to -100..100.
    """
    if n <= 0 or plus < 0 or minus < 0 or plus + minus > n:
        raise ValueError(f"need plus + minus <= n and n > 0, got {plus}, {minus} of {n}")
    p1, p2 = plus / n, minus / n
    diff = p1 - p2
    half = _z(confidence) * math.sqrt(max(0.0, p1 + p2 - diff * diff) / n)
    return Interval(
        low=100 * max(-1.0, diff - half), high=100 * min(1.0, diff + half), confidence=confidence
    )


def suppression_for(*, n: int, minimum_n: int) -> Suppressed | None:
    if minimum_n < 1:
        raise ValueError(f"minimum_n must be at least 1, got {minimum_n}")
    if n == 0:
        return Suppressed(reason=SuppressionReason.NO_RESPONSES, n=0, minimum_n=minimum_n)
    if n < minimum_n:
        return Suppressed(reason=SuppressionReason.BELOW_MINIMUM_N, n=n, minimum_n=minimum_n)
    return None


def _proportion(*, successes: int, n: int, confidence: float) -> Score:
    return Score(
        value=_HUNDRED * successes / n,
        n=n,
        ci=wilson_interval(successes=successes, n=n, confidence=confidence),
    )


# --- scores -------------------------------------------------------------------------------------


def box_scores(
    *,
    scale: Scale,
    counts: Mapping[AnswerT, int],
    minimum_n: int = DEFAULT_MINIMUM_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> BoxScores | Suppressed:
    """Top, middle and bottom box percentages of all responses (no-box answers included in n)."""
    per_box = box_counts(scale=scale, counts=counts)
    n = sum(per_box.values())
    if (withheld := suppression_for(n=n, minimum_n=minimum_n)) is not None:
        return withheld

    def share(box: Box) -> Score:
        return _proportion(successes=per_box[box], n=n, confidence=confidence)

    return BoxScores(
        scale=scale,
        n=n,
        top=share(Box.TOP),
        middle=share(Box.MIDDLE) if SCALES[scale].has_middle_box else None,
        bottom=share(Box.BOTTOM),
    )


def linear_mean(
    *,
    scale: Scale,
    counts: Mapping[AnswerT, int],
    minimum_n: int = DEFAULT_MINIMUM_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Score | Suppressed:
    """Mean of the 0..100 linear values (M4); answers with no linear value are left out of n.

    The interval is normal, mean +- z * s / sqrt(n) from the item's sample variance, clipped to
    0..100; with a single response the spread is unknown and the interval is the whole scale.
    """
    spec = SCALES[scale]
    valid = validated_counts(scale=scale, counts=counts)
    scored = {answer: count for answer, count in valid.items() if answer in spec.linear}
    n = sum(scored.values())
    if (withheld := suppression_for(n=n, minimum_n=minimum_n)) is not None:
        return withheld
    mean = sum((spec.linear[a] * c for a, c in scored.items()), Fraction(0)) / n
    if n == 1:
        return Score(value=mean, n=n, ci=Interval(low=0.0, high=100.0, confidence=confidence))
    squares = sum(((spec.linear[a] - mean) ** 2 * c for a, c in scored.items()), Fraction(0))
    half = _z(confidence) * math.sqrt(squares / (n - 1) / n)
    ci = Interval(
        low=max(0.0, float(mean) - half), high=min(100.0, float(mean) + half), confidence=confidence
    )
    return Score(value=mean, n=n, ci=ci)


def nps(
    *,
    counts: Mapping[AnswerT, int],
    minimum_n: int = DEFAULT_MINIMUM_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> NpsScore | Suppressed:
    """Net Promoter Score: % promoters (9-10) - % detractors (0-6) of all 0..10 answers (M10)."""
    per_box = box_counts(scale=Scale.NPS_0_10, counts=counts)
    n = sum(per_box.values())
    if (withheld := suppression_for(n=n, minimum_n=minimum_n)) is not None:
        return withheld
    promoters, passives, detractors = per_box[Box.TOP], per_box[Box.MIDDLE], per_box[Box.BOTTOM]
    return NpsScore(
        n=n,
        promoters=_proportion(successes=promoters, n=n, confidence=confidence),
        passives=_proportion(successes=passives, n=n, confidence=confidence),
        detractors=_proportion(successes=detractors, n=n, confidence=confidence),
        nps=Score(
            value=_HUNDRED * (promoters - detractors) / n,
            n=n,
            ci=difference_interval(plus=promoters, minus=detractors, n=n, confidence=confidence),
        ),
    )


def csat(
    *,
    counts: Mapping[AnswerT, int],
    minimum_n: int = DEFAULT_MINIMUM_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Score | Suppressed:
    """CSAT: share of 4 and 5 answers on the 1..5 scale (top-two box, not the mean; M11)."""
    scores = box_scores(
        scale=Scale.CSAT_1_5, counts=counts, minimum_n=minimum_n, confidence=confidence
    )
    return scores if isinstance(scores, Suppressed) else scores.top
