"""Text messages on cases: staff texting a client, texts coming in (a new case, a reply on an
open one, a check-back answer, STOP and START), and the acknowledgement by text.

Every case is opened through cases.services.case_open; texts out go through
messaging.services.message_queue(channel="sms")."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from careloop.audit.services import audit_record
from careloop.cases.models import (
    Case,
    Channel,
    ContactPreference,
    Kind,
    Note,
    ReporterType,
    Status,
    Visibility,
)
from careloop.cases.services import NewCase, case_locked_for_write, case_open
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.followups.models import CheckBack, CheckBackChannel, CheckBackStatus, Via
from careloop.followups.services import followup_record_answer
from careloop.intake.services import client_acknowledge, client_note_add
from careloop.messaging.models import OutboundMessage
from careloop.messaging.services import message_queue
from careloop.orgs.models import Setting, User
from careloop.orgs.permissions import has_capability
from careloop.sms.models import (
    FacilityNumber,
    InboundEvent,
    InboundKind,
    InboundOutcome,
    SmsOptOut,
    SmsThread,
)
from careloop.sms.outbound import sms_opted_out, sms_thread_touch
from careloop.sms.phones import ANSWER_WORDS, START_WORDS, STOP_WORDS, keyword, phone_normalize

logger = logging.getLogger("careloop.sms")

TEXT_LIMIT = 1600  # the longest text a provider delivers (10 segments)
EMPTY_TEXT = "[A text message with no words, e.g. a picture only]"
_RESIDENT_SETTINGS = {Setting.NURSING_FACILITY, Setting.ASSISTED_LIVING}


class UnknownNumber(ValidationError):
    """The text or call was to a number no facility has (or one switched off)."""


# --- texts out ----------------------------------------------------------------------------------


def sms_case_number(case: Case) -> str:
    """The client's number in E.164 form (ValidationError when there is none usable)."""
    if not case.reporter_phone:
        raise ValidationError("No phone number is recorded for the client.", code="phone")
    return phone_normalize(case.reporter_phone, jurisdiction=case.facility.jurisdiction)


def sms_client_texts(case: Case) -> bool:
    """The client asked for texts, or has texted about this case."""
    if case.contact_preference == ContactPreference.SMS:
        return True
    return SmsThread.objects.filter(case=case).exists()


def sms_unsendable_reason(case: Case) -> str:
    """Why no text can go to the case's client now ("" when one can): staff-facing."""
    try:
        number = sms_case_number(case)
    except ValidationError:
        return "no valid phone number is recorded for the client"
    if sms_opted_out(organization_id=case.organization_id, number=number):
        return "the client's number has opted out of text messages"
    return ""


def sms_case_queue(
    *,
    case: Case,
    template: str,
    context: dict[str, str],
    now: datetime,
    actor: User | None = None,
    redact_after_send: bool = False,
) -> OutboundMessage:
    """Queue a text to the case's client (in the caller's transaction); replies from that number
    thread onto the case. ValidationError for no usable number, an opted-out number or a text
    too long for three segments."""
    number = sms_case_number(case)
    message = message_queue(
        case=case,
        to=number,
        template=template,
        language=case.language,
        context=context,
        now=now,
        actor=actor,
        redact_after_send=redact_after_send,
        channel="sms",
    )
    sms_thread_touch(case=case, number=number, now=now)
    return message


def sms_automatic_queue(
    *, case: Case, template: str, context: dict[str, str], now: datetime, redact: bool
) -> OutboundMessage | None:
    """For texts Careloop sends on its own (acknowledgement, check-back): when the text cannot
    be sent (no usable number, opted out, too long) the timeline says why and nothing fails."""
    try:
        with transaction.atomic():
            return sms_case_queue(
                case=case, template=template, context=context, now=now, redact_after_send=redact
            )
    except ValidationError as exc:
        reason = "; ".join(exc.messages)
        case_event_record(
            case=case,
            actor=None,
            at=now,
            action="C",
            kind="message_not_sent",
            summary=f"Text message not sent: {reason}",
            changes={"template": (None, template)},
        )
        return None


