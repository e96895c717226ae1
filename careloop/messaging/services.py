"""Outbound messages: queued inside the caller's transaction, delivered outside any.

Delivery is at least once: a message is claimed with a conditional UPDATE (so two workers never
send it at the same time), sent, and its outcome recorded if the claim is still ours. A worker
that dies between sending and recording leaves a claim that expires; the message is then sent
again with the same Message-ID, so the recipient's mail system can tell it is the same one."""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.cases.timeline import case_event_record
from careloop.messaging.backoff import retry_delay
from careloop.messaging.catalogue import TEMPLATES, MessageTemplate, context_check, template_get
from careloop.messaging.hooks import after_send_run
from careloop.messaging.models import MessageChannel, MessageStatus, OutboundMessage
from careloop.orgs.models import Organization, User
from careloop.sms.backends import SmsSendError

logger = logging.getLogger("careloop.messaging")

MAX_ATTEMPTS = 8
SEND_TIMEOUT_SECONDS = 60
# How long a sending worker's claim lasts: well past the SMTP timeout, so a live worker never
# loses a message it is still sending.
LEASE = timedelta(minutes=10)
REDACTED_BODY = "[Message text removed after delivery]"
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (e.g. an issued letter's PDF)."""

    name: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    NOT_CLAIMED = "not_claimed"  # not due, or another worker has it
    CLAIM_LOST = "claim_lost"  # our lease ran out and another worker took the message over


# --- rendering (no database) ------------------------------------------------------------------


def language_pick(requested: str) -> str:
    """One of settings.LANGUAGES: the requested code, else its base language, else English."""
    codes = {code for code, _name in settings.LANGUAGES}
    wanted = requested.strip().lower().replace("_", "-")
    if wanted in codes:
        return wanted
    base = wanted.split("-", 1)[0]
    return base if base in codes else FALLBACK_LANGUAGE


def text_tidy(text: str) -> str:
    """Plain text from a template: no trailing spaces, at most one blank line in a row."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", lines) + "\n"


def message_render(
    *, template: MessageTemplate, language: str, context: dict[str, str]
) -> tuple[str, str]:
    """Subject (one line) and body, in `language`."""
    with translation.override(language):
        subject = render_to_string(f"messaging/{template.name}_subject.txt", context)
        body = render_to_string(f"messaging/{template.name}_body.txt", context)
    return " ".join(subject.split()), text_tidy(body)


def error_describe(exc: BaseException) -> str:
    """The exception's class and SMTP code(s): never the server's text, which may quote the
    address or the message."""
    codes: list[int] = []
    if isinstance(exc, smtplib.SMTPResponseException):
        codes = [exc.smtp_code]
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in exc.recipients.values()})
    text = " ".join([type(exc).__name__, *(str(code) for code in codes)])
    return text[:100]


def _message_id_domain() -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "localhost"


# --- queueing ---------------------------------------------------------------------------------


def message_queue(
    *,
    case: Case | None = None,
    organization: Organization | None = None,
    to: str,
    template: str,
    language: str,
    context: dict[str, str],
    now: datetime,
    actor: User | None = None,
    redact_after_send: bool = False,
    attachment: Attachment | None = None,
    channel: str = MessageChannel.EMAIL,
) -> OutboundMessage:
    """Render and queue an email (or, with channel "sms", a text to an E.164 number, rendered
    from ``messaging/<template>.sms.txt``) about `case` (or, with `case` None, on behalf of
    `organization` alone: e.g. a survey invitation to someone with no case); it is sent after
    the caller's transaction
    commits (and by the worker's sweep if that first try fails). Runs inside the caller's
    transaction. Raises ValidationError for a bad address; ValueError for an unknown template or
    a wrong context (programming errors). Nothing is written when either is raised.

    `attachment` goes with the email; its bytes are dropped from the row once the message is
    delivered or given up on (its name, type and SHA-256 stay). A message about a case is
    recorded on its timeline; one without a case only in the audit log."""
    from careloop.messaging.tasks import message_send

    if case is not None:
        organization_id = case.organization_id
        if organization is not None and organization.pk != organization_id:
            raise ValueError("The case is not in that organization.")
    elif organization is not None:
        organization_id = organization.pk
    else:
        raise ValueError("A message needs a case or an organization.")

    spec = template_get(template)
    values = context_check(template=spec, context=context)
    if channel not in MessageChannel.values or (channel == MessageChannel.SMS and attachment):
        raise ValueError(f"Cannot send {template} by {channel!r}")
    sms = channel == MessageChannel.SMS
    address = to.strip()
    if sms:
        from careloop.sms.outbound import sms_address_check, sms_render

        sms_address_check(organization_id=organization_id, to=address)
    else:
        validate_email(address)
    if case is not None and case.erased_at is not None:
        raise ValidationError("This case's client details were erased: nothing can be sent.")
    lang = language_pick(language)
    if sms:
        subject, body = "", sms_render(template=spec, language=lang, context=values)
    else:
        subject, body = message_render(template=spec, language=lang, context=values)
    with transaction.atomic(savepoint=False):
        message = OutboundMessage.objects.create(
            organization_id=organization_id,
            case=case,
            channel=channel,
            to_address=address,
            language=lang,
            template=spec.name,
            subject=subject[:300],
            body=body,
            next_attempt_at=now,
            redact_after_send=redact_after_send,
            created_at=now,
            message_id="" if sms else make_msgid(domain=_message_id_domain()),
            attachment_name=attachment.name if attachment else "",
            attachment_type=attachment.content_type if attachment else "",
            attachment_sha256=attachment.sha256 if attachment else "",
            attachment_content=attachment.content if attachment else None,
        )
        fields = ["to_address", "language", "template", "subject", "body"] + (
            ["attachment"] if attachment else []
        )
        if case is not None:
            case_event_record(
                case=case,
                actor=actor,
                at=now,
                kind="message_queued",
                summary=f"{MessageChannel(channel).label} queued: {spec.label}",
                action="C",
                object_type="message",
                object_id=str(message.pk),
                fields=fields,
            )
        else:
            audit_record(
                actor=actor,
                action="C",
                event_type="message.queued",
                at=now,
                organization_id=organization_id,
                object_type="message",
                object_id=str(message.pk),
                fields=fields,
                detail={"template": spec.name},
            )
        # If enqueueing fails the message is still queued: the worker's sweep sends it.
        transaction.on_commit(partial(message_send.enqueue, message_id=message.pk), robust=True)
    return message


# --- delivery ---------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    """Queued and due, or claimed by a worker whose lease has run out."""
    return Q(status=MessageStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_until__lt=now
    )


def messages_deliver_due(*, now: datetime, limit: int = 50) -> int:
    """Send up to `limit` due messages, one claim at a time; return how many were sent. Call
    outside any transaction: each claim and each outcome commits on its own, and no transaction
    is held open while talking to the mail server."""
    due = list(
        OutboundMessage.objects.filter(_due(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if _deliver(pk, now) == Outcome.SENT)


def message_deliver(*, message_id: int, now: datetime) -> bool:
    """Send one message if it is due and no other worker has it; True if it was sent now."""
    return _deliver(message_id, now) == Outcome.SENT


def _deliver(message_id: int, now: datetime) -> Outcome:
    lease = now + LEASE
    claimed = OutboundMessage.objects.filter(_due(now), pk=message_id).update(
        status=MessageStatus.SENDING, claimed_until=lease
    )
    if not claimed:
        return Outcome.NOT_CLAIMED
    message = OutboundMessage.objects.get(pk=message_id)
    provider_id = ""
    try:
        if message.channel == MessageChannel.SMS:
            from careloop.sms.outbound import sms_deliver

            provider_id = sms_deliver(message)
        else:
            _send(message)
    except SmsSendError as exc:  # the provider's reason; some failures cannot get better
        return _failure_record(
            message_id, lease=lease, error=exc.reason, now=now, permanent=exc.permanent
        )
    except Exception as exc:  # any failure to send is retried later; none may lose the message
        return _failure_record(message_id, lease=lease, error=error_describe(exc), now=now)
    return _success_record(message_id, lease=lease, now=now, provider_id=provider_id)


def _subject(message: OutboundMessage) -> str:
    """The subject names the case's reference, so a reply threads back (careloop.mail)."""
    if message.case is None or message.case.reference in message.subject:
        return message.subject
    return f"[{message.case.reference}] {message.subject}"


def _reply_to(message: OutboundMessage) -> list[str]:
    """Replies about a case go to its facility's mailbox, when one is set up and enabled."""
    from careloop.mail.models import Mailbox

    if message.case is None:
        return []
    mailbox = Mailbox.objects.filter(facility_id=message.case.facility_id, enabled=True).first()
    return [mailbox.address] if mailbox is not None else []


def _send(message: OutboundMessage) -> None:
    if message.channel != MessageChannel.EMAIL:
        raise ValueError(f"No sender for channel {message.channel!r}")
    spec = template_get(message.template)
    headers = {"Message-ID": message.message_id, "Content-Language": message.language}
    if spec.automatic:
        headers["Auto-Submitted"] = "auto-generated"
    email = EmailMessage(
        subject=_subject(message),
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        reply_to=_reply_to(message),
        headers=headers,
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT_SECONDS),
    )
    if message.attachment_name:
        if message.attachment_content is None:
            raise ValueError(f"message {message.pk}: its attachment is no longer stored")
        email.attach(
            message.attachment_name, bytes(message.attachment_content), message.attachment_type
        )
    email.send()


def _attachment_drop(message: OutboundMessage, fields: list[str]) -> None:
    """Once a message is settled (sent or given up on) its attachment's bytes go; the owner of
    the document keeps it."""
    if message.attachment_content is not None:
        message.attachment_content = None
        fields.append("attachment_content")


def _still_ours(message_id: int, lease: datetime) -> OutboundMessage | None:
    message = (
        OutboundMessage.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=message_id, status=MessageStatus.SENDING, claimed_until=lease)
        .first()
    )
    if message is None:
        logger.warning("message %s: claim lost before its outcome was recorded", message_id)
    return message


