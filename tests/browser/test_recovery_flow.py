"""Service recovery on a hospital grievance, in the browser, from the bedside to the check-back:
an aide gives a meal voucher within their authority and asks for flowers above it, the unit
manager approves from the queue, the advocate is stopped from issuing an incomplete CMS decision
letter and then issues it by email, resolves the case, and the client's "No" to the check-back
email (sent through a real SMTP server on loopback) reopens the case and tells its owner."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from careloop.cases.models import Case, Channel, ContactPreference, Kind, ReporterType, Status
from careloop.cases.services import NewCase, case_assign, case_open
from careloop.core.demo import DemoResult
from careloop.core.time import local_date, utcnow
from careloop.followups.checkbacks import followups_sweep
from careloop.followups.models import Answer, CheckBack, CheckBackStatus, FollowUpAnswer
from careloop.letters.models import IssuedLetter
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import messages_deliver_due
from careloop.messaging.tests.conftest import SmtpServer, free_port, smtp_point_at
from careloop.orgs.models import Role, Unit, User
from careloop.recovery.configuration import (
    ItemTypeValues,
    authority_limit_set,
    budget_save,
    item_type_save,
)
from careloop.recovery.models import Budget, EntryKind, ItemKind, ItemType, LedgerEntry, Period
from tests.browser.conftest import ContextFactory, Screenshot, SignIn

D = Decimal
CLIENT_NAME = "Maria Lopez"
CLIENT_EMAIL = "maria.lopez@example.org"
OWNER_EMAIL = "advocate@riverside.example"  # the demo's advocate, Priya Raman
APPROVAL_REASON = "Three cold dinners in a row; flowers for his room."
CLIENT_COMMENT = "His dinner was cold again last night."
MEAL = "Cafeteria meal voucher"  # the demo's name for it
FLOWERS = "Flower arrangement"
TIMES = "\N{MULTIPLICATION SIGN}"

# The hospital pack's letter elements (careloop/policies/packs/us.hospital.grievance.toml, H6).
CONTACT_PERSON = "Decision letter names the hospital contact person"
STEPS_TAKEN = "Decision letter lists the steps taken to investigate"
RESULTS = "Decision letter gives the results of the grievance process"
COMPLETION = "Decision letter gives the date of completion"
LETTER_ELEMENTS = (CONTACT_PERSON, STEPS_TAKEN, RESULTS, COMPLETION)


@pytest.fixture
def smtp(settings: Any, live_server: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that Careloop sends through; links in emails point at the
    live server."""
    server = SmtpServer(free_port())
    smtp_point_at(settings, server.port)
    settings.CARELOOP_BASE_URL = live_server.url
    server.start()
    yield server
    server.stop()


def _item_type(demo: DemoResult, admin: User, values: ItemTypeValues) -> ItemType:
    """The item type with these values, through the service: created, or updated if the demo
    already has one of that name."""
    existing = ItemType.objects.filter(organization=demo.organization, name=values.name).first()
    return item_type_save(
        actor=admin, organization=demo.organization, values=values, now=utcnow(), item_type=existing
    )


