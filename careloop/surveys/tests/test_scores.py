"""survey_scores on a small fixture against hand-computed values, and suppression."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from careloop.surveys.models import Instrument
from careloop.surveys.scoring import NpsScore, Score, Suppressed, SuppressionReason
from careloop.surveys.scoring_fft import FftScores
from careloop.surveys.selectors import ItemScore, score_rows, survey_scores
from careloop.surveys.services import response_submit
from careloop.surveys.tests.conftest import NOW, InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db

START, END = NOW - timedelta(days=1), NOW + timedelta(days=1)


def _answer(invite: Inviter, instrument: Instrument, values: list[str]) -> None:
    for value in values:
        invitation, _ = invite(instrument, anonymous=True)
        response_submit(invitation=invitation, raw={"item_1": value}, now=NOW)


def _first(instrument: Instrument, **kwargs: int) -> ItemScore:
    return survey_scores(instrument=instrument, start=START, end=END, **kwargs)[0]


def test_nps_is_promoters_minus_detractors_with_its_interval(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("nps")
    # 5 promoters (9-10), 2 passives (7-8), 3 detractors (0-6) of 10: NPS = 50 - 30 = 20.
    _answer(invite, instrument, ["10", "10", "9", "9", "10", "8", "7", "6", "3", "0"])
    result = _first(instrument).result
    assert isinstance(result, NpsScore)
    assert result.n == 10
    assert result.nps.value == 20
    # half width = 1.96 * sqrt((0.5 + 0.3 - 0.2^2) / 10) = 0.5403
    assert result.nps.ci.low == pytest.approx(-34.03, abs=0.01)
    assert result.nps.ci.high == pytest.approx(74.03, abs=0.01)


def test_fft_counts_dont_know_in_the_denominator(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("fft")
    answers = ["very_good"] * 3 + ["good"] * 2 + ["neither", "poor", "very_poor"]
    _answer(invite, instrument, [*answers, "dont_know", "dont_know"])
    result = _first(instrument).result
    assert isinstance(result, FftScores)
    assert (result.n, result.dont_know) == (10, 2)
    assert result.positive.value == 50
    assert result.negative.value == 20
    # Wilson 5 of 10: 0.5 +- 1.96 * sqrt(0.025 + 0.0096) / 1.3841
    assert result.positive.ci.low == pytest.approx(23.66, abs=0.01)
    assert result.positive.ci.high == pytest.approx(76.34, abs=0.01)


def test_csat_is_the_share_of_fours_and_fives(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("csat_post_resolution")
    _answer(invite, instrument, ["5", "4", "4", "3", "1"])
    result = _first(instrument).result
    assert isinstance(result, Score)
    assert result.value == Fraction(60)
    assert result.n == 5
    rows = score_rows(survey_scores(instrument=instrument, start=START, end=END))
    assert (rows[0].measure, rows[0].value, rows[0].n) == ("CSAT (4 or 5)", "60.0%", 5)


def test_scores_below_the_minimum_n_are_suppressed(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("nps")
    _answer(invite, instrument, ["10", "9", "8", "2"])
    result = _first(instrument).result
    assert isinstance(result, Suppressed)
    assert result.reason is SuppressionReason.BELOW_MINIMUM_N
    assert result.display == "*"
    assert score_rows([_first(instrument)])[0].value == "*"


def test_the_minimum_n_is_configurable_per_instrument(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("nps")
    _answer(invite, instrument, ["10"] * 5)
    assert isinstance(_first(instrument).result, NpsScore)
    instrument.minimum_n = 6
    assert isinstance(_first(instrument).result, Suppressed)
    assert isinstance(_first(instrument, minimum_n=1).result, NpsScore)


def test_only_responses_in_the_period_count(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("nps")
    _answer(invite, instrument, ["10"] * 5)
    later = survey_scores(instrument=instrument, start=END, end=END + timedelta(days=1))
    assert isinstance(later[0].result, Suppressed)
    assert later[0].result.reason is SuppressionReason.NO_RESPONSES
    assert later[1].answers == 0
    assert later[1].result is None
