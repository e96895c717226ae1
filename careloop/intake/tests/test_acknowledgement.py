"""The acknowledgement a client gets by email, through a real SMTP server on loopback, in their
language, with a private link that opens their case."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careloop.cases.models import Case
from careloop.intake.forms import new_nonce
from careloop.messaging.models import OutboundMessage
from careloop.messaging.services import messages_deliver_due
from careloop.messaging.tests.conftest import (  # noqa: F401  # fixtures
    Inbox,
    SmtpServer,
    inbox,
    smtp_port,
    smtp_server,
)
from careloop.orgs.models import Unit

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def file_in_spanish(client: Client, unit: Unit) -> Case:
    from django.core.cache import cache

    cache.clear()
    response = client.post(
        reverse("intake:unit", args=[unit.intake_code]),
        {
            "path": "complaint",
            "reporter_role": "family",
            "narrative": "Nadie respondió al timbre durante una hora.",
            "contact_method": "email",
            "email": "lucia.fernandez@example.org",
            "language": "es",
            "unit": unit.pk,
            "form_nonce": new_nonce(),
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302
    return Case.objects.get()


@time_machine.travel(NOW, tick=False)
def test_the_acknowledgement_arrives_in_spanish_and_its_link_opens_the_case(
    client: Client,
    unit_a: Unit,
    inbox: Inbox,  # noqa: F811  # the fixture imported above
) -> None:
    case = file_in_spanish(client, unit_a)
    assert messages_deliver_due(now=NOW) == 1
    [message] = inbox.messages()
    assert message["To"] == "lucia.fernandez@example.org"
    dash = "\u2013"
    assert (
        message["Subject"].strip()
        == f"Hemos recibido su mensaje {dash} referencia {case.reference}"
    )
    assert message["Content-Language"] == "es"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "Gracias por ponerse en contacto con Riverside General" in body
    link = re.search(r"https?://\S+/s/\S+/", body)
    assert link is not None
    page = client.get(link.group(0).split("testserver", 1)[1])
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    stored = OutboundMessage.objects.get()
    assert "/s/" not in stored.body  # the link is not kept once it has been sent
    assert case.events.filter(kind="message_sent").exists()


@time_machine.travel(NOW, tick=False)
def test_a_mail_server_that_is_down_loses_nothing_and_the_email_follows_later(
    client: Client,
    unit_a: Unit,
    smtp_server: SmtpServer,  # noqa: F811  # the fixture imported above
) -> None:
    case = file_in_spanish(client, unit_a)
    assert messages_deliver_due(now=NOW) == 0  # nothing listens yet
    assert Case.objects.filter(pk=case.pk).exists()
    queued = OutboundMessage.objects.get()
    assert (queued.status, queued.attempts) == ("queued", 1)
    smtp_server.start()
    assert messages_deliver_due(now=NOW + timedelta(minutes=2)) == 1
    assert len(smtp_server.inbox.messages()) == 1