def _recovery_configured(demo: DemoResult) -> dict[str, ItemType]:
    """The item types and authority cells this test relies on, and a budget for 4 West this
    year, through the recovery services (whatever recovery set-up the demo made itself)."""
    admin = User.objects.get(username="admin")
    now = utcnow()
    meal = _item_type(
        demo,
        admin,
        ItemTypeValues(kind=ItemKind.MEAL_VOUCHER, name=MEAL, retail_value=D("10.00")),
    )
    flowers = _item_type(
        demo,
        admin,
        ItemTypeValues(kind=ItemKind.AMENITY, name=FLOWERS, retail_value=D("25.00")),
    )
    matrix = {
        meal: {Role.FRONTLINE: ("10", "30"), Role.MANAGER: ("50", "100")},
        flowers: {Role.FRONTLINE: ("0", "0"), Role.MANAGER: ("50", "100")},
    }
    for item, cells in matrix.items():
        for role, (per_case, per_client) in cells.items():
            authority_limit_set(
                actor=admin,
                item_type=item,
                role=role,
                per_case=D(per_case),
                per_client=D(per_client),
                period=Period.CALENDAR_YEAR,
                now=now,
            )
    unit = _four_west(demo)
    today = local_date(at=now, tz_name=unit.facility.time_zone)
    if not Budget.objects.filter(unit=unit, start_on__lte=today, end_on__gte=today).exists():
        budget_save(
            actor=admin,
            unit=unit,
            start_on=today.replace(month=1, day=1),
            end_on=today.replace(month=12, day=31),
            amount=D("500.00"),
            currency="USD",
            now=now,
        )
    return {"meal": meal, "flowers": flowers}


def _four_west(demo: DemoResult) -> Unit:
    return Unit.objects.select_related("facility").get(
        facility__organization=demo.organization,
        facility__name="Riverside General Hospital",
        name="4 West Medical",
    )


def _web_complaint(demo: DemoResult) -> Case:
    """A written (web) complaint on 4 West, which the hospital pack files as a grievance; the
    advocate owns it."""
    unit = _four_west(demo)
    now = utcnow()
    case = case_open(
        actor=None,
        data=NewCase(
            facility=unit.facility,
            unit=unit,
            kind=Kind.COMPLAINT,
            reporter_type=ReporterType.FAMILY,
            reporter_name=CLIENT_NAME,
            reporter_email=CLIENT_EMAIL,
            contact_preference=ContactPreference.EMAIL,
            channel=Channel.WEB,
            narrative="My father's dinner arrived cold on 4 West three nights in a row.",
            desired_outcome="Hot meals, and to know what went wrong.",
            received_at=now - timedelta(hours=2),
        ),
        now=now,
    )
    advocate = User.objects.get(username="advocate")
    return case_assign(actor=advocate, case=case, owner=advocate, now=now)


# --- page helpers (the case page's actions, as in test_grievance_flow) --------------------------


def _section(page: Page, action: str) -> Locator:
    section = page.locator(f"details#{action}")
    if not section.evaluate("d => d.open"):
        section.locator("summary").click()
    return section


