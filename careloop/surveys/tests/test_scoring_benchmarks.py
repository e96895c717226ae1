"""National and state top-box benchmarks (CMS results, fixtures/hcahps_*_results*.csv)."""

from __future__ import annotations

import csv
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from careloop.surveys.scoring import (
    BoxScores,
    Suppressed,
    box_scores,
    wilson_interval,
)
from careloop.surveys.scoring_benchmarks import (
    Benchmark,
    BenchmarkComparison,
    BenchmarkVerdict,
    compare_to_benchmark,
    parse_benchmarks,
    select_benchmark,
)
from careloop.surveys.scoring_scales import (
    Frequency,
    Scale,
)
from careloop.surveys.scoring_stars import HcahpsMeasure
from careloop.surveys.tests.fixtures.make_fixture import NATIONAL_FIXTURE, STATE_FIXTURE

FIXTURES = Path(__file__).parent / "fixtures"
RELEASE = "07_2018"  # discharges October 2016 - September 2017


def load(name: str) -> tuple[Benchmark, ...]:
    with (FIXTURES / name).open(newline="", encoding="utf-8") as handle:
        return parse_benchmarks(rows=csv.DictReader(handle))


def compared(result: BenchmarkComparison | Suppressed) -> BenchmarkComparison:
    assert isinstance(result, BenchmarkComparison), result
    return result


def test_parse_national_and_state_results() -> None:
    national = load(NATIONAL_FIXTURE)
    assert len(national) == 90  # nine releases x ten measures
    assert all(b.state is None for b in national)
    assert all(abs(b.top_box + b.middle_box + b.bottom_box - 100) <= 1 for b in national)
    states = load(STATE_FIXTURE)
    assert len(states) == 510  # 50 states and DC x ten measures
    assert {b.release for b in states} == {RELEASE}
    assert len({b.state for b in states}) == 51


def test_select_benchmark() -> None:
    national = load(NATIONAL_FIXTURE)
    nurses = select_benchmark(
        benchmarks=national, release=RELEASE, measure=HcahpsMeasure.NURSE_COMMUNICATION
    )
    assert (nurses.bottom_box, nurses.middle_box, nurses.top_box) == (4, 16, 80)
    discharge = select_benchmark(
        benchmarks=national, release=RELEASE, measure=HcahpsMeasure.DISCHARGE_INFORMATION
    )
    assert discharge.middle_box == 0  # yes/no measure
    missouri = select_benchmark(
        benchmarks=load(STATE_FIXTURE),
        release=RELEASE,
        measure=HcahpsMeasure.STAFF_RESPONSIVENESS,
        state="MO",
    )
    assert missouri.top_box == 68
    with pytest.raises(LookupError, match="0 benchmarks"):
        select_benchmark(benchmarks=national, release="07_2030", measure=HcahpsMeasure.RECOMMEND)


def test_cameron_regional_responsiveness_against_national_and_state() -> None:
    """Cameron Regional Medical Center (MO, 260057): 64 % "always" for staff responsiveness.

    The fixture row has 225 completed surveys and boxes 64 / 25 / 11; taking 225 as the item n
    gives 144 / 56 / 25 answers (an illustration: CMS does not publish per-item n).
    """
    counts = {Frequency.ALWAYS: 144, Frequency.USUALLY: 56, Frequency.SOMETIMES: 25}
    scores = box_scores(scale=Scale.FREQUENCY, counts=counts)
    assert isinstance(scores, BoxScores)
    assert scores.top.value == 64
    national = select_benchmark(
        benchmarks=load(NATIONAL_FIXTURE),
        release=RELEASE,
        measure=HcahpsMeasure.STAFF_RESPONSIVENESS,
    )
    state = select_benchmark(
        benchmarks=load(STATE_FIXTURE),
        release=RELEASE,
        measure=HcahpsMeasure.STAFF_RESPONSIVENESS,
        state="MO",
    )
    versus_nation = compared(
        compare_to_benchmark(organization=scores.top, benchmark_top_box=national.top_box)
    )
    assert versus_nation.difference == -6
    assert scores.top.ci.high == pytest.approx(69.988, abs=1e-3)
    assert versus_nation.ci_excludes_benchmark
    assert not scores.top.ci.contains(national.top_box)
    assert scores.top.ci.contains(state.top_box)
    assert versus_nation.verdict is BenchmarkVerdict.BELOW
    versus_state = compared(
        compare_to_benchmark(organization=scores.top, benchmark_top_box=state.top_box)
    )
    assert versus_state.difference == -4
    assert not versus_state.ci_excludes_benchmark
    assert versus_state.verdict is BenchmarkVerdict.NOT_DIFFERENT


def test_above_benchmark_and_exact_difference() -> None:
    counts = {Frequency.ALWAYS: 470, Frequency.USUALLY: 30}
    scores = box_scores(scale=Scale.FREQUENCY, counts=counts)
    assert isinstance(scores, BoxScores)
    result = compared(
        compare_to_benchmark(organization=scores.top, benchmark_top_box=Decimal("80.5"))
    )
    assert result.difference == Fraction(94) - Fraction(161, 2)
    assert result.benchmark == Fraction(161, 2)
    assert result.verdict is BenchmarkVerdict.ABOVE
    assert result.organization.ci == wilson_interval(successes=470, n=500)


def test_suppressed_scores_are_not_compared() -> None:
    scores = box_scores(scale=Scale.FREQUENCY, counts={Frequency.ALWAYS: 3})
    assert isinstance(scores, Suppressed)
    assert compare_to_benchmark(organization=scores, benchmark_top_box=80) is scores


def test_bad_benchmarks_are_rejected() -> None:
    counts = {Frequency.ALWAYS: 10}
    scores = box_scores(scale=Scale.FREQUENCY, counts=counts)
    assert isinstance(scores, BoxScores)
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        compare_to_benchmark(organization=scores.top, benchmark_top_box=101)
    row = {
        "Release Period": RELEASE,
        "Measure ID": "H_COMP_1",
        "Bottom-box Percentage": "4",
        "Middle-box Percentage": "16",
        "Top-box Percentage": "180",
    }
    with pytest.raises(ValueError, match="Top-box"):
        parse_benchmarks(rows=[row])
    with pytest.raises(ValueError, match="H_COMP_4"):
        parse_benchmarks(rows=[row | {"Measure ID": "H_COMP_4"}])
