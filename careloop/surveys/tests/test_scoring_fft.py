"""Friends and Family Test: % positive / negative, first-level suppression, legacy score."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from careloop.surveys.scoring import (
    Score,
    Suppressed,
    SuppressionReason,
    difference_interval,
    wilson_interval,
)
from careloop.surveys.scoring_fft import FftScores, fft_legacy_score, fft_scores
from careloop.surveys.scoring_scales import (
    Fft,
    FftLegacy,
    Frequency,
    Scale,
)

L = FftLegacy

# Orchard Medical Practice monthly GP FFT counts as published (DOMAIN.md Appendix A):
# extremely likely, likely, neither, unlikely, extremely unlikely, don't know; total.
ORCHARD = {
    "2014-12": ((211, 132, 12, 6, 2, 1), 364),
    "2015-01": ((250, 127, 18, 6, 6, 1), 408),
    "2015-02": ((196, 86, 10, 5, 1, 0), 298),
    "2015-03": ((165, 101, 15, 5, 3, 2), 291),
}
# Published % recommend, % not recommend and legacy score, per month.
ORCHARD_PUBLISHED = {
    "2014-12": ("94.2", "2.2", "52.6"),
    "2015-01": ("92.4", "2.9", "54.1"),
    "2015-02": ("94.6", "2.0", "60.4"),
    "2015-03": ("91.4", "2.7", "49.1"),
}


def orchard_counts(month: str) -> dict[int | str, int]:
    values, total = ORCHARD[month]
    assert sum(values) == total
    options = (
        L.EXTREMELY_LIKELY,
        L.LIKELY,
        L.NEITHER,
        L.UNLIKELY,
        L.EXTREMELY_UNLIKELY,
        L.DONT_KNOW,
    )
    return dict(zip(options, values, strict=True))


def fft(result: FftScores | Suppressed) -> FftScores:
    assert isinstance(result, FftScores), result
    return result


@pytest.mark.parametrize("month", sorted(ORCHARD))
def test_orchard_published_numbers(month: str) -> None:
    counts = orchard_counts(month)
    recommend, not_recommend, legacy = ORCHARD_PUBLISHED[month]
    result = fft(fft_scores(scale=Scale.FFT_LEGACY, counts=counts))
    assert result.n == ORCHARD[month][1]
    assert result.positive.rounded(places=1) == Decimal(recommend)
    assert result.negative.rounded(places=1) == Decimal(not_recommend)
    score = fft_legacy_score(counts=counts)
    assert isinstance(score, Score)
    assert score.n == ORCHARD[month][1] - counts[L.DONT_KNOW]
    assert score.rounded(places=1) == Decimal(legacy)


def test_orchard_december_exact_values_and_intervals() -> None:
    counts = orchard_counts("2014-12")
    result = fft(fft_scores(scale=Scale.FFT_LEGACY, counts=counts))
    assert result.positive.value == Fraction(100 * 343, 364)
    assert result.negative.value == Fraction(100 * 8, 364)
    assert result.dont_know == 1
    assert result.positive.ci == wilson_interval(successes=343, n=364)
    legacy = fft_legacy_score(counts=counts)
    assert isinstance(legacy, Score)
    assert legacy.value == Fraction(100 * (211 - 12 - 6 - 2), 363)
    assert legacy.ci == difference_interval(plus=211, minus=20, n=363)
    assert legacy.ci.low < float(legacy.value) < legacy.ci.high


def test_current_fft_keeps_dont_know_in_denominator() -> None:
    counts = {Fft.VERY_GOOD: 10, Fft.GOOD: 5, Fft.NEITHER: 1, Fft.POOR: 1, Fft.DONT_KNOW: 3}
    result = fft(fft_scores(counts=counts))
    assert result.scale is Scale.FFT
    assert result.n == 20
    assert result.positive.value == 75
    assert result.negative.value == 5


@pytest.mark.parametrize("total", [1, 2, 3, 4])
def test_first_level_suppression_of_one_to_four(total: int) -> None:
    result = fft_scores(counts={Fft.VERY_GOOD: total})
    assert result == Suppressed(reason=SuppressionReason.BELOW_MINIMUM_N, n=total, minimum_n=5)
    assert isinstance(result, Suppressed)
    assert result.display == "*"


def test_dont_know_counts_towards_the_suppression_total() -> None:
    assert fft(fft_scores(counts={Fft.GOOD: 1, Fft.DONT_KNOW: 4})).positive.value == 20


def test_zero_responses_are_not_starred() -> None:
    result = fft_scores(counts={})
    assert isinstance(result, Suppressed)
    assert result.reason is SuppressionReason.NO_RESPONSES
    assert result.display == "-"


def test_five_responses_are_published() -> None:
    assert fft(fft_scores(counts={Fft.POOR: 5})).negative.value == 100


def test_legacy_score_suppression_counts_answers_without_dont_know() -> None:
    result = fft_legacy_score(counts={L.EXTREMELY_LIKELY: 4, L.DONT_KNOW: 10})
    assert isinstance(result, Suppressed)
    assert result.n == 4
    assert isinstance(fft_legacy_score(counts={L.LIKELY: 4}, minimum_n=4), Score)


def test_fft_rejects_other_scales_and_answers() -> None:
    with pytest.raises(ValueError, match="FFT scores need"):
        fft_scores(scale=Scale.FREQUENCY, counts={Frequency.ALWAYS: 5})
    with pytest.raises(ValueError, match="is not an answer"):
        fft_scores(counts={L.EXTREMELY_LIKELY: 5})
