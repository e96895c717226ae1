"""HCAHPS stars and linear scores against every clean hospital of the CMS Oct 2016 - Sep 2017 file.

The fixture is ``fixtures/hcahps_2016-10_2017-09_clean.csv`` (see fixtures/README.md): 3,462
hospitals with their published box percentages, linear mean scores and star ratings.
"""

from __future__ import annotations

import csv
import functools
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from careloop.surveys.scoring import (
    Score,
    Suppressed,
    SuppressionReason,
    linear_mean,
)
from careloop.surveys.scoring_scales import (
    SCALES,
    Agreement,
    Box,
    Frequency,
    Recommend,
    Scale,
    YesNo,
)
from careloop.surveys.scoring_stars import (
    CUT_POINTS_2016_10_2017_09,
    HcahpsMeasure,
    MeasureStar,
    StarCutPoints,
    SummaryStar,
    measure_star,
    summary_star,
)
from careloop.surveys.tests.fixtures.make_fixture import (
    BOX_GROUPS,
    CLEAN_FIXTURE,
    FIXTURE_COLUMNS,
    MEASURE_STEMS,
    SURVEYS,
    is_clean,
)

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN_ROWS = 3462  # data/README.md: rows left by the clean-row filter
TIED_ROWS = 235  # DOMAIN.md Appendix A: summary means of exactly x.5


@functools.cache
def hospitals() -> tuple[dict[str, str], ...]:
    with (FIXTURES / CLEAN_FIXTURE).open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def stem(measure: HcahpsMeasure) -> str:
    return MEASURE_STEMS[measure.value]


def published_stars(row: dict[str, str]) -> dict[HcahpsMeasure, int]:
    return {m: int(row[f"{stem(m)}_STAR_RATING"]) for m in HcahpsMeasure}


# --- the fixture itself -------------------------------------------------------------------------


def test_fixture_holds_every_clean_row_once() -> None:
    rows = hospitals()
    assert len(rows) == CLEAN_ROWS
    assert len({row["Provider.ID"] for row in rows}) == CLEAN_ROWS
    assert tuple(rows[0]) == FIXTURE_COLUMNS
    assert all(is_clean(row) for row in rows)


def test_measure_stems_cover_every_measure() -> None:
    assert set(MEASURE_STEMS) == {m.value for m in HcahpsMeasure}


@pytest.mark.parametrize(
    ("change", "clean"),
    [
        ({}, True),
        ({SURVEYS: "99"}, False),
        ({SURVEYS: "100"}, True),
        ({SURVEYS: "716"}, False),
        ({"H_COMP_1_A_P": "77"}, True),  # 101
        ({"H_COMP_1_A_P": "78"}, False),  # 102
        ({"H_COMP_6_Y_P": "88"}, False),  # 98
    ],
)
def test_clean_row_filter(change: dict[str, str], clean: bool) -> None:
    row = {column: "0" for group in BOX_GROUPS for column in group}
    for group in BOX_GROUPS:
        row[group[0]], row[group[-1]] = "76", "24"
    row |= {SURVEYS: "225", **change}
    assert is_clean(row) is clean


# --- per-measure stars --------------------------------------------------------------------------


def test_every_published_measure_star_is_reproduced() -> None:
    matched, mismatched = 0, []
    for row in hospitals():
        for measure in HcahpsMeasure:
            result = measure_star(
                measure=measure,
                linear_mean_score=int(row[f"{stem(measure)}_LINEAR_SCORE"]),
                completed_surveys=int(row[SURVEYS]),
            )
            assert isinstance(result, MeasureStar)
            if result.stars == int(row[f"{stem(measure)}_STAR_RATING"]):
                matched += 1
            else:
                mismatched.append((row["Provider.ID"], measure))
    assert mismatched == []
    assert matched == CLEAN_ROWS * 10


@pytest.mark.parametrize("measure", list(HcahpsMeasure))
def test_shipped_cut_points_are_the_ones_the_data_reveals(measure: HcahpsMeasure) -> None:
    """Star k's integer scores form one block just below star k + 1's, with no overlap."""
    ranges: dict[int, list[int]] = {}
    for row in hospitals():
        score = int(row[f"{stem(measure)}_LINEAR_SCORE"])
        ranges.setdefault(int(row[f"{stem(measure)}_STAR_RATING"]), []).append(score)
    assert sorted(ranges) == [1, 2, 3, 4, 5]
    cuts = CUT_POINTS_2016_10_2017_09[measure]
    for star, cut in zip((2, 3, 4, 5), (cuts.two, cuts.three, cuts.four, cuts.five), strict=True):
        assert min(ranges[star]) == cut
        assert max(ranges[star - 1]) == cut - 1


