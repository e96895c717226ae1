"""The case queue: filters by kind and by text, and pages by "Older cases" without repeats."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from careloop.cases.models import Case, Channel, Kind, ReporterType
from careloop.cases.services import NewCase, case_open
from careloop.core.demo import DemoResult
from careloop.core.time import utcnow
from careloop.orgs.models import Facility, User
from tests.browser.conftest import SignIn

PAGE_SIZE = 50  # careloop.cases.selectors.case_queue_for
COMPLAINTS, GRIEVANCES = 56, 8
SEARCH_WORD = "bedpan"


def _open_cases(demo: DemoResult) -> set[str]:
    """Open 64 cases at Riverside General, newest first an hour apart; every eighth mentions
    the search word. Returns the references that mention it."""
    facility = Facility.objects.get(
        organization=demo.organization, name="Riverside General Hospital"
    )
    units = list(facility.units.order_by("name"))
    advocate = User.objects.get(username="advocate")
    now = utcnow()
    mentioning = set()
    for i in range(COMPLAINTS + GRIEVANCES):
        word = SEARCH_WORD if i % 8 == 3 else "call bell"
        case = case_open(
            actor=advocate,
            data=NewCase(
                facility=facility,
                unit=units[i % len(units)],
                kind=Kind.GRIEVANCE if i % 8 == 0 else Kind.COMPLAINT,
                reporter_type=ReporterType.PATIENT,
                channel=Channel.PHONE,
                resolved_at_time=True,  # stays a complaint under the hospital pack
                narrative=f"Concern {i}: nobody answered about the {word} for an hour.",
                received_at=now - timedelta(hours=i + 1),
            ),
            now=now,
        )
        if word == SEARCH_WORD:
            mentioning.add(case.reference)
    return mentioning


def _references(page: Page) -> list[str]:
    return page.locator("tbody tr td:first-child a").all_inner_texts()


def _kinds(page: Page) -> list[str]:
    return page.locator("tbody tr td:nth-child(2)").all_inner_texts()


def _all_pages(page: Page) -> list[list[str]]:
    """The references on this page and on every page after it, following "Older cases"."""
    pages = [_references(page)]
    older = page.get_by_role("link", name=re.compile("Older cases"))
    while older.count():
        older.click()
        expect(page).to_have_url(re.compile(r"after="))
        pages.append(_references(page))
        assert len(pages) < 10, "the queue never ends"
    return pages


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_queue_filters_and_pages(demo: DemoResult, page: Page, sign_in: SignIn) -> None:
    mentioning = _open_cases(demo)
    in_scope = Case.objects.filter(facility__name="Riverside General Hospital")
    everything = set(in_scope.values_list("reference", flat=True))
    complaints = set(in_scope.filter(kind=Kind.COMPLAINT).values_list("reference", flat=True))
    grievances = set(in_scope.filter(kind=Kind.GRIEVANCE).values_list("reference", flat=True))
    assert len(everything) > PAGE_SIZE
    assert len(complaints) > PAGE_SIZE
    assert 0 < len(grievances) <= PAGE_SIZE

    sign_in(page, "advocate")
    page.goto("/cases/?scope=all")
    expect(page.get_by_role("heading", name="All cases")).to_be_visible()

    # Unfiltered: two pages, newest first, nothing repeated, nothing out of scope, none lost.
    pages = _all_pages(page)
    assert len(pages) == 2
    assert len(pages[0]) == PAGE_SIZE
    seen = [ref for p in pages for ref in p]
    assert len(seen) == len(set(seen)), "a reference appears on two pages"
    assert seen == list(
        in_scope.order_by("-received_at", "-pk").values_list("reference", flat=True)
    )

    # By kind: only grievances, all on one page.
    page.goto("/cases/?scope=all")
    page.get_by_text("Filter and search").click()  # the filters fold away until wanted
    page.get_by_label("Kind", exact=True).select_option(Kind.GRIEVANCE)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"kind=grievance"))
    assert set(_kinds(page)) == {"Grievance"}
    assert set(_references(page)) == grievances
    expect(page.get_by_role("link", name=re.compile("Older cases"))).to_have_count(0)

    # By kind across pages: the filter holds on the older page too.
    page.get_by_label("Kind", exact=True).select_option(Kind.COMPLAINT)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"kind=complaint"))
    pages = _all_pages(page)
    assert len(pages) == 2
    expect(page.get_by_label("Kind", exact=True)).to_have_value(Kind.COMPLAINT)
    assert set(_kinds(page)) == {"Complaint"}
    seen = [ref for p in pages for ref in p]
    assert len(seen) == len(set(seen)), "a reference appears on two pages"
    assert set(seen) == complaints

    # By text: the cases mentioning the word, whatever their kind.
    page.goto("/cases/?scope=all")
    page.get_by_text("Filter and search").click()
    page.get_by_label("Search").fill(SEARCH_WORD)
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(rf"q={SEARCH_WORD}"))
    assert set(_references(page)) == mentioning
    for excerpt in page.locator("tbody td.excerpt").all_inner_texts():
        assert SEARCH_WORD in excerpt
    expect(page.locator("caption")).to_have_text(f"{len(mentioning)} cases shown")

    # Nothing matches: the empty message.
    page.get_by_label("Search").fill("zzzz-no-such-words")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody")).to_have_text("No cases match.")
