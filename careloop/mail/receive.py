"""One email read from a facility mailbox becomes exactly one outcome: a new case, a client
note on the case it answers, a bounce recorded on the message it names, or a row saying why
it was set aside (automatic reply, duplicate, too many from one sender, quarantined).

`mail_message_receive` writes that outcome and its InboundMessage row in one transaction:
the row's unique (mailbox, UIDVALIDITY, UID) key makes a second attempt at the same message
fail as a whole, so however often a worker dies and retries, nothing is lost or doubled."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from careloop.audit.services import audit_record
from careloop.cases.models import Case, Channel, ContactPreference, Kind, Note, Visibility
from careloop.cases.services import NewCase, case_open
from careloop.cases.timeline import case_event_record
from careloop.core.text import clean_text
from careloop.intake.services import client_acknowledge, client_note_add
from careloop.mail.attachments import attachment_check
from careloop.mail.models import InboundMessage, MailAttachment, Mailbox, OutboundBounce, Outcome
from careloop.mail.parsing import ParsedMail, mail_parse, reply_text
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.orgs.models import Setting
from careloop.text.screening import LANGUAGES, detect_language

REPLY_LIMIT = 10_000
RATE_WINDOW = timedelta(hours=1)
_RESIDENT_SETTINGS = {Setting.NURSING_FACILITY, Setting.ASSISTED_LIVING}


@dataclass(frozen=True)
class _Routed:
    outcome: str
    reason: str = ""
    case: Case | None = None
    note: Note | None = None


def mail_message_receive(
    *, mailbox: Mailbox, uidvalidity: int, uid: int, data: bytes, now: datetime
) -> InboundMessage:
    """Turn one message into its outcome. Raises IntegrityError if this UID was already
    received (the caller then only marks it on the server)."""
    parsed = mail_parse(data)
    with transaction.atomic():
        record = InboundMessage.objects.create(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            message_id=parsed.message_id,
            sender=parsed.from_address,
            subject=parsed.subject,
            outcome=Outcome.QUARANTINED,
            size=len(data),
            received_at=now,
        )
        try:
            with transaction.atomic():
                routed = _route(mailbox=mailbox, record=record, parsed=parsed, now=now)
        except ValidationError as exc:
            routed = _Routed(Outcome.QUARANTINED, f"Refused: {' '.join(exc.messages)}")
        _settle(record, routed, now=now)
    return record


def mail_message_quarantine(
    *, mailbox: Mailbox, uidvalidity: int, uid: int, size: int, reason: str, now: datetime
) -> InboundMessage:
    """Set a message aside that could not be processed at all, so it is not retried forever
    and staff can see why. Raises IntegrityError if it was received meanwhile."""
    with transaction.atomic():
        record = InboundMessage.objects.create(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            outcome=Outcome.QUARANTINED,
            size=size,
            received_at=now,
        )
        _settle(record, _Routed(Outcome.QUARANTINED, reason), now=now)
    return record


def _settle(record: InboundMessage, routed: _Routed, *, now: datetime) -> None:
    record.outcome = routed.outcome
    record.reason = routed.reason[:300]
    record.case = routed.case
    record.note = routed.note
    record.save(update_fields=["outcome", "reason", "case", "note"])
    audit_record(
        actor=None,
        action="C",
        event_type="mail.received",
        at=now,
        organization_id=record.mailbox.facility.organization_id,
        case_id=routed.case.pk if routed.case else None,
        object_type="inbound_email",
        object_id=str(record.pk),
        fields=["outcome"],
        detail={"outcome": routed.outcome, "mailbox_id": record.mailbox_id},
    )


# --- deciding what a message is ---------------------------------------------------------------


def _route(
    *, mailbox: Mailbox, record: InboundMessage, parsed: ParsedMail, now: datetime
) -> _Routed:
    organization_id = mailbox.facility.organization_id
    if parsed.message_id and (
        InboundMessage.objects.filter(mailbox=mailbox, message_id=parsed.message_id)
        .exclude(pk=record.pk)
        .exists()
    ):
        return _Routed(Outcome.DUPLICATE, "A message with this Message-ID was already received.")
    if parsed.is_bounce:
        return _bounce_record(
            organization_id=organization_id, record=record, parsed=parsed, now=now
        )
    if parsed.auto_reason:
        return _Routed(Outcome.AUTO_REPLY, f"Automatic reply ({parsed.auto_reason}).")
    if not parsed.from_address:
        return _Routed(Outcome.QUARANTINED, "The message has no readable sender address.")
    if _over_rate(mailbox=mailbox, sender=parsed.from_address, now=now):
        limit = settings.CARELOOP_MAIL_PER_SENDER_PER_HOUR
        return _Routed(
            Outcome.RATE_LIMITED, f"More than {limit} messages from this sender in an hour."
        )
    thread = _thread_case(organization_id=organization_id, parsed=parsed)
    if thread is not None:
        return _reply_add(case=thread, record=record, parsed=parsed, now=now)
    return _case_open(mailbox=mailbox, record=record, parsed=parsed, now=now)


def _over_rate(*, mailbox: Mailbox, sender: str, now: datetime) -> bool:
    recent = InboundMessage.objects.filter(
        mailbox=mailbox,
        sender=sender,
        received_at__gt=now - RATE_WINDOW,
        outcome__in=[Outcome.CASE, Outcome.REPLY],
    ).count()
    return recent >= settings.CARELOOP_MAIL_PER_SENDER_PER_HOUR


def _thread_case(*, organization_id: int, parsed: ParsedMail) -> Case | None:
    """The case this message answers: by a Message-ID we sent or received for it, else by the
    case reference in the subject when the sender is the case's own reporter."""
    live = Q(organization_id=organization_id, erased_at__isnull=True)
    ids = parsed.thread_ids
    if ids:
        sent = OutboundMessage.objects.filter(
            organization_id=organization_id, message_id__in=ids, case__isnull=False
        ).values_list("case_id", flat=True)
        received = InboundMessage.objects.filter(
            message_id__in=ids,
            outcome__in=[Outcome.CASE, Outcome.REPLY],
            mailbox__facility__organization_id=organization_id,
        ).values_list("case_id", flat=True)
        case_ids = {*sent, *received}
        if case_ids:
            by_header = Case.objects.filter(live, pk__in=case_ids).order_by("-pk").first()
            if by_header is not None:
                return by_header
    references = parsed.subject_references
    if references:
        return (
            Case.objects.filter(live, reference__in=references)
            .filter(reporter_email__iexact=parsed.from_address)
            .order_by("-pk")
            .first()
        )
    return None