def test_measure_star_rounds_half_up_before_cutting() -> None:
    cut = CUT_POINTS_2016_10_2017_09[HcahpsMeasure.NURSE_COMMUNICATION]
    assert cut.five == 95

    def stars(score: Fraction | Decimal | int) -> int:
        result = measure_star(
            measure=HcahpsMeasure.NURSE_COMMUNICATION,
            linear_mean_score=score,
            completed_surveys=300,
        )
        assert isinstance(result, MeasureStar)
        return result.stars

    assert stars(Fraction(189, 2)) == 5  # 94.5 -> 95
    assert stars(Decimal("94.49")) == 4
    assert stars(0) == 1
    assert stars(100) == 5


def test_measure_star_needs_100_surveys_and_valid_input() -> None:
    result = measure_star(
        measure=HcahpsMeasure.RECOMMEND, linear_mean_score=95, completed_surveys=99
    )
    assert result == Suppressed(reason=SuppressionReason.BELOW_MINIMUM_N, n=99, minimum_n=100)
    custom = measure_star(
        measure=HcahpsMeasure.RECOMMEND,
        linear_mean_score=95,
        completed_surveys=99,
        minimum_surveys=50,
        cut_points={HcahpsMeasure.RECOMMEND: StarCutPoints(two=60, three=70, four=96, five=99)},
    )
    assert isinstance(custom, MeasureStar)
    assert custom.stars == 3
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        measure_star(measure=HcahpsMeasure.RECOMMEND, linear_mean_score=101, completed_surveys=200)
    with pytest.raises(ValueError, match="no cut points"):
        measure_star(
            measure=HcahpsMeasure.QUIETNESS,
            linear_mean_score=90,
            completed_surveys=200,
            cut_points={},
        )
    with pytest.raises(ValueError, match="rise strictly"):
        StarCutPoints(two=80, three=80, four=90, five=95)


# --- summary star -------------------------------------------------------------------------------


def test_every_published_summary_star_is_reproduced() -> None:
    matched, ties, mismatched = 0, 0, []
    for row in hospitals():
        result = summary_star(
            measure_stars=published_stars(row), completed_surveys=int(row[SURVEYS])
        )
        assert isinstance(result, SummaryStar)
        ties += result.mean.denominator == 2
        if result.stars == int(row["H_STAR_RATING"]):
            matched += 1
        else:
            mismatched.append(row["Provider.ID"])
    assert mismatched == []
    assert matched == CLEAN_ROWS
    assert ties == TIED_ROWS


def test_bankers_rounding_would_miss_published_summary_stars() -> None:
    misses = 0
    for row in hospitals():
        result = summary_star(
            measure_stars=published_stars(row), completed_surveys=int(row[SURVEYS])
        )
        assert isinstance(result, SummaryStar)
        misses += round(result.mean) != int(row["H_STAR_RATING"])
    assert 0 < misses < TIED_ROWS


def test_summary_star_is_an_eight_term_mean() -> None:
    stars = dict.fromkeys(HcahpsMeasure, 2)
    stars[HcahpsMeasure.CLEANLINESS] = 5
    stars[HcahpsMeasure.QUIETNESS] = 5  # the pair counts once: (5 + 5) / 2 = 5, +3 over 2
    stars[HcahpsMeasure.RECOMMEND] = 4  # (2 + 4) / 2 = 3, +1 over 2
    result = summary_star(measure_stars=stars, completed_surveys=100)
    assert isinstance(result, SummaryStar)
    assert result.mean == Fraction(2 * 8 + 3 + 1, 8) == Fraction(5, 2)
    assert result.stars == 3  # half up; Python's round(2.5) would give 2
    stars[HcahpsMeasure.RECOMMEND] = 3  # +0.5 instead of +1: 19.5 / 8 = 2.4375
    result = summary_star(measure_stars=stars, completed_surveys=100)
    assert isinstance(result, SummaryStar)
    assert result.mean == Fraction(39, 16)
    assert result.stars == 2


def test_summary_star_validation_and_minimum() -> None:
    stars = dict.fromkeys(HcahpsMeasure, 4)
    assert summary_star(measure_stars=stars, completed_surveys=99) == Suppressed(
        reason=SuppressionReason.BELOW_MINIMUM_N, n=99, minimum_n=100
    )
    del stars[HcahpsMeasure.QUIETNESS]
    with pytest.raises(ValueError, match="missing"):
        summary_star(measure_stars=stars, completed_surveys=200)
    stars[HcahpsMeasure.QUIETNESS] = 6
    with pytest.raises(ValueError, match=r"1\.\.5"):
        summary_star(measure_stars=stars, completed_surveys=200)


# --- linear-score scale against the published box percentages -----------------------------------

FOUR_POINT_COMPOSITES = (
    HcahpsMeasure.NURSE_COMMUNICATION,
    HcahpsMeasure.DOCTOR_COMMUNICATION,
    HcahpsMeasure.STAFF_RESPONSIVENESS,
    HcahpsMeasure.MEDICINES_COMMUNICATION,
)
FREQUENCY_ITEMS = (HcahpsMeasure.CLEANLINESS, HcahpsMeasure.QUIETNESS)
TOLERANCE = Fraction(3, 2)


def box_columns(measure: HcahpsMeasure) -> tuple[str, ...]:
    (group,) = [g for g in BOX_GROUPS if g[0].startswith(f"{measure.value}_")]
    return group


