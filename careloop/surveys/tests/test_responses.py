"""Responses: answers checked against the scale, conditional items, a case for each low score,
and anonymity kept in the database and the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Channel, ReporterType
from careloop.conftest import CaseOpener
from careloop.surveys.models import Answer, Response
from careloop.surveys.services import NO_COMMENT_NARRATIVE, response_submit
from careloop.surveys.tests.conftest import CLIENT_ADDRESS, NOW, InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db


def test_answers_are_recorded_against_the_invitation(
    make_instrument: InstrumentMaker, invite: Inviter, open_case: CaseOpener
) -> None:
    case = open_case()
    invitation, _ = invite(make_instrument("nps"), case=case)
    response = response_submit(
        invitation=invitation, raw={"item_1": "9", "item_2": "Kind staff"}, now=NOW
    )
    assert response.invitation == invitation
    assert response.case == case
    assert {a.item.position: a.value for a in response.answers.all()} == {1: "9", 2: "Kind staff"}
    assert response.opened_case is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [({}, "required"), ({"item_1": "11"}, "choice"), ({"item_1": "very_good"}, "choice")],
)
def test_answers_off_the_scale_or_missing_are_refused_and_nothing_is_written(
    make_instrument: InstrumentMaker, invite: Inviter, raw: dict[str, str], code: str
) -> None:
    invitation, _ = invite(make_instrument("nps"))
    with pytest.raises(ValidationError) as refused:
        response_submit(invitation=invitation, raw=raw, now=NOW)
    assert refused.value.error_dict["item_1"][0].code == code
    invitation.refresh_from_db()
    assert not invitation.used
    assert not Response.objects.exists()


def test_a_conditional_item_is_kept_only_when_its_condition_is_met(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    instrument = make_instrument("csat_post_resolution")
    happy, _ = invite(instrument)
    response = response_submit(
        invitation=happy, raw={"item_1": "5", "item_2": "Nothing, thanks"}, now=NOW
    )
    assert [a.item.position for a in response.answers.all()] == [1]
    unhappy, _ = invite(instrument)
    response = response_submit(
        invitation=unhappy, raw={"item_1": "3", "item_2": "Call me back sooner"}, now=NOW
    )
    assert Answer.objects.get(response=response, item__position=2).value == "Call me back sooner"


@pytest.mark.parametrize(
    ("template", "answer", "opens"),
    [
        ("csat_post_resolution", "2", True),
        ("csat_post_resolution", "3", False),
        ("nps", "6", True),
        ("nps", "7", False),
        ("fft", "poor", True),
        ("fft", "very_poor", True),
        ("fft", "neither", False),
        ("fft", "dont_know", False),
    ],
)
def test_a_low_score_opens_exactly_one_case(
    make_instrument: InstrumentMaker, invite: Inviter, template: str, answer: str, opens: bool
) -> None:
    invitation, _ = invite(make_instrument(template), language="it")
    before = Case.objects.count()
    response = response_submit(invitation=invitation, raw={"item_1": answer}, now=NOW)
    assert Case.objects.count() == before + (1 if opens else 0)
    if opens:
        case = response.opened_case
        assert case is not None
        assert case.channel == Channel.SURVEY
        assert case.unit_id == invitation.unit_id
        assert case.facility_id == invitation.facility_id
        assert case.language == "it"
        assert case.narrative == NO_COMMENT_NARRATIVE
        assert case.reporter_email == CLIENT_ADDRESS


def test_the_comment_becomes_the_narrative_of_the_case(
    make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    invitation, _ = invite(make_instrument("nps"))
    response = response_submit(
        invitation=invitation, raw={"item_1": "2", "item_2": "Nobody answered the bell."}, now=NOW
    )
    assert response.opened_case is not None
    assert response.opened_case.narrative == "Nobody answered the bell."


def test_an_anonymous_response_cannot_be_joined_to_its_invitation_or_case(
    make_instrument: InstrumentMaker, invite: Inviter, open_case: CaseOpener
) -> None:
    about = open_case()
    invitation, _ = invite(make_instrument("csat_post_resolution"), case=about, anonymous=True)
    response = response_submit(
        invitation=invitation, raw={"item_1": "1", "item_2": "Rude on the phone."}, now=NOW
    )
    response.refresh_from_db()
    assert response.invitation_id is None
    assert response.case_id is None
    assert response.anonymous
    opened = response.opened_case
    assert opened is not None
    assert opened.pk != about.pk
    assert opened.reporter_type == ReporterType.ANONYMOUS
    assert opened.reporter_email == ""
    assert opened.reporter_name == ""
    event = AuditEvent.objects.get(event_type="survey.response.recorded")
    assert event.case_id is None
    assert str(invitation.pk) not in str(event.detail)
    assert event.object_id == str(response.pk)
    # The invitation keeps no time of use to line up with the response.
    invitation.refresh_from_db()
    assert invitation.used
    assert (
        not AuditEvent.objects.filter(object_type="surveyinvitation", object_id=str(invitation.pk))
        .exclude(event_type="survey.invitation.created")
        .exists()
    )


def test_a_named_response_is_audited_with_its_invitation_and_case(
    make_instrument: InstrumentMaker, invite: Inviter, open_case: CaseOpener
) -> None:
    about = open_case()
    invitation, _ = invite(make_instrument("nps"), case=about)
    response_submit(invitation=invitation, raw={"item_1": "10"}, now=NOW)
    event = AuditEvent.objects.get(event_type="survey.response.recorded")
    assert event.case_id == about.pk
    assert event.detail == {"invitation_id": invitation.pk}
