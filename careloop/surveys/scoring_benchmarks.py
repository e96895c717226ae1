"""Compare an organization's top-box score with national and state HCAHPS benchmarks.

Pure functions, no Django. Benchmarks come as rows of the CMS national / state results
(``maven_national_results.csv``, ``maven_state_results.csv``: Release Period, [State,] Measure ID,
Bottom-box / Middle-box / Top-box Percentage); the caller reads the CSV. A release is named by
its publication month: release ``07_2018`` covers discharges from October 2016 to September 2017.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from careloop.surveys.scoring import (
    Score,
    Suppressed,
)
from careloop.surveys.scoring_stars import HcahpsMeasure


@dataclass(frozen=True, slots=True)
class Benchmark:
    release: str  # "07_2018"
    measure: HcahpsMeasure
    state: str | None  # two-letter code; None for the national value
    top_box: int
    middle_box: int
    bottom_box: int


class BenchmarkVerdict(StrEnum):
    ABOVE = "above"  # the whole confidence interval lies above the benchmark
    BELOW = "below"
    NOT_DIFFERENT = "not_different"


@dataclass(frozen=True, slots=True)
class BenchmarkComparison:
    organization: Score
    benchmark: Fraction  # top-box percentage, points
    difference: Fraction  # organization - benchmark, points
    ci_excludes_benchmark: bool
    verdict: BenchmarkVerdict


def _percentage(row: Mapping[str, str], column: str) -> int:
    value = int(row[column])
    if not 0 <= value <= 100:
        raise ValueError(f"{column} must be within 0..100, got {value}")
    return value


def parse_benchmarks(*, rows: Iterable[Mapping[str, str]]) -> tuple[Benchmark, ...]:
    """Benchmarks from national rows (no State column) or state rows; ValueError on bad rows."""
    result = []
    for row in rows:
        state = row.get("State") or None
        result.append(
            Benchmark(
                release=row["Release Period"],
                measure=HcahpsMeasure(row["Measure ID"]),
                state=state,
                top_box=_percentage(row, "Top-box Percentage"),
                middle_box=_percentage(row, "Middle-box Percentage"),
                bottom_box=_percentage(row, "Bottom-box Percentage"),
            )
        )
    return tuple(result)


def select_benchmark(
    *,
    benchmarks: Iterable[Benchmark],
    release: str,
    measure: HcahpsMeasure,
    state: str | None = None,
) -> Benchmark:
    """The one benchmark for ``release``, ``measure`` and ``state`` (None = national)."""
    found = [
        b for b in benchmarks if b.release == release and b.measure == measure and b.state == state
    ]
    if len(found) != 1:
        where = state or "national"
        raise LookupError(f"{len(found)} benchmarks for {release} {measure} {where}, expected 1")
    return found[0]


def compare_to_benchmark(
    *,
    organization: Score | Suppressed,
    benchmark_top_box: Fraction | Decimal | int,
) -> BenchmarkComparison | Suppressed:
    """Difference in points and whether the organization's interval excludes the benchmark.

    A suppressed organization score stays suppressed: too few answers to compare.
    """
    if isinstance(organization, Suppressed):
        return organization
    benchmark = Fraction(benchmark_top_box)
    if not 0 <= benchmark <= 100:
        raise ValueError(f"benchmark must be within 0..100, got {benchmark_top_box}")
    if organization.ci.low > benchmark:
        verdict = BenchmarkVerdict.ABOVE
    elif organization.ci.high < benchmark:
        verdict = BenchmarkVerdict.BELOW
    else:
        verdict = BenchmarkVerdict.NOT_DIFFERENT
    return BenchmarkComparison(
        organization=organization,
        benchmark=benchmark,
        difference=organization.value - benchmark,
        ci_excludes_benchmark=verdict is not BenchmarkVerdict.NOT_DIFFERENT,
        verdict=verdict,
    )
