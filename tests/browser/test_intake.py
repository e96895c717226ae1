"""Clients filing through the public pages in headless Chromium: a Spanish-speaking family member
on a phone, a keyboard-only run, axe-core on every public page and state, and the lobby kiosk."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from careloop.cases.models import Case, Channel, Note
from careloop.core.demo import DemoResult
from careloop.orgs.models import Facility, Unit
from tests.browser.conftest import ContextFactory, Screenshot, SignIn

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_problems(page: Page, state: str) -> list[str]:
    """Serious and critical WCAG 2.2 A/AA violations axe-core finds on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (scripts/test does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{state}: {v['id']} ({v['impact']}) on {len(v['nodes'])} element(s): "
        f"{v['nodes'][0]['target']} {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def unit_named(name: str) -> Unit:
    return Unit.objects.select_related("facility").get(name=name)


def test_a_spanish_family_member_files_anonymously_from_a_unit_qr_code_on_a_phone(
    demo: DemoResult,
    new_context: ContextFactory,
    sign_in: SignIn,
    screenshot: Screenshot,
) -> None:
    unit = unit_named("4 West Medical")
    phone = new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es"}, **PHONE)
    page = phone.new_page()
    page.goto(f"/u/{unit.intake_code}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    screenshot(page, "intake-es-choose")
    page.get_by_role("link", name=re.compile("Algo salió mal")).tap()

    page.get_by_role("button", name="Enviar").tap()  # nothing filled in: the errors come first
    expect(page.get_by_role("heading", name="Revise el formulario")).to_be_visible()
    screenshot(page, "intake-es-errors")

    page.get_by_label("Un familiar o amigo").check()
    page.get_by_label("¿Qué pasó?").fill(
        "Mi madre esperó dos horas a que alguien respondiera al timbre."
    )
    expect(page.get_by_label("¿Dónde?")).to_have_value(str(unit.pk))
    page.get_by_label("Por favor, no me contacten").check()
    page.get_by_label("¿Qué idioma debemos usar?").select_option("es")
    page.get_by_role("button", name="Enviar").tap()

    expect(page.get_by_role("heading", name="Gracias. Lo hemos recibido.")).to_be_visible()
    screenshot(page, "intake-es-confirmation")
    case = Case.objects.get(narrative__startswith="Mi madre esperó")
    expect(page.locator(".reference")).to_have_text(case.reference)
    status_url = page.locator(".link-box a").get_attribute("href")
    assert status_url is not None
    assert case.reference not in status_url

    page.goto(status_url)
    expect(page.get_by_role("heading", name=f"Su caso {case.reference}")).to_be_visible()
    page.get_by_label("Cualquier otra cosa que quiera que sepamos").fill("Ocurrió otra vez anoche.")
    page.get_by_role("button", name="Añadir a mi caso").tap()
    expect(page.get_by_role("status")).to_contain_text("Lo hemos añadido")
    expect(page.get_by_text("Ocurrió otra vez anoche.")).to_be_visible()
    screenshot(page, "intake-es-status")

    case.refresh_from_db()
    assert (case.unit_id, case.language, case.channel) == (unit.pk, "es", Channel.WEB)
    assert case.reporter_type == "family"
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == ("", "", "")
    assert Note.objects.filter(case=case, from_client=True).count() == 1
    clock = case.clocks.get(clock_id="resolve_7d")
    assert clock.status == "running"

    staff = new_context().new_page()
    sign_in(staff, "manager")  # the manager of 4 West Medical
    staff.goto("/cases/?scope=open")
    row = staff.get_by_role("row").filter(has_text=case.reference)
    expect(row).to_contain_text("Web form")
    expect(row).to_contain_text("ES")


def _tab_to(page: Page, description: str, matches: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies the JS predicate `matches(el)`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {matches}; }})()"):
            return
    pytest.fail(f"could not reach {description} with the Tab key")


def test_a_complaint_can_be_filed_with_the_keyboard_alone(
    demo: DemoResult, new_context: ContextFactory
) -> None:
    facility = Facility.objects.get(name="Riverside General Hospital")
    page = new_context().new_page()
    page.goto(f"/f/{facility.intake_code}/")
    _tab_to(page, "the complaint link", "el.href && el.href.includes('path=complaint')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    _tab_to(page, "the first role", "el.name === 'reporter_role'")
    page.keyboard.press("ArrowDown")  # radio groups move with arrows: now "A family member"
    _tab_to(page, "the narrative", "el.name === 'narrative'")
    page.keyboard.type("The night nurse was rude to my father. Typed without a mouse.")
    _tab_to(page, "the contact choice", "el.name === 'contact_method'")
    _tab_to(page, "the send button", "el.type === 'submit'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you. We have received it.")).to_be_visible()
    case = Case.objects.get(narrative__startswith="The night nurse was rude")
    assert case.reporter_type == "family"
    assert case.facility_id == facility.pk


