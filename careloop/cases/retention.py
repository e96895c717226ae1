"""Retention: which closed cases are due for erasure, and erasing a case's client details while
keeping what the statistics need (DOMAIN.md P6, P10, P12; 7.2 retain_until, legal_hold).

Erasure overwrites text in place and deletes no row, so counts, rates, clocks, HCAT codes, dates
and the shape of the timeline survive. The audit log is never touched: it holds no client text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet

from careloop.cases.models import (
    Case,
    CaseEvent,
    ContactPreference,
    CorrectiveAction,
    DecisionLetter,
    ExternalReport,
    InvestigationStep,
    Note,
    Status,
    Task,
)
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.core.time import local_date
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import has_capability

# Client words and anything staff wrote about the client. Staff names (owner, contact person,
# signatory, corrective-action owner) and outside agencies are kept: they are not the client's.
CASE_TEXT_FIELDS = ("narrative", "desired_outcome", "people_involved", "findings")
CASE_CONTACT_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")
LETTER_TEXT_FIELDS = ("summary", "steps_taken", "findings", "results", "corrective_action")
ERASED_FIELDS = (
    *CASE_TEXT_FIELDS,
    *CASE_CONTACT_FIELDS,
    "contact_preference",
    "classification_reason",
    "note.body",
    "task.title",
    "investigation_step.description",
    "corrective_action.description",
    *(f"letter.{name}" for name in LETTER_TEXT_FIELDS),
    "external_report.recipients",
    "external_report.confirmation_ref",
    "case_event.summary",
)
# Timeline kinds whose summary may carry staff-typed text: a status move with its reason
# ("Status closed → investigating: <reason>") and task titles.
MOVE_EVENT_KINDS = frozenset({*Status.values, "reopened"})
TASK_EVENT_PREFIXES = {"task_added": "Task", "task_done": "Task done"}


class ErasureRefused(ValidationError):
    """The case may not be erased (yet, or ever again)."""


def erasure_marker(on: date) -> str:
    return f"[erased under the retention policy on {on.isoformat()}]"


def _erasable() -> QuerySet[Case]:
    return Case.objects.filter(status=Status.CLOSED, legal_hold=False, erased_at__isnull=True)


def cases_due_for_erasure(*, on: date) -> QuerySet[Case]:
    """Closed cases whose retention ended before `on`, not held and not erased yet."""
    return _erasable().filter(retain_until__lt=on)


def cases_due_for_erasure_at(*, now: datetime) -> QuerySet[Case]:
    """As cases_due_for_erasure, with `on` the local date of `now` at each case's facility."""
    zones = Facility.objects.values_list("time_zone", flat=True).distinct()
    due = Q(pk__in=[])
    for zone in zones:
        due |= Q(facility__time_zone=zone, retain_until__lt=local_date(at=now, tz_name=zone))
    return _erasable().filter(due)


@dataclass(frozen=True)
class FacilityRetention:
    facility: Facility
    today: date
    due: int
    held: int
    erased: int
    next_due_on: date | None


def retention_by_facility(*, now: datetime) -> list[FacilityRetention]:
    """Per facility: closed cases due for erasure today, cases under legal hold, cases already
    erased, and the next date a case falls due (the day after its retain_until)."""
    rows = []
    for facility in Facility.objects.select_related("organization").order_by(
        "organization__name", "name", "pk"
    ):
        today = local_date(at=now, tz_name=facility.time_zone)
        erasable = Q(status=Status.CLOSED, legal_hold=False, erased_at__isnull=True)
        counts = Case.objects.filter(facility=facility).aggregate(
            due=Count("pk", filter=erasable & Q(retain_until__lt=today)),
            held=Count("pk", filter=Q(legal_hold=True, erased_at__isnull=True)),
            erased=Count("pk", filter=Q(erased_at__isnull=False)),
            next_until=Min("retain_until", filter=erasable & Q(retain_until__gte=today)),
        )
        next_until: date | None = counts["next_until"]
        rows.append(
            FacilityRetention(
                facility=facility,
                today=today,
                due=counts["due"],
                held=counts["held"],
                erased=counts["erased"],
                next_due_on=next_until + timedelta(days=1) if next_until else None,
            )
        )
    return rows


