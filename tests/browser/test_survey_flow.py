"""A post-resolution CSAT from end to end: Careloop emails the survey link in Spanish through a
real SMTP server on loopback, the client answers it with a low score on a phone, the low score
opens one complaint in 4 West Medical's queue, and the link cannot be used twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from careloop.cases.models import Case, Channel, Kind
from careloop.core.demo import DemoResult
from careloop.core.time import utcnow
from careloop.messaging.services import messages_deliver_due
from careloop.messaging.tests.conftest import SmtpServer, free_port, smtp_point_at
from careloop.orgs.models import Unit, User
from careloop.surveys.models import Response
from careloop.surveys.services import (
    instrument_from_template,
    invitation_create,
    invitation_send,
)
from tests.browser.conftest import ContextFactory, Screenshot, SignIn
from tests.browser.test_intake import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT = "lucia.fernandez@example.org"
COMMENT = "Nadie vino cuando llamé al timbre por la noche."


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A running aiosmtpd server on loopback that Careloop's settings point at."""
    server = SmtpServer(free_port())
    smtp_point_at(settings, server.port)
    server.start()
    yield server
    server.stop()


def _survey_link(smtp: SmtpServer, live_url: str) -> str:
    (message,) = [m for m in smtp.inbox.messages() if m["To"] == CLIENT]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    links = re.findall(re.escape(live_url) + r"/q/[A-Za-z0-9_-]+/(?=\s|$)", text)
    assert len(links) == 1, text
    link: str = links[0]
    return link


def test_a_low_csat_score_from_an_emailed_link_opens_a_case_in_the_unit_queue(
    demo: DemoResult,
    new_context: ContextFactory,
    sign_in: SignIn,
    screenshot: Screenshot,
    smtp: SmtpServer,
    settings: Any,
    live_server: Any,
) -> None:
    settings.CARELOOP_BASE_URL = live_server.url
    admin = User.objects.get(username="admin")
    unit = Unit.objects.select_related("facility").get(name="4 West Medical")
    about = Case.objects.filter(unit=unit).order_by("pk").first()
    assert about is not None, "the demo has no case in 4 West Medical"
    instrument = instrument_from_template(
        actor=admin, organization=demo.organization, template="csat_post_resolution", now=utcnow()
    )
    invitation, _token = invitation_create(
        actor=admin,
        version=instrument.versions.get(),
        facility=unit.facility,
        unit=unit,
        case=about,
        email=CLIENT,
        language="es",
        now=utcnow(),
    )
    invitation_send(
        actor=admin, invitation=invitation, base_url=settings.CARELOOP_BASE_URL, now=utcnow()
    )
    before = set(Case.objects.values_list("pk", flat=True))

    assert messages_deliver_due(now=utcnow()) >= 1
    link = _survey_link(smtp, live_server.url)

    phone = new_context(locale="es-ES", **PHONE).new_page()
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    phone.locator("input[type=radio][value='1']").first.check()  # "very dissatisfied"
    phone.locator("textarea").first.fill(COMMENT)
    screenshot(phone, "survey-flow-answering")
    phone.locator("button[type=submit]").last.click()
    expect(phone.get_by_role("heading", name="Gracias")).to_be_visible()
    expect(phone.get_by_text("Sus respuestas se han registrado.")).to_be_visible()
    screenshot(phone, "survey-flow-thanks")

    assert Response.objects.filter(invitation=invitation).count() == 1
    (opened,) = Case.objects.exclude(pk__in=before)
    assert (opened.channel, opened.language) == (Channel.SURVEY, "es")
    assert opened.kind == Kind.COMPLAINT  # a survey comment is not a grievance (SOM A-0118)
    assert opened.unit_id == unit.pk
    assert COMMENT in opened.narrative

    staff = new_context().new_page()
    sign_in(staff, "manager")
    staff.goto("/cases/?scope=open")
    expect(staff.get_by_role("heading", name="Open cases")).to_be_visible()
    expect(staff.get_by_role("link", name=opened.reference)).to_be_visible()
    screenshot(staff, "survey-flow-queue")

    again = new_context(locale="es-ES", **PHONE).new_page()
    answered = again.goto(link)
    assert answered is not None
    assert answered.status == 409
    expect(again.get_by_text("Esta encuesta ya se respondió.")).to_be_visible()
    screenshot(again, "survey-flow-already-answered")
    assert Response.objects.filter(invitation=invitation).count() == 1
