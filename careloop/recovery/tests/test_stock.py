"""Serialized stock: receiving serials (pasted one a line), issuing exactly the serial named,
refusing serials that are voided, already issued, unknown or at another facility, and writing
off a serial from stock."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case
from careloop.conftest import CaseOpener
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.recovery.clients import recovery_client_create
from careloop.recovery.models import EntryKind, ItemType, LedgerEntry, StockItem, StockStatus
from careloop.recovery.stock import serials_parse, stock_receive, stock_write_off
from careloop.recovery.tests.conftest import NOW, D, give, stocked

pytestmark = pytest.mark.usefixtures("client_a")


@pytest.fixture
def drawer(facility_x: Facility, admin: User, items: dict[str, ItemType]) -> dict[str, StockItem]:
    return stocked(facility_x, items["coffee"], admin, "S-1", "S-2", "S-3")


def test_receiving_writes_a_stock_record_and_a_receipt_each_and_one_audit_event(
    drawer: dict[str, StockItem], admin: User
) -> None:
    assert sorted(drawer) == ["S-1", "S-2", "S-3"]
    assert {s.status for s in drawer.values()} == {StockStatus.IN_STOCK}
    receipts = LedgerEntry.objects.filter(kind=EntryKind.RECEIVE)
    assert receipts.count() == 3
    assert {(r.actor, r.case, r.amount) for r in receipts} == {(admin, None, D("0.00"))}
    event = AuditEvent.objects.get(event_type="recovery.stock_received")
    assert event.detail["count"] == 3


def test_a_serial_is_issued_and_leaves_stock(
    case_a: Case, frontline_a: User, items: dict[str, ItemType], drawer: dict[str, StockItem]
) -> None:
    issue = give(frontline_a, case_a, items["coffee"], serial="S-2").issue

    assert issue is not None
    assert issue.stock_item == drawer["S-2"]
    assert StockItem.objects.get(serial="S-2").status == StockStatus.ISSUED


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        ("S-9", "Serial S-9 is not in stock for Coffee card"),
        ("", "serialized: give one item and its serial number"),
    ],
)
def test_an_unknown_or_missing_serial_is_refused(
    case_a: Case,
    frontline_a: User,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
    serial: str,
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        give(frontline_a, case_a, items["coffee"], serial=serial)

    assert not LedgerEntry.objects.filter(kind=EntryKind.REQUEST).exists()


def test_an_already_issued_serial_is_refused(
    case_a: Case,
    frontline_a: User,
    manager_a: User,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
) -> None:
    give(frontline_a, case_a, items["coffee"], serial="S-1")

    with pytest.raises(ValidationError, match="S-1 is not in stock: it was already issued"):
        give(manager_a, case_a, items["coffee"], serial="S-1")


def test_a_voided_serial_is_refused(
    case_a: Case,
    frontline_a: User,
    admin: User,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
) -> None:
    stock_write_off(actor=admin, stock_item=drawer["S-3"], reason="Cracked", now=NOW)

    with pytest.raises(ValidationError, match="already voided"):
        give(frontline_a, case_a, items["coffee"], serial="S-3")


def test_a_serial_of_another_facility_is_refused(
    open_case: CaseOpener,
    unit_c: Unit,
    advocate_y: User,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
) -> None:
    case_y = open_case(unit=unit_c)
    recovery_client_create(
        actor=advocate_y, case=case_y, display_name="Rae", identifier="", beneficiary=False, now=NOW
    )

    with pytest.raises(ValidationError, match="belongs to another facility"):
        give(advocate_y, case_y, items["coffee"], serial="S-1")

    assert StockItem.objects.get(serial="S-1").status == StockStatus.IN_STOCK


def test_a_serialized_item_is_given_one_at_a_time(
    case_a: Case, frontline_a: User, items: dict[str, ItemType], drawer: dict[str, StockItem]
) -> None:
    with pytest.raises(ValidationError, match="give one item"):
        give(frontline_a, case_a, items["coffee"], serial="S-1", quantity=2)


def test_a_serial_for_an_unserialized_item_is_refused(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    with pytest.raises(ValidationError, match="has no serial numbers"):
        give(frontline_a, case_a, items["meal"], serial="X-1")


def test_an_approved_request_issues_the_serial_named_if_still_in_stock(
    case_a: Case,
    frontline_a: User,
    manager_a: User,
    admin: User,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
) -> None:
    from careloop.recovery.approvals import recovery_approve

    give(frontline_a, case_a, items["coffee"], serial="S-1")  # 10 of frontline's 10
    request = give(frontline_a, case_a, items["coffee"], serial="S-2").request  # pending
    stock_write_off(actor=admin, stock_item=drawer["S-2"], reason="Lost", now=NOW)

    with pytest.raises(ValidationError, match="S-2 is not in stock"):
        recovery_approve(actor=manager_a, request=request, reason="", now=NOW)

    assert not LedgerEntry.objects.filter(request=request).exists()


# --- receiving and writing off ---------------------------------------------------------------


def test_a_paste_with_a_known_serial_receives_nothing(
    facility_x: Facility, admin: User, items: dict[str, ItemType], drawer: dict[str, StockItem]
) -> None:
    with pytest.raises(ValidationError, match="Already received: S-2"):
        stock_receive(
            actor=admin,
            facility=facility_x,
            item_type=items["coffee"],
            serials=["S-4", "S-2"],
            now=NOW,
        )

    assert not StockItem.objects.filter(serial="S-4").exists()


def test_only_serialized_items_of_the_organization_are_received(
    facility_x: Facility,
    other_facility: Facility,
    admin: User,
    outsider: User,
    items: dict[str, ItemType],
) -> None:
    with pytest.raises(ValidationError, match="has no serial numbers"):
        stock_receive(
            actor=admin, facility=facility_x, item_type=items["meal"], serials=["M-1"], now=NOW
        )
    with pytest.raises(ValidationError, match="another organization"):
        stock_receive(
            actor=outsider,
            facility=other_facility,
            item_type=items["coffee"],
            serials=["X"],
            now=NOW,
        )


def test_only_facility_administrators_receive_stock(
    facility_x: Facility, manager_a: User, advocate_x: User, items: dict[str, ItemType]
) -> None:
    for user in (manager_a, advocate_x):
        with pytest.raises(PermissionDenied):
            stock_receive(
                actor=user, facility=facility_x, item_type=items["coffee"], serials=["S-7"], now=NOW
            )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one serial"),
        ("\n \n", "at least one serial"),
        ("A 1", "spaces or over 64"),
        ("x" * 65, "spaces or over 64"),
        ("A\nB\nA", "Pasted twice: A"),
        ("\n".join(f"N{i}" for i in range(501)), "at most 500"),
    ],
)
def test_bad_pastes_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        serials_parse(text)


def test_a_paste_is_read_one_serial_a_line() -> None:
    assert serials_parse(" A-1 \r\nA-2\n\nA-3\n") == ["A-1", "A-2", "A-3"]


def test_only_a_serial_in_stock_is_written_off_with_a_reason(
    case_a: Case,
    frontline_a: User,
    admin: User,
    items: dict[str, ItemType],
    drawer: dict[str, StockItem],
) -> None:
    give(frontline_a, case_a, items["coffee"], serial="S-1")

    with pytest.raises(ValidationError, match="Reason is required"):
        stock_write_off(actor=admin, stock_item=drawer["S-2"], reason="", now=NOW)
    with pytest.raises(ValidationError, match="not in stock"):
        stock_write_off(actor=admin, stock_item=drawer["S-1"], reason="Lost", now=NOW)


def test_an_organization_without_items_has_no_stock(org: Organization) -> None:
    assert not StockItem.objects.filter(item_type__organization=org).exists()
