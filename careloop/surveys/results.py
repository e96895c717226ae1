"""HCAHPS-style results of an instrument: per-measure linear mean scores, stars, the summary star
and the comparison of top-box scores with CMS national and state benchmarks.

Pure apart from reading the benchmark CSV files shipped in ``surveys/data``: the caller passes
answer counts per item (from ``selectors.hcahps_item_counts``). The maths is in the verified
``scoring*`` modules; this module only combines items into measures:

- a measure's linear mean score, and its top-box score, is the mean of its items' scores (CMS:
  a composite is the average of its items); a single-item measure is that item's score;
- the interval of a composite's linear mean is the mean of its items' half-widths, and of its
  top box the mean of its items' Wilson bounds: no narrower than the interval of the mean
  whatever the correlation between items;
- a measure is suppressed when any of its items has fewer answers than the minimum n; stars
  need ``star_minimum`` completed surveys (CMS: 100) and the summary star all ten measures.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from statistics import NormalDist

from django.utils.translation import gettext_noop

from careloop.surveys.scoring import (
    DEFAULT_CONFIDENCE,
    BoxScores,
    Interval,
    Score,
    Suppressed,
    box_scores,
    linear_mean,
    suppression_for,
)
from careloop.surveys.scoring_benchmarks import (
    Benchmark,
    BenchmarkComparison,
    compare_to_benchmark,
    parse_benchmarks,
)
from careloop.surveys.scoring_scales import SCALES, Answer, Scale, validated_counts
from careloop.surveys.scoring_stars import (
    CUT_POINTS_2016_10_2017_09,
    STAR_MINIMUM_SURVEYS,
    HcahpsMeasure,
    MeasureStar,
    StarCutPoints,
    SummaryStar,
    measure_star,
    summary_star,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# The latest CMS release shipped (discharges October 2021 - September 2022).
BENCHMARK_RELEASE = "07_2023"

# Translated where shown ({% translate %} in surveys/results.html).
MEASURE_NAMES: Mapping[HcahpsMeasure, str] = {
    HcahpsMeasure.NURSE_COMMUNICATION: gettext_noop("Communication with nurses"),
    HcahpsMeasure.DOCTOR_COMMUNICATION: gettext_noop("Communication with doctors"),
    HcahpsMeasure.STAFF_RESPONSIVENESS: gettext_noop("Responsiveness of staff"),
    HcahpsMeasure.MEDICINES_COMMUNICATION: gettext_noop("Communication about medicines"),
    HcahpsMeasure.DISCHARGE_INFORMATION: gettext_noop("Discharge information"),
    HcahpsMeasure.CARE_TRANSITION: gettext_noop("Care transition"),
    HcahpsMeasure.CLEANLINESS: gettext_noop("Cleanliness"),
    HcahpsMeasure.QUIETNESS: gettext_noop("Quietness"),
    HcahpsMeasure.OVERALL_RATING: gettext_noop("Overall rating (0-10)"),
    HcahpsMeasure.RECOMMEND: gettext_noop("Would recommend"),
}


@dataclass(frozen=True, slots=True)
class ItemCounts:
    """The answers to one item of a measure."""

    scale: Scale
    counts: Mapping[Answer, int]


@dataclass(frozen=True, slots=True)
class MeasureResult:
    measure: HcahpsMeasure
    name: str
    linear_mean: Score | Suppressed
    top_box: Score | Suppressed
    star: MeasureStar | Suppressed | None  # None when the score itself is suppressed
    state: BenchmarkComparison | Suppressed | None  # None: no benchmark for this measure
    nation: BenchmarkComparison | Suppressed | None


@dataclass(frozen=True, slots=True)
class HcahpsResults:
    completed_surveys: int
    state: str | None
    release: str
    measures: tuple[MeasureResult, ...]
    summary: SummaryStar | Suppressed | None  # None when a measure has no star
    missing: tuple[HcahpsMeasure, ...]  # measures none of the instrument's items counts towards


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _item_mean_and_half(
    values: Mapping[Answer, Fraction], counts: Mapping[Answer, int], confidence: float
) -> tuple[Fraction, float, int]:
    """Mean of the item's answers on ``values`` (answers without a value left out), the
    half-width of its normal interval (the whole scale for one answer) and its n."""
    scored = {a: c for a, c in counts.items() if a in values and c}
    n = sum(scored.values())
    mean = sum((values[a] * c for a, c in scored.items()), Fraction(0)) / n
    if n == 1:
        return mean, 100.0, n
    squares = sum(((values[a] - mean) ** 2 * c for a, c in scored.items()), Fraction(0))
    return mean, _z(confidence) * math.sqrt(squares / (n - 1) / n), n


def _composite(
    items: Sequence[ItemCounts], values_of: Mapping[Scale, Mapping[Answer, Fraction]], c: float
) -> Score:
    parts = [_item_mean_and_half(values_of[i.scale], i.counts, c) for i in items]
    mean = sum((p[0] for p in parts), Fraction(0)) / len(parts)
    half = sum(p[1] for p in parts) / len(parts)
    low, high = max(0.0, float(mean) - half), min(100.0, float(mean) + half)
    return Score(value=mean, n=min(p[2] for p in parts), ci=Interval(low, high, c))


def measure_scores(
    *, items: Sequence[ItemCounts], minimum_n: int, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[Score | Suppressed, Score | Suppressed]:
    """(linear mean score, top-box score) of one measure from its items' answers."""
    if not items:
        raise ValueError("a measure needs at least one item")
    checked = [ItemCounts(i.scale, validated_counts(scale=i.scale, counts=i.counts)) for i in items]
    if len(checked) == 1:
        only = checked[0]
        lms = linear_mean(
            scale=only.scale, counts=only.counts, minimum_n=minimum_n, confidence=confidence
        )
        boxes = box_scores(
            scale=only.scale, counts=only.counts, minimum_n=minimum_n, confidence=confidence
        )
        return lms, boxes if isinstance(boxes, Suppressed) else boxes.top
    smallest = min(sum(i.counts.values()) for i in checked)
    if (withheld := suppression_for(n=smallest, minimum_n=minimum_n)) is not None:
        return withheld, withheld
    linear = {i.scale: SCALES[i.scale].linear for i in checked}
    return _composite(checked, linear, confidence), _composite_top(checked, confidence)


