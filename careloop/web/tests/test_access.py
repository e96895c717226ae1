"""Who reaches what: every view for every persona. Out of scope looks missing (404), in scope
but not allowed is 403, anonymous goes to the login page, and the wrong method is 405."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.cases.models import Case, CaseEvent
from careloop.orgs.models import Facility, User
from careloop.web.case_actions import ACTIONS
from careloop.web.tests.conftest import action_data

PERSONAS = [
    "frontline_a",
    "manager_a",
    "advocate_x",
    "advocate_y",
    "executive",
    "admin",
    "outsider",
]
ALL_ACTIONS = frozenset(ACTIONS)
# Actions each persona may take on a unit A case; advocate_y and the outsider cannot see it.
ALLOWED_ON_CASE_A: dict[str, frozenset[str]] = {
    "frontline_a": frozenset({"note"}),
    "manager_a": ALL_ACTIONS - {"retention"},
    "advocate_x": ALL_ACTIONS,
    "admin": ALL_ACTIONS,
    "executive": frozenset(),
}
SEES: dict[str, set[str]] = {
    "frontline_a": {"case_a"},
    "manager_a": {"case_a"},
    "advocate_x": {"case_a", "case_b"},
    "advocate_y": {"case_y"},
    "executive": {"case_a", "case_b", "case_y"},
    "admin": {"case_a", "case_b", "case_y"},
    "outsider": set(),
}


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def cases(case_a: Case, case_b: Case, case_y: Case) -> dict[str, Case]:
    return {"case_a": case_a, "case_b": case_b, "case_y": case_y}


# --- the case page and the queue -----------------------------------------------------------


@pytest.mark.parametrize("where", ["case_a", "case_b", "case_y"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_page_is_shown_only_within_scope(
    client: Client, personas: dict[str, User], cases: dict[str, Case], persona: str, where: str
) -> None:
    response = logged_in(client, personas[persona]).get(reverse("web:case", args=[cases[where].pk]))

    assert response.status_code == (200 if where in SEES[persona] else 404)


def test_a_case_that_does_not_exist_is_404(client: Client, admin: User) -> None:
    assert logged_in(client, admin).get(reverse("web:case", args=[999_999])).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queue_lists_only_cases_in_scope(
    client: Client, personas: dict[str, User], cases: dict[str, Case], persona: str
) -> None:
    response = logged_in(client, personas[persona]).get(reverse("web:queue"), {"scope": "all"})

    assert response.status_code == 200
    listed = {name for name, case in cases.items() if case.reference in response.text}
    assert listed == SEES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_sends_case_owners_to_their_cases_and_others_to_the_open_ones(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    response = logged_in(client, personas[persona]).get(reverse("web:home"))

    scope = "open" if persona in {"frontline_a", "executive"} else "mine"
    assert (response.status_code, response["Location"]) == (302, f"/cases/?scope={scope}")


# --- case actions --------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(ALL_ACTIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_case_action_is_allowed_forbidden_or_hidden_by_role_and_scope(
    client: Client,
    personas: dict[str, User],
    case_a: Case,
    persona: str,
    action: str,
) -> None:
    data = action_data(action, case_a, helper=personas["advocate_x"])
    events_before = CaseEvent.objects.filter(case=case_a).count()

    response = logged_in(client, personas[persona]).post(
        reverse("web:case_action", args=[case_a.pk, action]), data
    )

    if persona not in ALLOWED_ON_CASE_A:
        assert response.status_code == 404
    elif action in ALLOWED_ON_CASE_A[persona]:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == f"/cases/{case_a.pk}/#{action}"
    else:
        assert response.status_code == 403
    if response.status_code != 302:
        assert CaseEvent.objects.filter(case=case_a).count() == events_before


@pytest.mark.parametrize(
    ("persona", "where"),
    [
        ("frontline_a", "case_b"),
        ("manager_a", "case_b"),
        ("manager_a", "case_y"),
        ("advocate_x", "case_y"),
        ("advocate_y", "case_a"),
        ("outsider", "case_y"),
    ],
)
@pytest.mark.parametrize("action", ["note", "move", "acknowledge"])
def test_an_action_on_a_case_out_of_scope_is_404(
    client: Client,
    personas: dict[str, User],
    cases: dict[str, Case],
    persona: str,
    where: str,
    action: str,
) -> None:
    case = cases[where]
    data = action_data(action, case, helper=personas["advocate_x"])

    response = logged_in(client, personas[persona]).post(
        reverse("web:case_action", args=[case.pk, action]), data
    )

    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=case, actor=personas[persona]).exists()


def test_an_unknown_action_is_404(client: Client, admin: User, case_a: Case) -> None:
    url = reverse("web:case_action", args=[case_a.pk, "delete"])

    assert logged_in(client, admin).post(url).status_code == 404


# --- quick entry, administration and the audit log -----------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_quick_entry_is_for_everyone_who_may_open_cases(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    response = logged_in(client, personas[persona]).get(reverse("web:quick_entry"))

    assert response.status_code == (403 if persona == "executive" else 200)


def manage_urls(facility: Facility) -> list[str]:
    slugs = ["facilities", "units", "people", "users", "roles", "closure-days"]
    return [
        reverse("web:manage"),
        *(reverse("web:manage_list", args=[s]) for s in slugs),
        *(reverse("web:manage_new", args=[s]) for s in slugs),
        reverse("web:manage_edit", args=["facilities", facility.pk]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_administration_is_for_administrators_of_the_organization(
    client: Client, personas: dict[str, User], facility_x: Facility, persona: str
) -> None:
    browser = logged_in(client, personas[persona])
    expected = {"admin": 200, "outsider": 200}.get(persona, 403)

    *screens, riverside_facility = [browser.get(u).status_code for u in manage_urls(facility_x)]

    assert set(screens) == {expected}
    assert riverside_facility == {"outsider": 404}.get(persona, expected)


def test_an_unknown_administration_screen_is_404(client: Client, admin: User) -> None:
    browser = logged_in(client, admin)

    assert browser.get(reverse("web:manage_list", args=["secrets"])).status_code == 404
    assert browser.get(reverse("web:manage_new", args=["secrets"])).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_audit_log_and_its_review_are_for_administrators(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    browser = logged_in(client, personas[persona])
    expected_ok = persona in {"admin", "outsider"}

    log = browser.get(reverse("web:audit"))
    review = browser.post(reverse("web:audit_review"), {"up_to_seq": "1"})

    assert log.status_code == (200 if expected_ok else 403)
    assert review.status_code == (302 if expected_ok else 403)


# --- anonymous visitors and wrong methods ---------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(
    client: Client, case_a: Case, facility_x: Facility
) -> None:
    pages = [
        reverse("web:home"),
        reverse("web:queue"),
        reverse("web:queue_export"),
        reverse("web:quick_entry"),
        reverse("web:case", args=[case_a.pk]),
        *manage_urls(facility_x),
        reverse("web:audit"),
    ]
    posts = [reverse("web:case_action", args=[case_a.pk, "note"]), reverse("web:audit_review")]

    for url in pages:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")
    for url in posts:
        response = client.post(url, {"note-body": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_post_only_endpoints_refuse_other_methods(
    client: Client, admin: User, case_a: Case, method: str
) -> None:
    browser = logged_in(client, admin)
    urls = [
        reverse("web:case_action", args=[case_a.pk, "note"]),
        reverse("web:audit_review"),
        reverse("logout"),
    ]

    assert [getattr(browser, method)(url).status_code for url in urls] == [405, 405, 405]


def test_read_only_pages_refuse_posts(client: Client, admin: User, case_a: Case) -> None:
    browser = logged_in(client, admin)
    urls = [
        reverse("web:home"),
        reverse("web:queue"),
        reverse("web:queue_export"),
        reverse("web:case", args=[case_a.pk]),
        reverse("web:manage"),
        reverse("web:manage_list", args=["units"]),
        reverse("web:audit"),
    ]

    assert {browser.post(url).status_code for url in urls} == {405}
    assert browser.put(reverse("web:quick_entry")).status_code == 405
    assert browser.delete(reverse("web:manage_new", args=["units"])).status_code == 405


def test_administrators_edit_only_their_own_organization_and_create_none(
    client: Client, admin: User, outsider: User
) -> None:
    own = reverse("web:manage_edit", args=["organization", admin.organization_id])
    other = reverse("web:manage_edit", args=["organization", outsider.organization_id])
    browser = logged_in(client, admin)

    assert browser.get(own).status_code == 200
    assert browser.get(other).status_code == 404
    assert browser.get(reverse("web:manage_new", args=["organization"])).status_code == 404


def test_the_export_holds_only_cases_in_scope(
    client: Client, outsider: User, frontline_a: User, case_a: Case, case_b: Case
) -> None:
    def references(user: User) -> set[str]:
        body = logged_in(client, user).get(reverse("web:queue_export")).content.decode()
        return {line.split(",")[0] for line in body.strip().splitlines()[1:]}

    assert references(outsider) == set()
    assert references(frontline_a) == {case_a.reference}  # not unit B's case
