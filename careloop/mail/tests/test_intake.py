"""Real-world messages delivered to a real Dovecot, read by the sweep, turned into cases."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Channel, Note, Visibility
from careloop.conftest import RECEIVED_AT
from careloop.mail.imap import PROCESSED_KEYWORD
from careloop.mail.models import InboundMessage, MailAttachment, Outcome
from careloop.mail.tests.conftest import Inbox, Sweep, sample
from careloop.messaging.models import OutboundMessage

pytestmark = pytest.mark.django_db


def only_case() -> Case:
    cases = list(Case.objects.all())
    assert len(cases) == 1
    return cases[0]


def test_a_plain_email_becomes_an_email_case_and_is_flagged_on_the_server(
    inbox: Inbox, sweep: Sweep
) -> None:
    uid = inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"case": 1}

    case = only_case()
    assert case.channel == Channel.EMAIL
    assert case.facility_id == inbox.mailbox.facility_id
    assert case.reporter_email == "maria.lopez@example.org"
    assert case.reporter_name == "Maria Lopez"
    assert case.language == "en"
    assert case.narrative.startswith("My father waited hours for pain relief\n\nHello,")
    assert "nobody answered the call bell" in case.narrative
    assert case.received_at == RECEIVED_AT
    record = InboundMessage.objects.get()
    assert (record.uid, record.outcome, record.case_id) == (uid, Outcome.CASE, case.pk)
    assert record.message_id == "<CAF3k9x=plain.complaint.0001@mail.example.org>"
    assert PROCESSED_KEYWORD in inbox.flags()[uid]
    ack = OutboundMessage.objects.get(case=case)
    assert (ack.template, ack.to_address) == ("intake_acknowledgement", case.reporter_email)
    assert AuditEvent.objects.filter(event_type="mail.received", case_id=case.pk).exists()


def test_a_second_sweep_reads_nothing_again(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(sample("plain_complaint.eml"))
    sweep()

    assert sweep() == {}
    assert Case.objects.count() == 1


def test_multipart_spanish_email_keeps_its_text_and_its_pdf(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(sample("multipart_es_pdf.eml"))

    sweep()

    case = only_case()
    assert case.language == "es"
    assert case.reporter_name == "José Martínez"
    assert "no le dieron la cena durante dos días" in case.narrative
    assert "<p>" not in case.narrative
    attachment = MailAttachment.objects.get(case=case)
    assert (attachment.filename, attachment.content_type) == ("factura.pdf", "application/pdf")
    assert attachment.content is not None
    assert bytes(attachment.content).startswith(b"%PDF-1.4")
    assert attachment.refused_reason == ""
    assert case.events.filter(kind="email_attachments").exists()


def test_an_html_only_email_is_read_as_plain_text(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(sample("html_only_it.eml"))

    sweep()

    case = only_case()
    assert case.language == "it"
    assert "Mia madre è rimasta senza acqua per tutta la notte" in case.narrative
    assert "- Nessuno è venuto per ore" in case.narrative
    assert "il nostro sito (https://example.it/info)" in case.narrative
    for markup in ("<", "alert(1)", "color:red", "&egrave;"):
        assert markup not in case.narrative


@pytest.mark.parametrize(
    ("name", "expected", "language"),
    [
        ("latin1_es.eml", "El niño de mi hermana esperó en urgencias", "es"),
        (
            "windows1252.eml",
            "said \u201cwe\u2019re short-staffed\u201d \u2013 and my mother\u2019s bill was €250",
            "en",
        ),
        ("shift_jis.eml", "病院の受付で三時間待たされました。", "en"),
    ],
)
def test_non_utf8_charsets_are_decoded(
    inbox: Inbox, sweep: Sweep, name: str, expected: str, language: str
) -> None:
    inbox.deliver(sample(name))

    sweep()

    case = only_case()
    assert expected in case.narrative
    assert case.language == language
    assert not case.notes.exists()  # nothing was lost, so no note about it


def test_a_japanese_subject_and_sender_name_are_decoded(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(sample("shift_jis.eml"))

    sweep()

    case = only_case()
    assert case.narrative.startswith("受付の待ち時間について")
    assert case.reporter_name == "山田花子"


def test_an_unknown_charset_keeps_what_it_can_and_says_what_was_lost(
    inbox: Inbox, sweep: Sweep
) -> None:
    inbox.deliver(sample("unknown_charset.eml"))

    sweep()

    case = only_case()
    assert "I was charged twice for parking ??? at the main entrance." in case.narrative
    note = case.notes.get()
    assert note.visibility == Visibility.INTERNAL
    assert "3 characters of the email could not be decoded" in note.body


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("broken_mime.eml", "They discharged my uncle without his medication list."),
        ("broken_boundary.eml", "The bathroom on 4 West was not cleaned for three days."),
    ],
)
def test_broken_mime_still_becomes_a_case_with_the_readable_text(
    inbox: Inbox, sweep: Sweep, name: str, expected: str
) -> None:
    inbox.deliver(sample(name))

    sweep()

    case = only_case()
    assert expected in case.narrative
    assert "structure was damaged" in case.notes.get(visibility=Visibility.INTERNAL).body


def test_broken_from_header_still_gives_the_address(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(sample("broken_mime.eml"))

    sweep()

    assert only_case().reporter_email == "broken.client@example.org"


def test_refused_attachment_types_are_recorded_and_the_rest_kept(
    inbox: Inbox, sweep: Sweep
) -> None:
    inbox.deliver(sample("exe_attachment.eml"))

    sweep()

    case = only_case()
    rows = {a.filename: a for a in MailAttachment.objects.filter(case=case)}
    assert rows["room.jpg"].refused_reason == ""
    assert rows["room.jpg"].content is not None
    assert rows["photos.exe"].refused_reason == "files of type .exe are not accepted."
    assert rows["photos.exe"].content is None
    assert rows["more.zip"].refused_reason == "files of type application/zip are not accepted."
    note = case.notes.get(visibility=Visibility.INTERNAL).body
    assert 'Attachment "photos.exe" was not kept' in note
    assert 'Attachment "more.zip" was not kept' in note
    assert "The room was not cleaned." in case.narrative


def test_a_50_mb_attachment_is_refused_with_a_note_and_the_message_kept(
    inbox: Inbox, sweep: Sweep
) -> None:
    big = base64.encodebytes(b"\x00" * 50_000_000).replace(b"\n", b"\r\n")
    data = (
        b"From: Ann Lee <ann.lee@example.org>\r\nTo: concerns@riverside.test\r\n"
        b"Subject: Video of the corridor\r\nMessage-ID: <big.0001@example.org>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe corridor was blocked all night.\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="corridor.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + big + b"--b--\r\n"
    )
    inbox.deliver(data)

    sweep()

    case = only_case()
    assert "The corridor was blocked all night." in case.narrative
    attachment = MailAttachment.objects.get(case=case)
    assert attachment.size == 50_000_000
    assert attachment.content is None
    assert attachment.refused_reason == "it is 50.0 MB, larger than the 10.0 MB limit."
    note = case.notes.get(visibility=Visibility.INTERNAL).body
    assert 'Attachment "corridor.pdf" was not kept: it is 50.0 MB' in note


@pytest.mark.parametrize("name", ["out_of_office.eml", "ooo_subject_only.eml"])
def test_automatic_replies_never_become_cases_nor_get_an_answer(
    inbox: Inbox, sweep: Sweep, name: str
) -> None:
    uid = inbox.deliver(sample(name))

    assert sweep() == {"auto_reply": 1}

    assert not Case.objects.exists()
    assert not OutboundMessage.objects.exists()
    record = InboundMessage.objects.get()
    assert record.outcome == Outcome.AUTO_REPLY
    assert record.reason.startswith("Automatic reply")
    assert PROCESSED_KEYWORD in inbox.flags()[uid]


def test_precedence_bulk_is_an_automatic_reply(inbox: Inbox, sweep: Sweep) -> None:
    data = sample("plain_complaint.eml").replace(
        b"MIME-Version: 1.0\r\n", b"MIME-Version: 1.0\r\nPrecedence: bulk\r\n"
    )
    inbox.deliver(data)

    assert sweep() == {"auto_reply": 1}
    assert not Case.objects.exists()


def test_a_loop_between_two_auto_responders_stops_at_once(inbox: Inbox, sweep: Sweep) -> None:
    """The other side answers every message automatically. Careloop's acknowledgement is
    marked Auto-Submitted; the responder's answers are recognized and never answered, so one
    round is all there is, however long it goes on."""
    inbox.deliver(sample("plain_complaint.eml"))
    sweep()
    ack = OutboundMessage.objects.get()
    for n in range(5):
        inbox.deliver(
            sample("out_of_office.eml").replace(b"<ooo.0010@", f"<ooo.{n}.loop@".encode())
        )

    assert sweep(RECEIVED_AT + timedelta(minutes=5)) == {"auto_reply": 5}

    assert OutboundMessage.objects.get() == ack
    assert Case.objects.count() == 1


def test_a_sender_who_floods_the_mailbox_is_rate_limited(
    inbox: Inbox, sweep: Sweep, settings: object
) -> None:
    """A responder that does not mark its messages (no Auto-Submitted, no telling subject)
    and keeps writing: after the hourly limit its messages are set aside, not turned into
    cases or answered."""
    settings.CARELOOP_MAIL_PER_SENDER_PER_HOUR = 3  # type: ignore[attr-defined]  # pytest-django settings
    for n in range(5):
        inbox.deliver(
            sample("plain_complaint.eml").replace(b"plain.complaint.0001", f"flood.{n}".encode())
        )

    assert sweep() == {"case": 3, "rate_limited": 2}

    assert OutboundMessage.objects.count() == 3
    limited = InboundMessage.objects.filter(outcome=Outcome.RATE_LIMITED)
    assert {r.reason for r in limited} == {"More than 3 messages from this sender in an hour."}


def test_the_same_message_delivered_twice_opens_one_case(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(sample("plain_complaint.eml"))
    inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"case": 1, "duplicate": 1}
    assert Case.objects.count() == 1


def test_our_own_acknowledgement_is_not_answered_when_it_comes_back(
    inbox: Inbox, sweep: Sweep
) -> None:
    data = sample("plain_complaint.eml").replace(
        b"From: Maria Lopez <maria.lopez@example.org>", b"From: concerns@riverside.test"
    )
    inbox.deliver(data)

    sweep()

    assert Case.objects.count() == 1
    assert not OutboundMessage.objects.exists()


def test_a_message_with_no_sender_is_quarantined_with_its_reason(
    inbox: Inbox, sweep: Sweep
) -> None:
    inbox.deliver(b"Subject: hello\r\nMessage-ID: <nosender@x>\r\n\r\nSomething happened.\r\n")

    assert sweep() == {"quarantined": 1}
    record = InboundMessage.objects.get()
    assert record.reason == "The message has no readable sender address."
    assert not Case.objects.exists()


def test_a_mailbox_that_cannot_be_read_records_why_and_others_go_on(
    inbox: Inbox, sweep: Sweep, dovecot: object, facility_y: object
) -> None:
    from careloop.mail.tests.conftest import mailbox_for

    broken = mailbox_for(facility_y, inbox.server, inbox.username, "wrong password")  # type: ignore[arg-type]  # fixture types
    inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"case": 1}

    broken.refresh_from_db()
    assert broken.last_error == "The server refused the sign-in."
    assert "wrong password" not in broken.last_error
    inbox.mailbox.refresh_from_db()
    assert inbox.mailbox.last_error == ""
    assert inbox.mailbox.last_checked_at == RECEIVED_AT


def test_a_case_note_is_never_made_from_an_empty_note_body(inbox: Inbox, sweep: Sweep) -> None:
    inbox.deliver(
        b"From: a@example.org\r\nSubject: \r\nMessage-ID: <empty@x>\r\n"
        b"Content-Type: text/plain\r\n\r\n"
    )

    sweep()

    assert only_case().narrative == "(The email had no text.)"
    assert not Note.objects.exists()


def test_a_message_that_breaks_processing_is_quarantined_not_retried_forever(
    inbox: Inbox, sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> Case:
        raise RuntimeError("a bug")

    monkeypatch.setattr("careloop.mail.receive.case_open", broken)
    uid = inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"retry": 1}
    assert sweep() == {"retry": 1}
    assert PROCESSED_KEYWORD not in inbox.flags()[uid]
    assert sweep() == {"quarantined": 1}

    record = InboundMessage.objects.get()
    assert record.reason == (
        "The message could not be processed (RuntimeError, 3 attempts); it is kept on the server."
    )
    assert PROCESSED_KEYWORD in inbox.flags()[uid]
    assert not Case.objects.exists()
    assert sweep() == {}


def test_a_passing_fault_only_delays_the_message(
    inbox: Inbox, sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    from careloop.cases.services import case_open as real

    calls: list[int] = []

    def fails_once(**kwargs: Any) -> Case:
        calls.append(1)
        if len(calls) == 1:
            raise ImportError("a module half-deployed")
        return real(**kwargs)

    monkeypatch.setattr("careloop.mail.receive.case_open", fails_once)
    inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"retry": 1}
    assert sweep() == {"case": 1}
    assert Case.objects.count() == 1


def test_a_message_the_case_rules_refuse_is_quarantined_with_the_reason(
    inbox: Inbox, sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ValidationError

    def refuse(**kwargs: object) -> Case:
        raise ValidationError("Narrative is too long.")

    monkeypatch.setattr("careloop.mail.receive.case_open", refuse)
    inbox.deliver(sample("plain_complaint.eml"))

    assert sweep() == {"quarantined": 1}
    assert InboundMessage.objects.get().reason == "Refused: Narrative is too long."
    assert not MailAttachment.objects.exists()