# --- outcomes ---------------------------------------------------------------------------------


def _bounce_record(
    *, organization_id: int, record: InboundMessage, parsed: ParsedMail, now: datetime
) -> _Routed:
    outbound = (
        # of=("self",): the case is an outer join, which PostgreSQL cannot lock.
        OutboundMessage.objects.select_for_update(of=("self",))
        .filter(organization_id=organization_id, message_id__in=parsed.bounced_ids)
        .select_related("case")
        .first()
        if parsed.bounced_ids
        else None
    )
    if outbound is None:
        return _Routed(Outcome.BOUNCE, "Delivery failure report for no message we sent.")
    if OutboundBounce.objects.filter(outbound=outbound).exists():
        return _Routed(Outcome.BOUNCE, "A second failure report for a bounced message.")
    OutboundBounce.objects.create(
        outbound=outbound, report=record, status_code=parsed.bounce_status, bounced_at=now
    )
    if outbound.status == MessageStatus.SENT:  # it left us, but never arrived
        outbound.status = MessageStatus.FAILED
        outbound.last_error = f"bounced {parsed.bounce_status}".strip()[:100]
        outbound.save(update_fields=["status", "last_error"])
    summary = f"Email bounced ({parsed.bounce_status or 'no status'}): {outbound.template}"
    if outbound.case is not None:
        case_event_record(
            case=outbound.case,
            actor=None,
            at=now,
            kind="message_bounced",
            summary=summary,
            action="C",
            object_type="message",
            object_id=str(outbound.pk),
            fields=["bounce"],
        )
    else:
        audit_record(
            actor=None,
            action="C",
            event_type="message.bounced",
            at=now,
            organization_id=organization_id,
            object_type="message",
            object_id=str(outbound.pk),
            fields=["bounce"],
        )
    return _Routed(Outcome.BOUNCE, f"Marked message {outbound.pk} as bounced.", outbound.case)


def _narrative(parsed: ParsedMail) -> tuple[str, bool]:
    parts = [parsed.subject, parsed.body] if parsed.subject else [parsed.body]
    text = "\n\n".join(p for p in parts if p) or "(The email had no text.)"
    limit = settings.CARELOOP_NARRATIVE_MAX_CHARS
    return text[:limit], len(text) > limit