def sms_acknowledge(*, case: Case, link: str, now: datetime) -> OutboundMessage | None:
    """The acknowledgement, by text, to a client who asked for texts (intake, inbound texts)."""
    return sms_automatic_queue(
        case=case,
        template="intake_acknowledgement",
        context={
            "reference": case.reference,
            "facility_name": case.facility.name,
            "status_url": link,
            "kind": case.kind,
            "phone": case.facility.after_hours_phone,
        },
        now=now,
        redact=True,  # the status link is not kept once sent
    )


@transaction.atomic
def sms_case_send(*, actor: User, case: Case, body: str, now: datetime) -> Note:
    """A staff member texts the client from the case page: kept as a message to the client,
    sent by text (ValidationError when it cannot be)."""
    if not has_capability(actor, "note_case", case):
        raise PermissionDenied("Your role cannot message the client on this case.")
    case = case_locked_for_write(case)
    if not sms_client_texts(case):
        raise ValidationError("The client did not ask for text messages.", code="not_sms")
    body = clean_text(body, field="Text", max_chars=TEXT_LIMIT, required=True)
    note = Note.objects.create(
        case=case, author=actor, at=now, visibility=Visibility.CLIENT, body=body
    )
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind="message_sent",
        summary="Message to the client by text message",
        object_type="note",
        object_id=str(note.pk),
        fields=["body"],
    )
    sms_case_queue(
        case=case,
        template="case_message",
        context={
            "reference": case.reference,
            "facility_name": case.facility.name,
            "message": body,
            "sender": actor.get_full_name() or actor.username,
        },
        now=now,
        actor=actor,
    )
    return note


# --- opting out ---------------------------------------------------------------------------------


def sms_optout_set(*, organization_id: int, number: str, opted_out: bool, now: datetime) -> None:
    """Record STOP (opted_out) or START for a number, in the caller's transaction. Audited
    without the number."""
    record, created = SmsOptOut.objects.select_for_update().get_or_create(
        organization_id=organization_id,
        phone_number=number,
        defaults={"opted_out": opted_out, "changed_at": now},
    )
    if not created:
        record.opted_out, record.changed_at = opted_out, now
        record.save(update_fields=["opted_out", "changed_at"])
    audit_record(
        actor=None,
        action="C" if created else "U",
        event_type="sms.opted_out" if opted_out else "sms.opted_in",
        at=now,
        organization_id=organization_id,
        object_type="smsoptout",
        object_id=str(record.pk),
        fields=["opted_out"],
    )


# --- texts in -----------------------------------------------------------------------------------


def facility_number_for(number: str) -> FacilityNumber:
    found = (
        FacilityNumber.objects.select_related("facility__organization")
        .filter(phone_number=number, active=True, facility__active=True)
        .first()
    )
    if found is None:
        raise UnknownNumber("No facility uses that number.", code="unknown_number")
    return found


def inbound_seen(provider_id: str) -> bool:
    return InboundEvent.objects.filter(provider_id=provider_id).exists()


def sms_inbound_receive(
    *, provider_id: str, from_number: str, to_number: str, body: str, now: datetime
) -> InboundOutcome | None:
    """Handle one incoming text, once: None when this provider id was already handled (a
    replayed webhook). UnknownNumber when it was sent to no facility's number."""
    if not provider_id or len(provider_id) > 64:
        raise ValidationError("A text needs its provider id.", code="provider_id")
    number = facility_number_for(phone_normalize(to_number))
    sender = phone_normalize(from_number)
    if inbound_seen(provider_id):
        return None
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                provider_id=provider_id,
                kind=InboundKind.MESSAGE,
                organization_id=number.organization_id,
                facility_id=number.facility_id,
                outcome=InboundOutcome.THREADED,
                received_at=now,
            )
            outcome, case = _inbound_route(number=number, sender=sender, body=body, now=now)
            event.outcome, event.case = outcome, case
            event.save(update_fields=["outcome", "case"])
    except IntegrityError:
        if inbound_seen(provider_id):
            return None  # the same webhook, handled by a concurrent request
        raise
    logger.info("text %s received: %s", event.pk, outcome)
    return outcome


