"""HCAHPS-style star ratings: per-measure stars from linear mean scores, and the summary star.

Pure functions, no Django. DOMAIN.md M1 and Appendix A:

- A measure's star comes from its linear mean score rounded to an integer, placed against the
  reporting period's cut points. The cut points for the 2016-10 .. 2017-09 period are shipped as
  ``CUT_POINTS_2016_10_2017_09``; CMS changes them from period to period, so pass your own.
- Summary star = round_half_up(mean(C1, C2, C3, C5, C6, C7, mean(CLEAN, QUIET),
  mean(HSP_RATING, RECMND))): an eight-term mean, ties (x.5) rounded up, never to even.
- Stars need at least 100 completed surveys.

These are Careloop's internal estimates on unadjusted scores: CMS applies patient-mix and mode
adjustment before starring, which Careloop does not reproduce as official (DOMAIN.md 7.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from careloop.surveys.scoring import (
    Suppressed,
    round_half_up,
    suppression_for,
)

STAR_MINIMUM_SURVEYS = 100


class HcahpsMeasure(StrEnum):
    """CMS measure ids (maven_measures.csv); pain management (H_COMP_4) is not starred here."""

    NURSE_COMMUNICATION = "H_COMP_1"
    DOCTOR_COMMUNICATION = "H_COMP_2"
    STAFF_RESPONSIVENESS = "H_COMP_3"
    MEDICINES_COMMUNICATION = "H_COMP_5"
    DISCHARGE_INFORMATION = "H_COMP_6"
    CARE_TRANSITION = "H_COMP_7"
    CLEANLINESS = "H_CLEAN_HSP"
    QUIETNESS = "H_QUIET_HSP"
    OVERALL_RATING = "H_HSP_RATING"
    RECOMMEND = "H_RECMND"


@dataclass(frozen=True, slots=True)
class StarCutPoints:
    """Lowest integer linear mean score that earns 2, 3, 4 and 5 stars; below ``two`` is 1 star."""

    two: int
    three: int
    four: int
    five: int

    def __post_init__(self) -> None:
        if not 0 < self.two < self.three < self.four < self.five <= 100:
            raise ValueError(f"cut points must rise strictly within 1..100: {self}")

    def stars_for(self, score: int) -> int:
        return 1 + sum(score >= cut for cut in (self.two, self.three, self.four, self.five))


# DOMAIN.md Appendix A table, read off the published Oct 2016 - Sep 2017 results.
CUT_POINTS_2016_10_2017_09: Mapping[HcahpsMeasure, StarCutPoints] = MappingProxyType(
    {
        HcahpsMeasure.NURSE_COMMUNICATION: StarCutPoints(two=87, three=90, four=92, five=95),
        HcahpsMeasure.DOCTOR_COMMUNICATION: StarCutPoints(two=87, three=90, four=93, five=95),
        HcahpsMeasure.STAFF_RESPONSIVENESS: StarCutPoints(two=79, three=84, four=87, five=91),
        HcahpsMeasure.MEDICINES_COMMUNICATION: StarCutPoints(two=72, three=77, four=81, five=86),
        HcahpsMeasure.DISCHARGE_INFORMATION: StarCutPoints(two=81, three=85, four=89, five=92),
        HcahpsMeasure.CARE_TRANSITION: StarCutPoints(two=76, three=80, four=83, five=87),
        HcahpsMeasure.CLEANLINESS: StarCutPoints(two=82, three=86, four=91, five=94),
        HcahpsMeasure.QUIETNESS: StarCutPoints(two=77, three=81, four=86, five=91),
        HcahpsMeasure.OVERALL_RATING: StarCutPoints(two=83, three=87, four=90, five=93),
        HcahpsMeasure.RECOMMEND: StarCutPoints(two=80, three=86, four=90, five=94),
    }
)

# The eight summary terms: six composites alone, then two averaged pairs.
_SINGLE_TERMS = (
    HcahpsMeasure.NURSE_COMMUNICATION,
    HcahpsMeasure.DOCTOR_COMMUNICATION,
    HcahpsMeasure.STAFF_RESPONSIVENESS,
    HcahpsMeasure.MEDICINES_COMMUNICATION,
    HcahpsMeasure.DISCHARGE_INFORMATION,
    HcahpsMeasure.CARE_TRANSITION,
)
_PAIRED_TERMS = (
    (HcahpsMeasure.CLEANLINESS, HcahpsMeasure.QUIETNESS),
    (HcahpsMeasure.OVERALL_RATING, HcahpsMeasure.RECOMMEND),
)


@dataclass(frozen=True, slots=True)
class MeasureStar:
    measure: HcahpsMeasure
    stars: int
    linear_mean_score: int  # the integer score the cut points were applied to
    n: int  # completed surveys


@dataclass(frozen=True, slots=True)
class SummaryStar:
    stars: int
    mean: Fraction  # the exact eight-term mean before rounding
    n: int  # completed surveys


def measure_star(
    *,
    measure: HcahpsMeasure,
    linear_mean_score: Fraction | Decimal | int,
    completed_surveys: int,
    cut_points: Mapping[HcahpsMeasure, StarCutPoints] = CUT_POINTS_2016_10_2017_09,
    minimum_surveys: int = STAR_MINIMUM_SURVEYS,
) -> MeasureStar | Suppressed:
    """Star for one measure: round the linear mean score half up to an integer, then cut."""
    if not 0 <= linear_mean_score <= 100:
        raise ValueError(f"linear mean score must be within 0..100, got {linear_mean_score}")
    if (withheld := suppression_for(n=completed_surveys, minimum_n=minimum_surveys)) is not None:
        return withheld
    if measure not in cut_points:
        raise ValueError(f"no cut points for {measure}")
    score = int(round_half_up(linear_mean_score))
    return MeasureStar(
        measure=measure,
        stars=cut_points[measure].stars_for(score),
        linear_mean_score=score,
        n=completed_surveys,
    )


def summary_star(
    *,
    measure_stars: Mapping[HcahpsMeasure, int],
    completed_surveys: int,
    minimum_surveys: int = STAR_MINIMUM_SURVEYS,
) -> SummaryStar | Suppressed:
    """HCAHPS summary star from the ten per-measure stars (each 1..5)."""
    expected = set(HcahpsMeasure)
    if set(measure_stars) != expected:
        missing = sorted(expected - set(measure_stars))
        extra = sorted(str(key) for key in set(measure_stars) - expected)
        raise ValueError(f"need exactly the ten measures; missing {missing}, unexpected {extra}")
    for measure, stars in measure_stars.items():
        if isinstance(stars, bool) or stars not in range(1, 6):
            raise ValueError(f"{measure} stars must be an int 1..5, got {stars!r}")
    if (withheld := suppression_for(n=completed_surveys, minimum_n=minimum_surveys)) is not None:
        return withheld
    terms = [Fraction(measure_stars[measure]) for measure in _SINGLE_TERMS]
    terms += [Fraction(measure_stars[a] + measure_stars[b], 2) for a, b in _PAIRED_TERMS]
    mean = sum(terms, Fraction(0)) / len(terms)
    return SummaryStar(stars=int(round_half_up(mean)), mean=mean, n=completed_surveys)
