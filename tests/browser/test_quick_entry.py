"""Frontline staff log a concern through the quick entry form, with the keyboard alone."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from careloop.cases.models import Case, Channel, ContactPreference, Kind, ReporterType, Status
from careloop.core.demo import DemoResult
from tests.browser.conftest import SignIn

NARRATIVE = "Mr Jones in bed 12 waited over an hour for his pain medication after asking twice."


def _tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _focused_id(page: Page) -> str:
    focused: str = page.evaluate("document.activeElement?.id ?? ''")
    return focused


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_frontline_staff_log_a_concern_in_the_quick_entry_form(
    demo: DemoResult,
    page: Page,
    sign_in: SignIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sign_in(page, "aide")
    page.get_by_role("link", name="Log a concern").click()
    expect(page.get_by_role("heading", name="Log a concern or compliment")).to_be_visible()
    keys = page.keyboard

    started = time.perf_counter()
    _tab_to(page, "#id_unit")
    keys.type("4")  # type-ahead picks "4 West Medical", the aide's only unit
    keys.press("Tab")
    assert _focused_id(page) == "id_kind"  # Complaint is the default
    keys.press("Tab")  # safety type: not a safety concern
    keys.press("Tab")  # serious bodily injury: unchecked
    keys.press("Tab")
    assert _focused_id(page) == "id_reporter_type"
    keys.type("Family")
    keys.press("Tab")
    assert _focused_id(page) == "id_channel"
    keys.type("Phone")
    keys.press("Tab")
    assert _focused_id(page) == "id_narrative"
    keys.type(NARRATIVE)
    keys.press("Tab")
    keys.type("Someone to check on him every hour tonight.")
    keys.press("Tab")
    assert _focused_id(page) == "id_resolved_at_time"  # not put right on the spot: unchecked
    keys.press("Tab")
    assert _focused_id(page) == "id_response_requested"
    keys.press("Space")  # they asked for a formal response
    keys.press("Tab")
    assert _focused_id(page) == "id_reporter_name"
    keys.type("Ellen Jones")
    keys.press("Tab")
    keys.type("+1 312 555 0188")
    keys.press("Tab")
    assert _focused_id(page) == "id_reporter_email"
    keys.press("Tab")  # no email
    assert _focused_id(page) == "id_contact_preference"
    keys.type("Phone")
    keys.press("Tab")
    assert _focused_id(page) == "id_language"  # English
    _tab_to(page, "button[type=submit]")
    form = page.locator("main form")
    expect(form.locator("#id_unit option:checked")).to_have_text("4 West Medical")
    expect(form.locator("#id_reporter_type")).to_have_value(ReporterType.FAMILY)
    expect(form.locator("#id_channel")).to_have_value(Channel.PHONE)
    expect(form.locator("#id_contact_preference")).to_have_value(ContactPreference.PHONE)
    filled = time.perf_counter()
    keys.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    saved = time.perf_counter()
    with capsys.disabled():
        print(
            f"\nquick entry by keyboard: filled in {filled - started:.2f}s, "
            f"saved and case page shown {saved - filled:.2f}s later"
        )

    message = page.locator(".messages")
    expect(message).to_contain_text(re.compile(r"Case RHP-\d{4}-\d{6} logged\."))
    found = re.search(r"RHP-\d{4}-\d{6}", message.inner_text())
    assert found is not None
    reference = found.group(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator(".narrative").first).to_have_text(NARRATIVE)

    case = Case.objects.select_related("received_by", "unit").get(reference=reference)
    assert case.received_by is not None
    assert case.received_by.username == "aide"
    assert case.unit is not None
    assert case.unit.name == "4 West Medical"
    # Not put right at the time, and a response asked for: the hospital pack files it as a
    # grievance (SOM A-0118, DOMAIN.md H8), and says why.
    assert case.kind == Kind.GRIEVANCE
    assert case.response_requested is True
    assert "Not resolved at the time" in case.classification_reason
    assert case.status == Status.NEW
    assert case.reporter_type == ReporterType.FAMILY
    assert case.reporter_name == "Ellen Jones"
    assert case.narrative == NARRATIVE
    assert page.url.endswith(f"/cases/{case.pk}/")
