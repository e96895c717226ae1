"""Scales, boxes, linear mean, NPS, CSAT, intervals, suppression and rounding."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from careloop.surveys.scoring import (
    BoxScores,
    NpsScore,
    Score,
    Suppressed,
    SuppressionReason,
    box_scores,
    csat,
    difference_interval,
    linear_mean,
    nps,
    round_half_up,
    wilson_interval,
)
from careloop.surveys.scoring_scales import (
    SCALES,
    Agreement,
    Box,
    Fft,
    FftLegacy,
    Frequency,
    Recommend,
    Scale,
    YesNo,
    box_counts,
    tally,
)

Z95 = 1.959963984540054


def scored(result: Score | Suppressed) -> Score:
    assert isinstance(result, Score), result
    return result


def boxes(result: BoxScores | Suppressed) -> BoxScores:
    assert isinstance(result, BoxScores), result
    return result


# --- scales and boxes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "top", "middle", "bottom"),
    [
        (
            Scale.FREQUENCY,
            {Frequency.ALWAYS},
            {Frequency.USUALLY},
            {Frequency.SOMETIMES, Frequency.NEVER},
        ),
        (Scale.RATING_0_10, {9, 10}, {7, 8}, set(range(7))),
        (
            Scale.RECOMMEND,
            {Recommend.DEFINITELY_YES},
            {Recommend.PROBABLY_YES},
            {Recommend.PROBABLY_NO, Recommend.DEFINITELY_NO},
        ),
        (Scale.YES_NO, {YesNo.YES}, set(), {YesNo.NO}),
        (
            Scale.AGREEMENT,
            {Agreement.STRONGLY_AGREE},
            {Agreement.AGREE},
            {Agreement.DISAGREE, Agreement.STRONGLY_DISAGREE},
        ),
        (Scale.CSAT_1_5, {4, 5}, {3}, {1, 2}),
        (Scale.NPS_0_10, {9, 10}, {7, 8}, set(range(7))),
        (Scale.FFT, {Fft.VERY_GOOD, Fft.GOOD}, {Fft.NEITHER}, {Fft.POOR, Fft.VERY_POOR}),
        (
            Scale.FFT_LEGACY,
            {FftLegacy.EXTREMELY_LIKELY, FftLegacy.LIKELY},
            {FftLegacy.NEITHER},
            {FftLegacy.UNLIKELY, FftLegacy.EXTREMELY_UNLIKELY},
        ),
    ],
)
def test_box_mapping(
    scale: Scale, top: set[object], middle: set[object], bottom: set[object]
) -> None:
    spec = SCALES[scale]
    assert {a for a, box in spec.boxes.items() if box is Box.TOP} == top
    assert {a for a, box in spec.boxes.items() if box is Box.MIDDLE} == middle
    assert {a for a, box in spec.boxes.items() if box is Box.BOTTOM} == bottom
    assert spec.has_middle_box is bool(middle)
    assert set(spec.boxes) == set(spec.options)


def test_every_scale_is_defined() -> None:
    assert set(SCALES) == set(Scale)


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        (
            Scale.FREQUENCY,
            {
                Frequency.ALWAYS: Fraction(100),
                Frequency.USUALLY: Fraction(200, 3),
                Frequency.SOMETIMES: Fraction(100, 3),
                Frequency.NEVER: Fraction(0),
            },
        ),
        (
            Scale.RECOMMEND,
            {
                Recommend.DEFINITELY_YES: Fraction(100),
                Recommend.PROBABLY_YES: Fraction(200, 3),
                Recommend.PROBABLY_NO: Fraction(100, 3),
                Recommend.DEFINITELY_NO: Fraction(0),
            },
        ),
        (Scale.YES_NO, {YesNo.YES: Fraction(100), YesNo.NO: Fraction(0)}),
        (Scale.RATING_0_10, {value: Fraction(10 * value) for value in range(11)}),
        (Scale.NPS_0_10, {value: Fraction(10 * value) for value in range(11)}),
        (Scale.CSAT_1_5, {1: Fraction(0), 2: Fraction(25), 3: Fraction(50), 4: 75, 5: 100}),
        (
            Scale.FFT,
            {
                Fft.VERY_GOOD: 100,
                Fft.GOOD: 75,
                Fft.NEITHER: 50,
                Fft.POOR: 25,
                Fft.VERY_POOR: 0,
            },
        ),
    ],
)
def test_linear_values(scale: Scale, expected: dict[object, Fraction]) -> None:
    assert dict(SCALES[scale].linear) == expected


def test_dont_know_has_no_linear_value() -> None:
    assert Fft.DONT_KNOW not in SCALES[Scale.FFT].linear
    assert FftLegacy.DONT_KNOW not in SCALES[Scale.FFT_LEGACY].linear


def test_tally_counts_and_skips_blanks() -> None:
    counts = tally(scale=Scale.FREQUENCY, answers=["always", "always", None, Frequency.NEVER])
    assert counts == {"never": 1, "sometimes": 0, "usually": 0, "always": 2}


@pytest.mark.parametrize(
    ("scale", "answer"),
    [
        (Scale.FREQUENCY, "often"),
        (Scale.RATING_0_10, 11),
        (Scale.RATING_0_10, "9"),
        (Scale.CSAT_1_5, 0),
        (Scale.YES_NO, True),
    ],
)
def test_tally_rejects_unknown_answers(scale: Scale, answer: int | str) -> None:
    with pytest.raises(ValueError, match="is not an answer"):
        tally(scale=scale, answers=[answer])


@pytest.mark.parametrize("count", [-1, 1.5, True])
def test_bad_counts_are_rejected(count: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        box_counts(scale=Scale.YES_NO, counts={YesNo.YES: count})  # type: ignore[dict-item]


def test_box_counts_keep_dont_know_apart() -> None:
    counts = box_counts(scale=Scale.FFT, counts={Fft.GOOD: 3, Fft.DONT_KNOW: 2, Fft.POOR: 1})
    assert counts == {Box.TOP: 3, Box.MIDDLE: 0, Box.BOTTOM: 1, None: 2}


# --- box scores ---------------------------------------------------------------------------------


def test_box_scores_exact_percentages() -> None:
    result = boxes(
        box_scores(
            scale=Scale.FREQUENCY,
            counts={Frequency.ALWAYS: 2, Frequency.USUALLY: 1, Frequency.NEVER: 3},
        )
    )
    assert result.n == 6
    assert result.top.value == Fraction(100, 3)
    assert result.middle is not None
    assert result.middle.value == Fraction(50, 3)
    assert result.bottom.value == 50
    assert result.top.value + result.middle.value + result.bottom.value == 100
    assert result.top.rounded(places=1) == Decimal("33.3")
    assert result.top.ci == wilson_interval(successes=2, n=6)


def test_yes_no_has_no_middle_box() -> None:
    result = boxes(box_scores(scale=Scale.YES_NO, counts={YesNo.YES: 8, YesNo.NO: 2}))
    assert result.middle is None
    assert (result.top.value, result.bottom.value) == (Fraction(80), Fraction(20))


def test_rating_boxes() -> None:
    counts = {10: 4, 9: 2, 8: 1, 7: 1, 6: 1, 0: 1}
    result = boxes(box_scores(scale=Scale.RATING_0_10, counts=counts))
    assert result.middle is not None
    assert (result.top.value, result.middle.value, result.bottom.value) == (
        Fraction(60),
        Fraction(20),
        Fraction(20),
    )


def test_fft_box_scores_keep_dont_know_in_denominator() -> None:
    result = boxes(
        box_scores(scale=Scale.FFT, counts={Fft.VERY_GOOD: 6, Fft.NEITHER: 2, Fft.DONT_KNOW: 2})
    )
    assert result.n == 10
    assert result.top.value == 60


# --- suppression --------------------------------------------------------------------------------


def test_below_minimum_n_is_suppressed() -> None:
    result = box_scores(scale=Scale.YES_NO, counts={YesNo.YES: 3, YesNo.NO: 1})
    assert result == Suppressed(reason=SuppressionReason.BELOW_MINIMUM_N, n=4, minimum_n=5)
    assert isinstance(result, Suppressed)
    assert result.display == "*"


def test_no_responses_is_suppressed_without_star() -> None:
    result = linear_mean(scale=Scale.FREQUENCY, counts={})
    assert isinstance(result, Suppressed)
    assert result.reason is SuppressionReason.NO_RESPONSES
    assert result.display == "-"


def test_minimum_n_is_configurable() -> None:
    counts = {YesNo.YES: 30, YesNo.NO: 10}
    assert isinstance(box_scores(scale=Scale.YES_NO, counts=counts, minimum_n=41), Suppressed)
    assert boxes(box_scores(scale=Scale.YES_NO, counts=counts, minimum_n=40)).n == 40
    with pytest.raises(ValueError, match="minimum_n"):
        box_scores(scale=Scale.YES_NO, counts=counts, minimum_n=0)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_every_score_is_suppressed_for_small_n(n: int) -> None:
    assert isinstance(linear_mean(scale=Scale.RATING_0_10, counts={10: n}), Suppressed)
    assert isinstance(nps(counts={10: n}), Suppressed)
    assert isinstance(csat(counts={5: n}), Suppressed)


# --- linear mean --------------------------------------------------------------------------------


def test_linear_mean_exact_and_interval() -> None:
    counts = {Frequency.ALWAYS: 6, Frequency.USUALLY: 3, Frequency.SOMETIMES: 1}
    result = scored(linear_mean(scale=Scale.FREQUENCY, counts=counts))
    # (6*100 + 3*200/3 + 100/3) / 10
    assert result.value == Fraction(250, 3)
    assert result.n == 10
    # Squared deviations: 6 (50/3)^2 + 3 (50/3)^2 + 50^2 = 5000; s^2 = 5000/9; se = sqrt(s^2/10).
    half = Z95 * math.sqrt(5000 / 9 / 10)
    assert result.ci.low == pytest.approx(250 / 3 - half)
    assert result.ci.high == pytest.approx(250 / 3 + half)
    assert result.ci.low == pytest.approx(68.7246, abs=1e-4)


def test_linear_mean_of_ratings_is_times_ten() -> None:
    result = scored(linear_mean(scale=Scale.RATING_0_10, counts={10: 3, 9: 1, 5: 1}))
    assert result.value == Fraction(10 * (30 + 9 + 5), 5)


def test_linear_mean_recommend_and_yes_no() -> None:
    recommend = {Recommend.DEFINITELY_YES: 3, Recommend.PROBABLY_YES: 3, Recommend.PROBABLY_NO: 3}
    assert scored(linear_mean(scale=Scale.RECOMMEND, counts=recommend)).value == Fraction(200, 3)
    yes_no = {YesNo.YES: 7, YesNo.NO: 3}
    assert scored(linear_mean(scale=Scale.YES_NO, counts=yes_no)).value == 70


def test_linear_mean_leaves_dont_know_out() -> None:
    result = scored(linear_mean(scale=Scale.FFT, counts={Fft.VERY_GOOD: 5, Fft.DONT_KNOW: 9}))
    assert (result.value, result.n) == (Fraction(100), 5)


def test_linear_mean_interval_is_clipped_and_degenerate_when_uniform() -> None:
    result = scored(linear_mean(scale=Scale.FREQUENCY, counts={Frequency.ALWAYS: 20}))
    assert (result.ci.low, result.ci.high) == (100.0, 100.0)
    single = scored(linear_mean(scale=Scale.YES_NO, counts={YesNo.YES: 1}, minimum_n=1))
    assert (single.ci.low, single.ci.high) == (0.0, 100.0)


# --- NPS and CSAT -------------------------------------------------------------------------------


def test_nps() -> None:
    counts = {10: 30, 9: 20, 8: 20, 7: 10, 6: 10, 3: 5, 0: 5}
    result = nps(counts=counts)
    assert isinstance(result, NpsScore)
    assert result.n == 100
    assert result.promoters.value == 50
    assert result.passives.value == 30
    assert result.detractors.value == 20
    assert result.nps.value == 30
    # Var(pP - pD) = (0.5 + 0.2 - 0.3^2) / 100 = 0.0061
    half = Z95 * math.sqrt(0.0061) * 100
    assert result.nps.ci.low == pytest.approx(30 - half)
    assert result.nps.ci.high == pytest.approx(30 + half)
    assert result.nps.ci.low == pytest.approx(14.692, abs=1e-3)


def test_nps_can_be_negative_and_is_bounded() -> None:
    result = nps(counts={0: 10})
    assert isinstance(result, NpsScore)
    assert result.nps.value == -100
    assert (result.nps.ci.low, result.nps.ci.high) == (-100.0, -100.0)


def test_csat_is_top_two_box_not_mean() -> None:
    result = scored(csat(counts={5: 2, 4: 1, 3: 1, 1: 1}))
    assert result.value == 60
    assert result.ci == wilson_interval(successes=3, n=5)


# --- intervals and rounding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe, Stat Med 1998;17:857-72, table I, method 3 (Wilson score without correction).
        (81, 263, 25.53, 36.62),
        (15, 148, 6.24, 16.05),
        (0, 20, 0.0, 16.11),
        (1, 29, 0.61, 17.18),
    ],
)
def test_wilson_interval_published_examples(
    successes: int, n: int, low: float, high: float
) -> None:
    interval = wilson_interval(successes=successes, n=n)
    assert interval.low == pytest.approx(low, abs=0.005)
    assert interval.high == pytest.approx(high, abs=0.005)
    assert interval.confidence == 0.95


def test_wilson_interval_is_narrower_at_lower_confidence() -> None:
    wide = wilson_interval(successes=40, n=100)
    narrow = wilson_interval(successes=40, n=100, confidence=0.8)
    assert wide.low < narrow.low < 40 < narrow.high < wide.high
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(successes=1, n=2, confidence=1.0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(successes=3, n=2)


def test_difference_interval_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="plus"):
        difference_interval(plus=3, minus=3, n=5)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(5, 2), 0, Decimal(3)),
        (Fraction(7, 2), 0, Decimal(4)),  # banker's rounding would give 4 here and 2 above
        (Fraction(-5, 2), 0, Decimal(-3)),
        (Fraction(2675, 1000), 2, Decimal("2.68")),  # float 2.675 would round down
        (Fraction(191, 363) * 100, 1, Decimal("52.6")),
        (Decimal("94.25"), 1, Decimal("94.3")),
        (3, 0, Decimal(3)),
    ],
)
def test_round_half_up(value: Fraction | Decimal | int, places: int, expected: Decimal) -> None:
    assert round_half_up(value, places=places) == expected