def _label(message: OutboundMessage) -> tuple[str, str]:
    """Channel and template labels for the timeline (never the subject or any client text)."""
    spec = TEMPLATES.get(message.template)
    return str(MessageChannel(message.channel).label), spec.label if spec else message.template


def _caseless_audit(
    message: OutboundMessage, *, event_type: str, fields: list[str], now: datetime
) -> None:
    """A message with no case has no timeline: its outcome goes to the audit log only."""
    audit_record(
        actor=None,
        action="U",
        event_type=event_type,
        at=now,
        organization_id=message.organization_id,
        object_type="message",
        object_id=str(message.pk),
        fields=fields,
        detail={"template": message.template},
    )


@transaction.atomic
def _success_record(
    message_id: int, *, lease: datetime, now: datetime, provider_id: str = ""
) -> Outcome:
    message = _still_ours(message_id, lease)
    if message is None:
        return Outcome.CLAIM_LOST
    message.status = MessageStatus.SENT
    message.sent_at = now
    message.claimed_until = None
    message.last_error = ""
    fields = ["status", "sent_at", "claimed_until", "last_error"]
    if provider_id:  # a text: the provider's id, for its delivery reports
        message.message_id = provider_id
        fields.append("message_id")
    if message.redact_after_send:
        message.body = REDACTED_BODY
        fields.append("body")
    _attachment_drop(message, fields)
    message.save(update_fields=fields)
    if message.case is not None:
        channel, label = _label(message)
        case_event_record(
            case=message.case,
            actor=None,
            at=now,
            kind="message_sent",
            summary=f"{channel} sent: {label}",
            changes={"status": (MessageStatus.SENDING, MessageStatus.SENT)},
            fields=fields,
            object_type="message",
            object_id=str(message.pk),
        )
    else:
        _caseless_audit(message, event_type="message.sent", fields=fields, now=now)
    after_send_run(message=message, now=now)
    return Outcome.SENT