def test_axe_finds_no_serious_violation_on_any_public_page_or_state(
    demo: DemoResult, new_context: ContextFactory, screenshot: Screenshot
) -> None:
    unit = unit_named("4 West Medical")
    facility = unit.facility
    problems: list[str] = []
    for label, options in (
        ("phone", PHONE),
        ("desktop", {"viewport": {"width": 1280, "height": 900}}),
    ):
        page = new_context(**options).new_page()
        page.goto(f"/u/{unit.intake_code}/")
        problems += axe_problems(page, f"{label} choose")
        for path in ("complaint", "compliment", "suggestion", "safety"):
            page.goto(f"/u/{unit.intake_code}/?path={path}")
            problems += axe_problems(page, f"{label} {path} form, empty")
        page.get_by_role("button", name="Send").click()
        problems += axe_problems(page, f"{label} safety form with errors")
        screenshot(page, f"intake-{label}-errors")
        page.goto(f"/u/{unit.intake_code}/?path=complaint")
        page.get_by_label("A member of staff").check()
        page.get_by_label("What happened?").fill("The bathroom was not cleaned for two days.")
        page.get_by_role("button", name="Send").click()
        problems += axe_problems(page, f"{label} confirmation")
        screenshot(page, f"intake-{label}-confirmation")
        status_url = page.locator(".link-box a").get_attribute("href")
        assert status_url is not None
        page.goto(status_url)
        problems += axe_problems(page, f"{label} status")
        page.get_by_role("button", name="Add to my case").click()  # empty: an error
        problems += axe_problems(page, f"{label} status with error")
        page.get_by_label("Anything else you want us to know").fill("More detail.")
        page.get_by_role("button", name="Add to my case").click()
        problems += axe_problems(page, f"{label} status after adding")
        screenshot(page, f"intake-{label}-status")
        page.goto("/s/not-a-real-token/")
        problems += axe_problems(page, f"{label} unknown status link")
        page.goto(f"/k/{facility.intake_code}/?path=complaint")
        problems += axe_problems(page, f"{label} kiosk form")
        for mode in ("Larger text", "High contrast"):
            page.goto(f"/u/{unit.intake_code}/?path=complaint")
            page.get_by_role("button", name=mode).click()
            expect(page.get_by_label("What happened?")).to_be_visible()
            problems += axe_problems(page, f"{label} form with {mode}")
        assert "large-text" in (page.locator("html").get_attribute("class") or "")
        screenshot(page, f"intake-{label}-large-contrast")
        for language in ("es", "it"):
            page.goto(f"/u/{unit.intake_code}/")
            page.get_by_role("button", name="Español" if language == "es" else "Italiano").click()
            expect(page.locator("html")).to_have_attribute("lang", language)
            problems += axe_problems(page, f"{label} choose in {language}")
            page.goto(f"/u/{unit.intake_code}/?path=safety")
            problems += axe_problems(page, f"{label} safety form in {language}")
    assert problems == []


def test_the_kiosk_clears_itself_when_left_idle_and_after_a_submission(
    demo: DemoResult, new_context: ContextFactory, screenshot: Screenshot
) -> None:
    facility = Facility.objects.get(name="Riverside General Hospital")
    kiosk_url = f"/k/{facility.intake_code}/"
    page = new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.clock.install()
    page.goto(kiosk_url + "?path=complaint")
    narrative = page.get_by_label("What happened?")
    expect(narrative).to_have_attribute("autocomplete", "off")
    narrative.fill("Half-typed words the next person must never see")
    page.clock.run_for(119_000)
    expect(narrative).to_have_value("Half-typed words the next person must never see")
    page.clock.run_for(2_000)  # two minutes with no touch: back to a clean start
    page.wait_for_url(re.compile(rf"{kiosk_url}$"))
    expect(page.get_by_role("heading", name="What would you like to tell us?")).to_be_visible()
    page.get_by_role("link", name=re.compile("Something went wrong")).click()
    expect(page.get_by_label("What happened?")).to_have_value("")

    page.get_by_label("The patient or resident").check()
    page.get_by_label("What happened?").fill("Filed at the lobby kiosk.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you. We have received it.")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator(".link-box")).to_have_count(0)
    screenshot(page, "intake-kiosk-confirmation")
    case = Case.objects.get(narrative="Filed at the lobby kiosk.")
    assert case.channel == Channel.KIOSK
    page.clock.run_for(61_000)
    page.wait_for_url(re.compile(rf"{kiosk_url}$"))
    expect(page.get_by_role("heading", name="What would you like to tell us?")).to_be_visible()
    page.goto("/thanks/")  # the confirmation is gone with the session
    expect(page.get_by_role("heading", name="We could not find this page")).to_be_visible()
    assert case.reference not in page.content()