def _composite_top(items: Sequence[ItemCounts], confidence: float) -> Score:
    """Mean of the items' top-box shares; the interval averages their Wilson bounds (exact for
    perfectly correlated items, wider than needed otherwise, never empty at 0 % or 100 %)."""
    tops = []
    for item in items:
        boxes = box_scores(scale=item.scale, counts=item.counts, minimum_n=1, confidence=confidence)
        if not isinstance(boxes, BoxScores):  # the caller checked every item has answers
            raise ValueError("a composite item has no answers")
        tops.append(boxes.top)
    k = len(tops)
    return Score(
        value=sum((t.value for t in tops), Fraction(0)) / k,
        n=min(t.n for t in tops),
        ci=Interval(sum(t.ci.low for t in tops) / k, sum(t.ci.high for t in tops) / k, confidence),
    )


@cache
def benchmarks_load(release: str = BENCHMARK_RELEASE) -> tuple[Benchmark, ...]:
    """National and state benchmarks of ``release`` from the CMS files in ``surveys/data``."""
    found: list[Benchmark] = []
    for name in ("hcahps_national_results.csv", f"hcahps_state_results_{release}.csv"):
        path = DATA_DIR / name
        if path.exists():
            with path.open(newline="", encoding="utf-8") as handle:
                rows = [r for r in csv.DictReader(handle) if r["Release Period"] == release]
            found.extend(parse_benchmarks(rows=rows))
    return tuple(found)


def state_of(jurisdictions: Sequence[str]) -> str | None:
    """The US state when every facility answering is in the same one ("US-IL" -> "IL")."""
    states = {j.upper().removeprefix("US-") for j in jurisdictions if j.upper().startswith("US-")}
    return states.pop() if len(states) == 1 and len(states) == len(set(jurisdictions)) else None


