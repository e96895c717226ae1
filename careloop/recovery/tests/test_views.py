"""Recovery pages for every persona: the panel on the case page, giving, deciding, voiding, the
approvals queue and the administration screens. Out of scope looks missing (404), in scope but
not allowed is 403, anonymous goes to the login page, and the wrong method is 405."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careloop.cases.models import Case
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.recovery.configuration import budget_save, organization_settings_save
from careloop.recovery.forms import form_token
from careloop.recovery.models import (
    AuthorityLimit,
    CaseClient,
    EntryKind,
    ItemType,
    LedgerEntry,
    RecoveryClient,
    StockItem,
)
from careloop.recovery.rules import TIMES
from careloop.recovery.tests.conftest import NOW, D, give, stocked

PERSONAS = [
    "frontline_a",
    "manager_a",
    "advocate_x",
    "advocate_y",
    "executive",
    "admin",
    "outsider",
]
SEES_A = {"frontline_a", "manager_a", "advocate_x", "executive", "admin"}
GIVES_A = {"frontline_a", "manager_a", "advocate_x", "admin"}


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def case_url(case: Case) -> str:
    return reverse("web:case", args=[case.pk])


def give_data(item: ItemType, **overrides: Any) -> dict[str, Any]:
    return {
        "item_type": item.pk,
        "quantity": 1,
        "reason_code": "meals",
        "form_token": form_token(),
    } | overrides


# --- the panel -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(SEES_A))
def test_the_panel_shows_the_script_the_client_and_offers_giving_to_those_who_may(
    client: Client,
    personas: dict[str, User],
    case_a: Case,
    client_a: RecoveryClient,
    items: dict[str, ItemType],
    persona: str,
) -> None:
    page = logged_in(client, personas[persona]).get(case_url(case_a))

    assert page.status_code == 200
    assert 'id="recovery"' in page.text
    assert "HEART: how to put it right" in page.text
    assert "Empathize" in page.text
    assert "Alex Morgan · MRN-1001" in page.text
    assert (reverse("recovery:give", args=[case_a.pk]) in page.text) is (persona in GIVES_A)
    assert ("What you may give without approval" in page.text) is (persona in GIVES_A)


def test_the_panel_says_what_a_frontline_aide_may_give_now(
    client: Client,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    items: dict[str, ItemType],
) -> None:
    give(frontline_a, case_a, items["meal"])

    page = logged_in(client, frontline_a).get(case_url(case_a))

    assert "up to USD 10.00" in page.text  # meals: 20 a case, 10 given
    assert "needs approval" in page.text  # flowers: no limit


def test_the_panel_shows_r11_remaining_for_a_beneficiary(
    client: Client,
    case_a: Case,
    beneficiary_a: RecoveryClient,
    admin: User,
    items: dict[str, ItemType],
) -> None:
    give(admin, case_a, items["meal"], quantity=2)

    page = logged_in(client, admin).get(case_url(case_a))

    assert "Medicare/Medicaid beneficiary" in page.text
    assert "USD 20.00 given this calendar year" in page.text
    assert "USD 55.00 left" in page.text
    assert "up to USD 55.00" in page.text  # meals: the R11 year is the tighter limit
    assert "needs compliance approval (R11)" in page.text  # flowers: USD 40 an item


def test_the_panel_shows_the_last_script_when_the_organization_chose_it(
    client: Client, case_a: Case, admin: User, org: Organization
) -> None:
    organization_settings_save(
        actor=admin,
        organization=org,
        script="last",
        block_budget_at_100=False,
        amount_ceiling=D("1000"),
        now=NOW,
    )

    page = logged_in(client, admin).get(case_url(case_a))

    assert "LAST: how to put it right" in page.text
    assert "Solve" in page.text


def test_before_a_client_is_chosen_givers_may_search_or_create(
    client: Client, case_a: Case, frontline_a: User, executive: User
) -> None:
    page = logged_in(client, frontline_a).get(case_url(case_a))
    assert reverse("recovery:client_create", args=[case_a.pk]) in page.text
    assert 'value="Alex Morgan"' in page.text  # from the reporter's details

    page = logged_in(client, executive).get(case_url(case_a))
    assert reverse("recovery:client_create", args=[case_a.pk]) not in page.text
    assert "No client chosen yet" in page.text


def test_a_search_on_the_case_page_offers_matching_clients(
    client: Client, open_case: Any, client_a: RecoveryClient, frontline_a: User
) -> None:
    other = open_case()

    page = logged_in(client, frontline_a).get(case_url(other), {"client_q": "MRN-1001"})

    assert reverse("recovery:client_link", args=[other.pk]) in page.text
    assert f'name="client" value="{client_a.pk}"' in page.text


def test_creating_and_linking_a_client_through_the_page(
    client: Client, open_case: Any, case_a: Case, client_a: RecoveryClient, frontline_a: User
) -> None:
    c = logged_in(client, frontline_a)
    response = c.post(
        reverse("recovery:client_create", args=[case_a.pk]),
        {"display_name": "Alex", "identifier": ""},
        follow=True,
    )
    assert "already has its client" in response.text

    other = open_case()
    c.post(reverse("recovery:client_link", args=[other.pk]), {"client": client_a.pk})
    assert CaseClient.objects.get(case=other).client == client_a


def test_a_client_of_another_organization_is_not_found(
    client: Client, open_case: Any, frontline_a: User, outsider: User, other_unit: Unit
) -> None:
    from careloop.recovery.clients import recovery_client_create

    theirs = recovery_client_create(
        actor=outsider,
        case=open_case(unit=other_unit),
        display_name="T",
        identifier="",
        beneficiary=False,
        now=NOW,
    ).client
    case = open_case()

    response = logged_in(client, frontline_a).post(
        reverse("recovery:client_link", args=[case.pk]), {"client": theirs.pk}
    )

    assert response.status_code == 404


# --- giving ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_giving_follows_scope_and_role(
    client: Client,
    personas: dict[str, User],
    case_a: Case,
    client_a: RecoveryClient,
    items: dict[str, ItemType],
    persona: str,
) -> None:
    response = logged_in(client, personas[persona]).post(
        reverse("recovery:give", args=[case_a.pk]), give_data(items["meal"])
    )

    expected = 302 if persona in GIVES_A else 403 if persona in SEES_A else 404
    assert response.status_code == expected
    assert LedgerEntry.objects.filter(kind=EntryKind.ISSUE).count() == (persona in GIVES_A)


def test_giving_needs_a_post_and_a_sign_in(client: Client, case_a: Case, admin: User) -> None:
    url = reverse("recovery:give", args=[case_a.pk])

    assert client.post(url, {}).status_code == 302  # to the login page
    assert logged_in(client, admin).get(url).status_code == 405


def test_a_request_above_authority_says_who_it_waits_for(
    client: Client,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    items: dict[str, ItemType],
) -> None:
    response = logged_in(client, frontline_a).post(
        reverse("recovery:give", args=[case_a.pk]),
        give_data(items["meal"], quantity=5),
        follow=True,
    )

    assert (
        f"Requested: 5 {TIMES} Meal voucher (USD 50.00). Waiting for a unit manager or above."
        in response.text
    )
    assert "Withdraw" in response.text


# --- deciding ----------------------------------------------------------------------------------


@pytest.fixture
def pending(
    case_a: Case, client_a: RecoveryClient, frontline_a: User, items: dict[str, ItemType]
) -> LedgerEntry:
    return give(frontline_a, case_a, items["meal"], quantity=5).request


def test_the_manager_sees_the_pending_request_and_approves_in_one_click(
    client: Client, case_a: Case, pending: LedgerEntry, manager_a: User
) -> None:
    c = logged_in(client, manager_a)
    page = c.get(case_url(case_a))
    assert reverse("recovery:approve", args=[pending.pk]) in page.text
    assert "Waiting for a unit manager or above" in page.text

    response = c.post(reverse("recovery:approve", args=[pending.pk]), {"next": "case"}, follow=True)

    assert f"Given: 5 {TIMES} Meal voucher (USD 50.00)." in response.text
    assert LedgerEntry.objects.get(request=pending, kind=EntryKind.ISSUE).approved_by == manager_a


@pytest.mark.parametrize(
    ("persona", "status"), [("frontline_a", 403), ("advocate_y", 404), ("outsider", 404)]
)
def test_approval_by_the_wrong_person_is_refused_and_changes_nothing(
    client: Client, personas: dict[str, User], pending: LedgerEntry, persona: str, status: int
) -> None:
    response = logged_in(client, personas[persona]).post(
        reverse("recovery:approve", args=[pending.pk]), {"reason": "ok"}
    )

    assert response.status_code == status
    assert LedgerEntry.objects.filter(request=pending).count() == 0


def test_declining_needs_a_reason(
    client: Client, case_a: Case, pending: LedgerEntry, manager_a: User
) -> None:
    c = logged_in(client, manager_a)

    response = c.post(reverse("recovery:decline", args=[pending.pk]), {"reason": ""}, follow=True)
    assert "Reason is required" in response.text
    c.post(reverse("recovery:decline", args=[pending.pk]), {"reason": "Gave a meal tray instead"})

    assert LedgerEntry.objects.get(request=pending, kind=EntryKind.DECLINE).reason == (
        "Gave a meal tray instead"
    )


def test_voiding_through_the_page(
    client: Client,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    manager_a: User,
    executive: User,
    items: dict[str, ItemType],
) -> None:
    issue = give(frontline_a, case_a, items["meal"]).issue
    assert issue is not None
    url = reverse("recovery:void", args=[issue.pk])

    assert logged_in(client, executive).post(url, {"reason": "x"}).status_code == 403
    page = logged_in(client, manager_a).get(case_url(case_a))
    assert url in page.text
    client.post(url, {"reason": "Wrong patient"})

    assert LedgerEntry.objects.filter(target=issue, kind=EntryKind.VOID).exists()


def test_redeeming_through_the_page(
    client: Client,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    admin: User,
    facility_x: Facility,
    items: dict[str, ItemType],
) -> None:
    stocked(facility_x, items["coffee"], admin, "P-1")
    issue = give(frontline_a, case_a, items["coffee"], serial="P-1").issue
    assert issue is not None

    logged_in(client, admin).post(reverse("recovery:redeem", args=[issue.pk]))

    assert StockItem.objects.get(serial="P-1").status == "redeemed"


# --- the approvals queue -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queue_lists_requests_in_scope_and_offers_decisions_to_those_who_may(
    client: Client, personas: dict[str, User], pending: LedgerEntry, persona: str
) -> None:
    page = logged_in(client, personas[persona]).get(reverse("recovery:approvals"))

    assert page.status_code == 200
    assert (pending.case.reference in page.text) is (persona in SEES_A)  # type: ignore[union-attr]
    may = persona in {"manager_a", "executive", "admin", "advocate_x"}  # advocate_x: 50 a case
    assert (reverse("recovery:approve", args=[pending.pk]) in page.text) is may


def test_the_queue_costs_the_same_queries_for_one_request_or_many(
    client: Client,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    manager_a: User,
    items: dict[str, ItemType],
) -> None:
    give(frontline_a, case_a, items["meal"], quantity=5)
    c = logged_in(client, manager_a)
    c.get(reverse("recovery:approvals"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        c.get(reverse("recovery:approvals"))
    give(frontline_a, case_a, items["flowers"])
    give(frontline_a, case_a, items["meal"], quantity=4)
    with CaptureQueriesContext(connection) as three:
        page = c.get(reverse("recovery:approvals"))

    assert page.text.count("Approve</button>") == 3
    assert len(three) == len(one)


def test_approving_from_the_queue_returns_to_the_queue(
    client: Client, pending: LedgerEntry, manager_a: User
) -> None:
    response = logged_in(client, manager_a).post(
        reverse("recovery:approve", args=[pending.pk]), {"next": "queue", "reason": ""}
    )

    assert response["Location"] == reverse("recovery:approvals")


# --- administration ----------------------------------------------------------------------------

ORG_SCREENS = [
    "recovery:manage",
    "recovery:item_types",
    "recovery:item_type_new",
    "recovery:authority",
    "recovery:budgets",
    "recovery:budget_new",
    "recovery:settings",
]
FACILITY_SCREENS = ["recovery:facility_settings", "recovery:stock", "recovery:reconcile"]


@pytest.mark.parametrize("screen", ORG_SCREENS + FACILITY_SCREENS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_administration_screens_are_for_administrators(
    client: Client,
    personas: dict[str, User],
    facility_x: Facility,
    items: dict[str, ItemType],
    persona: str,
    screen: str,
) -> None:
    url = reverse(screen, args=[facility_x.pk]) if screen in FACILITY_SCREENS else reverse(screen)

    response = logged_in(client, personas[persona]).get(url)

    if persona == "admin":
        assert response.status_code == 200
    elif persona == "outsider":  # an administrator, of another organization
        assert response.status_code == (404 if screen in FACILITY_SCREENS else 200)
    else:
        assert response.status_code == 403


def test_another_organizations_item_type_and_budget_are_not_found(
    client: Client, outsider: User, admin: User, unit_a: Unit, items: dict[str, ItemType]
) -> None:
    budget = budget_save(
        actor=admin,
        unit=unit_a,
        start_on=date(2026, 3, 1),
        end_on=date(2026, 3, 31),
        amount=D("100"),
        currency="USD",
        now=NOW,
    )
    c = logged_in(client, outsider)

    assert c.get(reverse("recovery:item_type_edit", args=[items["meal"].pk])).status_code == 404
    assert c.get(reverse("recovery:budget_edit", args=[budget.pk])).status_code == 404


def test_an_administrator_adds_an_item_type(client: Client, admin: User) -> None:
    response = logged_in(client, admin).post(
        reverse("recovery:item_type_new"),
        {
            "kind": "parking",
            "name": "Parking pass",
            "retail_value": "6.50",
            "currency": "usd",
            "active": "on",
        },
    )

    assert response.status_code == 302
    item = ItemType.objects.get(name="Parking pass")
    assert (item.retail_value, item.currency, item.active) == (D("6.50"), "USD", True)


def test_an_administrator_sets_the_authority_matrix(
    client: Client, admin: User, items: dict[str, ItemType]
) -> None:
    meal = items["meal"]
    c = logged_in(client, admin)
    page = c.get(reverse("recovery:authority"))
    data = {
        name: ("" if value is None else value)
        for name, value in page.context["form"].initial.items()
    }
    data |= {
        f"{meal.pk}-frontline-per_case": "25",
        f"{meal.pk}-frontline-per_client": "75",
        f"{meal.pk}-frontline-period": "rolling_365",
    }

    response = c.post(reverse("recovery:authority"), data)

    assert response.status_code == 302
    cell = AuthorityLimit.objects.get(item_type=meal, role="frontline")
    assert (cell.per_case, cell.per_client, cell.period) == (D("25.00"), D("75.00"), "rolling_365")
    assert not AuthorityLimit.objects.filter(item_type=items["flowers"], role="frontline").exists()


def test_the_budget_page_shows_spend_and_the_80_percent_warning(
    client: Client,
    case_a: Case,
    client_a: RecoveryClient,
    admin: User,
    unit_a: Unit,
    items: dict[str, ItemType],
) -> None:
    budget_save(
        actor=admin,
        unit=unit_a,
        start_on=date(2026, 3, 1),
        end_on=date(2026, 3, 31),
        amount=D("100"),
        currency="USD",
        now=NOW,
    )
    give(admin, case_a, items["meal"], quantity=8)

    page = logged_in(client, admin).get(reverse("recovery:budgets"))

    assert "USD 80.00" in page.text
    assert "80.0%" in page.text
    assert "80% warning" in page.text


def test_receiving_stock_and_reconciling_through_the_pages(
    client: Client, admin: User, facility_x: Facility, items: dict[str, ItemType]
) -> None:
    c = logged_in(client, admin)
    response = c.post(
        reverse("recovery:stock", args=[facility_x.pk]),
        {"item_type": items["coffee"].pk, "serials": "K-1\nK-2\nK-3\n"},
    )
    assert response.status_code == 302
    assert StockItem.objects.filter(facility=facility_x).count() == 3

    again = c.post(
        reverse("recovery:stock", args=[facility_x.pk]),
        {"item_type": items["coffee"].pk, "serials": "K-3\nK-4"},
    )
    assert again.status_code == 400
    assert "Already received: K-3" in again.text

    report = c.post(
        reverse("recovery:reconcile", args=[facility_x.pk]),
        {"item_type": items["coffee"].pk, "counted": "K-1\nK-2"},
    )
    assert report.status_code == 200
    assert "missing: on hand by the ledger, not counted" in report.text
    assert "K-3" in report.text


def test_writing_off_a_serial_through_the_page(
    client: Client, admin: User, facility_x: Facility, items: dict[str, ItemType]
) -> None:
    serial = stocked(facility_x, items["coffee"], admin, "W-1")["W-1"]

    logged_in(client, admin).post(
        reverse("recovery:stock_void", args=[facility_x.pk, serial.pk]), {"reason": "Cracked"}
    )

    assert StockItem.objects.get(pk=serial.pk).status == "voided"


def test_facility_settings_turn_the_r11_guard_off(
    client: Client, admin: User, facility_x: Facility
) -> None:
    from careloop.recovery.selectors import facility_settings

    logged_in(client, admin).post(
        reverse("recovery:facility_settings", args=[facility_x.pk]), {"r11_period": "rolling_365"}
    )

    setting = facility_settings(facility_x)
    assert (setting.r11_guard, setting.r11_period) == (False, "rolling_365")


@pytest.mark.parametrize(
    "name",
    [
        "give",
        "client_link",
        "client_create",
        "client_beneficiary",
        "approve",
        "decline",
        "void",
        "redeem",
    ],
)
def test_state_changes_are_post_only_and_need_a_sign_in(
    client: Client, admin: User, case_a: Case, name: str
) -> None:
    args = (
        [case_a.pk]
        if name in {"give", "client_link", "client_create", "client_beneficiary"}
        else [1]
    )
    url = reverse(f"recovery:{name}", args=args)

    assert client.post(url).status_code == 302  # to the login page
    assert logged_in(client, admin).get(url).status_code == 405


@pytest.mark.parametrize("name", ["approve", "decline", "void", "redeem"])
def test_an_entry_that_does_not_exist_is_404(client: Client, admin: User, name: str) -> None:
    response = logged_in(client, admin).post(
        reverse(f"recovery:{name}", args=[999_999]), {"reason": "x"}
    )

    assert response.status_code == 404
