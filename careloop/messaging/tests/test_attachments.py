"""Attachments: sent with the message through a real SMTP server, recorded by name, type and
SHA-256, and their bytes dropped once the message is settled (sent, or given up on)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case
from careloop.conftest import CaseOpener
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import (
    MAX_ATTEMPTS,
    Attachment,
    message_queue,
    messages_deliver_due,
)
from careloop.messaging.tests.conftest import CLIENT_ADDRESS, QUEUED_AT, Inbox

PDF = Attachment(
    name="RH-2026-0001-decision.pdf", content_type="application/pdf", content=b"%PDF-1.4 x"
)


def queue_with_attachment(case: Case) -> OutboundMessage:
    return message_queue(
        case=case,
        to=CLIENT_ADDRESS,
        template="decision_letter",
        language="en",
        context={
            "reference": case.reference,
            "facility_name": case.facility.name,
            "kind": "decision",
        },
        now=QUEUED_AT,
        attachment=PDF,
    )


def test_the_attachment_arrives_and_only_its_record_is_kept(
    open_case: CaseOpener, inbox: Inbox
) -> None:
    case = open_case()
    message = queue_with_attachment(case)
    assert (message.attachment_name, message.attachment_sha256) == (
        PDF.name,
        hashlib.sha256(PDF.content).hexdigest(),
    )

    assert messages_deliver_due(now=QUEUED_AT) == 1

    [received] = inbox.messages()
    [attachment] = list(received.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        PDF.name,
        "application/pdf",
    )
    assert attachment.get_content() == PDF.content
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attachment_content is None
    assert message.attachment_sha256 == hashlib.sha256(PDF.content).hexdigest()
    queued = AuditEvent.objects.get(event_type="case.message_queued", object_id=str(message.pk))
    assert "attachment" in queued.fields


def test_a_message_without_attachment_has_none(open_case: CaseOpener, inbox: Inbox) -> None:
    case = open_case()
    message = message_queue(
        case=case,
        to=CLIENT_ADDRESS,
        template="decision_letter",
        language="en",
        context={
            "reference": case.reference,
            "facility_name": case.facility.name,
            "kind": "decision",
        },
        now=QUEUED_AT,
    )
    messages_deliver_due(now=QUEUED_AT)

    [received] = inbox.messages()
    assert list(received.iter_attachments()) == []
    message.refresh_from_db()
    assert (message.attachment_name, message.attachment_content) == ("", None)


def test_the_attachment_is_kept_for_retries_and_dropped_when_given_up(
    open_case: CaseOpener, smtp_port: int
) -> None:
    message = queue_with_attachment(open_case())
    now = QUEUED_AT

    for _attempt in range(MAX_ATTEMPTS - 1):
        messages_deliver_due(now=now)
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert bytes(message.attachment_content or b"") == PDF.content
        now = message.next_attempt_at + timedelta(seconds=1)
    messages_deliver_due(now=now)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attachment_content is None
    assert message.attachment_name == PDF.name
