"""Bad input: negative, zero and absurd amounts, impossible quantities, item types that cannot
be given, and double-submitted forms are each refused with a clear message, and nothing changes
(no ledger entry, timeline event or audit event beyond the reads)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent
from careloop.orgs.models import Organization, User
from careloop.recovery.configuration import (
    ItemTypeValues,
    item_type_save,
    organization_settings_save,
)
from careloop.recovery.forms import form_token
from careloop.recovery.models import EntryKind, ItemKind, ItemType, LedgerEntry
from careloop.recovery.tests.conftest import NOW, D, give

pytestmark = pytest.mark.usefixtures("client_a")


def counts() -> dict[str, int]:
    return {
        "entries": LedgerEntry.objects.count(),
        "events": CaseEvent.objects.count(),
        "writes": AuditEvent.objects.exclude(action="R").count(),
    }


@pytest.fixture
def nothing_changes(client_a: Any, items: dict[str, ItemType]) -> Iterator[None]:
    before = counts()
    yield
    assert counts() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (D("-25.00"), "Value per item must be more than zero"),
        (D("0"), "Value per item must be more than zero"),
        (D("0.001"), "more than two decimals"),
        (D("1000000"), "above the ceiling of 1000.00"),
        (None, "Enter the value of the Bill adjustment"),
    ],
)
def test_a_bad_entered_value_is_refused(
    case_a: Case,
    admin: User,
    items: dict[str, ItemType],
    nothing_changes: None,
    value: Decimal | None,
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        give(admin, case_a, items["bill"], unit_value=value)


def test_the_ceiling_is_the_organizations_setting(
    case_a: Case, admin: User, org: Organization, items: dict[str, ItemType]
) -> None:
    organization_settings_save(
        actor=admin,
        organization=org,
        script="last",
        block_budget_at_100=False,
        amount_ceiling=D("50"),
        now=NOW,
    )

    with pytest.raises(ValidationError, match=r"above the ceiling of 50\.00"):
        give(admin, case_a, items["bill"], unit_value=D("50.01"))
    with pytest.raises(ValidationError, match=r"USD 60.00 is above the ceiling"):
        give(admin, case_a, items["meal"], quantity=6)
    assert give(admin, case_a, items["bill"], unit_value=D("50")).issue is not None


@pytest.mark.parametrize(
    ("quantity", "message"),
    [(0, "at least 1"), (-3, "at least 1"), (101, "above 100"), (True, "whole number")],
)
def test_an_impossible_quantity_is_refused(
    case_a: Case,
    frontline_a: User,
    items: dict[str, ItemType],
    nothing_changes: None,
    quantity: Any,
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        give(frontline_a, case_a, items["meal"], quantity=quantity)


def test_a_fixed_value_cannot_be_changed_by_the_giver(
    case_a: Case, frontline_a: User, items: dict[str, ItemType], nothing_changes: None
) -> None:
    with pytest.raises(ValidationError, match=r"fixed at USD 10\.00"):
        give(frontline_a, case_a, items["meal"], unit_value=D("1.00"))


def test_an_inactive_item_or_another_organizations_item_is_refused(
    case_a: Case,
    frontline_a: User,
    admin: User,
    outsider: User,
    org: Organization,
    other_org: Organization,
    items: dict[str, ItemType],
) -> None:
    retired = item_type_save(
        actor=admin,
        organization=org,
        values=ItemTypeValues(
            kind=ItemKind.PARKING, name="Parking", retail_value=D("5"), active=False
        ),
        now=NOW,
    )
    theirs = item_type_save(
        actor=outsider,
        organization=other_org,
        values=ItemTypeValues(kind=ItemKind.PARKING, name="Parking", retail_value=D("5")),
        now=NOW,
    )
    before = counts()

    with pytest.raises(ValidationError, match="no longer given"):
        give(frontline_a, case_a, retired)
    with pytest.raises(ValidationError, match="another organization"):
        give(frontline_a, case_a, theirs)
    assert counts() == before


def test_an_exception_reason_with_control_characters_is_refused(
    case_a: Case, manager_a: User, items: dict[str, ItemType], nothing_changes: None
) -> None:
    with pytest.raises(ValidationError, match="control character"):
        give(manager_a, case_a, items["flowers"], exception_reason="ok\x00")


def test_a_reason_code_must_be_known(
    case_a: Case, frontline_a: User, items: dict[str, ItemType], nothing_changes: None
) -> None:
    with pytest.raises(ValidationError, match="Choose a reason"):
        give(frontline_a, case_a, items["meal"], reason_code="bribe")


def test_the_same_form_key_is_accepted_once(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    give(frontline_a, case_a, items["meal"], idempotency_key="abc")

    with pytest.raises(ValidationError, match="already submitted"):
        give(frontline_a, case_a, items["meal"], idempotency_key="abc")

    assert LedgerEntry.objects.filter(kind=EntryKind.ISSUE).count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"retail_value": D("-1")}, "more than zero"),
        ({"retail_value": D("5000")}, "above the ceiling"),
        ({"currency": "usd1"}, "three-letter ISO code"),
        ({"name": " "}, "Name is required"),
        ({"kind": "cash"}, "Choose a kind"),
        ({"serialized": True, "value_editable": True}, "fixed value"),
        ({"name": "Meal voucher"}, "Another item type has that name"),
    ],
)
def test_bad_item_types_are_refused(
    admin: User, org: Organization, items: dict[str, ItemType], values: dict[str, Any], message: str
) -> None:
    base: dict[str, Any] = {"kind": ItemKind.OTHER, "name": "Umbrella", "retail_value": D("8")}

    with pytest.raises(ValidationError, match=message):
        item_type_save(
            actor=admin, organization=org, values=ItemTypeValues(**(base | values)), now=NOW
        )


# --- through the page ------------------------------------------------------------------------


def give_data(items: dict[str, ItemType], **overrides: Any) -> dict[str, Any]:
    return {
        "item_type": items["meal"].pk,
        "quantity": 1,
        "reason_code": "meals",
        "form_token": form_token(),
        **overrides,
    }


def test_a_double_clicked_give_button_gives_once(
    client: Client, case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    client.force_login(frontline_a)
    data = give_data(items)
    url = reverse("recovery:give", args=[case_a.pk])

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert "already submitted; it was recorded once" in second.text
    assert LedgerEntry.objects.filter(kind=EntryKind.ISSUE).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"form_token": "forged"}, "This form has expired"),
        ({"quantity": -1}, "greater than or equal to 1"),
        ({"item_type": 999_999}, "Select a valid choice"),
        ({"item_type": "bill", "unit_value": "-5"}, "Value per item must be more than zero"),
        ({"item_type": "bill", "unit_value": "99999999"}, "above the ceiling"),
        ({"item_type": "bill", "unit_value": "1.234"}, "no more than 2 decimal places"),
    ],
)
def test_bad_input_on_the_page_is_refused_with_a_message_and_changes_nothing(
    client: Client,
    case_a: Case,
    admin: User,
    items: dict[str, ItemType],
    overrides: dict[str, Any],
    message: str,
) -> None:
    client.force_login(admin)
    if overrides.get("item_type") == "bill":
        overrides["item_type"] = items["bill"].pk
    before = counts()

    response = client.post(
        reverse("recovery:give", args=[case_a.pk]), give_data(items, **overrides)
    )

    assert response.status_code == 400
    assert message in response.text
    assert "Nothing was given or requested" in response.text
    assert counts() == before
