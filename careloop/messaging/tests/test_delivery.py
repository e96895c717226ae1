"""Delivery through a real SMTP server on loopback: read back what arrived; retries when the
server is down; one send per message however many workers claim; outcomes on the timeline."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from pytest_django import DjangoCaptureOnCommitCallbacks

from careloop.audit.models import AuditEvent
from careloop.cases.models import Kind
from careloop.conftest import NARRATIVE, CaseOpener, clock_of
from careloop.core.worker import sweep_forever
from careloop.messaging.backoff import retry_delay
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import (
    LEASE,
    MAX_ATTEMPTS,
    REDACTED_BODY,
    message_deliver,
    messages_deliver_due,
)
from careloop.messaging.tests.conftest import (
    CLIENT_ADDRESS,
    QUEUED_AT,
    REFUSED_RECIPIENT,
    STATUS_URL,
    Inbox,
    SmtpServer,
    ack_queue,
)
from careloop.orgs.models import Facility, Unit
from careloop.policies.models import ClockStatus


def test_a_spanish_acknowledgement_arrives_at_the_smtp_server_after_commit(
    open_case: CaseOpener,
    inbox: Inbox,
    frozen: None,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    case = open_case()

    with django_capture_on_commit_callbacks(execute=True):
        message = ack_queue(case, language="es")

    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == [CLIENT_ADDRESS]
    [received] = inbox.messages()
    assert received["To"] == CLIENT_ADDRESS
    assert received["From"] == settings.DEFAULT_FROM_EMAIL
    assert case.reference in received["Subject"]
    assert received["Content-Language"] == "es"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"] == message.message_id
    body = received.get_content()
    assert case.reference in body
    assert STATUS_URL in body
    assert NARRATIVE not in body
    message.refresh_from_db()
    assert (message.status, message.sent_at, message.attempts) == (
        MessageStatus.SENT,
        QUEUED_AT,
        0,
    )
    assert message.claimed_until is None


def test_a_delivery_is_on_the_timeline_and_audited(open_case: CaseOpener, inbox: Inbox) -> None:
    case = open_case()
    message = ack_queue(case)

    assert messages_deliver_due(now=QUEUED_AT) == 1

    event = case.events.get(kind="message_sent")
    assert (event.summary, event.actor, event.at) == (
        "Email sent: Acknowledgement of receipt",
        None,
        QUEUED_AT,
    )
    assert event.changes == {"status": ["sending", "sent"]}
    audit = AuditEvent.objects.get(event_type="case.message_sent")
    assert (audit.object_type, audit.object_id) == ("message", str(message.pk))


def test_when_the_server_is_down_the_message_waits_and_is_sent_once_it_is_back(
    open_case: CaseOpener, smtp_server: SmtpServer
) -> None:
    case = open_case(kind=Kind.COMPLAINT)
    message = ack_queue(case)

    assert messages_deliver_due(now=QUEUED_AT) == 0

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.next_attempt_at == QUEUED_AT + timedelta(minutes=1)
    assert message.last_error == "ConnectionRefusedError"
    assert message.claimed_until is None
    assert clock_of(case, "acknowledge_1wd").status == ClockStatus.RUNNING
    assert not case.events.filter(kind__in=["message_sent", "message_failed"]).exists()

    smtp_server.start()
    assert messages_deliver_due(now=QUEUED_AT + timedelta(seconds=30)) == 0  # not due yet
    assert smtp_server.inbox.envelopes == []

    assert messages_deliver_due(now=message.next_attempt_at) == 1
    assert messages_deliver_due(now=message.next_attempt_at + timedelta(hours=1)) == 0
    assert len(smtp_server.inbox.envelopes) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == (
        MessageStatus.SENT,
        1,
        QUEUED_AT + timedelta(minutes=1),
    )


def test_after_eight_failed_attempts_the_message_fails_with_a_timeline_event(
    open_case: CaseOpener, smtp_port: int
) -> None:
    case = open_case()
    message = ack_queue(case)
    at = QUEUED_AT
    waits = []

    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert messages_deliver_due(now=at) == 0
        message.refresh_from_db()
        assert message.attempts == attempt
        if message.status == MessageStatus.QUEUED:
            waits.append(message.next_attempt_at - at)
            at = message.next_attempt_at

    assert waits == [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 8)
    event = case.events.get(kind="message_failed")
    assert event.summary == (
        "Email could not be delivered after 8 attempts: Acknowledgement of receipt"
    )
    assert event.at == at
    assert messages_deliver_due(now=at + timedelta(days=1)) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 8)


def test_a_refused_recipient_is_recorded_by_code_without_the_servers_words(
    open_case: CaseOpener, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    message = ack_queue(open_case(), to=REFUSED_RECIPIENT)

    with caplog.at_level("INFO", logger="careloop"):
        assert messages_deliver_due(now=QUEUED_AT) == 0

    message.refresh_from_db()
    assert message.last_error == "SMTPRecipientsRefused 550"
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert inbox.envelopes == []
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("careloop")]
    assert ours == [
        f"message {message.pk} not delivered (SMTPRecipientsRefused 550), attempt 1 of 8"
    ]


def test_delivering_twice_sends_once(open_case: CaseOpener, inbox: Inbox) -> None:
    message = ack_queue(open_case())

    assert messages_deliver_due(now=QUEUED_AT) == 1
    assert messages_deliver_due(now=QUEUED_AT) == 0
    assert message_deliver(message_id=message.pk, now=QUEUED_AT) is False

    assert len(inbox.envelopes) == 1


def test_a_message_another_worker_claimed_is_skipped_until_its_claim_runs_out(
    open_case: CaseOpener, inbox: Inbox
) -> None:
    message = ack_queue(open_case())
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_until=QUEUED_AT + LEASE
    )

    assert messages_deliver_due(now=QUEUED_AT) == 0
    assert message_deliver(message_id=message.pk, now=QUEUED_AT + timedelta(minutes=1)) is False
    assert inbox.envelopes == []

    # That worker died mid-send: once its claim has run out the message is taken over.
    after = QUEUED_AT + LEASE + timedelta(seconds=1)
    assert messages_deliver_due(now=after) == 1
    assert messages_deliver_due(now=after) == 0
    assert len(inbox.envelopes) == 1
    assert inbox.messages()[0]["Message-ID"] == message.message_id


class TakenOverBackend(BaseEmailBackend):
    """Sends, but so slowly that our claim ran out and another worker took the message over."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        OutboundMessage.objects.update(claimed_until=QUEUED_AT + 2 * LEASE)
        return len(email_messages)


