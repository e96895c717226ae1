"""Reading messages without a server: pure functions, every sample, damaged copies of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from careloop.mail.attachments import attachment_check
from careloop.mail.htmltext import html_to_text
from careloop.mail.parsing import ParsedAttachment, decode_bytes, mail_parse, reply_text, tidy
from careloop.mail.tests.conftest import MESSAGES, sample

SAMPLES = sorted(MESSAGES.glob("*.eml"))


def test_html_becomes_lines_lists_and_links() -> None:
    html = (
        "<html><head><title>x</title></head><body><h1>Hi</h1><p>One&nbsp;two</p>"
        "<ul><li>a</li><li>b</li></ul><a href='https://e.org/'>https://e.org/</a>"
        "<pre>  kept   spaces</pre><table><tr><td>c1</td><td>c2</td></tr></table></body></html>"
    )

    assert html_to_text(html) == (
        "Hi\n\nOne two\n\n- a\n\n- b\n\nhttps://e.org/\nkept   spaces\n\nc1 c2"
    )


def test_unterminated_html_still_gives_its_text() -> None:
    assert html_to_text("<div><p>Broken <b>markup") == "Broken markup"


@pytest.mark.parametrize(
    ("data", "charset", "text", "lost"),
    [
        ("señor".encode("latin-1"), "iso-8859-1", "señor", 0),
        (b"\x93ok\x94", "windows-1252", "“ok”", 0),
        (b"\x93ok\x94", None, "“ok”", 0),
        ("café".encode(), None, "café", 0),
        (b"caf\xff", "utf-8", "caf\ufffd", 1),
        (b"abc\xff", "x-no-such-charset", "abc\ufffd", 1),
    ],
)
def test_bytes_are_decoded_by_their_charset(
    data: bytes, charset: str | None, text: str, lost: int
) -> None:
    assert decode_bytes(data, charset) == (text, lost)


def test_tidy_removes_what_case_text_refuses() -> None:
    assert tidy("a\x00b\x07c\r\nd\ufffde\n\n\n\nf") == "a b c\nd?e\n\nf"


def test_reply_text_drops_the_quoted_message() -> None:
    body = "Yes, that is right.\n\nEl lun, 2 mar 2026, Ana escribió:\n> earlier"

    assert reply_text(body) == "Yes, that is right."
    assert reply_text("> only quoted") == "> only quoted"


@pytest.mark.parametrize(
    ("header", "auto"),
    [
        ("Auto-Submitted: auto-generated", True),
        ("Auto-Submitted: no", False),
        ("X-Autoreply: yes", True),
        ("Precedence: junk", True),
        ("Precedence: auto_reply", True),
        ("Precedence: first-class", False),
    ],
)
def test_automatic_messages_are_recognized_by_their_headers(header: str, auto: bool) -> None:
    data = f"From: a@example.org\r\n{header}\r\nSubject: Hello\r\n\r\nText\r\n".encode()

    assert bool(mail_parse(data).auto_reason) is auto


@pytest.mark.parametrize(
    "subject",
    ["Automatic reply: x", "Out of office", "Respuesta automática: x", "Risposta automatica"],
)
def test_out_of_office_subjects_are_automatic(subject: str) -> None:
    data = f"From: a@example.org\r\nSubject: {subject}\r\n\r\nAway\r\n".encode()

    assert mail_parse(data).auto_reason == "out-of-office subject"


def test_a_bounce_names_the_message_it_returns() -> None:
    parsed = mail_parse(sample("bounce_dsn.eml", MESSAGE_ID="<abc@riverside.test>"))

    assert parsed.is_bounce
    assert parsed.bounced_ids == ("<abc@riverside.test>",)
    assert parsed.bounce_status == "5.1.1"
    assert parsed.auto_reason == ""


def test_a_mailer_daemon_without_a_report_is_a_bounce() -> None:
    data = (
        b"From: MAILER-DAEMON@mx.example.org\r\nSubject: failure\r\n\r\n"
        b"Message-ID: <sent@riverside.test>\r\n"
    )
    parsed = mail_parse(data)

    assert parsed.is_bounce
    assert parsed.bounced_ids == ("<sent@riverside.test>",)


def test_a_reference_in_the_subject_is_found() -> None:
    data = b"From: a@example.org\r\nSubject: Re: [rh-2026-000123] thanks\r\n\r\nx\r\n"

    assert mail_parse(data).subject_references == ("RH-2026-000123",)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: Path(p).name)
def test_no_damaged_copy_of_any_sample_makes_the_parser_raise(path: Path) -> None:
    data = path.read_bytes()
    copies = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 40))]
    copies += [data.replace(b"\r\n", b"\n"), data.replace(b":", b""), data.replace(b"=", b"\xff")]
    for copy in copies:
        parsed = mail_parse(copy)
        assert "\ufffd" not in parsed.body


@pytest.mark.parametrize(
    ("name", "content_type", "refused"),
    [
        ("a.pdf", "application/pdf", ""),
        ("scan.PDF", "application/octet-stream", ""),
        (
            "a.bin",
            "application/octet-stream",
            "files of type application/octet-stream are not accepted.",
        ),
        ("invoice.pdf.exe", "application/pdf", "files of type .exe are not accepted."),
        ("a.html", "text/html", "files of type text/html are not accepted."),
    ],
)
def test_the_attachment_allow_list(name: str, content_type: str, refused: str) -> None:
    assert attachment_check(ParsedAttachment(name, content_type, b"x")) == refused


def test_the_size_limit_comes_from_settings(settings: object) -> None:
    settings.CARELOOP_MAIL_MAX_ATTACHMENT_BYTES = 10  # type: ignore[attr-defined]  # pytest-django settings

    refused = attachment_check(ParsedAttachment("a.pdf", "application/pdf", b"x" * 11))

    assert refused == "it is 0.0 MB, larger than the 0.0 MB limit."
