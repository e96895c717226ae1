"""The R11 guard (DOMAIN.md section 3): a gift to a Medicare/Medicaid beneficiary is at most $15
retail per item and $75 per client per year, never cash or a cash equivalent. Outside that it
needs an exception reason and a compliance approver (executive or administrator)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.cases.models import Case
from careloop.conftest import CaseOpener
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.recovery.approvals import recovery_approve
from careloop.recovery.clients import (
    case_client_link,
    recovery_client_create,
    recovery_client_set_beneficiary,
)
from careloop.recovery.configuration import (
    ItemTypeValues,
    authority_limit_set,
    facility_settings_save,
    item_type_save,
)
from careloop.recovery.corrections import recovery_void
from careloop.recovery.models import ApprovalScope, ItemKind, ItemType, LedgerEntry, RecoveryClient
from careloop.recovery.selectors import facility_settings
from careloop.recovery.tests.conftest import NOW, D, give

pytestmark = pytest.mark.usefixtures("beneficiary_a")


@pytest.fixture
def cash(org: Organization, admin: User) -> ItemType:
    """A $10 cash equivalent that frontline staff may give up to $20 a case."""
    item = item_type_save(
        actor=admin,
        organization=org,
        values=ItemTypeValues(
            kind=ItemKind.OTHER, name="Cash", retail_value=D("10"), cash_or_cash_equivalent=True
        ),
        now=NOW,
    )
    for role in ("frontline", "manager", "executive"):
        authority_limit_set(
            actor=admin,
            item_type=item,
            role=role,
            per_case=D("20"),
            per_client=D("40"),
            period="calendar_year",
            now=NOW,
        )
    return item


def test_a_gift_within_r11_is_given(
    case_a: Case, frontline_a: User, items: dict[str, ItemType]
) -> None:
    assert give(frontline_a, case_a, items["meal"]).issue is not None


def test_an_item_above_15_dollars_is_refused_without_an_exception_reason(
    case_a: Case, manager_a: User, items: dict[str, ItemType]
) -> None:
    with pytest.raises(ValidationError, match=r"R11.*USD 40.00 per item is above the USD 15.00"):
        give(manager_a, case_a, items["flowers"])

    assert not LedgerEntry.objects.exists()


def test_with_an_exception_reason_it_waits_for_a_compliance_approver(
    case_a: Case, manager_a: User, executive: User, items: dict[str, ItemType]
) -> None:
    outcome = give(manager_a, case_a, items["flowers"], exception_reason="Bereavement")

    assert outcome.issue is None
    assert outcome.waiting_for == "a compliance approver (executive or administrator)"
    assert (outcome.request.needs_authority, outcome.request.needs_compliance) == (False, True)
    assert outcome.request.reason == "Bereavement"


def test_a_manager_cannot_approve_the_r11_exception(
    case_a: Case, manager_a: User, advocate_x: User, items: dict[str, ItemType]
) -> None:
    request = give(manager_a, case_a, items["flowers"], exception_reason="Bereavement").request

    with pytest.raises(PermissionDenied, match="Only a compliance approver"):
        recovery_approve(actor=advocate_x, request=request, reason="ok", now=NOW)


def test_the_compliance_approver_must_give_a_reason(
    case_a: Case, manager_a: User, executive: User, items: dict[str, ItemType]
) -> None:
    request = give(manager_a, case_a, items["flowers"], exception_reason="Bereavement").request

    with pytest.raises(ValidationError, match="Reason is required"):
        recovery_approve(actor=executive, request=request, reason="", now=NOW)
    outcome = recovery_approve(
        actor=executive, request=request, reason="Preventive-care exception", now=NOW
    )

    assert outcome.issue is not None
    approval = LedgerEntry.objects.get(request=request, kind="approve")
    assert (approval.approval_scope, approval.reason) == (
        ApprovalScope.COMPLIANCE,
        "Preventive-care exception",
    )


def test_authority_and_compliance_may_come_from_two_people(
    case_a: Case, frontline_a: User, manager_a: User, executive: User, items: dict[str, ItemType]
) -> None:
    request = give(frontline_a, case_a, items["flowers"], exception_reason="Long stay").request

    first = recovery_approve(actor=manager_a, request=request, reason="", now=NOW)
    assert first.issue is None
    assert first.waiting_for == "a compliance approver (executive or administrator)"
    second = recovery_approve(actor=executive, request=request, reason="Exception ok", now=NOW)

    assert second.issue is not None


def test_cash_is_refused_outright_without_a_reason(
    case_a: Case, frontline_a: User, cash: ItemType
) -> None:
    with pytest.raises(ValidationError, match="cash or a cash equivalent"):
        give(frontline_a, case_a, cash)


def test_cash_for_a_beneficiary_needs_compliance_even_within_authority(
    case_a: Case, frontline_a: User, executive: User, cash: ItemType
) -> None:
    outcome = give(frontline_a, case_a, cash, exception_reason="Taxi home after discharge")
    assert outcome.issue is None

    approved = recovery_approve(actor=executive, request=outcome.request, reason="Travel", now=NOW)

    assert approved.issue is not None


# --- the yearly aggregate ------------------------------------------------------------------------


def _gave_70(case: Case, admin: User, items: dict[str, ItemType], at: datetime) -> None:
    give(admin, case, items["meal"], quantity=7, now=at)


def test_the_yearly_aggregate_of_75_dollars_counts_every_item_type(
    case_a: Case, frontline_a: User, admin: User, items: dict[str, ItemType]
) -> None:
    _gave_70(case_a, admin, items, NOW - timedelta(days=10))

    with pytest.raises(ValidationError, match=r"brings this client's year to USD 80\.00"):
        give(frontline_a, case_a, items["meal"])


LAST_DECEMBER = datetime(2025, 12, 15, 18, 0, tzinfo=UTC)


@pytest.fixture
def case_a2(open_case: CaseOpener, beneficiary_a: RecoveryClient, frontline_a: User) -> Case:
    """A second case of the same client, so per-case limits do not get in the way."""
    case = open_case()
    case_client_link(actor=frontline_a, case=case, client=beneficiary_a, now=NOW)
    return case


def test_a_calendar_r11_year_forgets_last_december(
    case_a: Case, case_a2: Case, frontline_a: User, admin: User, items: dict[str, ItemType]
) -> None:
    _gave_70(case_a, admin, items, LAST_DECEMBER)

    assert give(frontline_a, case_a2, items["meal"]).issue is not None


def test_a_rolling_r11_year_remembers_last_december(
    case_a: Case,
    case_a2: Case,
    frontline_a: User,
    admin: User,
    facility_x: Facility,
    items: dict[str, ItemType],
) -> None:
    facility_settings_save(
        actor=admin, facility=facility_x, r11_guard=True, r11_period="rolling_365", now=NOW
    )
    _gave_70(case_a, admin, items, LAST_DECEMBER)

    with pytest.raises(ValidationError, match="R11"):
        give(frontline_a, case_a2, items["meal"])


def test_a_voided_gift_no_longer_counts(
    case_a: Case, frontline_a: User, admin: User, items: dict[str, ItemType]
) -> None:
    big = give(admin, case_a, items["meal"], quantity=7).issue
    assert big is not None
    recovery_void(actor=admin, issue=big, reason="Entered twice", now=NOW)

    assert give(frontline_a, case_a, items["meal"], quantity=2).issue is not None


def test_approval_adds_a_compliance_need_when_the_year_filled_up_meanwhile(
    case_a: Case, frontline_a: User, manager_a: User, admin: User, items: dict[str, ItemType]
) -> None:
    request = give(frontline_a, case_a, items["meal"], quantity=3).request  # 30: authority only
    give(admin, case_a, items["meal"], quantity=5)  # the year is now at 50

    outcome = recovery_approve(actor=manager_a, request=request, reason="", now=NOW)

    assert outcome.issue is None
    assert outcome.waiting_for == "a compliance approver (executive or administrator)"


# --- when R11 does not apply ---------------------------------------------------------------------


def test_it_does_not_apply_to_a_client_who_is_not_a_beneficiary(
    case_a: Case,
    client_a: RecoveryClient,
    manager_a: User,
    executive: User,
    items: dict[str, ItemType],
) -> None:
    recovery_client_set_beneficiary(actor=executive, case=case_a, beneficiary=False, now=NOW)

    assert give(manager_a, case_a, items["flowers"]).issue is not None


def test_it_does_not_apply_where_the_facility_turned_it_off(
    case_a: Case, manager_a: User, admin: User, facility_x: Facility, items: dict[str, ItemType]
) -> None:
    facility_settings_save(
        actor=admin, facility=facility_x, r11_guard=False, r11_period="calendar_year", now=NOW
    )

    assert give(manager_a, case_a, items["flowers"]).issue is not None


def test_it_is_on_by_default_for_us_facilities_only(
    facility_x: Facility, facility_uk: Facility
) -> None:
    assert facility_settings(facility_x).r11_guard is True
    assert facility_settings(facility_uk).r11_guard is False


def test_only_a_compliance_approver_clears_the_beneficiary_mark(
    case_a: Case, manager_a: User, executive: User
) -> None:
    with pytest.raises(PermissionDenied, match="compliance approver"):
        recovery_client_set_beneficiary(actor=manager_a, case=case_a, beneficiary=False, now=NOW)

    client = recovery_client_set_beneficiary(
        actor=executive, case=case_a, beneficiary=False, now=NOW
    )

    assert client.beneficiary is False
    assert case_a.events.filter(kind="recovery_client_changed").count() == 1


def test_a_uk_case_is_not_guarded(
    open_case: CaseOpener, facility_uk: Facility, admin: User, items: dict[str, ItemType]
) -> None:
    unit = Unit.objects.create(facility=facility_uk, name="Ward 1")
    case = open_case(unit=unit)
    recovery_client_create(
        actor=admin, case=case, display_name="Pat", identifier="", beneficiary=True, now=NOW
    )

    assert give(admin, case, items["flowers"]).issue is not None