@transaction.atomic
def _failure_record(
    message_id: int, *, lease: datetime, error: str, now: datetime, permanent: bool = False
) -> Outcome:
    message = _still_ours(message_id, lease)
    if message is None:
        return Outcome.CLAIM_LOST
    message.attempts += 1
    message.last_error = error
    message.claimed_until = None
    logger.warning(
        "message %s not delivered (%s), attempt %s of %s",
        message.pk,
        error,
        message.attempts,
        MAX_ATTEMPTS,
    )
    if message.attempts < MAX_ATTEMPTS and not permanent:
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = now + retry_delay(message.attempts)
        message.save(
            update_fields=["attempts", "last_error", "claimed_until", "status", "next_attempt_at"]
        )
        return Outcome.RETRY
    message.status = MessageStatus.FAILED
    failed_fields = ["attempts", "last_error", "claimed_until", "status"]
    _attachment_drop(message, failed_fields)
    message.save(update_fields=failed_fields)
    if message.case is not None:
        channel, label = _label(message)
        case_event_record(
            case=message.case,
            actor=None,
            at=now,
            kind="message_failed",
            summary=f"{channel} not delivered ({message.last_error}): {label}"
            if permanent
            else f"{channel} could not be delivered after {MAX_ATTEMPTS} attempts: {label}",
            changes={"status": (MessageStatus.SENDING, MessageStatus.FAILED)},
            fields=["status", "attempts", "last_error"],
            object_type="message",
            object_id=str(message.pk),
        )
    else:
        _caseless_audit(
            message,
            event_type="message.failed",
            fields=["status", "attempts", "last_error"],
            now=now,
        )
    return Outcome.FAILED


