"""HCAHPS-style measures, and scores by unit and by month, from stored responses; the full
results page per persona."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core.time import utcnow
from careloop.orgs.models import Unit, User
from careloop.surveys.models import Instrument
from careloop.surveys.results import hcahps_results, measure_rows
from careloop.surveys.scoring import BoxScores, Suppressed
from careloop.surveys.scoring_scales import Scale
from careloop.surveys.scoring_stars import HcahpsMeasure, SummaryStar
from careloop.surveys.selectors import hcahps_item_counts, survey_scores_by
from careloop.surveys.services import response_submit
from careloop.surveys.tests.conftest import NOW, InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db

START, END = NOW - timedelta(days=90), NOW + timedelta(days=1)
CHICAGO = ZoneInfo("America/Chicago")
# Items 1-3 nurses, 4-6 doctors, 7 asked for help, 8 help as soon as wanted (if 7 = yes),
# 9 clean, 10 quiet, 11 rating 0-10, 12 recommend, 13 new medicine, 14-15 medicines (if 13 =
# yes), 16-17 discharge information (yes/no), 18-20 care transition (agree), 21 comment.
GOOD = {f"item_{n}": "always" for n in (1, 2, 3, 4, 5, 6, 8, 9, 10, 14, 15)} | {
    "item_7": "yes",
    "item_11": "10",
    "item_12": "definitely_yes",
    "item_13": "yes",
    "item_16": "yes",
    "item_17": "yes",
    "item_18": "strongly_agree",
    "item_19": "strongly_agree",
    "item_20": "agree",
}


def _respond(
    invite: Inviter,
    instrument: Instrument,
    raw: dict[str, str],
    *,
    at: datetime = NOW,
    unit: Unit | None = None,
) -> None:
    extra = {"unit": unit} if unit is not None else {}
    invitation, _ = invite(instrument, at=at, anonymous=True, **extra)
    response_submit(invitation=invitation, raw=raw, now=at)


def test_the_inpatient_answers_are_counted_per_measure(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("inpatient_experience")
    for _ in range(4):
        _respond(invite, instrument, GOOD)
    # One who asked for no help: the responsiveness item is skipped.
    _respond(invite, instrument, GOOD | {"item_7": "no", "item_10": "usually", "item_11": "8"})
    counts = hcahps_item_counts(instrument=instrument, start=START, end=END)
    assert counts.completed_surveys == 5
    assert counts.jurisdictions == ["US-IL"]
    assert len(counts.items[HcahpsMeasure.NURSE_COMMUNICATION]) == 3
    (quiet,) = counts.items[HcahpsMeasure.QUIETNESS]
    assert quiet.scale is Scale.FREQUENCY
    assert dict(quiet.counts) == {"always": 4, "usually": 1}
    (rating,) = counts.items[HcahpsMeasure.OVERALL_RATING]
    assert dict(rating.counts) == {10: 4, 8: 1}
    (help_item,) = counts.items[HcahpsMeasure.STAFF_RESPONSIVENESS]
    assert sum(help_item.counts.values()) == 4

    result = hcahps_results(
        items=counts.items, completed_surveys=5, minimum_n=5, state="IL", star_minimum=5
    )
    rows = {r.name: r for r in measure_rows(result)}
    # Quietness: (4 x 100 + 66 2/3) / 5 = 93 1/3; rating (4 x 100 + 80) / 5 = 96.
    assert rows["Quietness"].linear_mean == "93"
    assert rows["Overall rating (0-10)"].linear_mean == "96"
    assert rows["Responsiveness of staff"].linear_mean == "*"  # 4 answers, minimum 5
    assert rows["Overall rating (0-10)"].nation.startswith("70%")  # release 07_2023
    assert rows["Overall rating (0-10)"].state.startswith("69%")  # Illinois


def test_the_summary_star_appears_when_all_ten_measures_have_enough_answers(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("inpatient_experience")
    assert instrument.kind == "inpatient"
    for _ in range(5):
        _respond(invite, instrument, GOOD)
    counts = hcahps_item_counts(instrument=instrument, start=START, end=END)
    assert set(counts.items) == set(HcahpsMeasure)
    assert len(counts.items[HcahpsMeasure.CARE_TRANSITION]) == 3
    result = hcahps_results(
        items=counts.items, completed_surveys=5, minimum_n=5, star_minimum=5, benchmarks=()
    )
    assert result.missing == ()
    assert isinstance(result.summary, SummaryStar)
    assert 1 <= result.summary.stars <= 5
    # Fewer answers than the minimum n: the measures are suppressed, so no summary star.
    fewer = hcahps_results(
        items=counts.items, completed_surveys=5, minimum_n=6, star_minimum=5, benchmarks=()
    )
    assert not isinstance(fewer.summary, SummaryStar)


def test_scores_by_unit_and_by_month_are_suppressed_below_the_minimum_n(
    make_instrument: InstrumentMaker, invite: Inviter, unit_a: Unit, unit_b: Unit
) -> None:
    instrument = make_instrument("fft")
    for _ in range(5):
        _respond(invite, instrument, {"item_1": "very_good"}, unit=unit_a)
    _respond(invite, instrument, {"item_1": "poor"}, unit=unit_b, at=NOW - timedelta(days=40))
    by_unit = survey_scores_by(instrument=instrument, start=START, end=END, by="unit", zone=CHICAGO)
    assert [g.label for g in by_unit] == ["4 West", "ICU"]  # by name, never ranked
    assert [(r.measure, r.value, r.n) for r in by_unit[0].rows] == [
        ("% positive", "100.0%", 5),
        ("% negative", "0.0%", 5),
    ]
    assert by_unit[1].rows[0].value == "*"
    by_month = survey_scores_by(
        instrument=instrument, start=START, end=END, by="month", zone=CHICAGO
    )
    assert [g.label for g in by_month] == ["2026-01", "2026-03"]
    assert by_month[0].rows[0].n == 1
    assert by_month[1].rows[0].value == "100.0%"


def test_a_month_is_the_local_month_of_the_facility(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("nps")
    # 1 March 03:00 UTC is still 28 February in Chicago.
    at = NOW.replace(day=1, hour=3)
    _respond(invite, instrument, {"item_1": "9"}, at=at)
    (group,) = survey_scores_by(
        instrument=instrument, start=START, end=END, by="month", zone=CHICAGO, minimum_n=1
    )
    assert group.label == "2026-02"
    assert not isinstance(group.rows[0].item.result, BoxScores | Suppressed)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("frontline_a", 403), ("manager_a", 200), ("executive", 200), ("outsider", 404)],
)
def test_the_full_results_page_per_persona(
    client: Client,
    make_instrument: InstrumentMaker,
    invite: Inviter,
    personas: dict[str, User],
    persona: str,
    status: int,
) -> None:
    instrument = make_instrument("inpatient_experience")
    for _ in range(5):
        _respond(invite, instrument, GOOD, at=utcnow())
    client.force_login(personas[persona])
    page = client.get(reverse("surveys:results", args=[instrument.pk]))
    assert page.status_code == status
    if status == 200:
        text = page.content.decode()
        assert "Communication with nurses" in text
        assert "By unit" in text
        assert "By month" in text
        assert "4 West" in text
        assert "79% (" in text  # the nation's nurse communication top box
        assert "Summary star:" in text


def test_the_full_results_page_needs_sign_in_and_get(
    client: Client, make_instrument: InstrumentMaker, admin: User
) -> None:
    url = reverse("surveys:results", args=[make_instrument("nps").pk])
    assert client.get(url).status_code == 302
    client.force_login(admin)
    assert client.post(url).status_code == 405
    page = client.get(url)
    assert page.status_code == 200
    assert "Hospital experience measures" not in page.content.decode()