def _refuse_unless_erasable(case: Case, today: date) -> None:
    if case.erased_at is not None:
        raise ErasureRefused(
            f"Client details on {case.reference} were already erased.", code="erased"
        )
    if case.legal_hold:
        raise ErasureRefused(
            f"{case.reference} is under legal hold; lift the hold before erasing it.", code="held"
        )
    if case.status != Status.CLOSED:
        raise ErasureRefused(f"{case.reference} is not closed; only closed cases are erased.")
    if case.retain_until is None or case.retain_until >= today:
        until = case.retain_until.isoformat() if case.retain_until else "no end date"
        raise ErasureRefused(
            f"{case.reference} must be kept until {until}; shorten its retention first.",
            code="retained",
        )


def _erase_timeline(case: Case, marker: str) -> None:
    changed = []
    for event in CaseEvent.objects.filter(
        case=case, kind__in=[*MOVE_EVENT_KINDS, *TASK_EVENT_PREFIXES]
    ):
        prefix = TASK_EVENT_PREFIXES.get(event.kind)
        summary = f"{prefix}: {marker}" if prefix else event.summary.split(": ", 1)[0]
        if summary != event.summary:
            event.summary = summary
            changed.append(event)
    CaseEvent.objects.bulk_update(changed, ["summary"])


def _erase_records(case: Case, marker: str, now: datetime) -> None:
    Note.objects.filter(case=case).update(body=marker)
    Task.objects.filter(case=case).update(title=marker)
    InvestigationStep.objects.filter(case=case).update(description=marker)
    CorrectiveAction.objects.filter(case=case).update(description=marker)
    ExternalReport.objects.filter(case=case).update(recipients=marker)
    ExternalReport.objects.filter(case=case).exclude(confirmation_ref="").update(
        confirmation_ref=marker
    )
    from careloop.messaging.models import OutboundMessage

    # Messages to the client hold their address and words addressed to them; unsent ones are
    # cancelled (status failed) so nothing goes out after erasure.
    OutboundMessage.objects.filter(case=case).update(
        to_address="", subject=marker, body=marker, attachment_content=None
    )
    OutboundMessage.objects.filter(case=case, status__in=["queued", "sending"]).update(
        status="failed", last_error="erased"
    )
    from careloop.sms.models import SmsThread, Voicemail

    # The client's number kept for threading texts, and the address of their recorded voice.
    SmsThread.objects.filter(case=case).update(phone_number="")
    Voicemail.objects.filter(case=case).update(recording_url="")
    from careloop.letters.models import IssuedLetter
    from careloop.recovery.models import CaseClient, RecoveryClient

    # Issued PDFs name the client; their digests stay as the record of what was sent.
    IssuedLetter.objects.filter(case=case, erased_at__isnull=True).update(pdf=b"", erased_at=now)
    # A recovery client made for this case alone goes with it (a client shared by other cases,
    # known by an identifier, stays while those cases need it).
    RecoveryClient.objects.filter(
        pk__in=CaseClient.objects.filter(case=case).values("client_id"), case_only=True
    ).update(display_name=marker, identifier="")
    letter = DecisionLetter.objects.select_for_update().filter(case=case).first()
    if letter is not None:
        written = [name for name in LETTER_TEXT_FIELDS if getattr(letter, name)]
        for name in written:
            setattr(letter, name, marker)
        letter.save(update_fields=written)


@transaction.atomic
def case_anonymize(*, actor: User | None, case: Case, now: datetime, reason: str) -> Case:
    """Erase everything that identifies the client or holds their words, or staff words about
    them, from a closed case whose retention has ended. `actor` None is the retention job."""
    if actor is not None and not has_capability(actor, "hold_case", case):
        raise PermissionDenied("Your role cannot erase cases.")
    reason = clean_text(reason, field="Reason", max_chars=200, required=True)
    case = (
        Case.objects.select_for_update().select_related("organization", "facility").get(pk=case.pk)
    )
    today = local_date(at=now, tz_name=case.facility.time_zone)
    _refuse_unless_erasable(case, today)
    marker = erasure_marker(today)
    for name in CASE_TEXT_FIELDS:
        if name == "narrative" or getattr(case, name):
            setattr(case, name, marker)
    for name in (*CASE_CONTACT_FIELDS, "classification_reason"):
        setattr(case, name, "")
    case.contact_preference = ContactPreference.NONE
    case.erased_at, case.erased_reason = now, reason
    case.save(
        update_fields=[
            *CASE_TEXT_FIELDS,
            *CASE_CONTACT_FIELDS,
            "classification_reason",
            "contact_preference",
            "erased_at",
            "erased_reason",
        ]
    )
    _erase_records(case, marker, now)
    _erase_timeline(case, marker)
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="D",
        kind="erased",
        summary="Client details erased under the retention policy",
        changes={"erased_at": (None, now)},
        fields=ERASED_FIELDS,
    )
    return case
