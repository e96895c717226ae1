"""A unit's public anonymous survey link and its kiosk variant."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, ReporterType
from careloop.orgs.models import Unit
from careloop.surveys.models import Instrument, Response
from careloop.surveys.public_responses import public_nonce_new
from careloop.surveys.tests.conftest import InstrumentMaker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _url(unit: Unit, instrument: Instrument, *, kiosk: bool = False) -> str:
    name = "surveys:kiosk" if kiosk else "surveys:unit"
    return reverse(name, args=[unit.intake_code, instrument.pk])


def _nonce(page_text: str) -> str:
    found = re.search(r'name="form_nonce" value="([^"]+)"', page_text)
    assert found is not None
    return found.group(1)


def test_anyone_answers_anonymously_and_a_low_score_opens_an_anonymous_case(
    client: Client, make_instrument: InstrumentMaker, unit_a: Unit
) -> None:
    instrument = make_instrument("nps")
    page = client.get(_url(unit_a, instrument), REMOTE_ADDR="203.0.113.9")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    sent = client.post(
        _url(unit_a, instrument),
        {"item_1": "2", "item_2": "Nobody came", "form_nonce": _nonce(page.content.decode())},
        REMOTE_ADDR="203.0.113.9",
    )
    assert sent.status_code == 302
    assert client.get(sent["Location"]).status_code == 200
    response = Response.objects.get()
    assert response.anonymous
    assert response.invitation_id is None
    assert response.case_id is None
    assert response.unit_id == unit_a.pk
    case = Case.objects.get()
    assert response.opened_case_id == case.pk
    assert case.reporter_type == ReporterType.ANONYMOUS
    assert (case.reporter_name, case.reporter_email) == ("", "")
    assert case.narrative == "Nobody came"
    event = AuditEvent.objects.get(event_type="survey.response.recorded")
    assert event.case_id is None
    assert event.detail == {"anonymous": True}
    # No audit event of the submission keeps the client's address.
    assert not AuditEvent.objects.filter(source="203.0.113.9").exists()


def test_a_replayed_form_records_once(
    client: Client, make_instrument: InstrumentMaker, unit_a: Unit
) -> None:
    instrument = make_instrument("fft")
    data = {"item_1": "very_good", "form_nonce": public_nonce_new()}
    assert client.post(_url(unit_a, instrument), data).status_code == 302
    again = client.post(_url(unit_a, instrument), data)
    assert again.status_code == 409
    assert Response.objects.count() == 1


def test_a_tampered_nonce_is_refused_with_a_fresh_form(
    client: Client, make_instrument: InstrumentMaker, unit_a: Unit
) -> None:
    instrument = make_instrument("fft")
    page = client.post(_url(unit_a, instrument), {"item_1": "good", "form_nonce": "forged"})
    assert page.status_code == 400
    assert "This form has expired" in page.content.decode()
    assert not Response.objects.exists()


def test_submissions_are_rate_limited_per_address(
    client: Client, make_instrument: InstrumentMaker, unit_a: Unit, settings: Any
) -> None:
    settings.CARELOOP_INTAKE_LIMITS = {
        **settings.CARELOOP_INTAKE_LIMITS,
        "submit_address": (2, 600),
    }
    instrument = make_instrument("fft")
    codes = [
        client.post(
            _url(unit_a, instrument), {"item_1": "good", "form_nonce": public_nonce_new()}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Response.objects.count() == 2


def test_an_instrument_of_another_organization_or_an_unknown_unit_is_not_found(
    client: Client, make_instrument: InstrumentMaker, unit_a: Unit
) -> None:
    instrument = make_instrument("fft")
    assert client.get(reverse("surveys:unit", args=["NOPE", instrument.pk])).status_code == 404
    assert (
        client.get(reverse("surveys:unit", args=[unit_a.intake_code, 999_999])).status_code == 404
    )


def test_the_kiosk_turns_autocomplete_off_resets_when_idle_and_after_sending(
    client: Client, make_instrument: InstrumentMaker, unit_a: Unit
) -> None:
    instrument = make_instrument("nps")
    url = _url(unit_a, instrument, kiosk=True)
    page = client.get(url)
    text = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert '<form method="post" novalidate autocomplete="off">' in text
    assert 'id="kiosk-idle"' in text
    assert f'action="{url}"' in text
    sent = client.post(url, {"item_1": "9", "form_nonce": _nonce(text)})
    assert sent["Location"] == reverse(
        "surveys:kiosk_thanks", args=[unit_a.intake_code, instrument.pk]
    )
    thanks = client.get(sent["Location"]).content.decode()
    assert 'http-equiv="refresh"' in thanks
    assert 'id="kiosk-idle"' in thanks
    reset = client.post(url, {"reset": "1"})
    assert reset.status_code == 302
    assert reset["Location"] == url
    # The link for phones has no idle reset.
    assert 'id="kiosk-idle"' not in client.get(_url(unit_a, instrument)).content.decode()
