"""Write paths for what is recorded on a case: notes and messages, tasks, investigation steps,
findings, corrective actions, external reports, interim notices and the decision letter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.cases.models import (
    Case,
    ContactPreference,
    CorrectiveAction,
    DecisionLetter,
    ExternalReport,
    InterimNotice,
    InvestigationStep,
    Note,
    ReportKind,
    Task,
    Visibility,
)
from careloop.cases.services import case_locked_for_write
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.core.time import local_date
from careloop.letters.elements import LetterIncomplete
from careloop.letters.models import LetterKind
from careloop.letters.services import (
    client_email_required,
    decision_letter_document,
    decision_letter_plan,
    interim_letter_document,
    issued_letter_email,
    issued_letter_record,
)
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability
from careloop.policies.services import clocks_stop

TEXT_LIMIT = 20_000


def _lock(actor: User, capability: str, case: Case) -> Case:
    if not has_capability(actor, capability, case):
        raise PermissionDenied("Your role cannot do that on this case.")
    return case_locked_for_write(case)


def _past(value: datetime, now: datetime, name: str) -> datetime:
    if value > now:
        raise ValidationError(f"{name} cannot be in the future.")
    return value


@transaction.atomic
def note_add(*, actor: User, case: Case, body: str, visibility: str, now: datetime) -> Note:
    case = _lock(actor, "note_case", case)
    if visibility not in Visibility.values:
        raise ValidationError("Choose an internal note or a message to the client.")
    body = clean_text(body, field="Note", max_chars=TEXT_LIMIT, required=True)
    note = Note.objects.create(case=case, author=actor, at=now, visibility=visibility, body=body)
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="message_sent" if visibility == Visibility.CLIENT else "note_added",
        summary="Message to the client" if visibility == Visibility.CLIENT else "Internal note",
        object_type="note",
        object_id=str(note.pk),
        fields=["body"],
    )
    if visibility == Visibility.CLIENT:
        _message_by_email(case=case, actor=actor, body=body, now=now)
    return note


def _message_by_email(*, case: Case, actor: User, body: str, now: datetime) -> None:
    """A message to a client who asked to hear by email also goes by email (the status page
    shows it either way)."""
    if case.contact_preference != ContactPreference.EMAIL or not case.reporter_email:
        return
    from careloop.messaging.services import message_queue

    message_queue(
        case=case,
        to=case.reporter_email,
        template="case_message",
        language=case.language,
        context={
            "reference": case.reference,
            "facility_name": case.facility.name,
            "message": body,
            "sender": actor.get_full_name() or actor.username,
        },
        now=now,
        actor=actor,
    )


@transaction.atomic
def task_add(
    *, actor: User, case: Case, title: str, owner: User | None, due_on: date | None, now: datetime
) -> Task:
    case = _lock(actor, "work_case", case)
    title = clean_text(title, field="Task", max_chars=200, required=True)
    if owner is not None and owner.organization_id != case.organization_id:
        raise ValidationError("The task owner must belong to this organization.")
    task = Task.objects.create(case=case, title=title, owner=owner, due_on=due_on, created_at=now)
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="task_added",
        summary=f"Task: {title}",
        object_type="task",
        object_id=str(task.pk),
        changes={"owner": (None, owner), "due_on": (None, due_on)},
    )
    return task


@transaction.atomic
def task_complete(*, actor: User, task: Task, now: datetime) -> Task:
    case = _lock(actor, "work_case", task.case)
    task = Task.objects.select_for_update().get(pk=task.pk, case=case)
    if task.done_at is not None:
        raise ValidationError("That task is already done.")
    task.done_at = now
    task.save(update_fields=["done_at"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="task_done",
        summary=f"Task done: {task.title}",
        object_type="task",
        object_id=str(task.pk),
        changes={"done_at": (None, now)},
    )
    return task


@transaction.atomic
def investigation_step_add(
    *, actor: User, case: Case, description: str, at: datetime | None, now: datetime
) -> InvestigationStep:
    case = _lock(actor, "work_case", case)
    description = clean_text(description, field="Step", max_chars=TEXT_LIMIT, required=True)
    step = InvestigationStep.objects.create(
        case=case, actor=actor, at=_past(at or now, now, "The step's time"), description=description
    )
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="investigation_step",
        summary="Investigation step recorded",
        object_type="step",
        object_id=str(step.pk),
        fields=["description"],
    )
    return step


@transaction.atomic
def case_set_findings(
    *,
    actor: User,
    case: Case,
    findings: str,
    confirmed: bool | None,
    confirmed_by: str,
    now: datetime,
) -> Case:
    case = _lock(actor, "work_case", case)
    if confirmed_by not in {"", "facility", "external"}:
        raise ValidationError("Confirmed by must be the facility or an outside entity.")
    case.findings = clean_text(findings, field="Findings", max_chars=TEXT_LIMIT)
    changes = {
        "confirmed": (case.confirmed, confirmed),
        "confirmed_by": (case.confirmed_by, confirmed_by),
    }
    case.confirmed, case.confirmed_by = confirmed, confirmed_by
    case.save(update_fields=["findings", "confirmed", "confirmed_by"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="findings",
        summary="Findings recorded",
        changes=changes,
        fields=["findings", "confirmed", "confirmed_by"],
    )
    return case


@transaction.atomic
def corrective_action_add(
    *,
    actor: User,
    case: Case,
    description: str,
    owner_name: str,
    due_on: date | None,
    now: datetime,
) -> CorrectiveAction:
    case = _lock(actor, "work_case", case)
    action = CorrectiveAction.objects.create(
        case=case,
        description=clean_text(description, field="Action", max_chars=TEXT_LIMIT, required=True),
        owner_name=clean_text(owner_name, field="Owner", max_chars=200),
        due_on=due_on,
        created_at=now,
    )
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="corrective_action",
        summary="Corrective action recorded",
        object_type="corrective_action",
        object_id=str(action.pk),
        changes={"due_on": (None, due_on)},
    )
    return action


_REPORT_STOPS: dict[str, str] = {
    ReportKind.INITIAL: "initial_report_sent",
    ReportKind.RESULTS: "results_report_sent",
}


@transaction.atomic
def external_report_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    agency: str,
    recipients: str,
    method: str,
    sent_at: datetime,
    confirmation_ref: str,
    now: datetime,
) -> ExternalReport:
    """Record a report sent to an outside body; it meets the clock that demanded it."""
    case = _lock(actor, "work_case", case)
    if kind not in ReportKind.values:
        raise ValidationError("Unknown report kind.")
    report = ExternalReport.objects.create(
        case=case,
        kind=kind,
        agency=clean_text(agency, field="Agency", max_chars=200, required=True),
        recipients=clean_text(recipients, field="Recipients", max_chars=2000, required=True),
        method=clean_text(method, field="Method", max_chars=40),
        sent_at=_past(sent_at, now, "Sent at"),
        confirmation_ref=clean_text(confirmation_ref, field="Confirmation", max_chars=120),
        recorded_at=now,
    )
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="external_report",
        summary=f"{report.get_kind_display()} sent to {report.agency}",
        object_type="external_report",
        object_id=str(report.pk),
        changes={"sent_at": (None, report.sent_at)},
    )
    stop = _REPORT_STOPS.get(kind)
    if stop:
        clocks_stop(case=case, actor=actor, stop_event=stop, at=report.sent_at)
    return report


# Channels on which an interim notice is a written letter (CMS SOM A-0122): Careloop writes it.
WRITTEN_NOTICE_CHANNELS = frozenset({ContactPreference.EMAIL, ContactPreference.LETTER})


@transaction.atomic
def interim_notice_record(
    *, actor: User, case: Case, channel: str, sent_at: datetime, follow_up_on: date, now: datetime
) -> InterimNotice:
    """Record a "still working on it" notice with the date the written response will follow.
    By letter or email Careloop writes it (stored as an interim IssuedLetter, the PDF for
    printing); by email it is sent now, the PDF attached, so it counts as sent now."""
    case = _lock(actor, "work_case", case)
    if channel not in ContactPreference.values:
        raise ValidationError("Unknown channel.")
    sent_at = _past(sent_at, now, "Sent at")
    if channel == ContactPreference.EMAIL:
        client_email_required(case)
        sent_at = now
    if follow_up_on < local_date(at=sent_at, tz_name=case.facility.time_zone):
        raise ValidationError("The date the written response is promised by has passed.")
    notice = InterimNotice.objects.create(
        case=case, channel=channel, sent_at=sent_at, follow_up_on=follow_up_on, recorded_at=now
    )
    changes: dict[str, tuple[Any, Any]] = {"follow_up_on": (None, follow_up_on)}
    if channel in WRITTEN_NOTICE_CHANNELS:
        document = interim_letter_document(
            case=case,
            sender=actor,
            on=local_date(at=now, tz_name=case.facility.time_zone),
            follow_up_on=follow_up_on,
        )
        issued = issued_letter_record(
            actor=actor,
            case=case,
            kind=LetterKind.INTERIM,
            document=document,
            delivery=channel,
            now=now,
        )
        changes["issued_letter"] = (None, issued.pk)
        if channel == ContactPreference.EMAIL:
            issued_letter_email(
                actor=actor, case=case, issued=issued, now=now, reply_by=follow_up_on
            )
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="interim_notice",
        summary=f"Interim notice sent; written response promised by {follow_up_on}",
        object_type="interim_notice",
        object_id=str(notice.pk),
        changes=changes,
    )
    clocks_stop(case=case, actor=actor, stop_event="interim_notice_sent", at=notice.sent_at)
    return notice


LETTER_TEXT_FIELDS = (
    "contact_person",
    "summary",
    "steps_taken",
    "findings",
    "results",
    "corrective_action",
    "signed_by",
)
LETTER_OTHER_FIELDS = (
    "received_on",
    "completion_on",
    "issued_on",
    "confirmed",
    "ombudsman_rights",
    "delivery",
)


@transaction.atomic
def letter_update(
    *, actor: User, case: Case, values: dict[str, Any], now: datetime
) -> DecisionLetter:
    case = _lock(actor, "work_case", case)
    letter, _ = DecisionLetter.objects.select_for_update().get_or_create(
        case=case, defaults={"updated_at": now}
    )
    if letter.issued_at is not None:
        raise ValidationError("The letter was issued; it can no longer be changed.")
    changed = []
    for name in LETTER_TEXT_FIELDS + LETTER_OTHER_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in LETTER_TEXT_FIELDS:
            value = clean_text(str(value or ""), field=name.replace("_", " "), max_chars=TEXT_LIMIT)
        if getattr(letter, name) != value:
            setattr(letter, name, value)
            changed.append(name)
    letter.updated_at = now
    letter.save(update_fields=[*changed, "updated_at"])
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="letter_drafted",
        summary="Decision letter edited",
        object_type="letter",
        object_id=str(letter.pk),
        fields=changed,
    )
    return letter


@transaction.atomic
def letter_issue(*, actor: User, case: Case, delivery: str, now: datetime) -> DecisionLetter:
    """Issue the decision letter: refused while any element the case's packs require is missing
    (LetterIncomplete names each). The PDF is rendered from the letter as it stands and stored
    once (letters.IssuedLetter); by email it goes to the client with the PDF attached."""
    case = _lock(actor, "work_case", case)
    letter = DecisionLetter.objects.select_for_update().filter(case=case).first()
    if letter is None:
        today = local_date(at=now, tz_name=case.facility.time_zone)
        missing = decision_letter_plan(case=case, issued_on=today).missing
        if missing:
            raise LetterIncomplete(missing)
        raise ValidationError("Write the letter before issuing it.")
    if letter.issued_at is not None:
        raise ValidationError("The letter was already issued.")
    if delivery not in ContactPreference.values or delivery == ContactPreference.NONE:
        raise ValidationError("Choose how the letter is delivered.")
    if delivery == ContactPreference.EMAIL:
        client_email_required(case)
    issued_on = letter.issued_on or local_date(at=now, tz_name=case.facility.time_zone)
    plan = decision_letter_plan(case=case, issued_on=issued_on)
    if plan.missing:
        raise LetterIncomplete(plan.missing)
    letter.issued_at, letter.delivery, letter.issued_on = now, delivery, issued_on
    updated = ["issued_at", "delivery", "issued_on"]
    if plan.template.prints_ombudsman_rights and not letter.ombudsman_rights:
        letter.ombudsman_rights = True
        updated.append("ombudsman_rights")
    letter.save(update_fields=updated)
    document = decision_letter_document(
        case=case, letter=letter, template=plan.template, on=issued_on, draft=False
    )
    issued = issued_letter_record(
        actor=actor,
        case=case,
        kind=LetterKind.DECISION,
        document=document,
        delivery=delivery,
        now=now,
    )
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="letter_issued",
        summary=f"Decision letter issued by {delivery}",
        object_type="letter",
        object_id=str(letter.pk),
        changes={
            "issued_at": (None, now),
            "template": (None, f"{plan.template.id} {plan.template.version}"),
            "issued_letter": (None, issued.pk),
        },
        fields=updated,
    )
    if delivery == ContactPreference.EMAIL:
        issued_letter_email(actor=actor, case=case, issued=issued, now=now)
    clocks_stop(case=case, actor=actor, stop_event="letter_issued", at=now)
    return letter
