"""Cases outside a user's scope look exactly like cases that do not exist."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from careloop.cases.models import Case, Channel, Kind, ReporterType
from careloop.cases.services import NewCase, case_open
from careloop.core.demo import DemoResult
from careloop.core.time import utcnow
from careloop.orgs.models import Unit, User
from tests.browser.conftest import SignIn


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_out_of_scope_cases_read_as_not_found(
    demo: DemoResult, page: Page, sign_in: SignIn
) -> None:
    north_wing = Unit.objects.get(facility__name="Maple Grove Care Center", name="North Wing")
    maple_case = case_open(
        actor=User.objects.get(username="aide.northwing"),
        data=NewCase(
            facility=north_wing.facility,
            unit=north_wing,
            kind=Kind.COMPLAINT,
            reporter_type=ReporterType.RESIDENT,
            channel=Channel.IN_PERSON,
            narrative="My room was not cleaned for three days.",
        ),
        now=utcnow(),
    )
    missing_id = Case.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000

    sign_in(page, "aide")
    response = page.goto(f"/cases/{maple_case.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text(maple_case.narrative)).to_have_count(0)
    expect(page.get_by_text(maple_case.reference)).to_have_count(0)
    out_of_scope_body = page.locator("body").inner_text()

    # Exactly what a case that does not exist gives.
    nowhere = page.goto(f"/cases/{missing_id}/")
    assert nowhere is not None
    assert nowhere.status == 404
    assert page.locator("body").inner_text() == out_of_scope_body

    # The aide's queue does not list it.
    page.goto("/cases/?scope=all")
    expect(page.get_by_role("link", name=maple_case.reference)).to_have_count(0)

    # Acting on it (with a valid CSRF token from the queue page) is refused the same way.
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector("[name=csrfmiddlewaretoken]").value;
            const body = new URLSearchParams({"note-visibility": "internal",
                                              "note-body": "peek", csrfmiddlewaretoken: token});
            return (await fetch(url, {method: "POST", body})).status;
        }""",
        f"/cases/{maple_case.pk}/do/note/",
    )
    assert status == 404
    assert not maple_case.notes.exists()