# --- delivery reports from the text message provider -----------------------------------------

# How far along each report is; a report never moves a message back (they may arrive out of
# order), and a final one (delivered, undelivered, failed) is the last word.
_PROVIDER_PROGRESS = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "read": 3,
    "undelivered": 3,
    "failed": 3,
}
_PROVIDER_FAILED = frozenset({"undelivered", "failed"})


@transaction.atomic
def message_provider_status_record(*, provider_id: str, status: str, now: datetime) -> bool:
    """Record the provider's delivery report for the text it knows as `provider_id`. True when
    it changed the message; an unknown id, an unknown status, a report already recorded or one
    that arrives after a later one changes nothing. A text the provider could not deliver
    becomes failed, on the case's timeline."""
    progress = _PROVIDER_PROGRESS.get(status)
    if progress is None or not provider_id:
        return False
    message = (
        OutboundMessage.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(channel=MessageChannel.SMS, message_id=provider_id)
        .first()
    )
    if message is None:
        return False
    current = _PROVIDER_PROGRESS.get(message.provider_status, -1)
    if current >= 3 or progress <= current:
        return False
    old_status = message.status
    message.provider_status = status
    fields = ["provider_status"]
    failed = status in _PROVIDER_FAILED
    if failed:
        message.status = MessageStatus.FAILED
        message.last_error = f"Provider {status}"
        fields += ["status", "last_error"]
    message.save(update_fields=fields)
    if message.case is not None and (failed or status == "delivered"):
        channel, label = _label(message)
        case_event_record(
            case=message.case,
            actor=None,
            at=now,
            kind="message_failed" if failed else "message_delivered",
            summary=f"{channel} {'not delivered' if failed else 'delivered'}: {label}",
            changes={"status": (old_status, message.status)},
            fields=fields,
            object_type="message",
            object_id=str(message.pk),
        )
    elif message.case is None:
        _caseless_audit(message, event_type="message.provider_status", fields=fields, now=now)
    else:
        audit_record(
            actor=None,
            action="U",
            event_type="message.provider_status",
            at=now,
            organization_id=message.organization_id,
            case_id=message.case_id,
            object_type="message",
            object_id=str(message.pk),
            fields=fields,
            detail={"provider_status": status},
        )
    return True
