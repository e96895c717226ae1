"""The public survey form and opt-out page, and the staff results page per persona."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from careloop.cases.models import Case
from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.surveys.models import Response, SurveyOptOut
from careloop.surveys.tests.conftest import InstrumentMaker, Inviter

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("surveys:respond", args=[token])


def test_the_form_is_shown_in_the_invitations_language_without_sign_in(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    _, token = invite(make_instrument("fft"), at=utcnow(), language="es")
    page = client.get(_url(token))
    assert page.status_code == 200
    assert page["Content-Language"] == "es"
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "En general, ¿cómo fue su experiencia con nuestro servicio?" in text
    assert 'id="item_1_very_good"' in text
    assert "<legend>" in text


def test_a_conditional_item_carries_a_hint_saying_when_to_answer_it(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    _, token = invite(make_instrument("csat_post_resolution"), at=utcnow())
    text = client.get(_url(token)).content.decode()
    assert 'aria-describedby="item_2_hint ' in text
    assert "Answer this only if your answer to question 1 was: 1 - Very dissatisfied" in text


def test_a_post_records_once_and_a_second_post_is_told_it_was_answered(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    _, token = invite(make_instrument("nps"), at=utcnow())
    sent = client.post(_url(token), {"item_1": "10", "item_2": "Lovely nurses"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("surveys:thanks", args=[token])
    assert client.get(sent["Location"]).status_code == 200
    again = client.post(_url(token), {"item_1": "0"})
    assert again.status_code == 409
    assert "Already answered" in again.content.decode()
    assert Response.objects.count() == 1
    assert not Case.objects.exists()


def test_a_missing_answer_is_shown_next_to_its_question(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    _, token = invite(make_instrument("nps"), at=utcnow())
    page = client.post(_url(token), {"item_1": ""})
    assert page.status_code == 400
    text = page.content.decode()
    assert 'href="#item_1"' in text
    assert 'id="item_1_error"' in text
    assert not Response.objects.exists()


def test_a_low_score_posted_opens_a_case(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    _, token = invite(make_instrument("csat_post_resolution"), at=utcnow())
    client.post(_url(token), {"item_1": "1", "item_2": "No one called me back."})
    case = Case.objects.get()
    assert case.narrative == "No one called me back."
    assert Response.objects.get().opened_case == case


def test_expired_and_unknown_links_get_clear_pages(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    _, token = invite(make_instrument("nps"), at=utcnow() - timedelta(days=31))
    expired = client.get(_url(token))
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert client.get(_url("not-a-real-token")).status_code == 404


def test_the_optout_link_shows_on_get_and_records_on_post(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    from careloop.followups.tokens import token_hash, token_new

    invitation, _ = invite(make_instrument("nps"), at=utcnow())
    optout_token = token_new()
    invitation.optout_token_hash = token_hash(optout_token)
    invitation.save(update_fields=["optout_token_hash"])
    url = reverse("surveys:optout", args=[optout_token])
    assert client.get(url).status_code == 200
    assert not SurveyOptOut.objects.exists()
    done = client.post(url)
    assert done.status_code == 200
    assert 'role="status"' in done.content.decode()
    assert SurveyOptOut.objects.count() == 1
    assert client.get(reverse("surveys:optout", args=["nope"])).status_code == 404


def test_the_form_refuses_other_methods(
    client: Client, make_instrument: InstrumentMaker, invite: Inviter
) -> None:
    _, token = invite(make_instrument("nps"), at=utcnow())
    assert client.put(_url(token)).status_code == 405


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("frontline_a", 403),
        ("manager_a", 200),
        ("advocate_x", 200),
        ("advocate_y", 200),
        ("executive", 200),
        ("admin", 200),
        ("outsider", 404),
    ],
)
def test_the_results_page_per_persona(
    client: Client,
    make_instrument: InstrumentMaker,
    personas: dict[str, User],
    persona: str,
    status: int,
) -> None:
    instrument = make_instrument("nps")
    client.force_login(personas[persona])
    page = client.get(reverse("surveys:results", args=[instrument.pk]))
    assert page.status_code == status
    if status == 200:
        assert "Not shown: no responses" in page.content.decode()


def test_the_results_page_needs_sign_in_and_get(
    client: Client, make_instrument: InstrumentMaker, admin: User
) -> None:
    url = reverse("surveys:results", args=[make_instrument("nps").pk])
    assert client.get(url).status_code == 302
    client.force_login(admin)
    assert client.post(url).status_code == 405
    assert client.get(reverse("surveys:results", args=[999_999])).status_code == 404
