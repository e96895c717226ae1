"""An advocate works a hospital grievance from the queue to closure, in the browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from careloop.cases.models import Case, Channel, ContactPreference, Kind, ReporterType, Status
from careloop.cases.services import NewCase, case_open
from careloop.core.demo import DemoResult
from careloop.core.time import local_date, utcnow
from careloop.orgs.models import Unit
from careloop.policies.models import ClockStatus
from tests.browser.conftest import Screenshot, SignIn

# The hospital pack's labels (careloop/policies/packs/us.hospital.grievance.toml).
CONTACT_PERSON_MISSING = "Decision letter names the hospital contact person"
LETTER_NOT_ISSUED = "A written decision letter was sent (a phone call is not enough)"


def _grievance(demo: DemoResult) -> Case:
    unit = Unit.objects.get(
        facility__organization=demo.organization,
        facility__name="Riverside General Hospital",
        name="4 West Medical",
    )
    now = utcnow()
    return case_open(
        actor=None,
        data=NewCase(
            facility=unit.facility,
            unit=unit,
            kind=Kind.GRIEVANCE,
            reporter_type=ReporterType.FAMILY,
            reporter_name="Maria Lopez",
            reporter_email="maria.lopez@example.org",
            contact_preference=ContactPreference.EMAIL,
            channel=Channel.EMAIL,
            narrative="My mother rang the call bell for forty minutes on 4 West and nobody came.",
            desired_outcome="An explanation and a change to night staffing.",
            classification_reason="Written complaint asking for a response",
            received_at=now - timedelta(hours=3),
        ),
        now=now,
    )


def _section(page: Page, action: str) -> Locator:
    section = page.locator(f"details#{action}")
    if not section.evaluate("d => d.open"):
        section.locator("summary").click()
    return section


def _fill(section: Locator, action: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = section.locator(f'[name="{action}-{name}"]')
        tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(value)
        elif tag == "INPUT:checkbox":
            field.set_checked(value == "on")
        else:
            field.fill(value)


def _do(page: Page, action: str, title: str, values: dict[str, str]) -> None:
    """Open the action's section, fill it, save, and expect the saved message."""
    section = _section(page, action)
    _fill(section, action, values)
    section.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text(f"{title}: saved.")


def _letter(page: Page) -> Locator:
    return page.locator("h2:text-is('Decision letter') + dl.facts")


def _status(page: Page) -> Locator:
    return page.locator("h1 .badge").first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_advocate_works_a_grievance_to_closure(
    demo: DemoResult, page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    case = _grievance(demo)
    zone = case.facility.time_zone
    today = local_date(at=utcnow(), tz_name=zone).isoformat()

    sign_in(page, "advocate")
    page.get_by_role("link", name="All cases").click()
    expect(page.get_by_role("heading", name="All cases")).to_be_visible()
    row = page.locator("tbody tr", has=page.get_by_role("link", name=case.reference))
    expect(row).to_contain_text("Grievance")
    expect(row).to_contain_text("New")
    row.get_by_role("link", name=case.reference).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(_status(page)).to_have_text("New")

    _do(page, "acknowledge", "Acknowledge", {"channel": "email"})
    expect(_status(page)).to_have_text("Acknowledged")

    _do(page, "move", "Status", {"status": "investigating"})
    expect(_status(page)).to_have_text("Investigating")

    _do(
        page,
        "step",
        "Investigation step",
        {"description": "Reviewed the call-bell log and spoke with the night charge nurse."},
    )
    expect(page.get_by_text("Reviewed the call-bell log")).to_be_visible()

    letter = {
        "received_on": local_date(at=case.received_at, tz_name=zone).isoformat(),
        "summary": "Your mother waited forty minutes for help after ringing the call bell.",
        "steps_taken": "Reviewed the call-bell log; interviewed the night staff.",
        "findings": "The delay was confirmed; two nurses were off sick that night.",
        "results": "Night staffing on 4 West now has a float nurse on call.",
        "confirmed": "confirmed",
        "corrective_action": "Weekly call-bell response audit for three months.",
        "completion_on": today,
        "signed_by": "Dana Whitfield, Chief Nursing Officer",
        "ombudsman_rights": "on",
    }
    _do(page, "letter", "Decision letter", letter)  # no contact person yet
    expect(_letter(page)).to_contain_text("Draft")

    _do(page, "move", "Status", {"status": "resolved"})
    expect(_status(page)).to_have_text("Resolved")
    before_close = page.locator(".missing")
    expect(before_close).to_contain_text(CONTACT_PERSON_MISSING)
    expect(before_close).to_contain_text(LETTER_NOT_ISSUED)

    # Closing is blocked, and the page says exactly what is missing.
    move = _section(page, "move")
    _fill(move, "move", {"status": "closed"})
    with page.expect_response(lambda r: r.url.endswith("/do/move/")) as answer:
        move.get_by_role("button", name="Save").click()
    assert answer.value.status == 400
    blocked = page.locator("details#move .errors")
    expect(blocked).to_contain_text("The case cannot be closed yet")
    expect(blocked).to_contain_text(CONTACT_PERSON_MISSING)
    expect(blocked).to_contain_text(LETTER_NOT_ISSUED)
    expect(_status(page)).to_have_text("Resolved")
    screenshot(page, "case-closure-blocked")
    case.refresh_from_db()
    assert case.status == Status.RESOLVED

    # Add the contact person, issue the letter by email, then close.
    page.goto(f"/cases/{case.pk}/")
    _do(
        page,
        "letter",
        "Decision letter",
        {"contact_person": "Priya Raman, Patient Advocate, (312) 555-0142"},
    )
    expect(page.locator(".missing")).not_to_contain_text(CONTACT_PERSON_MISSING)
    expect(page.locator(".missing")).to_contain_text(LETTER_NOT_ISSUED)
    _do(page, "letter_issue", "Issue the letter", {"delivery": "email"})
    expect(page.locator(".missing")).to_have_count(0)
    expect(_letter(page)).to_contain_text("by email")

    _do(page, "move", "Status", {"status": "closed"})
    expect(_status(page)).to_have_text("Closed")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Status resolved → closed")
    expect(timeline).to_contain_text("Decision letter issued by email")
    screenshot(page, "case-closed")

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_at is not None
    assert case.letter.contact_person.startswith("Priya Raman")
    assert case.letter.delivery == ContactPreference.EMAIL
    assert case.letter.completion_on is not None
    assert case.letter.completion_on.isoformat() == today
    clocks = {c.clock_id: c for c in case.clocks.all()}
    assert {"acknowledge_1wd", "resolve_7d", "respond_or_interim_7d", "written_response"} <= set(
        clocks
    )
    assert {c.clock_id: c.status for c in clocks.values()} == {
        clock_id: ClockStatus.MET for clock_id in clocks
    }
    assert all(c.met_at is not None for c in clocks.values())