def test_a_worker_that_lost_its_claim_records_nothing(open_case: CaseOpener, settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.TakenOverBackend"
    case = open_case()
    message = ack_queue(case)

    assert messages_deliver_due(now=QUEUED_AT) == 0

    message.refresh_from_db()
    assert (message.status, message.claimed_until) == (
        MessageStatus.SENDING,
        QUEUED_AT + 2 * LEASE,
    )
    assert not case.events.filter(kind="message_sent").exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_message_exactly_once(
    open_case: CaseOpener, inbox: Inbox, dummy_tasks: None, audit_log_cleared_after: None
) -> None:
    for _ in range(6):
        ack_queue(open_case())
    sent: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            sent.append(messages_deliver_due(now=QUEUED_AT))
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(sent) == 6
    assert len(inbox.envelopes) == 6
    assert len({m["Message-ID"] for m in inbox.messages()}) == 6
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_delivering_an_acknowledgement_meets_the_house_acknowledge_clock(
    open_case: CaseOpener, locmem_email: None
) -> None:
    case = open_case(kind=Kind.COMPLAINT)
    ack_queue(case)
    assert clock_of(case, "acknowledge_1wd").status == ClockStatus.RUNNING

    assert messages_deliver_due(now=QUEUED_AT) == 1

    clock = clock_of(case, "acknowledge_1wd")
    assert (clock.status, clock.met_at) == (ClockStatus.MET, QUEUED_AT)
    assert clock_of(case, "resolve_7d").status == ClockStatus.RUNNING
    latest = list(case.events.order_by("-pk").values_list("kind", "summary")[:2])
    assert latest == [
        ("clock_met", "Clock met: Acknowledge by the end of the next working day"),
        ("message_sent", "Email sent: Acknowledgement of receipt"),
    ]
    case.refresh_from_db()
    assert case.acknowledged_at is None  # a person's acknowledgement is still its own step


def test_an_automatic_acknowledgement_does_not_meet_the_nhs_acknowledgement_clock(
    open_case: CaseOpener, facility_uk: Facility, locmem_email: None
) -> None:
    ward = Unit.objects.create(facility=facility_uk, name="Ward 9")
    case = open_case(unit=ward, kind=Kind.COMPLAINT)
    message = ack_queue(case)

    assert messages_deliver_due(now=QUEUED_AT) == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    clock = clock_of(case, "acknowledge_3wd")
    assert (clock.status, clock.met_at) == (ClockStatus.RUNNING, None)
    assert not case.events.filter(kind="clock_met").exists()


def test_the_body_is_removed_after_delivery_when_asked(open_case: CaseOpener, inbox: Inbox) -> None:
    message = ack_queue(open_case(), redact_after_send=True)

    assert messages_deliver_due(now=QUEUED_AT) == 1

    assert STATUS_URL in inbox.messages()[0].get_content()
    message.refresh_from_db()
    assert message.body == REDACTED_BODY


def test_the_body_is_kept_until_the_message_is_delivered(
    open_case: CaseOpener, smtp_port: int
) -> None:
    message = ack_queue(open_case(), redact_after_send=True)

    messages_deliver_due(now=QUEUED_AT)

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert STATUS_URL in message.body


def test_the_body_is_kept_after_delivery_by_default(open_case: CaseOpener, inbox: Inbox) -> None:
    message = ack_queue(open_case())

    messages_deliver_due(now=QUEUED_AT)

    message.refresh_from_db()
    assert STATUS_URL in message.body


class OnePass(threading.Event):
    """A stop signal that stops the sweep loop after one pass."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweep_delivers_due_messages_and_logs_only_counts(
    open_case: CaseOpener,
    inbox: Inbox,
    frozen: None,
    dummy_tasks: None,
    audit_log_cleared_after: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case = open_case()
    ack_queue(case)

    with caplog.at_level("INFO", logger="careloop.worker"):
        sweep_forever(OnePass(), 0)

    assert len(inbox.envelopes) == 1
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("careloop")]
    assert "message delivery: 1 sent" in ours
    # Other sweeps may report too (a first text model queued), but only as counts.
    assert all(re.fullmatch(r"[a-z ,\-]+: [0-9a-z ,]+", line) for line in ours), ours
    assert not any("@" in line for line in ours)
