"""Stock reconciliation: received - issued - voided = on hand, and every serial whose ledger,
stock record or physical count disagree, including discrepancies planted behind the services'
back."""

from __future__ import annotations

from collections import Counter

import pytest

from careloop.cases.models import Case
from careloop.orgs.models import Facility, User
from careloop.recovery.corrections import recovery_redeem, recovery_void
from careloop.recovery.models import ItemType, LedgerEntry, StockItem, StockStatus
from careloop.recovery.reconcile import (
    ISSUE,
    RECEIVE,
    REDEEM,
    VOID_ISSUE,
    WRITE_OFF,
    Difference,
    SerialEvent,
    ledger_state,
    reconcile,
)
from careloop.recovery.selectors import stock_reconciliation
from careloop.recovery.stock import stock_write_off
from careloop.recovery.tests.conftest import NOW, give, stocked


def events(*pairs: tuple[str, str]) -> list[SerialEvent]:
    return [SerialEvent(serial=s, event=e) for s, e in pairs]


def test_a_clean_drawer_balances() -> None:
    report = reconcile(
        events=events(
            ("A1", RECEIVE),
            ("A2", RECEIVE),
            ("A3", RECEIVE),
            ("A4", RECEIVE),
            ("A2", ISSUE),
            ("A3", ISSUE),
            ("A3", VOID_ISSUE),
            ("A4", WRITE_OFF),
        ),
        statuses={"A1": "in_stock", "A2": "issued", "A3": "voided", "A4": "voided"},
    )

    assert (report.received, report.issued, report.voided, report.on_hand) == (4, 2, 1, 1)
    assert report.issued_then_voided == 1
    assert report.on_hand_recorded == 1
    assert report.balanced


def test_a_serial_issued_twice_is_listed() -> None:
    report = reconcile(
        events=events(("B1", RECEIVE), ("B1", ISSUE), ("B1", ISSUE)),
        statuses={"B1": "issued"},
    )

    assert Difference("B1", "issued 2 times") in report.differences
    assert report.on_hand == -1
    assert not report.balanced


def test_a_serial_issued_without_a_receipt_is_listed() -> None:
    report = reconcile(events=events(("C1", ISSUE)), statuses={})

    assert [d.problem for d in report.differences] == [
        "issued or voided but never received",
        "in the ledger (issued) but has no stock record",
    ]


def test_a_stock_record_without_a_ledger_entry_is_listed() -> None:
    report = reconcile(events=[], statuses={"D1": "in_stock"})

    assert report.differences == [Difference("D1", "has a stock record but no ledger entry")]


def test_a_physical_count_shows_missing_and_unexpected_serials() -> None:
    report = reconcile(
        events=events(("E1", RECEIVE), ("E2", RECEIVE), ("E3", RECEIVE), ("E3", ISSUE)),
        statuses={"E1": "in_stock", "E2": "in_stock", "E3": "issued"},
        counted=["E1", "E3", "E9"],
    )

    assert report.counted == 3
    assert report.differences == [
        Difference("E2", "missing: on hand by the ledger, not counted"),
        Difference("E3", "counted, but the ledger says issued"),
        Difference("E9", "counted, but the ledger says unknown"),
    ]


@pytest.mark.parametrize(
    ("found", "state"),
    [
        ({RECEIVE: 1}, "in_stock"),
        ({RECEIVE: 1, ISSUE: 1}, "issued"),
        ({RECEIVE: 1, ISSUE: 1, REDEEM: 1}, "redeemed"),
        ({RECEIVE: 1, ISSUE: 1, VOID_ISSUE: 1}, "voided"),
        ({RECEIVE: 1, WRITE_OFF: 1}, "voided"),
        ({}, "unknown"),
    ],
)
def test_the_ledger_state_of_a_serial(found: dict[str, int], state: str) -> None:
    assert ledger_state(Counter(found)) == state


# --- against the database -----------------------------------------------------------------------


@pytest.fixture
def drawer(facility_x: Facility, admin: User, items: dict[str, ItemType]) -> dict[str, StockItem]:
    return stocked(facility_x, items["coffee"], admin, "C-1", "C-2", "C-3", "C-4", "C-5")


def test_the_facilitys_stock_reconciles_after_real_work(
    case_a: Case,
    client_a: object,
    frontline_a: User,
    manager_a: User,
    admin: User,
    facility_x: Facility,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
) -> None:
    first = give(frontline_a, case_a, items["coffee"], serial="C-1").issue
    second = give(manager_a, case_a, items["coffee"], serial="C-2").issue
    assert first is not None
    assert second is not None
    recovery_void(actor=manager_a, issue=first, reason="Card did not activate", now=NOW)
    recovery_redeem(actor=admin, issue=second, now=NOW)
    stock_write_off(actor=admin, stock_item=drawer["C-3"], reason="Damaged", now=NOW)

    report = stock_reconciliation(facility=facility_x, item_type=items["coffee"])

    assert (report.received, report.issued, report.voided, report.on_hand) == (5, 2, 1, 2)
    assert (report.issued_then_voided, report.redeemed, report.on_hand_recorded) == (1, 1, 2)
    assert report.balanced


def test_a_planted_discrepancy_is_found(
    case_a: Case,
    client_a: object,
    frontline_a: User,
    facility_x: Facility,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
) -> None:
    give(frontline_a, case_a, items["coffee"], serial="C-1")
    # Someone took C-4 out of the drawer and marked it issued without any ledger entry.
    StockItem.objects.filter(serial="C-4").update(status=StockStatus.ISSUED)

    report = stock_reconciliation(
        facility=facility_x, item_type=items["coffee"], counted=["C-2", "C-3", "C-5"]
    )

    assert report.on_hand == 4  # by the ledger
    assert report.on_hand_recorded == 3  # by the stock records
    assert report.differences == [
        Difference("C-4", "stock record says issued, the ledger says in_stock"),
        Difference("C-4", "missing: on hand by the ledger, not counted"),
    ]
    assert LedgerEntry.objects.filter(stock_item__serial="C-4").count() == 1  # the receipt
