"""Unit budgets: spend (issues less voids, in the unit, currency and local dates) against the
budget, warnings at 80 % and 100 %, and a refusal past 100 % only where the organization says
so."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.cases.models import Case
from careloop.conftest import CaseOpener
from careloop.orgs.models import Organization, Unit, User
from careloop.recovery.clients import recovery_client_create
from careloop.recovery.configuration import budget_save, organization_settings_save
from careloop.recovery.corrections import recovery_void
from careloop.recovery.models import Budget, ItemType, LedgerEntry
from careloop.recovery.selectors import budget_spent
from careloop.recovery.tests.conftest import NOW, D, give

pytestmark = pytest.mark.usefixtures("client_a")


@pytest.fixture
def budget_a(unit_a: Unit, admin: User) -> Budget:
    """USD 100 for unit A in March 2026."""
    return budget_save(
        actor=admin,
        unit=unit_a,
        start_on=date(2026, 3, 1),
        end_on=date(2026, 3, 31),
        amount=D("100"),
        currency="USD",
        now=NOW,
    )


def test_spend_under_80_percent_gives_no_warning(
    case_a: Case, manager_a: User, items: dict[str, ItemType], budget_a: Budget
) -> None:
    assert give(manager_a, case_a, items["meal"], quantity=7).warnings == ()


def test_reaching_80_percent_warns(
    case_a: Case, manager_a: User, items: dict[str, ItemType], budget_a: Budget
) -> None:
    outcome = give(manager_a, case_a, items["meal"], quantity=8)

    assert outcome.warnings == ("4 West recovery budget: USD 80.00 of USD 100.00 (80.0%).",)


def test_going_over_budget_warns_but_gives(
    case_a: Case, admin: User, items: dict[str, ItemType], budget_a: Budget
) -> None:
    outcome = give(admin, case_a, items["meal"], quantity=11)

    assert outcome.issue is not None
    assert outcome.warnings == (
        "4 West recovery budget: USD 110.00 of USD 100.00 (110.0%) — over budget.",
    )


def test_an_organization_may_block_at_100_percent(
    case_a: Case, admin: User, org: Organization, items: dict[str, ItemType], budget_a: Budget
) -> None:
    organization_settings_save(
        actor=admin,
        organization=org,
        script="heart",
        block_budget_at_100=True,
        amount_ceiling=D("1000"),
        now=NOW,
    )
    give(admin, case_a, items["meal"], quantity=9)

    with pytest.raises(ValidationError, match="Refused: this would take the 4 West"):
        give(admin, case_a, items["meal"], quantity=2)
    outcome = give(admin, case_a, items["meal"], quantity=1)  # exactly 100 %

    assert outcome.warnings == ("4 West recovery budget: USD 100.00 of USD 100.00 (100.0%).",)
    assert budget_spent(budget_a) == D("100.00")


def test_spend_counts_only_the_unit_the_period_and_the_currency(
    open_case: CaseOpener,
    case_a: Case,
    unit_b: Unit,
    advocate_x: User,
    admin: User,
    items: dict[str, ItemType],
    budget_a: Budget,
) -> None:
    give(admin, case_a, items["meal"], quantity=2)  # 20 in March, unit A
    give(admin, case_a, items["meal"], quantity=3, now=NOW - timedelta(days=10))  # February
    case_b = open_case(unit=unit_b)
    recovery_client_create(
        actor=advocate_x, case=case_b, display_name="B", identifier="", beneficiary=False, now=NOW
    )
    give(advocate_x, case_b, items["meal"], quantity=4)  # unit B

    assert budget_spent(budget_a) == D("20.00")


def test_a_void_takes_the_spend_back(
    case_a: Case, admin: User, items: dict[str, ItemType], budget_a: Budget
) -> None:
    issue = give(admin, case_a, items["meal"], quantity=9).issue
    assert issue is not None

    recovery_void(actor=admin, issue=issue, reason="Wrong unit", now=NOW + timedelta(days=40))

    assert budget_spent(budget_a) == 0


def test_a_pending_request_is_not_spend(
    case_a: Case, frontline_a: User, items: dict[str, ItemType], budget_a: Budget
) -> None:
    give(frontline_a, case_a, items["meal"], quantity=9)

    assert budget_spent(budget_a) == 0
    assert LedgerEntry.objects.count() == 1


# --- setting budgets ---------------------------------------------------------------------------


def test_budgets_of_one_unit_never_overlap(unit_a: Unit, admin: User, budget_a: Budget) -> None:
    with pytest.raises(ValidationError, match="already has a budget"):
        budget_save(
            actor=admin,
            unit=unit_a,
            start_on=date(2026, 3, 15),
            end_on=date(2026, 4, 15),
            amount=D("50"),
            currency="USD",
            now=NOW,
        )


@pytest.mark.parametrize(
    ("start", "end", "amount", "currency", "message"),
    [
        (date(2026, 4, 2), date(2026, 4, 1), "10", "USD", "ends before it starts"),
        (date(2026, 4, 1), date(2026, 4, 30), "0", "USD", "more than zero"),
        (date(2026, 4, 1), date(2026, 4, 30), "-1", "USD", "more than zero"),
        (date(2026, 4, 1), date(2026, 4, 30), "10", "dollars", "three-letter ISO code"),
    ],
)
def test_bad_budgets_are_refused(
    unit_a: Unit, admin: User, start: date, end: date, amount: str, currency: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        budget_save(
            actor=admin,
            unit=unit_a,
            start_on=start,
            end_on=end,
            amount=D(amount),
            currency=currency,
            now=NOW,
        )

    assert not Budget.objects.exists()


def test_only_administrators_of_the_facility_set_budgets(
    unit_a: Unit, manager_a: User, executive: User, outsider: User
) -> None:
    for user in (manager_a, executive, outsider):
        with pytest.raises(PermissionDenied):
            budget_save(
                actor=user,
                unit=unit_a,
                start_on=date(2026, 4, 1),
                end_on=date(2026, 4, 30),
                amount=D("10"),
                currency="USD",
                now=NOW,
            )
