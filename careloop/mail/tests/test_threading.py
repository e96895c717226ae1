"""Outbound email carries what a reply needs to thread back (Message-ID, Reply-To, the
reference in the subject): sent through a real SMTP server (aiosmtpd), answered into a real
Dovecot, read by the sweep onto the same case. Bounces mark the message they name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from careloop.cases.models import Case, Note, Visibility
from careloop.conftest import RECEIVED_AT, make_user
from careloop.mail.models import InboundMessage, OutboundBounce, Outcome
from careloop.mail.tests.conftest import MAILBOX_ADDRESS, Inbox, Sweep, sample
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import messages_deliver_due
from careloop.messaging.tests.conftest import Inbox as SmtpInbox
from careloop.messaging.tests.conftest import SmtpServer, free_port, smtp_point_at
from careloop.orgs.models import Role

pytestmark = pytest.mark.django_db
LATER = RECEIVED_AT + timedelta(hours=1)


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpInbox]:
    port = free_port()
    smtp_point_at(settings, port)
    server = SmtpServer(port)
    server.start()
    yield server.inbox
    server.stop()


def first_case(inbox: Inbox, sweep: Sweep) -> Case:
    inbox.deliver(sample("plain_complaint.eml"))
    sweep()
    return Case.objects.get()


def test_the_acknowledgement_carries_message_id_reply_to_and_reference(
    inbox: Inbox, sweep: Sweep, smtp: SmtpInbox
) -> None:
    case = first_case(inbox, sweep)

    assert messages_deliver_due(now=RECEIVED_AT + timedelta(minutes=1)) == 1

    sent = smtp.messages()[0]
    record = OutboundMessage.objects.get(case=case)
    assert sent["Message-ID"] == record.message_id
    assert sent["Reply-To"] == MAILBOX_ADDRESS
    assert case.reference in str(sent["Subject"])
    assert sent["Auto-Submitted"] == "auto-generated"


def test_a_subject_without_the_reference_gets_it(
    inbox: Inbox, sweep: Sweep, smtp: SmtpInbox
) -> None:
    case = first_case(inbox, sweep)
    OutboundMessage.objects.filter(case=case).update(subject="Hello")

    messages_deliver_due(now=RECEIVED_AT + timedelta(minutes=1))

    assert smtp.messages()[0]["Subject"] == f"[{case.reference}] Hello"


def test_no_reply_to_without_an_enabled_mailbox(
    inbox: Inbox, sweep: Sweep, smtp: SmtpInbox
) -> None:
    first_case(inbox, sweep)
    type(inbox.mailbox).objects.filter(pk=inbox.mailbox.pk).update(enabled=False)

    messages_deliver_due(now=RECEIVED_AT + timedelta(minutes=1))

    assert smtp.messages()[0]["Reply-To"] is None


def test_a_reply_to_our_message_threads_onto_the_case_as_a_client_note(
    inbox: Inbox, sweep: Sweep, smtp: SmtpInbox, org: Any, facility_x: Any
) -> None:
    owner = make_user("advocate_x", organization=org, role=Role.ADVOCATE, facility=facility_x)
    case = first_case(inbox, sweep)
    Case.objects.filter(pk=case.pk).update(owner=owner)
    messages_deliver_due(now=RECEIVED_AT + timedelta(minutes=1))
    sent = smtp.messages()[0]
    reply = sample("reply.eml", MESSAGE_ID=str(sent["Message-ID"]), REFERENCE="anything")

    inbox.deliver(reply)
    assert sweep(LATER) == {"reply": 1}

    assert Case.objects.count() == 1
    note = Note.objects.get(case=case, from_client=True)
    assert note.visibility == Visibility.CLIENT
    assert note.body.startswith("Thank you. I forgot to say: the nurse on duty was very kind")
    assert "wrote:" not in note.body
    assert "> Thank you for telling us" not in note.body
    assert case.events.filter(kind="client_emailed").exists()
    told = OutboundMessage.objects.get(case=case, template="client_added_information")
    assert told.to_address == owner.email
    record = InboundMessage.objects.get(outcome=Outcome.REPLY)
    assert (record.case_id, record.note_id) == (case.pk, note.pk)


def test_a_client_answering_their_own_first_email_threads_by_references(
    inbox: Inbox, sweep: Sweep
) -> None:
    case = first_case(inbox, sweep)
    reply = sample(
        "reply.eml",
        MESSAGE_ID="<CAF3k9x=plain.complaint.0001@mail.example.org>",
        REFERENCE="my earlier email",
    )
    inbox.deliver(reply)

    assert sweep(LATER) == {"reply": 1}
    assert case.notes.filter(from_client=True).count() == 1


def test_the_reference_in_the_subject_threads_a_reply_from_the_reporter(
    inbox: Inbox, sweep: Sweep
) -> None:
    case = first_case(inbox, sweep)
    inbox.deliver(sample("reply.eml", MESSAGE_ID="<unknown@nowhere>", REFERENCE=case.reference))

    assert sweep(LATER) == {"reply": 1}
    assert case.notes.filter(from_client=True).count() == 1


def test_the_reference_from_someone_else_opens_a_new_case(inbox: Inbox, sweep: Sweep) -> None:
    case = first_case(inbox, sweep)
    other = sample("reply.eml", MESSAGE_ID="<unknown@nowhere>", REFERENCE=case.reference).replace(
        b"maria.lopez@example.org", b"someone.else@example.org"
    )
    inbox.deliver(other)

    assert sweep(LATER) == {"case": 1}
    assert Case.objects.count() == 2
    assert not case.notes.exists()


def test_a_reference_of_another_organization_does_not_thread(
    inbox: Inbox, sweep: Sweep, open_case: Any, other_facility: Any
) -> None:
    foreign = open_case(
        facility=other_facility, unit=None, reporter_email="maria.lopez@example.org"
    )
    inbox.deliver(sample("reply.eml", MESSAGE_ID="<x@y>", REFERENCE=foreign.reference))

    assert sweep(LATER) == {"case": 1}
    assert not foreign.notes.exists()


def test_a_bounce_marks_the_message_it_names(inbox: Inbox, sweep: Sweep, smtp: SmtpInbox) -> None:
    case = first_case(inbox, sweep)
    assert messages_deliver_due(now=RECEIVED_AT + timedelta(minutes=1)) == 1
    ack = OutboundMessage.objects.get(case=case)
    assert ack.status == MessageStatus.SENT
    inbox.deliver(sample("bounce_dsn.eml", MESSAGE_ID=ack.message_id))

    assert sweep(LATER) == {"bounce": 1}

    bounce = OutboundBounce.objects.get()
    assert (bounce.outbound_id, bounce.status_code) == (ack.pk, "5.1.1")
    ack.refresh_from_db()
    assert (ack.status, ack.last_error) == (MessageStatus.FAILED, "bounced 5.1.1")
    event = case.events.get(kind="message_bounced")
    assert event.summary == "Email bounced (5.1.1): intake_acknowledgement"
    assert Case.objects.count() == 1


def test_a_second_report_for_the_same_message_is_not_recorded_twice(
    inbox: Inbox, sweep: Sweep
) -> None:
    case = first_case(inbox, sweep)
    ack = OutboundMessage.objects.get(case=case)
    inbox.deliver(sample("bounce_dsn.eml", MESSAGE_ID=ack.message_id))
    inbox.deliver(
        sample("bounce_dsn.eml", MESSAGE_ID=ack.message_id).replace(b"bounce.0012", b"b.2")
    )

    assert sweep(LATER) == {"bounce": 2}
    assert OutboundBounce.objects.count() == 1
    assert case.events.filter(kind="message_bounced").count() == 1


def test_a_bounce_for_a_message_we_never_sent_is_only_recorded(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(sample("bounce_dsn.eml", MESSAGE_ID="<never-sent@elsewhere>"))

    assert sweep() == {"bounce": 1}
    assert not Case.objects.exists()
    assert InboundMessage.objects.get().reason == "Delivery failure report for no message we sent."
