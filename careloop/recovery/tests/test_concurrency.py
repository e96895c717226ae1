"""Two people giving at the same moment: against the same per-client limit, the same budget,
the same serial or with the same form, they never overspend or issue twice. Each thread has its
own connection and transaction; on PostgreSQL they really overlap (the client, budget and stock
rows are locked before the ledger is summed), on SQLite writers are serialized anyway."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from careloop.cases.models import Case
from careloop.conftest import CaseOpener
from careloop.orgs.models import Organization, Unit, User
from careloop.recovery.clients import case_client_link, recovery_client_create
from careloop.recovery.configuration import budget_save, organization_settings_save
from careloop.recovery.models import EntryKind, ItemType, LedgerEntry, RecoveryClient
from careloop.recovery.services import AlreadySubmitted, RecoveryOutcome
from careloop.recovery.testing import ledger_empty
from careloop.recovery.tests.conftest import NOW, D, give, stocked

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ledger_cleared_after(transactional_db: None) -> Iterator[None]:
    """The flush after a committing test deletes rows, which the ledger's triggers refuse on
    SQLite: empty the ledger around them first."""
    yield
    ledger_empty()


@pytest.fixture
def committed(audit_log_cleared_after: None, ledger_cleared_after: None) -> None:
    """Clean-up for tests that commit (the audit log's and the ledger's)."""


def at_once(*calls: Callable[[], RecoveryOutcome]) -> list[Any]:
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], RecoveryOutcome]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # reported to the test thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def issued_total() -> Decimal:
    return sum(
        (e.amount for e in LedgerEntry.objects.filter(kind=EntryKind.ISSUE)), start=D("0.00")
    )


@pytest.fixture
def two_cases(
    open_case: CaseOpener, frontline_a: User, items: dict[str, ItemType]
) -> tuple[Case, Case, RecoveryClient]:
    """Two unit A cases of one client."""
    first, second = open_case(), open_case()
    client = recovery_client_create(
        actor=frontline_a,
        case=first,
        display_name="Alex",
        identifier="",
        beneficiary=False,
        now=NOW,
    ).client
    case_client_link(actor=frontline_a, case=second, client=client, now=NOW)
    return first, second, client


def test_two_gifts_against_one_client_limit_never_overspend_it(
    committed: None,
    two_cases: tuple[Case, Case, RecoveryClient],
    frontline_a: User,
    manager_a: User,
    items: dict[str, ItemType],
) -> None:
    first, second, _client = two_cases
    meal = items["meal"]  # frontline: 20 a case, 30 a client a year

    results = at_once(
        lambda: give(frontline_a, first, meal, quantity=2),
        lambda: give(frontline_a, second, meal, quantity=2),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.issue is None for r in results) == [False, True]  # one given, one waits
    assert issued_total() == D("20.00")


def test_two_gifts_against_one_budget_never_pass_a_blocking_limit(
    committed: None,
    open_case: CaseOpener,
    org: Organization,
    unit_a: Unit,
    admin: User,
    items: dict[str, ItemType],
) -> None:
    organization_settings_save(
        actor=admin,
        organization=org,
        script="heart",
        block_budget_at_100=True,
        amount_ceiling=D("1000"),
        now=NOW,
    )
    budget_save(
        actor=admin,
        unit=unit_a,
        start_on=date(2026, 3, 1),
        end_on=date(2026, 3, 31),
        amount=D("100"),
        currency="USD",
        now=NOW,
    )
    cases = [open_case(), open_case()]
    for i, case in enumerate(cases):
        recovery_client_create(
            actor=admin, case=case, display_name=f"C{i}", identifier="", beneficiary=False, now=NOW
        )

    results = at_once(*[lambda c=c: give(admin, c, items["meal"], quantity=6) for c in cases])

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert "Refused: this would take" in str(refused[0])
    assert issued_total() == D("60.00")


def test_one_serial_is_never_issued_twice(
    committed: None,
    two_cases: tuple[Case, Case, RecoveryClient],
    open_case: CaseOpener,
    frontline_a: User,
    manager_a: User,
    admin: User,
    items: dict[str, ItemType],
    facility_x: Any,
) -> None:
    stocked(facility_x, items["coffee"], admin, "ONE-1")
    other = open_case()
    recovery_client_create(
        actor=manager_a, case=other, display_name="Sam", identifier="", beneficiary=False, now=NOW
    )
    first, _second, _client = two_cases

    results = at_once(
        lambda: give(frontline_a, first, items["coffee"], serial="ONE-1"),
        lambda: give(manager_a, other, items["coffee"], serial="ONE-1"),
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert "ONE-1 is not in stock" in str(refused[0])
    issues = LedgerEntry.objects.filter(kind=EntryKind.ISSUE, stock_item__serial="ONE-1")
    assert issues.count() == 1


def test_a_double_submitted_form_is_recorded_once(
    committed: None,
    two_cases: tuple[Case, Case, RecoveryClient],
    frontline_a: User,
    items: dict[str, ItemType],
) -> None:
    first, _second, _client = two_cases

    results = at_once(
        *[lambda: give(frontline_a, first, items["meal"], idempotency_key="k" * 32)] * 2
    )

    assert sorted(type(r).__name__ for r in results) == ["AlreadySubmitted", "RecoveryOutcome"]
    assert any(isinstance(r, AlreadySubmitted) for r in results)
    assert LedgerEntry.objects.filter(kind=EntryKind.REQUEST).count() == 1
    assert issued_total() == D("10.00")