def _language(text: str) -> str:
    found = detect_language(text)
    return found if found in LANGUAGES else "en"


def _reporter_email(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _case_open(
    *, mailbox: Mailbox, record: InboundMessage, parsed: ParsedMail, now: datetime
) -> _Routed:
    facility = mailbox.facility
    narrative, truncated = _narrative(parsed)
    email = _reporter_email(parsed.from_address)
    case = case_open(
        actor=None,
        data=NewCase(
            facility=facility,
            kind=Kind.COMPLAINT,
            reporter_type="resident" if facility.setting in _RESIDENT_SETTINGS else "patient",
            channel=Channel.EMAIL,
            narrative=narrative,
            reporter_name=parsed.from_name,
            reporter_email=email,
            contact_preference=ContactPreference.EMAIL if email else ContactPreference.NONE,
            language=_language(parsed.body or parsed.subject),
            response_requested=bool(email),
        ),
        now=now,
    )
    notes = _reading_notes(parsed, truncated=truncated)
    notes += _attachments_store(case=case, record=record, parsed=parsed, now=now)
    _staff_note(case=case, lines=notes, now=now)
    if email and email not in _own_addresses(mailbox):
        client_acknowledge(case=case, link_base=settings.CARELOOP_BASE_URL, now=now)
    return _Routed(Outcome.CASE, "", case)


def _reply_add(*, case: Case, record: InboundMessage, parsed: ParsedMail, now: datetime) -> _Routed:
    text = reply_text(parsed.body) or (
        "(The email had no text; see its attachments.)"
        if parsed.attachments
        else "(The email had no text.)"
    )
    body = clean_text(text[:REPLY_LIMIT], field="Email", max_chars=REPLY_LIMIT, required=True)
    note = client_note_add(
        case=case,
        body=body,
        kind="client_emailed",
        summary="The client replied by email",
        now=now,
    )
    case = note.case
    notes = _reading_notes(parsed, truncated=len(text) > REPLY_LIMIT)
    notes += _attachments_store(case=case, record=record, parsed=parsed, now=now)
    _staff_note(case=case, lines=notes, now=now)
    return _Routed(Outcome.REPLY, "", case, note)


# --- what goes with a case --------------------------------------------------------------------


def _reading_notes(parsed: ParsedMail, *, truncated: bool) -> list[str]:
    lines = []
    if parsed.lost_chars:
        lines.append(
            f"{parsed.lost_chars} characters of the email could not be decoded and are shown "
            f'as "?".'
        )
    if parsed.defects:
        lines.append(
            "The email's structure was damaged ("
            + ", ".join(parsed.defects[:5])
            + "); the text kept is what could be read."
        )
    if truncated:
        lines.append("The email was longer than the text limit and was cut short.")
    return lines


def _attachments_store(
    *, case: Case, record: InboundMessage, parsed: ParsedMail, now: datetime
) -> list[str]:
    kept = refused = 0
    lines = []
    for attachment in parsed.attachments:
        refusal = attachment_check(attachment)
        MailAttachment.objects.create(
            case=case,
            message=record,
            filename=attachment.filename,
            content_type=attachment.content_type[:100],
            size=len(attachment.content),
            sha256="" if refusal else hashlib.sha256(attachment.content).hexdigest(),
            content=None if refusal else attachment.content,
            refused_reason=refusal,
            received_at=now,
        )
        if refusal:
            refused += 1
            lines.append(f'Attachment "{attachment.filename}" was not kept: {refusal}')
        else:
            kept += 1
    if kept or refused:
        case_event_record(
            case=case,
            actor=None,
            at=now,
            action="C",
            kind="email_attachments",
            summary=f"Email attachments: {kept} kept, {refused} refused",
            object_type="inbound_email",
            object_id=str(record.pk),
            fields=["attachments"],
        )
    return lines


def _staff_note(*, case: Case, lines: list[str], now: datetime) -> None:
    if not lines:
        return
    body = clean_text("\n".join(lines), field="Note", max_chars=REPLY_LIMIT)
    note = Note.objects.create(
        case=case, author=None, from_client=False, at=now, visibility=Visibility.INTERNAL, body=body
    )
    case_event_record(
        case=case,
        actor=None,
        at=now,
        action="C",
        kind="email_noted",
        summary="Careloop noted how the email was read",
        object_type="note",
        object_id=str(note.pk),
        fields=["body"],
    )


def _own_addresses(mailbox: Mailbox) -> set[str]:
    from email.utils import parseaddr

    return {mailbox.address.lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
