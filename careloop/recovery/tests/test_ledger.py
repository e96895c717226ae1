"""The append-only ledger: every request, approval, decline, issue, void and redemption is an
entry tied to the case, client, item type, giver and approver, recorded on the timeline and in
the audit log without client text; corrections are reversing entries; the database refuses to
change or delete an entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent
from careloop.conftest import make_user
from careloop.orgs.models import Facility, Organization, Role, Unit, User
from careloop.recovery.approvals import recovery_approve, recovery_decline
from careloop.recovery.corrections import recovery_redeem, recovery_void
from careloop.recovery.models import EntryKind, ItemType, LedgerEntry, RecoveryClient
from careloop.recovery.rules import TIMES
from careloop.recovery.selectors import (
    given_on_case,
    recovery_actions_for_case,
    recovery_spend,
)
from careloop.recovery.tests.conftest import NOW, D, give, stocked

pytestmark = pytest.mark.usefixtures("client_a")


@pytest.fixture
def issued(case_a: Case, frontline_a: User, items: dict[str, ItemType]) -> LedgerEntry:
    issue = give(frontline_a, case_a, items["meal"], quantity=2).issue
    assert issue is not None
    return issue


def test_an_issue_is_tied_to_case_client_item_and_giver(
    issued: LedgerEntry, case_a: Case, client_a: RecoveryClient, frontline_a: User
) -> None:
    assert (issued.case, issued.client, issued.item_type.name) == (case_a, client_a, "Meal voucher")
    assert (issued.facility_id, issued.unit_id) == (case_a.facility_id, case_a.unit_id)
    assert (issued.given_by, issued.approved_by, issued.actor) == (frontline_a, None, frontline_a)
    assert (issued.quantity, issued.unit_value, issued.amount, issued.currency) == (
        2,
        D("10.00"),
        D("20.00"),
        "USD",
    )
    request = issued.request
    assert request is not None
    assert (request.kind, request.amount, request.value) == (
        EntryKind.REQUEST,
        D("0.00"),
        D("20.00"),
    )


def test_a_void_is_a_reversing_entry_and_changes_nothing_else(
    issued: LedgerEntry, case_a: Case, manager_a: User, items: dict[str, ItemType]
) -> None:
    later = NOW + timedelta(days=3)

    void = recovery_void(actor=manager_a, issue=issued, reason="Given by mistake", now=later)

    assert (void.kind, void.amount, void.quantity, void.target) == (
        EntryKind.VOID,
        D("-20.00"),
        -2,
        issued,
    )
    assert (void.at, void.effective_at) == (later, issued.effective_at)
    assert (void.actor, void.given_by, void.reason) == (
        manager_a,
        issued.given_by,
        "Given by mistake",
    )
    unchanged = LedgerEntry.objects.get(pk=issued.pk)
    assert (unchanged.amount, unchanged.at) == (issued.amount, issued.at)
    assert given_on_case(case_id=case_a.pk, item_type_id=items["meal"].pk) == 0
    [action] = recovery_actions_for_case(case_a)
    assert (action.status, action.net) == ("voided", D("0.00"))


def test_an_issue_is_voided_once(issued: LedgerEntry, manager_a: User) -> None:
    recovery_void(actor=manager_a, issue=issued, reason="Mistake", now=NOW)

    with pytest.raises(ValidationError, match="already voided"):
        recovery_void(actor=manager_a, issue=issued, reason="Again", now=NOW)

    assert LedgerEntry.objects.filter(kind=EntryKind.VOID).count() == 1


def test_a_void_needs_a_reason(issued: LedgerEntry, manager_a: User) -> None:
    with pytest.raises(ValidationError, match="Reason is required"):
        recovery_void(actor=manager_a, issue=issued, reason="", now=NOW)


def test_only_the_giver_or_someone_who_works_the_case_may_void(
    issued: LedgerEntry, org: Organization, facility_x: Facility, unit_a: Unit, frontline_a: User
) -> None:
    other_aide = make_user(
        "aide2_a", organization=org, role=Role.FRONTLINE, facility=facility_x, unit=unit_a
    )

    with pytest.raises(PermissionDenied):
        recovery_void(actor=other_aide, issue=issued, reason="Not mine", now=NOW)
    recovery_void(actor=frontline_a, issue=issued, reason="My mistake", now=NOW)


def test_a_redeemed_card_cannot_be_voided(
    case_a: Case, frontline_a: User, admin: User, facility_x: Facility, items: dict[str, ItemType]
) -> None:
    stocked(facility_x, items["coffee"], admin, "R-1")
    issue = give(frontline_a, case_a, items["coffee"], serial="R-1").issue
    assert issue is not None
    recovery_redeem(actor=admin, issue=issue, now=NOW)

    with pytest.raises(ValidationError, match="already redeemed"):
        recovery_void(actor=admin, issue=issue, reason="Too late", now=NOW)


def test_only_serialized_items_are_redeemed(issued: LedgerEntry, admin: User) -> None:
    with pytest.raises(ValidationError, match="Only serialized"):
        recovery_redeem(actor=admin, issue=issued, now=NOW)


# --- append-only at the database -------------------------------------------------------------


def test_the_database_refuses_to_update_a_ledger_entry(issued: LedgerEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=issued.pk).update(amount=D("1.00"))

    assert LedgerEntry.objects.get(pk=issued.pk).amount == D("20.00")


def test_the_database_refuses_to_delete_a_ledger_entry(issued: LedgerEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=issued.pk).delete()

    assert LedgerEntry.objects.filter(pk=issued.pk).exists()


def test_saving_a_changed_entry_is_refused_too(issued: LedgerEntry) -> None:
    issued.reason = "rewritten"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        issued.save()


# --- timeline and audit ----------------------------------------------------------------------


def test_every_entry_is_on_the_timeline_and_audited_without_client_text(
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    manager_a: User,
    items: dict[str, ItemType],
) -> None:
    approved = give(frontline_a, case_a, items["meal"], quantity=5).request
    recovery_approve(actor=manager_a, request=approved, reason="", now=NOW)
    declined = give(frontline_a, case_a, items["meal"], quantity=4).request
    recovery_decline(actor=manager_a, request=declined, reason="Enough given", now=NOW)
    issue = LedgerEntry.objects.get(request=approved, kind=EntryKind.ISSUE)
    recovery_void(actor=manager_a, issue=issue, reason="Wrong case", now=NOW)

    entries = LedgerEntry.objects.filter(case=case_a)
    kinds = sorted(e.kind for e in entries)
    assert kinds == ["approve", "decline", "issue", "request", "request", "void"]
    events = CaseEvent.objects.filter(case=case_a, kind__startswith="recovery_")
    assert sorted(e.kind for e in events if e.kind != "recovery_client_linked") == [
        f"recovery_{k}" for k in kinds
    ]
    audited = AuditEvent.objects.filter(case_id=case_a.pk, object_type="recovery_entry")
    assert sorted(int(a.object_id) for a in audited) == sorted(e.pk for e in entries)
    text = " ".join(e.summary for e in events) + " ".join(str(a.detail) for a in audited)
    assert client_a.display_name not in text
    assert client_a.identifier not in text
    assert "Meal voucher" in text


def test_the_timeline_says_who_approved(
    case_a: Case, frontline_a: User, manager_a: User, items: dict[str, ItemType]
) -> None:
    request = give(frontline_a, case_a, items["meal"], quantity=5).request
    recovery_approve(actor=manager_a, request=request, reason="", now=NOW)

    summaries = list(
        CaseEvent.objects.filter(case=case_a, kind="recovery_issue").values_list(
            "summary", flat=True
        )
    )
    assert summaries == [
        f"Recovery given: 5 {TIMES} Meal voucher (USD 50.00), approved by Manager Tester"
    ]


# --- spend for insights ----------------------------------------------------------------------


def test_recovery_spend_sums_issues_less_voids_by_currency_and_unit(
    case_a: Case,
    org: Organization,
    unit_a: Unit,
    unit_b: Unit,
    frontline_a: User,
    manager_a: User,
    items: dict[str, ItemType],
) -> None:
    kept = give(frontline_a, case_a, items["meal"], quantity=2).issue
    voided = give(manager_a, case_a, items["meal"], quantity=3).issue
    give(frontline_a, case_a, items["meal"], quantity=5)  # pending: not spend
    assert kept is not None
    assert voided is not None
    recovery_void(actor=manager_a, issue=voided, reason="Mistake", now=NOW + timedelta(days=40))
    march = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))

    assert recovery_spend(organization=org, start=march[0], end=march[1]) == {"USD": D("20.00")}
    assert recovery_spend(organization=org, start=march[0], end=march[1], unit=unit_a) == {
        "USD": D("20.00")
    }
    assert recovery_spend(organization=org, start=march[0], end=march[1], unit=unit_b) == {}
    april = (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    assert recovery_spend(organization=org, start=april[0], end=april[1]) == {}


def test_recovery_actions_for_case_lists_each_request_with_its_fate(
    case_a: Case, frontline_a: User, manager_a: User, items: dict[str, ItemType]
) -> None:
    give(frontline_a, case_a, items["meal"])
    waiting = give(frontline_a, case_a, items["flowers"]).request
    declined = give(frontline_a, case_a, items["meal"], quantity=9).request
    recovery_decline(actor=manager_a, request=declined, reason="No", now=NOW)

    actions = recovery_actions_for_case(case_a)

    assert [(a.request.item_type.name, a.status) for a in actions] == [
        ("Meal voucher", "issued"),
        ("Flowers", "pending"),
        ("Meal voucher", "declined"),
    ]
    assert actions[1].request == waiting
