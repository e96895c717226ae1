"""The lifecycle: which status may follow which, and what moving a case records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.cases.lifecycle import TRANSITIONS, can_move, is_reopen
from careloop.cases.models import Case, Kind, Status
from careloop.cases.services import case_move
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.orgs.models import User

LATER = RECEIVED_AT + timedelta(days=2)

LEGAL = {(old, new) for old, targets in TRANSITIONS.items() for new in targets}
ILLEGAL = sorted(
    (old, new) for old in Status.values for new in Status.values if (old, new) not in LEGAL
)


@pytest.mark.parametrize(("old", "new"), sorted(LEGAL))
def test_a_legal_move_is_allowed(old: str, new: str) -> None:
    assert can_move(old, new)


@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_an_illegal_move_is_refused(old: str, new: str) -> None:
    assert not can_move(old, new)


def test_a_case_never_moves_to_its_own_status_or_back_to_new() -> None:
    assert all(not can_move(s, s) for s in Status.values)
    assert all(not can_move(s, Status.NEW) for s in Status.values)


def test_only_investigating_again_after_resolving_or_closing_is_a_reopen() -> None:
    assert is_reopen(Status.RESOLVED, Status.INVESTIGATING)
    assert is_reopen(Status.CLOSED, Status.INVESTIGATING)
    assert not is_reopen(Status.ACKNOWLEDGED, Status.INVESTIGATING)


def test_an_unknown_status_moves_nowhere() -> None:
    assert not can_move("archived", Status.NEW)


# --- case_move ---------------------------------------------------------------------------------


@pytest.fixture
def complaint(open_case: CaseOpener) -> Case:
    return open_case(kind=Kind.COMPLAINT)


def test_moving_a_new_case_to_investigating_records_the_old_and_new_status(
    complaint: Case, advocate_x: User
) -> None:
    case = case_move(actor=advocate_x, case=complaint, status=Status.INVESTIGATING, now=LATER)

    event = case.events.get(kind=Status.INVESTIGATING)
    assert event.changes == {"status": ["new", "investigating"]}
    assert event.summary == "Status new → investigating"
    assert (event.actor, event.at) == (advocate_x, LATER)


def test_a_new_case_cannot_close_directly(complaint: Case, advocate_x: User) -> None:
    with pytest.raises(ValidationError, match="A new case cannot move to closed"):
        case_move(actor=advocate_x, case=complaint, status=Status.CLOSED, now=LATER)

    complaint.refresh_from_db()
    assert complaint.status == Status.NEW


def test_an_unknown_status_is_refused(complaint: Case, advocate_x: User) -> None:
    with pytest.raises(ValidationError, match="Status 'archived' is not one of"):
        case_move(actor=advocate_x, case=complaint, status="archived", now=LATER)


def test_resolving_stamps_the_resolution_time(complaint: Case, advocate_x: User) -> None:
    case = case_move(actor=advocate_x, case=complaint, status=Status.RESOLVED, now=LATER)

    assert (case.status, case.resolved_at) == (Status.RESOLVED, LATER)


def test_reopening_needs_a_reason(complaint: Case, advocate_x: User) -> None:
    case_move(actor=advocate_x, case=complaint, status=Status.RESOLVED, now=LATER)

    with pytest.raises(ValidationError, match="Reason for reopening is required"):
        case_move(actor=advocate_x, case=complaint, status=Status.INVESTIGATING, now=LATER)

    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopened_count) == (Status.RESOLVED, 0)


def test_reopening_a_closed_case_counts_the_reopen_and_clears_the_close(
    complaint: Case, advocate_x: User
) -> None:
    case_move(actor=advocate_x, case=complaint, status=Status.RESOLVED, now=LATER)
    case_move(actor=advocate_x, case=complaint, status=Status.CLOSED, now=LATER)

    case = case_move(
        actor=advocate_x,
        case=complaint,
        status=Status.INVESTIGATING,
        reason="The family called back",
        now=LATER + timedelta(days=1),
    )

    assert (case.status, case.reopened_count) == (Status.INVESTIGATING, 1)
    assert (case.closed_at, case.resolved_at) == (None, None)
    event = case.events.get(kind="reopened")
    assert event.summary == "Status closed → investigating: The family called back"


def test_each_reopen_increments_the_count(complaint: Case, advocate_x: User) -> None:
    for day in (1, 2):
        case_move(actor=advocate_x, case=complaint, status=Status.RESOLVED, now=LATER)
        case_move(
            actor=advocate_x,
            case=complaint,
            status=Status.INVESTIGATING,
            reason=f"Round {day}",
            now=LATER,
        )

    complaint.refresh_from_db()
    assert complaint.reopened_count == 2


def test_the_executive_can_see_but_not_move_a_case(complaint: Case, executive: User) -> None:
    with pytest.raises(PermissionDenied):
        case_move(actor=executive, case=complaint, status=Status.INVESTIGATING, now=LATER)


def test_frontline_staff_cannot_move_a_case(complaint: Case, frontline_a: User) -> None:
    with pytest.raises(PermissionDenied):
        case_move(actor=frontline_a, case=complaint, status=Status.RESOLVED, now=LATER)
