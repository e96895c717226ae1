"""Closure blocking: a case closes only when every element its packs require is on record, and
the refusal names what is missing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from careloop.cases.models import Case, Kind, ReportKind, SafetyType, Status
from careloop.cases.records import external_report_record, letter_issue, letter_update
from careloop.cases.services import ClosureBlocked, case_move
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.orgs.models import Unit, User

RESOLVED_AT = RECEIVED_AT + timedelta(days=5)
CLOSED_AT = RECEIVED_AT + timedelta(days=6)

CMS_LETTER_LABELS = [
    "Decision letter names the hospital contact person",
    "Decision letter lists the steps taken to investigate",
    "Decision letter gives the results of the grievance process",
    "Decision letter gives the date of completion",
    "A written decision letter was sent (a phone call is not enough)",
]
CMS_LETTER = {
    "contact_person": "Pat Lee, Patient Relations, 555-0100",
    "steps_taken": "Interviewed the night staff; reviewed the call-light log.",
    "results": "Call lights are now answered within five minutes.",
    "completion_on": date(2026, 3, 6),
}
SNF_DECISION = {
    "received_on": date(2026, 3, 2),
    "summary": "Resident reported cold meals.",
    "steps_taken": "Checked the tray line temperatures.",
    "findings": "Trays waited 20 minutes.",
    "confirmed": "confirmed",
    "corrective_action": "Heated carts from 9 March.",
    "issued_on": date(2026, 3, 6),
}


def resolved(case: Case, actor: User) -> Case:
    return case_move(actor=actor, case=case, status=Status.RESOLVED, now=RESOLVED_AT)


def close(case: Case, actor: User) -> Case:
    return case_move(actor=actor, case=case, status=Status.CLOSED, now=CLOSED_AT)


def blocked_labels(case: Case, actor: User) -> list[str]:
    with pytest.raises(ClosureBlocked) as caught:
        close(case, actor)
    return [r.label for r in caught.value.missing]


# --- hospital grievance (42 CFR 482.13) ------------------------------------------------------


def test_it_blocks_closure_without_the_four_letter_elements_and_the_issued_letter(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = resolved(open_case(), advocate_x)

    with pytest.raises(ClosureBlocked) as caught:
        close(case, advocate_x)

    assert [r.label for r in caught.value.missing] == CMS_LETTER_LABELS
    message = caught.value.messages[0]
    assert message.startswith("The case cannot be closed yet. Missing: ")
    assert "Decision letter names the hospital contact person (H6)" in message
    case.refresh_from_db()
    assert (case.status, case.closed_at, case.retain_until) == (Status.RESOLVED, None, None)
    assert not case.events.filter(kind="closed").exists()


def test_the_refusal_names_only_what_is_still_missing(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = resolved(open_case(), advocate_x)
    letter_update(
        actor=advocate_x, case=case, values={"contact_person": "Pat Lee"}, now=RESOLVED_AT
    )

    labels = blocked_labels(case, advocate_x)

    assert "Decision letter names the hospital contact person" not in labels
    assert labels == CMS_LETTER_LABELS[1:]


def test_a_complete_letter_that_was_never_issued_still_blocks_closure(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = resolved(open_case(), advocate_x)
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=RESOLVED_AT)

    assert blocked_labels(case, advocate_x) == [CMS_LETTER_LABELS[-1]]


def test_a_hospital_grievance_closes_once_the_letter_is_complete_and_issued(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = resolved(open_case(), advocate_x)
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=RESOLVED_AT)
    letter_issue(actor=advocate_x, case=case, delivery="letter", now=RESOLVED_AT)

    closed = close(case, advocate_x)

    assert closed.status == Status.CLOSED
    assert closed.closed_at == CLOSED_AT
    assert closed.retain_until == date(2033, 3, 8)  # closed 8 March 2026 in Chicago, + 7 years
    assert closed.events.filter(kind="closed").count() == 1


def test_retention_counts_from_the_local_closing_date_not_the_utc_one(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case(kind=Kind.COMPLAINT)
    resolved(case, advocate_x)
    new_year_eve_in_chicago = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)  # 21:00 on 31 December

    closed = case_move(
        actor=advocate_x, case=case, status=Status.CLOSED, now=new_year_eve_in_chicago
    )

    assert closed.retain_until == date(2033, 12, 31)


def test_a_complaint_under_the_house_standard_alone_closes_without_a_letter(
    open_case: CaseOpener, manager_a: User
) -> None:
    case = resolved(open_case(kind=Kind.COMPLAINT), manager_a)

    assert close(case, manager_a).status == Status.CLOSED


def test_frontline_staff_cannot_close_a_case(
    open_case: CaseOpener, advocate_x: User, frontline_a: User
) -> None:
    case = resolved(open_case(kind=Kind.COMPLAINT), advocate_x)

    with pytest.raises(PermissionDenied):
        close(case, frontline_a)


# --- nursing facility grievance (42 CFR 483.10(j)(4)(v)) ---------------------------------------


def test_an_snf_grievance_needs_the_seven_decision_fields(
    open_case: CaseOpener, unit_c: Unit, advocate_y: User
) -> None:
    case = resolved(open_case(unit=unit_c), advocate_y)

    assert blocked_labels(case, advocate_y) == [
        "Written decision gives the date the grievance was received",
        "Written decision has a summary statement of the grievance",
        "Written decision lists the steps taken to investigate",
        "Written decision summarizes the pertinent findings or conclusions",
        "Written decision says whether the grievance was confirmed",
        "Written decision states corrective action taken or to be taken",
        "Written decision gives the date it was issued",
    ]


def test_an_snf_grievance_missing_one_field_names_that_field(
    open_case: CaseOpener, unit_c: Unit, advocate_y: User
) -> None:
    case = resolved(open_case(unit=unit_c), advocate_y)
    letter_update(
        actor=advocate_y,
        case=case,
        values={**SNF_DECISION, "confirmed": ""},
        now=RESOLVED_AT,
    )

    assert blocked_labels(case, advocate_y) == [
        "Written decision says whether the grievance was confirmed"
    ]


def test_an_snf_grievance_closes_with_the_seven_fields(
    open_case: CaseOpener, unit_c: Unit, advocate_y: User
) -> None:
    case = resolved(open_case(unit=unit_c), advocate_y)
    letter_update(actor=advocate_y, case=case, values=SNF_DECISION, now=RESOLVED_AT)

    assert close(case, advocate_y).status == Status.CLOSED


# --- abuse allegation (42 CFR 483.12(c)) -------------------------------------------------------


def report(case: Case, actor: User, kind: str, *, confirmation_ref: str = "") -> None:
    external_report_record(
        actor=actor,
        case=case,
        kind=kind,
        agency="NY Department of Health",
        recipients="Administrator\nState Survey Agency",
        method="portal",
        sent_at=RECEIVED_AT + timedelta(hours=1),
        confirmation_ref=confirmation_ref,
        now=RECEIVED_AT + timedelta(hours=1),
    )


@pytest.fixture
def allegation(open_case: CaseOpener, unit_c: Unit) -> Case:
    return open_case(unit=unit_c, kind=Kind.SAFETY_CONCERN, safety_type=SafetyType.ABUSE)


def test_an_abuse_allegation_needs_both_reports_before_closing(
    allegation: Case, advocate_y: User
) -> None:
    case = resolved(allegation, advocate_y)

    assert blocked_labels(case, advocate_y) == [
        "Initial report sent to the administrator and State Survey Agency",
        "Investigation results report sent, with proof of transmission",
    ]


def test_a_results_report_without_a_confirmation_reference_does_not_count(
    allegation: Case, advocate_y: User
) -> None:
    report(allegation, advocate_y, ReportKind.INITIAL)
    report(allegation, advocate_y, ReportKind.RESULTS)
    case = resolved(allegation, advocate_y)

    assert blocked_labels(case, advocate_y) == [
        "Investigation results report sent, with proof of transmission"
    ]


def test_an_other_report_does_not_stand_in_for_the_initial_report(
    allegation: Case, advocate_y: User
) -> None:
    report(allegation, advocate_y, ReportKind.OTHER, confirmation_ref="X-1")
    report(allegation, advocate_y, ReportKind.RESULTS, confirmation_ref="DOH-2")
    case = resolved(allegation, advocate_y)

    assert blocked_labels(case, advocate_y) == [
        "Initial report sent to the administrator and State Survey Agency"
    ]


def test_an_abuse_allegation_closes_with_both_reports_on_record(
    allegation: Case, advocate_y: User
) -> None:
    report(allegation, advocate_y, ReportKind.INITIAL)
    report(allegation, advocate_y, ReportKind.RESULTS, confirmation_ref="DOH-2026-0042")
    case = resolved(allegation, advocate_y)

    assert close(case, advocate_y).status == Status.CLOSED
