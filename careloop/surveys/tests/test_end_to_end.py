"""End to end: an invitation emailed through a real SMTP server on loopback, its link read back
from the received email and answered through the public form; a low score opens a case."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from careloop.core.time import utcnow
from careloop.messaging.services import messages_deliver_due
from careloop.messaging.tests.conftest import Inbox
from careloop.surveys.models import Response
from careloop.surveys.services import invitation_send
from careloop.surveys.tests.conftest import CLIENT_ADDRESS, InstrumentMaker, Inviter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dummy_tasks")]
BASE_URL = "https://care.example.org"


def test_an_emailed_link_read_from_a_real_mail_server_is_answered_once(
    client: Client,
    inbox: Inbox,
    settings: Any,
    make_instrument: InstrumentMaker,
    invite: Inviter,
) -> None:
    settings.CARELOOP_BASE_URL = BASE_URL
    now = utcnow()
    invitation, _ = invite(make_instrument("csat_post_resolution"), at=now, language="it")
    invitation_send(actor=None, invitation=invitation, base_url=BASE_URL, now=now)
    assert messages_deliver_due(now=now) == 1

    (received,) = inbox.messages()
    assert received["To"] == CLIENT_ADDRESS
    assert received["Content-Language"] == "it"
    body = received.get_content()
    link = next(u for u in re.findall(r"https://\S+", body) if "/optout/" not in u)
    path = link.removeprefix(BASE_URL)

    page = client.get(path)
    assert page.status_code == 200
    assert page["Content-Language"] == "it"
    answered = client.post(path, {"item_1": "1", "item_2": "Nessuno mi ha richiamato."})
    assert answered.status_code == 302
    assert client.post(path, {"item_1": "5"}).status_code == 409

    response = Response.objects.get()
    assert response.opened_case is not None
    assert response.opened_case.reporter_email == CLIENT_ADDRESS
