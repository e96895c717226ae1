"""The survey response form in Chromium: axe-core finds no serious or critical violation in
its states, and it can be answered with the keyboard alone on a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from careloop.core.demo import DemoResult
from careloop.core.time import utcnow
from careloop.orgs.models import Unit, User
from careloop.surveys.models import Response
from careloop.surveys.services import instrument_from_template, invitation_create
from tests.browser.conftest import ContextFactory, Screenshot
from tests.browser.test_intake import PHONE, axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _invitation(demo: DemoResult, template: str, language: str) -> str:
    admin = User.objects.get(username="admin")
    instrument = instrument_from_template(
        actor=admin, organization=demo.organization, template=template, now=utcnow()
    )
    unit = Unit.objects.select_related("facility").get(name="4 West Medical")
    _invitation_row, token = invitation_create(
        actor=admin,
        version=instrument.versions.get(),
        facility=unit.facility,
        unit=unit,
        language=language,
        anonymous=True,
        now=utcnow(),
    )
    return f"/q/{token}/"


def test_the_survey_form_is_accessible_in_each_state(
    demo: DemoResult, new_context: ContextFactory, screenshot: Screenshot
) -> None:
    problems: list[str] = []
    for template, language in (("nps", "en"), ("fft", "es"), ("csat_post_resolution", "it")):
        page = new_context(**PHONE).new_page()
        url = _invitation(demo, template, language)
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        problems += axe_problems(page, f"{template} form ({language})")
        page.locator("button[type=submit]").last.click()  # nothing answered: errors
        problems += axe_problems(page, f"{template} form with errors ({language})")
        screenshot(page, f"survey-{template}-{language}-errors")
    assert problems == []


def test_a_survey_can_be_answered_with_the_keyboard_alone(
    demo: DemoResult, new_context: ContextFactory, screenshot: Screenshot
) -> None:
    page = new_context(**PHONE).new_page()
    page.goto(_invitation(demo, "nps", "en"))
    before = Response.objects.count()  # the demo has answers of its own
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type === 'radio'"):
            break
    page.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    page.keyboard.press("Space")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type === 'submit'"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your answers have been recorded.")).to_be_visible()
    screenshot(page, "survey-answered")
    assert Response.objects.count() == before + 1
