"""What is recorded on a case: notes, tasks, investigation, findings, reports, interim notices
and the decision letter, each with its timeline event."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.cases.models import Case, DecisionLetter, ReportKind
from careloop.cases.records import (
    case_set_findings,
    corrective_action_add,
    external_report_record,
    interim_notice_record,
    investigation_step_add,
    letter_issue,
    letter_update,
    note_add,
    task_add,
    task_complete,
)
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.orgs.models import User

NOW = RECEIVED_AT + timedelta(days=1)
FUTURE = NOW + timedelta(minutes=1)
# The four elements the hospital pack requires before a decision letter can be issued.
CMS_COMPLETE = {
    "contact_person": "Pat Lee",
    "steps_taken": "Read the notes",
    "results": "x",
    "completion_on": date(2026, 3, 2),
}


@pytest.fixture
def case(open_case: CaseOpener) -> Case:
    return open_case()


def last_event_kind(case: Case) -> str:
    return str(case.events.order_by("-id").values_list("kind", flat=True).first())


def test_a_message_to_the_client_is_timelined_without_its_words(
    case: Case, advocate_x: User
) -> None:
    note = note_add(
        actor=advocate_x, case=case, body="  We are sorry.  ", visibility="client", now=NOW
    )

    assert note.body == "We are sorry."
    event = case.events.get(kind="message_sent")
    assert (event.summary, event.actor) == ("Message to the client", advocate_x)


def test_a_note_needs_a_known_visibility_and_a_body(case: Case, frontline_a: User) -> None:
    with pytest.raises(ValidationError, match="internal note or a message"):
        note_add(actor=frontline_a, case=case, body="x", visibility="public", now=NOW)
    with pytest.raises(ValidationError, match="Note is required"):
        note_add(actor=frontline_a, case=case, body=" ", visibility="internal", now=NOW)


def test_the_executive_cannot_add_notes(case: Case, executive: User) -> None:
    with pytest.raises(PermissionDenied):
        note_add(actor=executive, case=case, body="x", visibility="internal", now=NOW)


def test_a_task_is_added_and_completed_once(case: Case, advocate_x: User) -> None:
    task = task_add(
        actor=advocate_x, case=case, title="Call back", owner=advocate_x, due_on=None, now=NOW
    )

    done = task_complete(actor=advocate_x, task=task, now=NOW)

    assert done.done_at == NOW
    assert last_event_kind(case) == "task_done"
    with pytest.raises(ValidationError, match="already done"):
        task_complete(actor=advocate_x, task=task, now=NOW)


def test_a_task_owner_from_another_organization_is_refused(
    case: Case, advocate_x: User, outsider: User
) -> None:
    with pytest.raises(ValidationError, match="must belong to this organization"):
        task_add(actor=advocate_x, case=case, title="x", owner=outsider, due_on=None, now=NOW)


def test_an_investigation_step_cannot_be_dated_in_the_future(case: Case, advocate_x: User) -> None:
    step = investigation_step_add(
        actor=advocate_x, case=case, description="Read the chart", at=None, now=NOW
    )
    assert step.at == NOW

    with pytest.raises(ValidationError, match="The step's time cannot be in the future"):
        investigation_step_add(actor=advocate_x, case=case, description="x", at=FUTURE, now=NOW)


def test_findings_record_who_confirmed_them(case: Case, advocate_x: User) -> None:
    updated = case_set_findings(
        actor=advocate_x,
        case=case,
        findings="Delay confirmed",
        confirmed=True,
        confirmed_by="facility",
        now=NOW,
    )

    assert (updated.findings, updated.confirmed, updated.confirmed_by) == (
        "Delay confirmed",
        True,
        "facility",
    )
    with pytest.raises(ValidationError, match="Confirmed by must be"):
        case_set_findings(
            actor=advocate_x, case=case, findings="", confirmed=None, confirmed_by="me", now=NOW
        )


def test_a_corrective_action_is_recorded(case: Case, manager_a: User) -> None:
    action = corrective_action_add(
        actor=manager_a,
        case=case,
        description="Huddle",
        owner_name="Charge nurse",
        due_on=date(2026, 3, 9),
        now=NOW,
    )

    assert case.corrective_actions.get() == action
    assert case.events.get(kind="corrective_action").changes == {"due_on": [None, "2026-03-09"]}


@pytest.mark.parametrize(
    ("kind", "recipients", "sent_at", "message"),
    [
        ("gossip", "Intake", NOW, "Unknown report kind"),
        (ReportKind.INITIAL, "  ", NOW, "Recipients is required"),
        (ReportKind.INITIAL, "Intake", FUTURE, "Sent at cannot be in the future"),
    ],
)
def test_an_external_report_needs_a_kind_recipients_and_a_past_time(
    case: Case, advocate_x: User, kind: str, recipients: str, sent_at: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        external_report_record(
            actor=advocate_x,
            case=case,
            kind=kind,
            agency="IDPH",
            recipients=recipients,
            method="",
            sent_at=sent_at,  # type: ignore[arg-type]  # parametrized datetime
            confirmation_ref="",
            now=NOW,
        )

    assert not case.external_reports.exists()


def test_an_interim_notice_needs_a_known_channel(case: Case, advocate_x: User) -> None:
    with pytest.raises(ValidationError, match="Unknown channel"):
        interim_notice_record(
            actor=advocate_x,
            case=case,
            channel="pigeon",
            sent_at=NOW,
            follow_up_on=date(2026, 3, 20),
            now=NOW,
        )


def test_editing_the_letter_records_only_the_fields_that_changed(
    case: Case, advocate_x: User
) -> None:
    letter_update(actor=advocate_x, case=case, values={"contact_person": "Pat"}, now=NOW)

    letter_update(
        actor=advocate_x,
        case=case,
        values={"contact_person": "Pat", "results": "Apology"},
        now=NOW,
    )

    drafts = case.events.filter(kind="letter_drafted").order_by("id")
    assert drafts.count() == 2
    letter = DecisionLetter.objects.get(case=case)
    assert (letter.contact_person, letter.results, letter.updated_at) == ("Pat", "Apology", NOW)


def test_a_letter_cannot_be_issued_before_it_is_written(case: Case, advocate_x: User) -> None:
    with pytest.raises(ValidationError, match=r"Missing: .*contact person"):
        letter_issue(actor=advocate_x, case=case, delivery="letter", now=NOW)


def test_a_letter_needs_a_real_delivery(case: Case, advocate_x: User) -> None:
    letter_update(actor=advocate_x, case=case, values={"results": "x"}, now=NOW)

    with pytest.raises(ValidationError, match="Choose how the letter is delivered"):
        letter_issue(actor=advocate_x, case=case, delivery="none", now=NOW)


def test_an_issued_letter_is_dated_locally_and_frozen(case: Case, advocate_x: User) -> None:
    letter_update(actor=advocate_x, case=case, values=CMS_COMPLETE, now=NOW)
    late_evening = RECEIVED_AT + timedelta(hours=12)  # 03:00 UTC on the 3rd, 21:00 on the 2nd

    letter = letter_issue(actor=advocate_x, case=case, delivery="letter", now=late_evening)

    assert (letter.issued_at, letter.issued_on) == (late_evening, date(2026, 3, 2))
    with pytest.raises(ValidationError, match="already issued"):
        letter_issue(actor=advocate_x, case=case, delivery="email", now=NOW)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        letter_update(actor=advocate_x, case=case, values={"results": "y"}, now=NOW)


def test_a_message_to_a_client_who_asked_for_email_goes_by_email_in_their_language(
    open_case: CaseOpener, advocate_x: User
) -> None:
    from careloop.messaging.models import OutboundMessage

    by_email = open_case(
        reporter_email="ana@example.org", contact_preference="email", language="es"
    )
    by_phone = open_case(reporter_phone="555-0100", contact_preference="phone")

    note_add(
        actor=advocate_x,
        case=by_email,
        body="Hemos hablado con la enfermera.",
        visibility="client",
        now=NOW,
    )
    note_add(actor=advocate_x, case=by_email, body="internal only", visibility="internal", now=NOW)
    note_add(actor=advocate_x, case=by_phone, body="Called back.", visibility="client", now=NOW)

    message = OutboundMessage.objects.get()
    assert (message.case, message.to_address, message.language) == (
        by_email,
        "ana@example.org",
        "es",
    )
    assert "Hemos hablado con la enfermera." in message.body
    assert message.subject.startswith("Un mensaje sobre su inquietud")
