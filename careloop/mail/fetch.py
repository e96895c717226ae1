"""The inbound email sweep: read every enabled mailbox's unprocessed messages by UID.

Order per message: (1) skip the work if an InboundMessage row already names this UID (a
previous worker committed it, then died before flagging it); (2) otherwise receive it, which
commits the row with its case; (3) flag it on the server. A worker killed anywhere repeats at
most the flagging, never the case. Two sweepers racing for one UID: the second insert hits the
unique key and rolls back whole. Call outside any transaction."""

from __future__ import annotations

import logging
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F

from careloop.core.time import utcnow
from careloop.mail.imap import MailboxError, Session, mailbox_session
from careloop.mail.models import FailedAttempt, InboundMessage, Mailbox
from careloop.mail.receive import mail_message_quarantine, mail_message_receive

logger = logging.getLogger("careloop.mail")

BATCH_LIMIT = 200
MAX_ATTEMPTS = 3
RETRY = "retry"  # counted in the sweep's summary; the message stays unprocessed


def _received(mailbox: Mailbox, uidvalidity: int, uid: int) -> bool:
    return InboundMessage.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid).exists()


def _receive_one(mailbox: Mailbox, session: Session, uid: int) -> str:
    """The outcome for one UID; "" if it was already received (or vanished)."""
    if _received(mailbox, session.uidvalidity, uid):
        return ""
    data = session.fetch(uid)
    if data is None:
        return ""
    try:
        record = mail_message_receive(
            mailbox=mailbox, uidvalidity=session.uidvalidity, uid=uid, data=data, now=utcnow()
        )
    except IntegrityError:
        if _received(mailbox, session.uidvalidity, uid):
            return ""  # another sweeper received it first
        return _quarantine(mailbox, session, uid, len(data), "IntegrityError")
    except Exception as exc:  # one unreadable message must not stop the mailbox
        error = type(exc).__name__
        attempts = _failure_count(mailbox, session.uidvalidity, uid, error)
        if attempts < MAX_ATTEMPTS:
            logger.warning(
                "mailbox %s: message uid %s failed (%s), attempt %s of %s",
                mailbox.pk,
                uid,
                error,
                attempts,
                MAX_ATTEMPTS,
            )
            return RETRY
        return _quarantine(mailbox, session, uid, len(data), error)
    return record.outcome


def _failure_count(mailbox: Mailbox, uidvalidity: int, uid: int, error: str) -> int:
    """Record one more failed attempt at this message; how many there have been."""
    with transaction.atomic():
        failure, _created = FailedAttempt.objects.select_for_update().get_or_create(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            defaults={"error": error, "last_at": utcnow()},
        )
        failure.attempts += 1
        failure.error = error
        failure.last_at = utcnow()
        failure.save(update_fields=["attempts", "error", "last_at"])
    return failure.attempts


def _quarantine(mailbox: Mailbox, session: Session, uid: int, size: int, error: str) -> str:
    logger.error("mailbox %s: message uid %s could not be processed (%s)", mailbox.pk, uid, error)
    try:
        record = mail_message_quarantine(
            mailbox=mailbox,
            uidvalidity=session.uidvalidity,
            uid=uid,
            size=size,
            reason=f"The message could not be processed ({error}, {MAX_ATTEMPTS} attempts); "
            "it is kept on the server.",
            now=utcnow(),
        )
    except IntegrityError:
        return ""
    return record.outcome


def mailbox_fetch(*, mailbox: Mailbox, limit: int = BATCH_LIMIT) -> Counter[str]:
    """Receive up to `limit` unprocessed messages of one mailbox; outcomes counted."""
    outcomes: Counter[str] = Counter()
    with mailbox_session(mailbox) as session:
        for uid in session.unprocessed_uids()[:limit]:
            outcome = _receive_one(mailbox, session, uid)
            if outcome:
                outcomes[outcome] += 1
            if _received(mailbox, session.uidvalidity, uid):
                session.mark_processed(uid)
    return outcomes


def mail_sweep(*, limit: int = BATCH_LIMIT) -> Counter[str]:
    """Every enabled mailbox; one failing (server down, password changed) does not stop the
    others, and its error is shown to staff on the mailbox screen."""
    outcomes: Counter[str] = Counter()
    mailboxes = Mailbox.objects.filter(enabled=True).select_related("facility__organization")
    for mailbox in mailboxes.order_by(F("last_checked_at").asc(nulls_first=True), "pk"):
        error = ""
        try:
            outcomes += mailbox_fetch(mailbox=mailbox, limit=limit)
        except MailboxError as exc:
            error = str(exc)
            logger.warning("mailbox %s: %s", mailbox.pk, error)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_checked_at=utcnow(), last_error=error)
    return outcomes


def mail_sweep_summary() -> str:
    outcomes = mail_sweep()
    return ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items()))
