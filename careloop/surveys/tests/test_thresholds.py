"""Low-score thresholds per instrument, and comments the safety screening flags: either opens a
case (an anonymous one with the text only for anonymous answers)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, ReporterType
from careloop.orgs.models import Unit, User
from careloop.safety.models import SafetyFlag
from careloop.surveys.builder import instrument_configure
from careloop.surveys.instruments import is_low_score, low_values
from careloop.surveys.public_responses import response_submit_public
from careloop.surveys.services import response_submit, version_latest
from careloop.surveys.tests.conftest import CLIENT_ADDRESS, NOW, InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db

FLAGGED = "A nurse hit me and I was left on the floor for hours."


def test_the_default_thresholds_are_the_published_low_boxes() -> None:
    assert low_values("csat_1_5") == {"1", "2"}
    assert low_values("nps_0_10") == {str(n) for n in range(7)}
    assert low_values("fft_6") == {"poor", "very_poor"}
    assert low_values("yes_no") == frozenset()
    assert is_low_score("frequency_4", "never", {"frequency_4": ["never", "sometimes"]})
    assert not is_low_score("nps_0_10", "3", {"nps_0_10": []})


def test_an_instruments_own_thresholds_decide_which_answers_open_a_case(
    admin: User, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    csat = make_instrument("csat_post_resolution")
    instrument_configure(
        actor=admin,
        instrument=csat,
        name=csat.name,
        minimum_n=5,
        low_scores={"csat_1_5": ["1", "2", "3"]},
        now=NOW,
    )
    csat.refresh_from_db()
    assert csat.low_scores == {"csat_1_5": ["1", "2", "3"]}
    three, _ = invite(csat)
    assert response_submit(invitation=three, raw={"item_1": "3"}, now=NOW).opened_case is not None
    instrument_configure(
        actor=admin,
        instrument=csat,
        name=csat.name,
        minimum_n=5,
        low_scores={"csat_1_5": []},
        now=NOW,
    )
    csat.refresh_from_db()
    one, _ = invite(csat, email="other@example.org")
    assert response_submit(invitation=one, raw={"item_1": "1"}, now=NOW).opened_case is None
    event = AuditEvent.objects.filter(event_type="survey.instrument.configured").last()
    assert event is not None
    assert event.fields == ["low_scores"]


def test_thresholds_are_checked_and_only_administrators_set_them(
    admin: User, manager_a: User, make_instrument: InstrumentMaker
) -> None:
    nps = make_instrument("nps")
    with pytest.raises(ValidationError):
        instrument_configure(
            actor=admin,
            instrument=nps,
            name="NPS",
            minimum_n=5,
            low_scores={"nps_0_10": ["11"]},
            now=NOW,
        )
    with pytest.raises(ValidationError):
        instrument_configure(
            actor=admin, instrument=nps, name="NPS", minimum_n=0, low_scores={}, now=NOW
        )
    with pytest.raises(PermissionDenied):
        instrument_configure(
            actor=manager_a, instrument=nps, name="NPS", minimum_n=5, low_scores={}, now=NOW
        )
    nps.refresh_from_db()
    assert nps.low_scores == {}


def test_a_flagged_comment_opens_a_flagged_case_even_with_a_top_score(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    invitation, _ = invite(make_instrument("nps"))
    response = response_submit(
        invitation=invitation, raw={"item_1": "10", "item_2": FLAGGED}, now=NOW
    )
    case = response.opened_case
    assert case is not None
    assert case.narrative == FLAGGED
    assert case.reporter_email == CLIENT_ADDRESS
    assert SafetyFlag.objects.filter(case=case).exists()


def test_a_harmless_comment_with_a_top_score_opens_nothing(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    invitation, _ = invite(make_instrument("nps"))
    response = response_submit(
        invitation=invitation, raw={"item_1": "10", "item_2": "Lovely staff, thank you."}, now=NOW
    )
    assert response.opened_case is None
    assert not Case.objects.exists()


def test_an_anonymous_flagged_comment_opens_an_anonymous_case_with_the_text_only(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    invitation, _ = invite(make_instrument("fft"), anonymous=True, language="es")
    comment = "Un enfermero me golpeó."
    response = response_submit(
        invitation=invitation, raw={"item_1": "very_good", "item_2": comment}, now=NOW
    )
    response.refresh_from_db()
    case = response.opened_case
    assert case is not None
    assert response.invitation_id is None
    assert (case.reporter_type, case.reporter_email, case.reporter_name) == (
        ReporterType.ANONYMOUS,
        "",
        "",
    )
    assert case.narrative == comment
    assert SafetyFlag.objects.filter(case=case).exists()


def test_a_flagged_comment_through_a_units_public_link_opens_an_anonymous_case(
    make_instrument: InstrumentMaker, unit_a: Unit
) -> None:
    version = version_latest(make_instrument("nps"))
    response = response_submit_public(
        version=version,
        unit=unit_a,
        raw={"item_1": "9", "item_2": FLAGGED},
        nonce="a" * 32,
        language="en",
        now=NOW,
    )
    case = response.opened_case
    assert case is not None
    assert case.unit_id == unit_a.pk
    assert case.reporter_type == ReporterType.ANONYMOUS
    assert case.narrative == FLAGGED