def _compare(
    top: Score | Suppressed,
    benchmarks: Mapping[tuple[HcahpsMeasure, str | None], Benchmark],
    measure: HcahpsMeasure,
    state: str | None,
) -> BenchmarkComparison | Suppressed | None:
    found = benchmarks.get((measure, state))
    if found is None:
        return None
    return compare_to_benchmark(organization=top, benchmark_top_box=found.top_box)


def hcahps_results(
    *,
    items: Mapping[HcahpsMeasure, Sequence[ItemCounts]],
    completed_surveys: int,
    minimum_n: int,
    state: str | None = None,
    benchmarks: Sequence[Benchmark] | None = None,
    release: str = BENCHMARK_RELEASE,
    cut_points: Mapping[HcahpsMeasure, StarCutPoints] = CUT_POINTS_2016_10_2017_09,
    star_minimum: int = STAR_MINIMUM_SURVEYS,
    confidence: float = DEFAULT_CONFIDENCE,
) -> HcahpsResults:
    """Scores, stars and benchmark comparisons of every measure the items count towards."""
    loaded = benchmarks_load(release) if benchmarks is None else benchmarks
    by_key = {(b.measure, b.state): b for b in loaded if b.release == release}
    results: list[MeasureResult] = []
    for measure in HcahpsMeasure:
        if not items.get(measure):
            continue
        lms, top = measure_scores(items=items[measure], minimum_n=minimum_n, confidence=confidence)
        star = None
        if isinstance(lms, Score):
            star = measure_star(
                measure=measure,
                linear_mean_score=lms.value,
                completed_surveys=completed_surveys,
                cut_points=cut_points,
                minimum_surveys=star_minimum,
            )
        results.append(
            MeasureResult(
                measure=measure,
                name=MEASURE_NAMES[measure],
                linear_mean=lms,
                top_box=top,
                star=star,
                state=_compare(top, by_key, measure, state) if state else None,
                nation=_compare(top, by_key, measure, None),
            )
        )
    stars = {r.measure: r.star.stars for r in results if isinstance(r.star, MeasureStar)}
    missing = tuple(m for m in HcahpsMeasure if not items.get(m))
    summary: SummaryStar | Suppressed | None = None
    if any(isinstance(r.star, Suppressed) for r in results):
        summary = suppression_for(n=completed_surveys, minimum_n=star_minimum)
    elif len(stars) == len(HcahpsMeasure):
        summary = summary_star(
            measure_stars=stars, completed_surveys=completed_surveys, minimum_surveys=star_minimum
        )
    return HcahpsResults(
        completed_surveys=completed_surveys,
        state=state,
        release=release,
        measures=tuple(results),
        summary=summary,
        missing=missing,
    )


# --- display ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """One measure as the results page shows it; "*" marks a suppressed value."""

    name: str
    linear_mean: str
    interval: str
    n: int
    stars: str
    top_box: str
    state: str
    nation: str


def _points(score: Score | Suppressed, places: int = 0) -> tuple[str, str, int]:
    if isinstance(score, Suppressed):
        return score.display, "", score.n
    interval = f"{score.ci.low:.{places}f} to {score.ci.high:.{places}f}"
    return str(score.rounded(places=places)), interval, score.n


def _benchmark(comparison: BenchmarkComparison | Suppressed | None) -> str:
    if not isinstance(comparison, BenchmarkComparison):
        return ""  # no matching benchmark, or too few answers to compare
    return f"{comparison.benchmark}% ({comparison.verdict.value.replace('_', ' ')})"


def measure_rows(results: HcahpsResults) -> list[MeasureRow]:
    rows = []
    for result in results.measures:
        lms, interval, n = _points(result.linear_mean)
        top, _top_interval, _n = _points(result.top_box, places=1)
        star = result.star
        rows.append(
            MeasureRow(
                name=result.name,
                linear_mean=lms,
                interval=interval,
                n=n,
                stars=str(star.stars)
                if isinstance(star, MeasureStar)
                else star.display
                if star
                else "",
                top_box=f"{top}%" if isinstance(result.top_box, Score) else top,
                state=_benchmark(result.state),
                nation=_benchmark(result.nation),
            )
        )
    return rows
