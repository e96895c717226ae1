"""The authority matrix: within the giver's limit an item is given at once; above it the
request waits for someone whose own limit covers it, who approves or declines with a reason.
Approval by the requester, by someone without enough authority or outside the case's scope is
refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.cases.models import Case
from careloop.conftest import CaseOpener, make_user
from careloop.orgs.models import Facility, Membership, Organization, Role, Unit, User
from careloop.recovery.approvals import recovery_approve, recovery_decline
from careloop.recovery.clients import case_client_link
from careloop.recovery.configuration import authority_limit_set
from careloop.recovery.models import EntryKind, ItemType, LedgerEntry, RecoveryClient
from careloop.recovery.selectors import given_on_case, recovery_actions_for_case
from careloop.recovery.tests.conftest import NOW, D, give

pytestmark = pytest.mark.usefixtures("client_a")


def test_an_item_within_the_givers_limit_is_given_at_once(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    outcome = give(frontline_a, case_a, items["meal"], quantity=2)

    assert outcome.issue is not None
    assert outcome.waiting_for == ""
    assert (outcome.issue.amount, outcome.issue.given_by, outcome.issue.approved_by) == (
        D("20.00"),
        frontline_a,
        None,
    )
    assert given_on_case(case_id=case_a.pk, item_type_id=items["meal"].pk) == D("20.00")


def test_an_item_above_the_givers_limit_waits_for_a_unit_manager(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    outcome = give(frontline_a, case_a, items["meal"], quantity=3)

    assert outcome.issue is None
    assert outcome.waiting_for == "a unit manager or above"
    assert outcome.request.needs_authority
    assert not outcome.request.needs_compliance
    assert given_on_case(case_id=case_a.pk, item_type_id=items["meal"].pk) == 0


def test_an_item_type_with_no_limit_for_the_role_always_needs_approval(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    outcome = give(frontline_a, case_a, items["flowers"])

    assert outcome.issue is None


def test_the_per_case_limit_counts_what_was_already_given_on_the_case(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    give(frontline_a, case_a, items["meal"])
    give(frontline_a, case_a, items["meal"])

    third = give(frontline_a, case_a, items["meal"])

    assert third.issue is None


def test_the_per_client_limit_counts_every_case_of_the_client(
    open_case: CaseOpener,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    items: dict[str, ItemType],
) -> None:
    other = open_case()
    case_client_link(actor=frontline_a, case=other, client=client_a, now=NOW)
    give(frontline_a, case_a, items["meal"], quantity=2)  # 20 of the client's 30

    second = give(frontline_a, other, items["meal"], quantity=2)  # 20 more: above 30

    assert second.issue is None
    assert give(frontline_a, other, items["meal"]).issue is not None  # 10 more: exactly 30


@pytest.mark.parametrize(
    ("given_at", "counts"),
    [
        (datetime(2026, 1, 1, 5, 30, tzinfo=UTC), False),  # 31 Dec 23:30 in Chicago
        (datetime(2026, 1, 1, 6, 30, tzinfo=UTC), True),  # 1 Jan 00:30 in Chicago
    ],
)
def test_a_calendar_year_limit_starts_again_on_1_january_local_time(
    open_case: CaseOpener,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    items: dict[str, ItemType],
    given_at: datetime,
    counts: bool,
) -> None:
    give(frontline_a, case_a, items["meal"], quantity=2, now=given_at)
    other = open_case()
    case_client_link(actor=frontline_a, case=other, client=client_a, now=NOW)

    outcome = give(frontline_a, other, items["meal"], quantity=2)  # 20 + 20 > 30 if it counts

    assert (outcome.issue is None) is counts


def test_a_rolling_limit_counts_the_last_365_days(
    open_case: CaseOpener,
    case_a: Case,
    client_a: RecoveryClient,
    frontline_a: User,
    admin: User,
    items: dict[str, ItemType],
) -> None:
    authority_limit_set(
        actor=admin,
        item_type=items["meal"],
        role=Role.FRONTLINE,
        per_case=D("20"),
        per_client=D("30"),
        period="rolling_365",
        now=NOW,
    )
    give(frontline_a, case_a, items["meal"], quantity=2, now=NOW - timedelta(days=100))
    other = open_case()
    case_client_link(actor=frontline_a, case=other, client=client_a, now=NOW)

    assert give(frontline_a, other, items["meal"], quantity=2).issue is None  # 40 > 30


def test_the_highest_limit_among_the_users_roles_over_the_case_applies(
    org: Organization, facility_x: Facility, unit_a: Unit, case_a: Case, items: dict[str, ItemType]
) -> None:
    both = make_user(
        "both_a", organization=org, role=Role.FRONTLINE, facility=facility_x, unit=unit_a
    )
    Membership.objects.create(user=both, role=Role.MANAGER, facility=facility_x, unit=unit_a)

    assert give(both, case_a, items["meal"], quantity=9).issue is not None  # 90 <= 100


def test_a_role_held_elsewhere_gives_no_authority_here(
    org: Organization,
    facility_x: Facility,
    unit_a: Unit,
    unit_b: Unit,
    case_a: Case,
    items: dict[str, ItemType],
) -> None:
    aide = make_user(
        "aide_ab", organization=org, role=Role.FRONTLINE, facility=facility_x, unit=unit_a
    )
    Membership.objects.create(user=aide, role=Role.MANAGER, facility=facility_x, unit=unit_b)

    assert give(aide, case_a, items["meal"], quantity=3).issue is None


# --- approvals -------------------------------------------------------------------------------


@pytest.fixture
def pending(case_a: Case, frontline_a: User, items: dict[str, ItemType]) -> LedgerEntry:
    return give(frontline_a, case_a, items["meal"], quantity=5).request  # 50: a manager's


def test_the_unit_manager_approves_and_the_item_is_given(
    pending: LedgerEntry, manager_a: User, frontline_a: User
) -> None:
    outcome = recovery_approve(actor=manager_a, request=pending, reason="", now=NOW)

    assert outcome.issue is not None
    assert (outcome.issue.given_by, outcome.issue.approved_by) == (frontline_a, manager_a)
    assert outcome.issue.amount == D("50.00")
    [action] = recovery_actions_for_case(pending.case)  # type: ignore[arg-type]
    assert action.status == "issued"
    assert [a.actor for a in action.approvals] == [manager_a]


def test_the_requester_cannot_approve_their_own_request(
    case_a: Case, manager_a: User, items: dict[str, ItemType]
) -> None:
    request = give(manager_a, case_a, items["meal"], quantity=15).request  # above 100

    with pytest.raises(PermissionDenied, match="your own request"):
        recovery_approve(actor=manager_a, request=request, reason="", now=NOW)

    assert not LedgerEntry.objects.filter(kind=EntryKind.APPROVE).exists()


def test_someone_whose_limit_does_not_cover_it_cannot_approve(
    pending: LedgerEntry, org: Organization, facility_x: Facility, unit_a: Unit
) -> None:
    other_aide = make_user(
        "aide2_a", organization=org, role=Role.FRONTLINE, facility=facility_x, unit=unit_a
    )

    with pytest.raises(PermissionDenied, match=r"does not cover USD 50\.00 of Meal voucher"):
        recovery_approve(actor=other_aide, request=pending, reason="", now=NOW)

    assert LedgerEntry.objects.filter(request=pending).count() == 0


def test_a_manager_of_another_unit_cannot_approve(
    pending: LedgerEntry, org: Organization, facility_x: Facility, unit_b: Unit
) -> None:
    manager_b = make_user(
        "manager_b", organization=org, role=Role.MANAGER, facility=facility_x, unit=unit_b
    )

    with pytest.raises(PermissionDenied, match="outside your scope"):
        recovery_approve(actor=manager_b, request=pending, reason="", now=NOW)


def test_the_outsider_cannot_approve(pending: LedgerEntry, outsider: User) -> None:
    with pytest.raises(PermissionDenied):
        recovery_approve(actor=outsider, request=pending, reason="", now=NOW)


def test_above_the_managers_limit_it_goes_to_the_executive(
    case_a: Case, frontline_a: User, manager_a: User, executive: User, items: dict[str, ItemType]
) -> None:
    request = give(frontline_a, case_a, items["flowers"], quantity=3).request  # 120

    with pytest.raises(PermissionDenied, match="a director or executive or above"):
        recovery_approve(actor=manager_a, request=request, reason="", now=NOW)
    outcome = recovery_approve(actor=executive, request=request, reason="Long stay", now=NOW)

    assert outcome.issue is not None
    assert outcome.issue.approved_by == executive


def test_a_decided_request_cannot_be_approved_twice(
    pending: LedgerEntry, manager_a: User, admin: User
) -> None:
    recovery_approve(actor=manager_a, request=pending, reason="", now=NOW)

    with pytest.raises(ValidationError, match="already issued"):
        recovery_approve(actor=admin, request=pending, reason="", now=NOW)

    assert LedgerEntry.objects.filter(request=pending, kind=EntryKind.ISSUE).count() == 1


def test_a_decline_needs_a_reason_and_records_who_and_why(
    pending: LedgerEntry, manager_a: User
) -> None:
    with pytest.raises(ValidationError, match="Reason is required"):
        recovery_decline(actor=manager_a, request=pending, reason=" ", now=NOW)

    entry = recovery_decline(
        actor=manager_a, request=pending, reason="Meal replaced instead", now=NOW
    )

    assert (entry.kind, entry.actor, entry.reason) == (
        EntryKind.DECLINE,
        manager_a,
        "Meal replaced instead",
    )
    with pytest.raises(ValidationError, match="already declined"):
        recovery_approve(actor=manager_a, request=pending, reason="", now=NOW)


def test_the_requester_may_withdraw_but_others_without_authority_may_not_decline(
    pending: LedgerEntry, frontline_a: User, org: Organization, facility_x: Facility, unit_a: Unit
) -> None:
    other_aide = make_user(
        "aide2_a", organization=org, role=Role.FRONTLINE, facility=facility_x, unit=unit_a
    )
    with pytest.raises(PermissionDenied, match="could approve"):
        recovery_decline(actor=other_aide, request=pending, reason="no", now=NOW)

    recovery_decline(actor=frontline_a, request=pending, reason="Gave a meal instead", now=NOW)

    [action] = recovery_actions_for_case(pending.case)  # type: ignore[arg-type]
    assert action.status == "withdrawn"


def test_approval_reads_the_limits_again_at_the_moment_of_approval(
    case_a: Case, frontline_a: User, manager_a: User, advocate_x: User, items: dict[str, ItemType]
) -> None:
    first = give(frontline_a, case_a, items["meal"], quantity=6).request  # 60, pending
    give(advocate_x, case_a, items["meal"], quantity=5)  # 50 given at once: case now at 50

    with pytest.raises(PermissionDenied, match="a director or executive or above"):
        recovery_approve(actor=manager_a, request=first, reason="", now=NOW)  # 50 + 60 > 100
