"""Erasure under the retention policy: a closed case past its retention loses every trace of the
client's words and contact details, keeps what counts and charts need, and is refused while it
is held, open, still retained or already erased."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import audit_chain_verify
from careloop.cases.models import (
    Case,
    CaseEvent,
    ContactPreference,
    CorrectiveAction,
    DecisionLetter,
    ExternalReport,
    InvestigationStep,
    Kind,
    Note,
    ReportKind,
    Status,
    Task,
)
from careloop.cases.records import (
    case_set_findings,
    corrective_action_add,
    external_report_record,
    investigation_step_add,
    letter_update,
    note_add,
    task_add,
    task_complete,
)
from careloop.cases.retention import (
    ErasureRefused,
    case_anonymize,
    cases_due_for_erasure,
    cases_due_for_erasure_at,
    retention_by_facility,
)
from careloop.cases.services import case_code, case_move, case_set_retention
from careloop.conftest import NARRATIVE, RECEIVED_AT, CaseOpener
from careloop.messaging.models import OutboundMessage
from careloop.messaging.services import message_queue
from careloop.orgs.models import Facility, Organization, Person, Unit, User
from careloop.policies.models import CaseClock

WORKED_AT = RECEIVED_AT + timedelta(days=1)
RESOLVED_AT = RECEIVED_AT + timedelta(days=5)
CLOSED_AT = RECEIVED_AT + timedelta(days=6)  # Sunday 8 March 2026 in Chicago
RETAIN_UNTIL = date(2033, 3, 8)  # seven years after closing
# Wednesday 9 March 2033 at midnight in Chicago (CST, UTC-6): the first local day past retention.
ERASE_AT = datetime(2033, 3, 9, 6, 0, tzinfo=UTC)
STILL_RETAINED_AT = ERASE_AT - timedelta(minutes=1)  # 23:59 on 8 March in Chicago, 9 March UTC
MARKER = "[erased under the retention policy on 2033-03-09]"
REASON = "Retention period ended (retained until 2033-03-08)."

CLIENT: dict[str, Any] = {
    "reporter_name": "Maria Alvarez",
    "reporter_email": "maria.alvarez@example.com",
    "reporter_phone": "555-0199",
    "contact_preference": ContactPreference.EMAIL,
    "desired_outcome": "An apology from the night nurse",
    "classification_reason": "Mrs Alvarez asked for a written reply",
    "people_involved": "Joan on nights, Mr Alvarez's named nurse",
}
STAFF_WORDS = {
    "note": "Mrs Alvarez says her father still has bruises",
    "task": "Call Maria Alvarez on Friday",
    "step": "Interviewed Mr Alvarez senior at his bedside",
    "findings": "Mr Alvarez waited 4 hours for morphine",
    "corrective": "Apologise to the Alvarez family in person",
    "recipients": "Ombudsman desk for Alvarez household",
    "confirmation": "CONF-ALVAREZ-1",
    "letter_summary": "Mr Alvarez reported a delay in pain relief",
    "letter_steps": "Reviewed Mr Alvarez's medication record",
    "letter_results": "Pain relief for Mr Alvarez is now hourly",
    "reopen": "Maria Alvarez phoned again about the bruises",
}
SECRETS = [NARRATIVE, *(str(v) for k, v in CLIENT.items() if k != "contact_preference")]
SECRETS += [*STAFF_WORDS.values(), "secret-token"]


def closed(case: Case, actor: User, *, at: datetime = CLOSED_AT) -> Case:
    case = case_move(actor=actor, case=case, status=Status.RESOLVED, now=at - timedelta(days=1))
    return case_move(actor=actor, case=case, status=Status.CLOSED, now=at)


def worked_and_closed(case: Case, advocate: User, nurse: Person, unit: Unit) -> Case:
    """A complaint with every kind of record on it, closed, reopened with a reason and closed."""
    now = WORKED_AT
    message_queue(
        case=case,
        to=case.reporter_email,
        template="intake_acknowledgement",
        language="en",
        context={
            "reference": case.reference,
            "facility_name": case.facility.name,
            "status_url": "https://careloop.example/s/secret-token/",
            "kind": case.kind,
        },
        now=now,
    )
    note_add(actor=advocate, case=case, body=STAFF_WORDS["note"], visibility="internal", now=now)
    note_add(
        actor=advocate, case=case, body="We are looking into it.", visibility="client", now=now
    )
    task = task_add(
        actor=advocate, case=case, title=STAFF_WORDS["task"], owner=None, due_on=None, now=now
    )
    task_complete(actor=advocate, task=task, now=now)
    investigation_step_add(
        actor=advocate, case=case, description=STAFF_WORDS["step"], at=None, now=now
    )
    case_set_findings(
        actor=advocate,
        case=case,
        findings=STAFF_WORDS["findings"],
        confirmed=True,
        confirmed_by="facility",
        now=now,
    )
    corrective_action_add(
        actor=advocate,
        case=case,
        description=STAFF_WORDS["corrective"],
        owner_name="Charge nurse",
        due_on=None,
        now=now,
    )
    external_report_record(
        actor=advocate,
        case=case,
        kind=ReportKind.OTHER,
        agency="IDPH",
        recipients=STAFF_WORDS["recipients"],
        method="portal",
        sent_at=now,
        confirmation_ref=STAFF_WORDS["confirmation"],
        now=now,
    )
    letter_update(
        actor=advocate,
        case=case,
        values={
            "contact_person": "Pat Lee, Patient Relations",
            "summary": STAFF_WORDS["letter_summary"],
            "steps_taken": STAFF_WORDS["letter_steps"],
            "results": STAFF_WORDS["letter_results"],
            "completion_on": date(2026, 3, 6),
        },
        now=now,
    )
    case_code(
        actor=advocate,
        case=case,
        severities={"sev_quality": 2, "sev_safety": 3, "sev_listening": 1},
        stage_of_care="care_on_ward",
        harm=2,
        staff_involved=[nurse],
        units_involved=[unit],
        now=now,
    )
    case = closed(case, advocate, at=CLOSED_AT - timedelta(days=2))
    case = case_move(
        actor=advocate,
        case=case,
        status=Status.INVESTIGATING,
        reason=STAFF_WORDS["reopen"],
        now=CLOSED_AT - timedelta(days=1, hours=12),
    )
    return closed(case, advocate)


@pytest.fixture
def worked_case(open_case: CaseOpener, advocate_x: User, nurse_a: Person, unit_a: Unit) -> Case:
    return worked_and_closed(open_case(kind=Kind.COMPLAINT, **CLIENT), advocate_x, nurse_a, unit_a)


def rows_of(case: Case) -> str:
    """Every stored value that belongs to the case, plus the whole audit log, as one text."""
    related: list[type[Model]] = [
        Note,
        Task,
        InvestigationStep,
        CorrectiveAction,
        DecisionLetter,
        ExternalReport,
        CaseEvent,
        CaseClock,
        OutboundMessage,
    ]
    values: list[list[dict[str, Any]]] = [
        [dict(row) for row in Case.objects.filter(pk=case.pk).values()]
    ]
    values += [list(model._default_manager.filter(case=case).values()) for model in related]
    values.append([dict(row) for row in AuditEvent.objects.values()])
    return json.dumps(values, default=str, ensure_ascii=False)


def statistics_of(case: Case) -> dict[str, Any]:
    case.refresh_from_db()
    kept = [
        "kind",
        "status",
        "facility_id",
        "unit_id",
        "channel",
        "reporter_type",
        "language",
        "received_at",
        "acknowledged_at",
        "resolved_at",
        "closed_at",
        "reopened_count",
        "confirmed",
        "confirmed_by",
        "sev_quality",
        "sev_safety",
        "sev_environment",
        "sev_institutional",
        "sev_listening",
        "sev_communication",
        "sev_respect",
        "stage_of_care",
        "harm",
        "coded_at",
        "retain_until",
        "legal_hold",
    ]
    return {
        **{name: getattr(case, name) for name in kept},
        "staff": sorted(case.staff_involved.values_list("pk", flat=True)),
        "units": sorted(case.units_involved.values_list("pk", flat=True)),
        "clocks": list(CaseClock.objects.filter(case=case).order_by("pk").values()),
        "timeline": list(case.events.values_list("kind", "at")),
        "counts": [
            m._default_manager.filter(case=case).count()
            for m in (Note, Task, InvestigationStep, CorrectiveAction, ExternalReport)
        ],
    }


# --- what erasure removes and what it keeps ---------------------------------------------------


def test_a_closed_case_past_retention_keeps_no_client_text_anywhere(worked_case: Case) -> None:
    before = rows_of(worked_case)
    assert [s for s in SECRETS if s not in before] == []  # each one was really stored

    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)

    after = rows_of(worked_case)
    assert [s for s in SECRETS if s in after] == []
    worked_case.refresh_from_db()
    assert (worked_case.narrative, worked_case.desired_outcome) == (MARKER, MARKER)
    assert worked_case.findings == MARKER
    assert (worked_case.reporter_name, worked_case.reporter_email) == ("", "")
    assert (worked_case.reporter_phone, worked_case.classification_reason) == ("", "")
    assert worked_case.contact_preference == ContactPreference.NONE
    assert set(Note.objects.filter(case=worked_case).values_list("body", flat=True)) == {MARKER}
    letter = DecisionLetter.objects.get(case=worked_case)
    assert (letter.summary, letter.steps_taken, letter.results) == (MARKER, MARKER, MARKER)
    assert (letter.findings, letter.corrective_action) == ("", "")  # never written, left empty
    assert letter.contact_person == "Pat Lee, Patient Relations"  # staff, not the client


def test_erasure_keeps_what_counts_rates_and_charts_need(worked_case: Case) -> None:
    before = statistics_of(worked_case)

    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)

    after = statistics_of(worked_case)
    assert after.pop("timeline") == [*before.pop("timeline"), ("erased", ERASE_AT)]
    assert after == before
    assert before["sev_safety"] == 3
    assert before["harm"] == 2
    assert before["clocks"]


def test_the_timeline_keeps_its_steps_but_not_the_reasons_and_titles_typed_into_them(
    worked_case: Case,
) -> None:
    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)

    summaries = dict(worked_case.events.values_list("kind", "summary"))
    assert summaries["reopened"] == "Status closed → investigating"
    assert summaries["task_added"] == f"Task: {MARKER}"
    assert summaries["task_done"] == f"Task done: {MARKER}"
    assert summaries["external_report"] == "Other external report sent to IDPH"


def test_erasure_is_recorded_on_the_case_the_timeline_and_the_audit_log(
    worked_case: Case,
) -> None:
    erased = case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)

    assert (erased.erased_at, erased.erased_reason, erased.is_erased) == (ERASE_AT, REASON, True)
    event = erased.events.get(kind="erased")
    assert (event.actor, event.at) == (None, ERASE_AT)
    assert event.summary == "Client details erased under the retention policy"
    audit = AuditEvent.objects.get(event_type="case.erased")
    assert (audit.action, audit.actor_label, audit.case_id) == ("D", "system", erased.pk)
    assert {"narrative", "reporter_name", "note.body", "case_event.summary"} <= set(audit.fields)
    assert audit.detail == {}


def test_the_audit_chain_still_verifies_after_erasure(worked_case: Case) -> None:
    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)

    count, problems = audit_chain_verify()

    assert problems == []
    assert count == AuditEvent.objects.count() > 1


def test_an_advocate_may_erase_but_frontline_staff_may_not(
    open_case: CaseOpener, advocate_x: User, frontline_a: User
) -> None:
    case = closed(open_case(kind=Kind.COMPLAINT), advocate_x)

    with pytest.raises(PermissionDenied):
        case_anonymize(actor=frontline_a, case=case, now=ERASE_AT, reason=REASON)
    erased = case_anonymize(actor=advocate_x, case=case, now=ERASE_AT, reason="Client asked")

    assert erased.erased_reason == "Client asked"
    assert AuditEvent.objects.get(event_type="case.erased").actor_id == advocate_x.pk


# --- refusals ----------------------------------------------------------------------------------


def refused(case: Case, *, now: datetime = ERASE_AT) -> ErasureRefused:
    audit_events = AuditEvent.objects.count()
    with pytest.raises(ErasureRefused) as caught:
        case_anonymize(actor=None, case=case, now=now, reason=REASON)
    assert AuditEvent.objects.count() == audit_events
    return caught.value


def test_a_case_under_legal_hold_is_not_erased(open_case: CaseOpener, advocate_x: User) -> None:
    case = closed(open_case(kind=Kind.COMPLAINT, **CLIENT), advocate_x)
    case_set_retention(
        actor=advocate_x, case=case, retain_until=RETAIN_UNTIL, legal_hold=True, now=CLOSED_AT
    )

    error = refused(case)

    assert error.code == "held"
    assert error.messages == [
        f"{case.reference} is under legal hold; lift the hold before erasing it."
    ]
    case.refresh_from_db()
    assert (case.narrative, case.reporter_name, case.erased_at) == (
        NARRATIVE,
        "Maria Alvarez",
        None,
    )


def test_an_open_case_is_refused(open_case: CaseOpener) -> None:
    case = open_case()

    error = refused(case)

    assert error.messages == [f"{case.reference} is not closed; only closed cases are erased."]
    case.refresh_from_db()
    assert case.narrative == NARRATIVE


def test_a_case_is_kept_until_its_retention_ends_at_the_facility(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    assert case.retain_until == RETAIN_UNTIL

    error = refused(case, now=STILL_RETAINED_AT)

    assert error.code == "retained"
    assert "must be kept until 2033-03-08" in error.messages[0]
    assert case_anonymize(actor=None, case=case, now=ERASE_AT, reason=REASON).is_erased


def test_a_case_kept_without_an_end_date_is_refused(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    case_set_retention(
        actor=advocate_x, case=case, retain_until=None, legal_hold=False, now=CLOSED_AT
    )

    assert "must be kept until no end date" in refused(case).messages[0]


def test_a_second_erasure_is_refused_and_changes_nothing(worked_case: Case) -> None:
    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)
    after_first = rows_of(worked_case)

    error = refused(worked_case, now=ERASE_AT + timedelta(days=1))

    assert error.code == "erased"
    assert rows_of(worked_case) == after_first


def test_a_blank_reason_is_refused(open_case: CaseOpener, advocate_x: User) -> None:
    case = closed(open_case(kind=Kind.COMPLAINT), advocate_x)

    with pytest.raises(ValidationError, match="Reason is required"):
        case_anonymize(actor=None, case=case, now=ERASE_AT, reason="  ")


# --- which cases are due -----------------------------------------------------------------------


def test_only_closed_unheld_unerased_cases_past_retention_are_due(
    open_case: CaseOpener, advocate_x: User, advocate_y: User, unit_c: Unit
) -> None:
    due = closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    held = closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    case_set_retention(
        actor=advocate_x, case=held, retain_until=RETAIN_UNTIL, legal_hold=True, now=CLOSED_AT
    )
    open_case(kind=Kind.COMPLAINT)  # still open
    later = closed(open_case(kind=Kind.COMPLAINT), advocate_x, at=CLOSED_AT + timedelta(days=1))
    erased = closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    case_anonymize(actor=None, case=erased, now=ERASE_AT, reason=REASON)

    assert list(cases_due_for_erasure(on=date(2033, 3, 9))) == [due]
    assert set(cases_due_for_erasure(on=date(2033, 3, 10))) == {due, later}
    assert list(cases_due_for_erasure(on=RETAIN_UNTIL)) == []


def test_due_cases_are_found_by_each_facility_s_local_date(
    open_case: CaseOpener, advocate_x: User, admin: User, org: Organization
) -> None:
    harbor = Facility.objects.create(
        organization=org,
        name="Harbor Home Health",
        setting="home_health",
        jurisdiction="US-NY",
        time_zone="America/New_York",
        holiday_calendar="us_federal",
        policy_packs=["house.standard"],
    )
    chicago = closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    new_york = closed(open_case(kind=Kind.COMPLAINT, facility=harbor), admin)
    assert chicago.retain_until == new_york.retain_until == RETAIN_UNTIL
    # 05:30 UTC on 9 March: already 00:30 on the 9th in New York, still the 8th in Chicago.
    at = datetime(2033, 3, 9, 5, 30, tzinfo=UTC)

    assert list(cases_due_for_erasure_at(now=at)) == [new_york]
    assert set(cases_due_for_erasure_at(now=ERASE_AT)) == {chicago, new_york}


def test_the_retention_report_counts_per_facility(
    open_case: CaseOpener, advocate_x: User, unit_c: Unit
) -> None:
    closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    held = closed(open_case(kind=Kind.COMPLAINT), advocate_x)
    case_set_retention(
        actor=advocate_x, case=held, retain_until=RETAIN_UNTIL, legal_hold=True, now=CLOSED_AT
    )
    closed(open_case(kind=Kind.COMPLAINT), advocate_x, at=CLOSED_AT + timedelta(days=30))

    rows = {r.facility.name: r for r in retention_by_facility(now=ERASE_AT)}

    general, maple = rows["Riverside General"], rows["Maple Grove"]
    assert (general.today, general.due, general.held, general.erased) == (
        date(2033, 3, 9),
        1,
        1,
        0,
    )
    assert general.next_due_on == date(2033, 4, 8)  # the day after 7 April's retain_until
    assert (maple.due, maple.held, maple.next_due_on) == (0, 0, None)


# --- the pages still work ----------------------------------------------------------------------


def test_an_erased_case_shows_a_banner_and_no_client_text(
    client: Client, advocate_x: User, worked_case: Case
) -> None:
    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)
    client.force_login(advocate_x)

    response = client.get(reverse("web:case", args=[worked_case.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Client details were erased on 2033-03-09 under the retention policy." in page
    assert "contact details erased" in page
    assert [s for s in SECRETS if s in page] == []
    assert "What happened" not in page
    assert "Work the case" not in page


def test_the_queue_lists_an_erased_case(
    client: Client, advocate_x: User, worked_case: Case
) -> None:
    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)
    client.force_login(advocate_x)

    response = client.get(reverse("web:queue"), {"scope": "all"})

    assert response.status_code == 200
    page = response.content.decode()
    assert worked_case.reference in page
    assert MARKER in page
    assert NARRATIVE not in page


def test_an_erased_case_takes_no_more_writes(worked_case: Case, advocate_x: User) -> None:
    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)
    after = rows_of(worked_case)

    with pytest.raises(ValidationError, match="erased under the retention policy"):
        note_add(
            actor=advocate_x,
            case=worked_case,
            body="new words",
            visibility="internal",
            now=ERASE_AT,
        )
    with pytest.raises(ValidationError, match="erased under the retention policy"):
        case_move(
            actor=advocate_x,
            case=worked_case,
            status="investigating",
            reason="again",
            now=ERASE_AT,
        )
    assert rows_of(worked_case) == after


def test_issued_letter_pdfs_and_a_case_only_recovery_client_are_erased_with_the_case(
    worked_case: Case, advocate_x: User
) -> None:
    from django.db import DatabaseError, transaction

    from careloop.letters.models import IssuedLetter
    from careloop.recovery.models import CaseClient, RecoveryClient

    letter = IssuedLetter.objects.create(
        case=worked_case,
        kind="interim",
        template_id="interim.still_working",
        template_version="2026.1",
        language="en",
        delivery="letter",
        pdf=b"%PDF-1.4 Dear Maria Alvarez",
        sha256="0" * 64,
        issued_at=WORKED_AT,
        issued_by=advocate_x,
    )
    client = RecoveryClient.objects.create(
        organization=worked_case.organization,
        display_name="Maria Alvarez",
        case_only=True,
        created_at=WORKED_AT,
        created_by=advocate_x,
    )
    CaseClient.objects.create(
        case=worked_case, client=client, linked_at=WORKED_AT, linked_by=advocate_x
    )

    case_anonymize(actor=None, case=worked_case, now=ERASE_AT, reason=REASON)

    letter.refresh_from_db()
    assert (bytes(letter.pdf), letter.erased_at) == (b"", ERASE_AT)
    assert letter.sha256 == "0" * 64  # the record of what was sent stays
    client.refresh_from_db()
    assert client.display_name == MARKER
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuedLetter.objects.filter(pk=letter.pk).update(language="es")