def _fill(section: Locator, action: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = section.locator(f'[name="{action}-{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _do(page: Page, action: str, title: str, values: dict[str, str]) -> None:
    section = _section(page, action)
    _fill(section, action, values)
    section.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text(f"{title}: saved.")


def _status(page: Page) -> Locator:
    return page.locator("h1 .badge").first


def _panel(page: Page) -> Locator:
    return page.locator("#recovery")


def _ledger_row(page: Page, item: str) -> Locator:
    return _panel(page).locator("table.recovery-ledger tbody tr", has_text=item)


def _give(page: Page, item: str, reason: str) -> None:
    form = _panel(page).locator("form.recovery-give")
    form.get_by_label("Item", exact=True).select_option(label=item)
    form.get_by_label("Reason", exact=True).select_option(label=reason)
    form.get_by_role("button", name="Give").click()


def _received(server: SmtpServer, to: str) -> list[EmailMessage]:
    return [m for m in server.inbox.messages() if to in str(m["To"])]


def _plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert isinstance(text, str)
    return text


# --- the steps --------------------------------------------------------------------------------


def _aide_gives_and_asks(
    page: Page, case: Case, items: dict[str, ItemType], screenshot: Screenshot
) -> LedgerEntry:
    """The aide opens the case from the queue, reads the HEART script and what they may give,
    records the client, gives a meal voucher within their authority and asks for flowers above
    it; returns the flowers request."""
    page.get_by_role("link", name="Open cases").click()
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    panel = _panel(page)
    expect(panel.get_by_role("heading", name="Service recovery")).to_be_visible()
    script = panel.locator("details#recovery-script")
    expect(script.locator("summary")).to_have_text("HEART: how to put it right")
    expect(script).to_have_attribute("open", "")
    for word in ("Hear", "Empathize", "Apologize", "Respond", "Thank"):
        expect(script.locator("li strong", has_text=word)).to_be_visible()
    expect(panel.get_by_label("Name", exact=True)).to_have_value(CLIENT_NAME)
    screenshot(page, "recovery-1-aide-opens-case")
    panel.get_by_role("button", name="Create the client").click()
    expect(page.locator(".messages")).to_contain_text("Client created and linked to this case.")
    expect(panel.locator("#recovery-client")).to_contain_text(CLIENT_NAME)

    allowances = panel.locator("table.allowances")
    expect(allowances.locator("tr", has_text=MEAL)).to_contain_text("up to USD 10.00")
    expect(allowances.locator("tr", has_text=FLOWERS)).to_contain_text("needs approval")
    _give(page, MEAL, "Meals")
    expect(page.locator(".messages")).to_contain_text(f"Given: 1 {TIMES} {MEAL} (USD 10.00).")
    meal_row = _ledger_row(page, MEAL)
    expect(meal_row.locator(".badge")).to_have_text("issued")
    expect(meal_row).to_contain_text("Sam Carter")
    expect(meal_row).to_contain_text("within authority")
    expect(allowances.locator("tr", has_text=MEAL)).to_contain_text("needs approval")
    meal_issue = LedgerEntry.objects.get(case=case, kind=EntryKind.ISSUE)
    assert (meal_issue.item_type_id, meal_issue.amount, meal_issue.approved_by_id) == (
        items["meal"].pk,
        D("10.00"),
        None,
    )

    _give(page, FLOWERS, "Meals")
    expect(page.locator(".messages")).to_contain_text(
        f"Requested: 1 {TIMES} {FLOWERS} (USD 25.00). Waiting for a unit manager or above."
    )
    pending = panel.locator(".recovery-pending")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(f"1 {TIMES} {FLOWERS} · USD 25.00")
    expect(pending).to_contain_text("Waiting for a unit manager or above.")
    expect(pending.get_by_role("button", name="Withdraw")).to_be_visible()
    expect(pending.get_by_role("button", name="Approve")).to_have_count(0)
    expect(_ledger_row(page, FLOWERS).locator(".badge")).to_have_text("pending")
    screenshot(page, "recovery-2-aide-gave-and-asked")
    request = LedgerEntry.objects.get(case=case, kind=EntryKind.REQUEST, item_type=items["flowers"])
    assert request.needs_authority
    assert not LedgerEntry.objects.filter(request=request, kind=EntryKind.ISSUE).exists()
    return request


def _manager_approves(page: Page, case: Case, request: LedgerEntry, screenshot: Screenshot) -> None:
    """From the approvals queue, with a reason; the case then shows the flowers issued."""
    page.get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", name="Recovery waiting for approval")).to_be_visible()
    row = page.locator(f"tr#request-{request.pk}")
    expect(row).to_contain_text(case.reference)
    expect(row).to_contain_text(f"1 {TIMES} {FLOWERS}")
    expect(row).to_contain_text("USD 25.00")
    expect(row).to_contain_text("Sam Carter")
    expect(row).to_contain_text("authority")
    row.get_by_label("Reason").fill(APPROVAL_REASON)
    screenshot(page, "recovery-3-approvals-queue")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text(f"Given: 1 {TIMES} {FLOWERS} (USD 25.00).")
    expect(page.locator("tbody")).to_contain_text("Nothing is waiting.")

    page.goto(f"/cases/{case.pk}/")
    flowers = _ledger_row(page, FLOWERS)
    expect(flowers.locator(".badge")).to_have_text("issued")
    expect(flowers).to_contain_text("Sam Carter")  # given by
    expect(flowers).to_contain_text(f"Marcus Lee (authority: {APPROVAL_REASON})")
    expect(_panel(page).locator(".recovery-pending")).to_have_count(0)
    expect(page.locator("ol.timeline")).to_contain_text(
        f"Recovery given: 1 {TIMES} {FLOWERS} (USD 25.00), approved by Marcus Lee"
    )
    issue = LedgerEntry.objects.get(request=request, kind=EntryKind.ISSUE)
    manager = User.objects.get(username="manager")
    assert (issue.approved_by_id, issue.given_by_id) == (manager.pk, request.actor_id)


def _advocate_issues_the_letter(page: Page, case: Case, screenshot: Screenshot) -> bytes:
    """Refused while the CMS elements are missing (each named), then issued by email; returns
    the PDF downloaded through the page's link."""
    page.goto(f"/cases/{case.pk}/")
    needs = page.locator("ul.missing-elements")
    for label in LETTER_ELEMENTS:
        expect(needs).to_contain_text(label)
    _do(
        page,
        "letter",
        "Decision letter",
        {
            "summary": "Your father's dinner arrived cold on three nights.",
            "findings": "Trays waited on the unit while the evening medicines round ran late.",
            "signed_by": "Dana Whitfield, Chief Nursing Officer",
        },
    )
    issue = _section(page, "letter_issue")
    _fill(issue, "letter_issue", {"delivery": "email"})
    with page.expect_response(lambda r: r.url.endswith("/do/letter_issue/")) as answer:
        issue.get_by_role("button", name="Save").click()
    assert answer.value.status == 400
    refused = page.locator("details#letter_issue .errors")
    expect(refused).to_contain_text("The letter cannot be issued yet. Missing:")
    for label in LETTER_ELEMENTS:
        expect(refused).to_contain_text(label)
    screenshot(page, "recovery-4-letter-blocked")
    assert not IssuedLetter.objects.filter(case=case).exists()

    today = local_date(at=utcnow(), tz_name=case.facility.time_zone).isoformat()
    page.goto(f"/cases/{case.pk}/")
    letter = _section(page, "letter")
    letter.get_by_label("Contact person").fill("Priya Raman, Patient Advocate, (312) 555-0142")
    letter.get_by_label("Steps taken to investigate").fill(
        "Spoke with the evening staff and the dietary team; watched two meal rounds."
    )
    letter.get_by_label("Results of the grievance process").fill(
        "Dinner trays now go out after the medicines round and are checked for temperature."
    )
    letter.get_by_label("Date of completion").fill(today)
    letter.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Decision letter: saved.")
    expect(page.locator("#letters")).to_contain_text("the letter can be issued")
    _do(page, "letter_issue", "Issue the letter", {"delivery": "email"})
    expect(page.locator("h2:text-is('Decision letter') + dl.facts")).to_contain_text("by email")

    link = page.locator("ul.issued-letters a")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert href is not None
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    issued = IssuedLetter.objects.get(case=case)
    assert bytes(issued.pdf) == pdf
    assert issued.delivery == ContactPreference.EMAIL
    return pdf


def _no_link_from_the_email(server: SmtpServer, base_url: str, pdf: bytes) -> str:
    """The client's mail: the decision letter with its PDF, and the check-back question."""
    to_client = _received(server, CLIENT_EMAIL)
    letters = [m for m in to_client if m.get_content_type() == "multipart/mixed"]
    assert len(letters) == 1
    attached = [(a.get_content_type(), a.get_content()) for a in letters[0].iter_attachments()]
    assert attached == [("application/pdf", pdf)]
    questions = [m for m in to_client if "Was this put right?" in _plain_text(m)]
    assert len(questions) == 1
    body = _plain_text(questions[0])
    found = re.search(r"^No: (\S+)", body, re.MULTILINE)
    assert found is not None, body
    assert found.group(1).startswith(f"{base_url}/c/")
    return found.group(1)


def _client_says_no(page: Page, url: str, case: Case, screenshot: Screenshot) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Was this put right?")).to_be_visible()
    expect(page.get_by_text(f"Your case {case.reference}")).to_be_visible()
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    page.get_by_label("Anything you want to add? (optional)").fill(CLIENT_COMMENT)
    screenshot(page, "recovery-6-client-answers-no")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "We have reopened your case and told the person handling it."
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_recovery_from_the_bedside_to_the_clients_check_back(
    demo: DemoResult,
    new_context: ContextFactory,
    sign_in: SignIn,
    screenshot: Screenshot,
    smtp: SmtpServer,
    live_server: Any,
) -> None:
    items = _recovery_configured(demo)
    case = _web_complaint(demo)
    assert case.kind == Kind.GRIEVANCE  # a written complaint is a grievance (H8)

    # 1-2. The aide gives a meal voucher at once and asks for flowers, which wait.
    aide = new_context().new_page()
    sign_in(aide, "aide")
    request = _aide_gives_and_asks(aide, case, items, screenshot)

    # 3. The unit manager approves the flowers from the queue.
    manager = new_context().new_page()
    sign_in(manager, "manager")
    _manager_approves(manager, case, request, screenshot)

    # 4. The advocate is stopped from issuing an incomplete letter, completes it, issues it.
    advocate = new_context(accept_downloads=True).new_page()
    sign_in(advocate, "advocate")
    pdf = _advocate_issues_the_letter(advocate, case, screenshot)

    # 5. The advocate resolves the case: a check-back by email is scheduled.
    _do(advocate, "move", "Status", {"status": "resolved"})
    expect(_status(advocate)).to_have_text("Resolved")
    expect(advocate.locator("ol.timeline")).to_contain_text("Check-back by email scheduled for")
    screenshot(advocate, "recovery-5-resolved")
    check_back = CheckBack.objects.get(case=case)
    assert check_back.status == CheckBackStatus.SCHEDULED

    # Days pass: the sweep asks the question, and the mail goes out through the SMTP server.
    later = check_back.due_at + timedelta(minutes=5)
    assert followups_sweep(now=later) == 1
    messages_deliver_due(now=later)
    no_url = _no_link_from_the_email(smtp, live_server.url, pdf)

    # The client follows "No" from the email a little later (the live server's clock too), in a
    # fresh browser where nobody is signed in.
    with time_machine.travel(later + timedelta(minutes=20), tick=True):
        _client_says_no(new_context().new_page(), no_url, case, screenshot)
        case.refresh_from_db()
        assert (case.status, case.reopened_count, case.resolved_at) == (
            Status.INVESTIGATING,
            1,
            None,
        )
        assert case.events.filter(kind="reopened", actor__isnull=True).exists()
        answer = FollowUpAnswer.objects.get(case=case)
        assert (answer.answer, answer.comment) == (Answer.NO, CLIENT_COMMENT)
        check_back.refresh_from_db()
        assert check_back.status == CheckBackStatus.ANSWERED

        # Its owner is told by email, and finds the case reopened when they sign in.
        told = OutboundMessage.objects.get(case=case, template="followup_reopened")
        assert told.to_address == OWNER_EMAIL
        messages_deliver_due(now=utcnow())
        told.refresh_from_db()
        assert told.status == MessageStatus.SENT
        to_owner = _received(smtp, OWNER_EMAIL)
        assert [str(m["Subject"]) for m in to_owner] == [
            f"{case.reference} reopened: the client says it was not put right"
        ]
        owner = new_context().new_page()
        sign_in(owner, "advocate")
        owner.goto(f"/cases/{case.pk}/")
        expect(_status(owner)).to_have_text("Investigating")
        expect(owner.locator("ol.timeline")).to_contain_text(
            "Status resolved → investigating: the client says it was not put right"
        )
        screenshot(owner, "recovery-7-reopened")
