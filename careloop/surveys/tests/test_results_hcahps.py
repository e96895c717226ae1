"""The inpatient and home-care templates, and HCAHPS-style measures, stars and benchmarks
on small hand-computed counts (pure, no database)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from careloop.surveys.instruments import (
    HCAHPS_MEASURE_OF_ITEM,
    LANGUAGES,
    SCALE_OF_TYPE,
    TEMPLATES,
    hcahps_measure_of,
    options_for,
    scored_value,
)
from careloop.surveys.results import (
    BENCHMARK_RELEASE,
    ItemCounts,
    benchmarks_load,
    hcahps_results,
    measure_rows,
    measure_scores,
    state_of,
)
from careloop.surveys.scoring import Score, Suppressed, wilson_interval
from careloop.surveys.scoring_benchmarks import Benchmark, BenchmarkComparison, BenchmarkVerdict
from careloop.surveys.scoring_scales import SCALES, Box, Scale
from careloop.surveys.scoring_stars import HcahpsMeasure, MeasureStar, SummaryStar

NEW_TEMPLATES = ("inpatient_experience", "home_care_experience")
FREQ = Scale.FREQUENCY


@pytest.mark.parametrize("template", NEW_TEMPLATES)
def test_the_new_templates_have_every_text_and_option_in_three_languages(template: str) -> None:
    spec = TEMPLATES[template]
    assert set(LANGUAGES) <= set(spec.names)
    assert 5 <= len(spec.items) <= 21
    for item in spec.items:
        assert all(item.texts[lang].strip() for lang in LANGUAGES)
        if item.type != "free_text":
            assert item.type in SCALE_OF_TYPE
            for lang in LANGUAGES:
                assert set(options_for(item.type, lang)) == {
                    str(o) for o in SCALES[SCALE_OF_TYPE[item.type]].options
                }


@pytest.mark.parametrize(
    ("item_type", "value", "box"),
    [
        ("frequency_4", "always", Box.TOP),
        ("frequency_4", "usually", Box.MIDDLE),
        ("frequency_4", "sometimes", Box.BOTTOM),
        ("frequency_4", "never", Box.BOTTOM),
        ("rating_0_10", "9", Box.TOP),
        ("rating_0_10", "8", Box.MIDDLE),
        ("rating_0_10", "6", Box.BOTTOM),
        ("definitely_4", "definitely_yes", Box.TOP),
        ("definitely_4", "probably_yes", Box.MIDDLE),
        ("definitely_4", "probably_no", Box.BOTTOM),
        ("yes_no", "yes", Box.TOP),
        ("agree_4", "strongly_agree", Box.TOP),
        ("agree_4", "agree", Box.MIDDLE),
        ("agree_4", "disagree", Box.BOTTOM),
        ("agree_4", "strongly_disagree", Box.BOTTOM),
    ],
)
def test_an_answer_falls_in_the_hcahps_box(item_type: str, value: str, box: Box) -> None:
    spec = SCALES[SCALE_OF_TYPE[item_type]]
    assert spec.boxes[scored_value(item_type, value)] is box


def test_the_inpatient_items_map_to_the_hcahps_measures_they_count_towards() -> None:
    items = TEMPLATES["inpatient_experience"].items
    measures = [hcahps_measure_of(i.type, i.texts) for i in items]
    assert measures.count(HcahpsMeasure.NURSE_COMMUNICATION) == 3
    assert measures.count(HcahpsMeasure.DOCTOR_COMMUNICATION) == 3
    assert set(HCAHPS_MEASURE_OF_ITEM.values()) == {
        HcahpsMeasure.NURSE_COMMUNICATION,
        HcahpsMeasure.DOCTOR_COMMUNICATION,
        HcahpsMeasure.STAFF_RESPONSIVENESS,
        HcahpsMeasure.MEDICINES_COMMUNICATION,
        HcahpsMeasure.DISCHARGE_INFORMATION,
        HcahpsMeasure.CARE_TRANSITION,
        HcahpsMeasure.CLEANLINESS,
        HcahpsMeasure.QUIETNESS,
        HcahpsMeasure.OVERALL_RATING,
        HcahpsMeasure.RECOMMEND,
    }
    assert set(HCAHPS_MEASURE_OF_ITEM.values()) == set(HcahpsMeasure)
    assert measures.count(HcahpsMeasure.MEDICINES_COMMUNICATION) == 2
    assert measures.count(HcahpsMeasure.DISCHARGE_INFORMATION) == 2
    assert measures.count(HcahpsMeasure.CARE_TRANSITION) == 3
    assert all(i.show_if == (13, ("yes",)) for i in items[13:15])
    help_item = items[7]
    assert help_item.measure == HcahpsMeasure.STAFF_RESPONSIVENESS
    assert help_item.show_if == (7, ("yes",))
    assert items[6].type == "yes_no"
    # The home-care items are not hospital measures.
    assert all(
        hcahps_measure_of(i.type, i.texts) is None for i in TEMPLATES["home_care_experience"].items
    )


# Nurses: item 1 = 3 always, 1 usually, 1 sometimes (LMS 80, top 60); item 2 = 5 always (100,
# 100); item 3 = 2 always, 3 usually (80, 40). Composite LMS (80 + 100 + 80) / 3 = 86 2/3.
NURSES = [
    ItemCounts(FREQ, {"always": 3, "usually": 1, "sometimes": 1}),
    ItemCounts(FREQ, {"always": 5}),
    ItemCounts(FREQ, {"always": 2, "usually": 3}),
]
# Rating 10, 10, 9, 8, 6: LMS (100 + 100 + 90 + 80 + 60) / 5 = 86; top box 3 of 5.
RATING = [ItemCounts(Scale.RATING_0_10, {10: 2, 9: 1, 8: 1, 6: 1})]


def test_a_composite_is_the_mean_of_its_items_linear_means_and_top_boxes() -> None:
    lms, top = measure_scores(items=NURSES, minimum_n=5)
    assert isinstance(lms, Score)
    assert isinstance(top, Score)
    assert lms.value == Fraction(260, 3)
    assert top.value == Fraction(200, 3)
    # Half-widths 1.96 * s / sqrt(5): item 1 26.13, item 2 0, item 3 16.00; mean 14.04.
    assert lms.ci.low == pytest.approx(86.667 - 14.044, abs=0.01)
    assert lms.ci.high == 100.0
    assert lms.n == 5
    # Top box: the mean of the items' Wilson bounds for 3, 5 and 2 of 5.
    bounds = [wilson_interval(successes=k, n=5) for k in (3, 5, 2)]
    assert top.ci.low == pytest.approx(sum(b.low for b in bounds) / 3)
    assert top.ci.high == pytest.approx(sum(b.high for b in bounds) / 3)


def test_a_single_item_measure_is_that_items_score() -> None:
    lms, top = measure_scores(items=RATING, minimum_n=5)
    assert isinstance(lms, Score)
    assert isinstance(top, Score)
    assert (lms.value, top.value, lms.n) == (Fraction(86), Fraction(60), 5)


def test_a_measure_with_an_item_below_the_minimum_n_is_suppressed() -> None:
    items = [*NURSES[:2], ItemCounts(FREQ, {"always": 4})]
    lms, top = measure_scores(items=items, minimum_n=5)
    assert isinstance(lms, Suppressed)
    assert isinstance(top, Suppressed)
    assert lms.display == "*"


def test_stars_come_from_the_rounded_linear_mean_and_the_cut_points() -> None:
    result = hcahps_results(
        items={HcahpsMeasure.NURSE_COMMUNICATION: NURSES, HcahpsMeasure.OVERALL_RATING: RATING},
        completed_surveys=5,
        minimum_n=5,
        star_minimum=5,
        benchmarks=(),
    )
    nurses, rating = result.measures
    # 86 2/3 rounds to 87: nurse cut points 87 / 90 / 92 / 95 give 2 stars; rating 86 gives 2.
    assert isinstance(nurses.star, MeasureStar)
    assert (nurses.star.linear_mean_score, nurses.star.stars) == (87, 2)
    assert isinstance(rating.star, MeasureStar)
    assert (rating.star.linear_mean_score, rating.star.stars) == (86, 2)
    # Eight measures have no items here, so there is no summary star.
    assert result.summary is None
    assert len(result.missing) == 8
    rows = measure_rows(result)
    assert (rows[0].linear_mean, rows[0].stars, rows[0].top_box, rows[0].n) == (
        "87",
        "2",
        "66.7%",
        5,
    )


def test_stars_need_the_star_minimum_of_completed_surveys() -> None:
    result = hcahps_results(
        items={HcahpsMeasure.OVERALL_RATING: RATING},
        completed_surveys=5,
        minimum_n=5,
        benchmarks=(),
    )
    (rating,) = result.measures
    assert isinstance(rating.linear_mean, Score)  # the score shows, with its n
    assert isinstance(rating.star, Suppressed)  # CMS: stars need 100 completed surveys
    assert isinstance(result.summary, Suppressed)
    assert measure_rows(result)[0].stars == "*"


def test_the_summary_star_is_the_eight_term_mean_rounded_half_up() -> None:
    always = [ItemCounts(FREQ, {"always": 5})]
    items = {m: always for m in HcahpsMeasure}
    # Responsiveness all "usually": LMS 66 2/3 -> 67, below 79: 1 star. Terms 5, 5, 1, 5, 5, 5,
    # (5 + 5) / 2, (5 + 5) / 2: mean 36 / 8 = 4.5, which rounds up to 5.
    items[HcahpsMeasure.STAFF_RESPONSIVENESS] = [ItemCounts(FREQ, {"usually": 5})]
    result = hcahps_results(
        items=items, completed_surveys=5, minimum_n=5, star_minimum=5, benchmarks=()
    )
    assert isinstance(result.summary, SummaryStar)
    assert result.summary.mean == Fraction(9, 2)
    assert result.summary.stars == 5
    assert result.missing == ()


def _benchmark(measure: HcahpsMeasure, state: str | None, top: int) -> Benchmark:
    return Benchmark(BENCHMARK_RELEASE, measure, state, top, 100 - top - 10, 10)


def test_top_box_is_compared_with_the_state_and_the_nation_where_the_item_matches() -> None:
    benchmarks = (
        _benchmark(HcahpsMeasure.OVERALL_RATING, None, 70),
        _benchmark(HcahpsMeasure.OVERALL_RATING, "IL", 69),
        _benchmark(HcahpsMeasure.OVERALL_RATING, "NY", 99),
    )
    result = hcahps_results(
        items={
            HcahpsMeasure.OVERALL_RATING: RATING,
            HcahpsMeasure.CLEANLINESS: [ItemCounts(FREQ, {"always": 40})],
        },
        completed_surveys=40,
        minimum_n=5,
        state="IL",
        benchmarks=benchmarks,
    )
    cleanliness, rating = result.measures
    assert isinstance(rating.nation, BenchmarkComparison)
    assert rating.nation.benchmark == 70
    assert rating.nation.verdict is BenchmarkVerdict.NOT_DIFFERENT  # 60 % of 5 is too wide
    assert isinstance(rating.state, BenchmarkComparison)
    assert rating.state.benchmark == 69
    assert cleanliness.nation is None  # no benchmark given for it
    row = measure_rows(result)[1]
    assert (row.top_box, row.state, row.nation) == (
        "60.0%",
        "69% (not different)",
        "70% (not different)",
    )


def test_no_comparison_is_shown_below_the_minimum_n() -> None:
    result = hcahps_results(
        items={HcahpsMeasure.OVERALL_RATING: [ItemCounts(Scale.RATING_0_10, {10: 4})]},
        completed_surveys=4,
        minimum_n=5,
        state="IL",
        benchmarks=(_benchmark(HcahpsMeasure.OVERALL_RATING, None, 70),),
    )
    (rating,) = result.measures
    assert isinstance(rating.nation, Suppressed)
    row = measure_rows(result)[0]
    assert (row.linear_mean, row.top_box, row.nation, row.stars) == ("*", "*", "", "")


def test_the_shipped_cms_benchmarks_load_for_the_nation_and_each_state() -> None:
    loaded = benchmarks_load()
    national = {b.measure: b.top_box for b in loaded if b.state is None}
    illinois = {b.measure: b.top_box for b in loaded if b.state == "IL"}
    assert len(national) == len(illinois) == 10
    # maven_national_results.csv / maven_state_results.csv, release 07_2023
    assert national[HcahpsMeasure.NURSE_COMMUNICATION] == 79
    assert illinois[HcahpsMeasure.NURSE_COMMUNICATION] == 78
    assert national[HcahpsMeasure.RECOMMEND] == 69


@pytest.mark.parametrize(
    ("jurisdictions", "state"),
    [
        (["US-IL"], "IL"),
        (["US-IL", "US-NY"], None),
        (["GB-ENG"], None),
        (["US-IL", "GB-ENG"], None),
        ([], None),
    ],
)
def test_the_state_comes_from_the_answering_facilities_jurisdiction(
    jurisdictions: list[str], state: str | None
) -> None:
    assert state_of(jurisdictions) == state
