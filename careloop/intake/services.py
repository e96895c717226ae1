"""Public intake: a client files a concern, a compliment, an idea or a safety worry, and later
reads progress and adds information through their private link. All cases open through
cases.services.case_open, as from every other channel."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from careloop.cases.models import (
    Case,
    Channel,
    ContactPreference,
    Kind,
    Note,
    ReporterType,
    SafetyType,
    Visibility,
)
from careloop.cases.services import NewCase, case_locked_for_write, case_open, case_route
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.intake.models import ClientAccess, IntakeSubmission, Source
from careloop.intake.routing import compliment_recipients
from careloop.orgs.models import Facility, Setting, Unit
from careloop.orgs.permissions import has_capability

PATH_KINDS = {
    "complaint": Kind.COMPLAINT,
    "compliment": Kind.COMPLIMENT,
    "suggestion": Kind.SUGGESTION,
    "safety": Kind.SAFETY_CONCERN,
}
# "Not sure" is filed as the most urgent type (abuse: the two-hour clock) until staff review it.
DANGER_TYPES = {
    "hurt": SafetyType.ABUSE,
    "not_cared_for": SafetyType.NEGLECT,
    "injury": SafetyType.INJURY_UNKNOWN,
    "belongings": SafetyType.MISAPPROPRIATION,
    "taken_advantage": SafetyType.EXPLOITATION,
    "not_sure": SafetyType.ABUSE,
}
ROLES = ("client", "family", "representative", "staff", "prefer_not")
CONTACT_METHODS = (
    ContactPreference.EMAIL,
    ContactPreference.PHONE,
    ContactPreference.SMS,
    ContactPreference.NONE,
)
_CLIENT_SETTINGS_RESIDENT = {Setting.NURSING_FACILITY, Setting.ASSISTED_LIVING}
ADDITION_LIMIT = 10_000


class AlreadySubmitted(ValidationError):
    """This form (its one-time nonce) was already accepted."""


@dataclass(frozen=True)
class PublicConcern:
    """What the public form collected. `form_nonce` comes from the form the client was given."""

    facility: Facility
    source: str
    path: str
    reporter_role: str
    narrative: str
    form_nonce: str
    language: str
    unit: Unit | None = None
    people_involved: str = ""
    desired_outcome: str = ""
    incident_on: date | None = None
    incident_time: time | None = None
    danger_type: str = ""
    reporter_name: str = ""
    contact_method: str = ContactPreference.NONE
    email: str = ""
    phone: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Filed:
    case: Case
    token: str  # the status link's secret: shown once, then only its hash is kept


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def status_path(token: str) -> str:
    return reverse("intake:status", args=[token])


def _reporter_type(role: str, facility: Facility) -> str:
    if role == "client":
        return (
            ReporterType.RESIDENT
            if facility.setting in _CLIENT_SETTINGS_RESIDENT
            else ReporterType.PATIENT
        )
    return {
        "family": ReporterType.FAMILY,
        "representative": ReporterType.REPRESENTATIVE,
        "staff": ReporterType.STAFF,
        "prefer_not": ReporterType.ANONYMOUS,
    }[role]


def _incident_at(concern: PublicConcern) -> datetime | None:
    if concern.incident_on is None:
        return None
    local = datetime.combine(concern.incident_on, concern.incident_time or time(12, 0))
    return local.replace(tzinfo=ZoneInfo(concern.facility.time_zone))


def _validate(concern: PublicConcern) -> None:
    if concern.path not in PATH_KINDS:
        raise ValidationError("Choose what you would like to tell us.", code="path")
    if concern.reporter_role not in ROLES:
        raise ValidationError("Choose who you are.", code="role")
    if concern.contact_method not in CONTACT_METHODS:
        raise ValidationError("Choose how to reach you.", code="contact")
    if concern.path == "safety" and concern.danger_type not in DANGER_TYPES:
        raise ValidationError("Choose what kind of danger.", code="danger")
    if concern.unit is not None and concern.unit.facility_id != concern.facility.pk:
        raise ValidationError("That place is not part of this facility.", code="unit")
    if concern.source not in Source.values:
        raise ValidationError("Unknown form.", code="source")
    if not concern.form_nonce or len(concern.form_nonce) > 64:
        raise ValidationError("This form has expired. Please fill it in again.", code="nonce")


def _new_case(concern: PublicConcern) -> NewCase:
    kind = PATH_KINDS[concern.path]
    wants_contact = concern.contact_method != ContactPreference.NONE
    return NewCase(
        facility=concern.facility,
        unit=concern.unit,
        kind=kind,
        safety_type=DANGER_TYPES[concern.danger_type] if kind == Kind.SAFETY_CONCERN else "",
        classification_reason=(
            "Client unsure what kind of danger; filed as the most urgent type until reviewed."
            if kind == Kind.SAFETY_CONCERN and concern.danger_type == "not_sure"
            else ""
        ),
        reporter_type=_reporter_type(concern.reporter_role, concern.facility),
        channel=Channel.KIOSK if concern.source == Source.KIOSK else Channel.WEB,
        narrative=concern.narrative,
        people_involved=concern.people_involved,
        desired_outcome=concern.desired_outcome,
        incident_at=_incident_at(concern),
        reporter_name=concern.reporter_name,
        reporter_email=concern.email if concern.contact_method == ContactPreference.EMAIL else "",
        reporter_phone=concern.phone if concern.contact_method in ("phone", "sms") else "",
        contact_preference=concern.contact_method,
        language=concern.language,
        response_requested=wants_contact and kind in (Kind.COMPLAINT, Kind.SAFETY_CONCERN),
    )


def intake_submit(*, concern: PublicConcern, link_base: str, now: datetime) -> Filed:
    """File what a client sent through a public form: open the case, give the client a private
    status link, queue the acknowledgement email (if they gave an address) and route a
    compliment to the person it names. All or nothing: a replayed form opens nothing."""
    _validate(concern)
    if IntakeSubmission.objects.filter(form_nonce=concern.form_nonce).exists():
        raise AlreadySubmitted("This form was already sent.", code="replayed")
    try:
        with transaction.atomic():
            case = case_open(actor=None, data=_new_case(concern), now=now)
            IntakeSubmission.objects.create(
                case=case, source=concern.source, form_nonce=concern.form_nonce, submitted_at=now
            )
            token = client_acknowledge(case=case, link_base=link_base, now=now)
            if case.kind == Kind.COMPLIMENT:
                _route_compliment(case=case, now=now)
    except IntegrityError as exc:
        if IntakeSubmission.objects.filter(form_nonce=concern.form_nonce).exists():
            raise AlreadySubmitted("This form was already sent.", code="replayed") from exc
        raise
    return Filed(case=case, token=token)


def client_acknowledge(*, case: Case, link_base: str, now: datetime) -> str:
    """A new case's private status link for its client, and the acknowledgement that carries it
    in the client's language, by text or email as they asked (none without an address). Every
    channel that opens a case for a client (web form, email, text) calls this. Returns the
    link's token (only its hash is stored)."""
    token = secrets.token_urlsafe(24)
    ClientAccess.objects.create(case=case, token_hash=token_hash(token), created_at=now)
    _acknowledge(case=case, link=f"{link_base}{status_path(token)}", now=now)
    return token