def _inbound_route(
    *, number: FacilityNumber, sender: str, body: str, now: datetime
) -> tuple[InboundOutcome, Case | None]:
    organization_id = number.organization_id
    word = keyword(body)
    if word in STOP_WORDS:
        sms_optout_set(organization_id=organization_id, number=sender, opted_out=True, now=now)
        return InboundOutcome.OPTED_OUT, None
    if word in START_WORDS:
        sms_optout_set(organization_id=organization_id, number=sender, opted_out=False, now=now)
        return InboundOutcome.OPTED_IN, None
    if word in ANSWER_WORDS:
        answered = _checkback_answer(
            organization_id=organization_id, sender=sender, answer=ANSWER_WORDS[word], now=now
        )
        if answered is not None:
            return InboundOutcome.CHECKBACK, answered
    thread = _open_thread(organization_id=organization_id, sender=sender, now=now)
    if thread is not None:
        return InboundOutcome.THREADED, _reply_add(
            case=thread.case, sender=sender, body=body, now=now
        )
    return InboundOutcome.OPENED, _case_from_text(number=number, sender=sender, body=body, now=now)


def _checkback_answer(
    *, organization_id: int, sender: str, answer: str, now: datetime
) -> Case | None:
    """YES / PARTLY / NO from a number a check-back was texted to: the client's answer."""
    check_back = (
        CheckBack.objects.filter(
            status=CheckBackStatus.SENT,
            channel=CheckBackChannel.SMS,
            case__organization_id=organization_id,
            case__sms_threads__phone_number=sender,
            expires_at__gt=now,
        )
        .select_related("case")
        .order_by("-sent_at")
        .first()
    )
    if check_back is None:
        return None
    try:
        followup_record_answer(
            case=check_back.case, answer=answer, comment="", via=Via.SMS_REPLY, now=now
        )
    except ValidationError:
        return None  # already answered: the text is kept as a reply instead
    return check_back.case


def _open_thread(*, organization_id: int, sender: str, now: datetime) -> SmsThread | None:
    since = now - timedelta(days=settings.CARELOOP_SMS_THREAD_DAYS)
    return (
        SmsThread.objects.filter(
            organization_id=organization_id,
            phone_number=sender,
            last_at__gte=since,
            case__erased_at__isnull=True,
        )
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
        .order_by("-last_at", "-pk")
        .first()
    )


def _reply_add(*, case: Case, sender: str, body: str, now: datetime) -> Case:
    """The client's text, kept on the case as what the client added; the owner is told."""
    text = clean_text(body, field="Text", max_chars=TEXT_LIMIT) or EMPTY_TEXT
    note = client_note_add(
        case=case,
        body=text,
        kind="client_added",
        summary="The client replied by text message",
        now=now,
    )
    sms_thread_touch(case=note.case, number=sender, now=now)
    return note.case


def _case_from_text(*, number: FacilityNumber, sender: str, body: str, now: datetime) -> Case:
    """A new case from a text: a complaint (staff reclassify it), with a status link sent back
    by text in the acknowledgement."""
    facility = number.facility
    data = NewCase(
        facility=facility,
        kind=Kind.COMPLAINT,
        reporter_type=(
            ReporterType.RESIDENT
            if facility.setting in _RESIDENT_SETTINGS
            else ReporterType.PATIENT
        ),
        channel=Channel.SMS,
        narrative=clean_text(body, field="Text", max_chars=TEXT_LIMIT) or EMPTY_TEXT,
        reporter_phone=sender,
        contact_preference=ContactPreference.SMS,
        language=number.language,
        response_requested=True,
    )
    case = case_open(actor=None, data=data, now=now)
    sms_thread_touch(case=case, number=sender, now=now)
    client_acknowledge(case=case, link_base=settings.CARELOOP_BASE_URL, now=now)
    return case
