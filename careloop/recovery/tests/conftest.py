"""Recovery fixtures: frozen time, item types, an authority matrix, clients linked to cases, and
helpers that give items through the services.

The matrix (per case / per client per calendar year, in USD):

| item              | frontline | advocate | manager | executive | admin     |
|-------------------|-----------|----------|---------|-----------|-----------|
| meal voucher $10  | 20 / 30   | 50 / 100 | 100/200 | 500/1000  | 1000/2000 |
| flowers $40       | —         | —        | 50/100  | 200/400   | 500/1000  |
| bill adjustment   | —         | —        | 100/300 | 1000/3000 | 5000/9000 |
| coffee card $10 # | 10 / 20   | 20 / 40  | 50/100  | 100/200   | 500/1000  |
| prepaid card $20 $| 20 / 40   | 20 / 40  | 100/200 | 200/400   | 500/1000  |

(# serialized, $ cash equivalent)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from careloop.cases.models import Case
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.orgs.models import Facility, Organization, Role, Unit, User
from careloop.recovery.clients import recovery_client_create
from careloop.recovery.configuration import (
    ItemTypeValues,
    authority_limit_set,
    item_type_save,
)
from careloop.recovery.models import ItemKind, ItemType, RecoveryClient, StockItem
from careloop.recovery.services import RecoveryOrder, RecoveryOutcome, recovery_issue
from careloop.recovery.stock import stock_receive

# Tuesday 3 March 2026, 09:00 in Chicago: a day after the cases are received.
NOW = RECEIVED_AT + timedelta(days=1)
D = Decimal

MATRIX: dict[str, dict[str, tuple[str, str]]] = {
    "meal": {
        Role.FRONTLINE: ("20", "30"),
        Role.ADVOCATE: ("50", "100"),
        Role.MANAGER: ("100", "200"),
        Role.EXECUTIVE: ("500", "1000"),
        Role.ADMIN: ("1000", "2000"),
    },
    "flowers": {
        Role.MANAGER: ("50", "100"),
        Role.EXECUTIVE: ("200", "400"),
        Role.ADMIN: ("500", "1000"),
    },
    "bill": {
        Role.MANAGER: ("100", "300"),
        Role.EXECUTIVE: ("1000", "3000"),
        Role.ADMIN: ("5000", "9000"),
    },
    "coffee": {
        Role.FRONTLINE: ("10", "20"),
        Role.ADVOCATE: ("20", "40"),
        Role.MANAGER: ("50", "100"),
        Role.EXECUTIVE: ("100", "200"),
        Role.ADMIN: ("500", "1000"),
    },
    "prepaid": {
        Role.FRONTLINE: ("20", "40"),
        Role.ADVOCATE: ("20", "40"),
        Role.MANAGER: ("100", "200"),
        Role.EXECUTIVE: ("200", "400"),
        Role.ADMIN: ("500", "1000"),
    },
}


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _item(org: Organization, admin: User, name: str, **values: Any) -> ItemType:
    return item_type_save(
        actor=admin,
        organization=org,
        values=ItemTypeValues(name=name, **values),
        now=NOW - timedelta(days=30),
    )


@pytest.fixture
def items(org: Organization, admin: User) -> dict[str, ItemType]:
    made = {
        "meal": _item(org, admin, "Meal voucher", kind=ItemKind.MEAL_VOUCHER, retail_value=D("10")),
        "flowers": _item(org, admin, "Flowers", kind=ItemKind.AMENITY, retail_value=D("40")),
        "bill": _item(
            org,
            admin,
            "Bill adjustment",
            kind=ItemKind.BILL_ADJUSTMENT,
            retail_value=D("0"),
            value_editable=True,
        ),
        "coffee": _item(
            org,
            admin,
            "Coffee card",
            kind=ItemKind.GIFT_CARD,
            retail_value=D("10"),
            serialized=True,
        ),
        "prepaid": _item(
            org,
            admin,
            "Prepaid card",
            kind=ItemKind.GIFT_CARD,
            retail_value=D("20"),
            cash_or_cash_equivalent=True,
        ),
    }
    for key, cells in MATRIX.items():
        for role, (per_case, per_client) in cells.items():
            authority_limit_set(
                actor=admin,
                item_type=made[key],
                role=role,
                per_case=D(per_case),
                per_client=D(per_client),
                period="calendar_year",
                now=NOW - timedelta(days=30),
            )
    return made


@pytest.fixture
def case_a(open_case: CaseOpener) -> Case:
    """A unit A grievance from a named patient."""
    return open_case(reporter_name="Alex Morgan")


@pytest.fixture
def client_a(case_a: Case, frontline_a: User) -> RecoveryClient:
    """The unit A case's client (not a beneficiary), created from the reporter's details."""
    return recovery_client_create(
        actor=frontline_a,
        case=case_a,
        display_name="Alex Morgan",
        identifier="MRN-1001",
        beneficiary=False,
        now=NOW,
    ).client


@pytest.fixture
def beneficiary_a(client_a: RecoveryClient) -> RecoveryClient:
    RecoveryClient.objects.filter(pk=client_a.pk).update(beneficiary=True)
    client_a.refresh_from_db()
    return client_a


def give(
    actor: User,
    case: Case,
    item: ItemType,
    *,
    now: Any = NOW,
    **order: Any,
) -> RecoveryOutcome:
    return recovery_issue(
        actor=actor, case=case, order=RecoveryOrder(item_type=item, **order), now=now
    )


def stocked(facility: Facility, item: ItemType, admin: User, *serials: str) -> dict[str, StockItem]:
    received = stock_receive(
        actor=admin, facility=facility, item_type=item, serials=list(serials), now=NOW
    )
    return {s.serial: s for s in received}


@pytest.fixture
def unit_a_case(case_a: Case, client_a: RecoveryClient) -> Case:
    """Case A with its client linked."""
    return case_a


def unit_of(case: Case) -> Unit:
    assert case.unit is not None
    return case.unit