def _acknowledge(*, case: Case, link: str, now: datetime) -> None:
    if case.contact_preference == ContactPreference.SMS and case.reporter_phone:
        from careloop.sms.services import sms_acknowledge

        sms_acknowledge(case=case, link=link, now=now)
        return
    if not case.reporter_email:
        return
    from careloop.messaging.services import message_queue

    message_queue(
        case=case,
        to=case.reporter_email,
        template="intake_acknowledgement",
        language=case.language,
        context={
            "reference": case.reference,
            "facility_name": case.facility.name,
            "status_url": link,
            "kind": case.kind,
            "phone": case.facility.after_hours_phone,
        },
        now=now,
        redact_after_send=True,
    )


def _route_compliment(*, case: Case, now: datetime) -> None:
    """A compliment naming a staff member goes to that person and their manager."""
    recipients = compliment_recipients(case=case)
    if recipients.person is None:
        return
    case.staff_involved.add(recipients.person)
    case_event_record(
        case=case,
        actor=None,
        at=now,
        kind="compliment_matched",
        summary=f"Compliment names {recipients.person.full_name}",
        changes={"staff_involved": (None, recipients.person.pk)},
        fields=["staff_involved"],
    )
    if recipients.manager is not None and has_capability(recipients.manager, "work_case", case):
        case_route(
            case=case, owner=recipients.manager, reason="manager of the person thanked", now=now
        )
    from careloop.messaging.services import message_queue

    for address in recipients.emails:
        message_queue(
            case=case,
            to=address,
            template="compliment_received",
            language="en",
            context={
                "reference": case.reference,
                "person_name": recipients.person.full_name,
                "facility_name": case.facility.name,
            },
            now=now,
        )


def client_access_for(*, token: str) -> ClientAccess | None:
    """The live access row for a status token, or None (unknown, revoked)."""
    if not token or len(token) > 64:
        return None
    return (
        ClientAccess.objects.select_related("case__facility", "case__organization")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def client_status_seen(*, access: ClientAccess, now: datetime) -> None:
    """Record that the client opened their status page (an audited read of the case)."""
    from careloop.audit.services import audit_record

    with transaction.atomic():
        ClientAccess.objects.filter(pk=access.pk).update(last_seen_at=now)
        audit_record(
            actor=None,
            action="R",
            event_type="case.client_viewed",
            at=now,
            organization_id=access.case.organization_id,
            case_id=access.case_id,
            object_type="case",
            object_id=str(access.case_id),
            fields=["status", "client_messages"],
        )


@transaction.atomic
def client_information_add(*, access: ClientAccess, body: str, now: datetime) -> Note:
    """The client adds to what they told us, through their status link."""
    body = clean_text(body, field="Information", max_chars=ADDITION_LIMIT, required=True)
    return client_note_add(
        case=access.case,
        body=body,
        kind="client_added",
        summary="The client added information through their status link",
        now=now,
    )


@transaction.atomic
def client_note_add(*, case: Case, body: str, kind: str, summary: str, now: datetime) -> Note:
    """What the client adds to their case by any channel (status link, email reply, text
    reply): a client note on the timeline, and an email to the case's owner. `body` is already
    checked by the caller, whose limits depend on the channel."""
    from careloop.messaging.services import message_queue

    case = case_locked_for_write(case)
    note = Note.objects.create(
        case=case, author=None, from_client=True, at=now, visibility=Visibility.CLIENT, body=body
    )
    case_event_record(
        case=case,
        actor=None,
        at=now,
        action="C",
        kind=kind,
        summary=summary,
        object_type="note",
        object_id=str(note.pk),
        fields=["body"],
    )
    if case.owner is not None and case.owner.email:
        message_queue(
            case=case,
            to=case.owner.email,
            template="client_added_information",
            language=case.owner.language,
            context={"reference": case.reference},
            now=now,
        )
    return note