def bounds(
    scale: Scale, percentages: tuple[int, int, int], bottom_worst: str, bottom_best: str
) -> tuple[Fraction, Fraction]:
    """LMS range when the merged bottom box is all its worst answer, or all its best one."""
    linear = SCALES[scale].linear
    top, middle, bottom = percentages
    top_answer, middle_answer = (
        next(a for a, box in SCALES[scale].boxes.items() if box is level)
        for level in (Box.TOP, Box.MIDDLE)
    )
    known = top * linear[top_answer] + middle * linear[middle_answer]
    return (
        (known + bottom * linear[bottom_worst]) / 100,
        (known + bottom * linear[bottom_best]) / 100,
    )


def outside_bounds(measures: tuple[HcahpsMeasure, ...], scale: Scale, worst: str, best: str) -> int:
    checked, outside = 0, 0
    for row in hospitals():
        for measure in measures:
            top, middle, bottom = (int(row[c]) for c in box_columns(measure))
            low, high = bounds(scale, (top, middle, bottom), worst, best)
            score = int(row[f"{stem(measure)}_LINEAR_SCORE"])
            checked += 1
            outside += not low - TOLERANCE <= score <= high + TOLERANCE
    assert checked == CLEAN_ROWS * len(measures)
    return outside


def test_four_point_composite_scores_lie_within_the_box_bounds() -> None:
    """All 13,848 composite LMS lie in [A + 2/3 U, A + 2/3 U + 1/3 SN] +- 1.5 (Appendix A)."""
    assert CLEAN_ROWS * len(FOUR_POINT_COMPOSITES) == 13_848
    assert outside_bounds(FOUR_POINT_COMPOSITES, Scale.FREQUENCY, "never", "sometimes") == 0


def test_cleanliness_and_quietness_lie_within_the_box_bounds() -> None:
    assert outside_bounds(FREQUENCY_ITEMS, Scale.FREQUENCY, "never", "sometimes") == 0


def test_recommend_and_care_transition_fit_the_same_ladder() -> None:
    recommend = (HcahpsMeasure.RECOMMEND,)
    assert outside_bounds(recommend, Scale.RECOMMEND, "definitely_no", "probably_no") == 0
    transition = (HcahpsMeasure.CARE_TRANSITION,)
    assert outside_bounds(transition, Scale.AGREEMENT, "strongly_disagree", "disagree") == 0


def test_the_bounds_would_catch_a_wrong_ladder() -> None:
    """Control: coding never..always as 25, 50, 75, 100 puts thousands of scores outside."""
    outside = 0
    for row in hospitals():
        for measure in FOUR_POINT_COMPOSITES:
            top, middle, bottom = (int(row[c]) for c in box_columns(measure))
            score = int(row[f"{stem(measure)}_LINEAR_SCORE"])
            low = Fraction(100 * top + 75 * middle + 25 * bottom, 100)
            high = Fraction(100 * top + 75 * middle + 50 * bottom, 100)
            outside += not low - TOLERANCE <= score <= high + TOLERANCE
    assert outside > 5_000


def test_rating_scores_fit_the_ten_times_scale() -> None:
    """0-10 ratings x 10: the 9-10 box scores 90..100, 7-8 scores 70..80, 0-6 scores 0..60."""
    outside = 0
    for row in hospitals():
        top, middle, bottom = (int(row[c]) for c in box_columns(HcahpsMeasure.OVERALL_RATING))
        low = Fraction(90 * top + 70 * middle, 100)
        high = Fraction(100 * top + 80 * middle + 60 * bottom, 100)
        score = int(row["H_HSP_RATING_LINEAR_SCORE"])
        outside += not low - TOLERANCE <= score <= high + TOLERANCE
    assert outside == 0


def test_discharge_information_score_is_percent_yes() -> None:
    for row in hospitals():
        yes, no = int(row["H_COMP_6_Y_P"]), int(row["H_COMP_6_N_P"])
        result = linear_mean(scale=Scale.YES_NO, counts={YesNo.YES: yes, YesNo.NO: no})
        assert isinstance(result, Score)
        assert result.value == int(row["H_COMP_6_LINEAR_SCORE"]) == yes


def test_engine_linear_mean_reproduces_a_box_mix() -> None:
    """An all-always/usually/never hospital: the engine's mean equals the lower bound exactly."""
    counts = {Frequency.ALWAYS: 76, Frequency.USUALLY: 19, Frequency.NEVER: 5}
    result = linear_mean(scale=Scale.FREQUENCY, counts=counts)
    assert isinstance(result, Score)
    assert result.value == bounds(Scale.FREQUENCY, (76, 19, 5), "never", "sometimes")[0]
    assert math.isclose(float(result.value), 76 + 19 * 2 / 3)
    assert Recommend.PROBABLY_YES in SCALES[Scale.RECOMMEND].linear
    assert SCALES[Scale.AGREEMENT].linear[Agreement.AGREE] == Fraction(200, 3)
