"""What an email says, read robustly from its bytes (stdlib email, policy=default; pure).

Nothing here raises on bad input: broken MIME, unknown charsets and malformed headers give
whatever text could be read, plus a count of characters that could not be decoded."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import getaddresses, parseaddr

from careloop.mail.htmltext import html_to_text

_MSGID = re.compile(r"<[^<>\s]+>")
_REFERENCE = re.compile(r"\b([A-Z0-9]{1,12}-\d{4}-\d{6})\b")
_ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+\.[^\s<>\"'(),;:@]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Undecodable bytes become this instead of U+FFFD, which case text refuses (core.text).
LOST_CHAR = "?"
# WHATWG: a message labelled Latin-1 is decoded as windows-1252 (what senders really mean).
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252"}
_AUTO_PRECEDENCE = frozenset({"bulk", "auto_reply", "junk"})
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ _-]?(?:reply|response|antwort)|auto:|out of (?:the )?office|"
    r"away from (?:the|my) office|i am (?:currently )?out of|abwesenheit|"
    r"respuesta autom[aá]tica|fuera de la oficina|risposta automatica|fuori ufficio|"
    r"r[ée]ponse automatique|absence du bureau)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_QUOTE_HEADER = re.compile(
    r"^(?:On .{0,200} wrote:|El .{0,200} escribi[oó]:|Il giorno .{0,200} ha scritto:|"
    r"-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Mensaje original\s*-{2,}|"
    r"-{2,}\s*Messaggio originale\s*-{2,}|From: .+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    body: str
    lost_chars: int
    attachments: tuple[ParsedAttachment, ...]
    auto_reason: str  # why this is an automatic reply; "" if a person wrote it
    is_bounce: bool
    bounced_ids: tuple[str, ...]  # Message-IDs a delivery failure report names
    bounce_status: str
    defects: tuple[str, ...] = field(default_factory=tuple)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        return self.in_reply_to + tuple(m for m in self.references if m not in self.in_reply_to)

    @property
    def subject_references(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_REFERENCE.findall(self.subject.upper())))


# --- text ---------------------------------------------------------------------------------------


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, int]:
    """Text and the number of characters lost. A labelled charset is used if Python knows it
    (else UTF-8 with losses); an unlabelled part is UTF-8 if valid, else windows-1252."""
    codec = _codec(charset)
    if codec is None:
        try:
            return data.decode("utf-8"), 0
        except UnicodeDecodeError:
            codec = "cp1252"
    text = data.decode(codec or "utf-8", errors="replace")
    return text, text.count("\ufffd")


def tidy(text: str) -> str:
    """NFC, no control characters or replacement characters, unified line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffd", LOST_CHAR)
    text = _CONTROL.sub(" ", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cs")
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def reply_text(body: str) -> str:
    """A reply without the quoted message below it (falls back to the whole body)."""
    kept: list[str] = []
    for line in body.split("\n"):
        if _QUOTE_HEADER.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    text = "\n".join(kept).strip()
    return text or body


# --- headers ------------------------------------------------------------------------------------


def _header(message: Message, raw: Message, name: str) -> str:
    """A header's decoded value; the raw value if the parser cannot make sense of it."""
    try:
        value = message.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:  # a malformed header may raise from the typed header classes
        value = raw.get(name)
        return " ".join(str(value).split())[:998] if value is not None else ""


def _ids(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m[:255] for m in _MSGID.findall(value)))


def _sender(message: Message, raw: Message) -> tuple[str, str]:
    value = _header(message, raw, "From")
    try:
        pairs = getaddresses([value])
    except Exception:  # getaddresses can raise on pathological input
        pairs = [parseaddr(value)]
    name, address = pairs[0] if pairs else ("", "")
    address = address.strip().lower()
    if not _ADDRESS.fullmatch(address):
        found = _ADDRESS.search(value)
        address = found.group().lower() if found else ""
    if len(address) > 254:
        address = ""
    return tidy(name)[:200], address


# --- parts --------------------------------------------------------------------------------------


def _leaves(part: Message) -> list[Message]:
    """The parts that hold content; an attached message (message/rfc822) is one leaf."""
    if part.get_content_maintype() == "message" and part.get_content_type() == "message/rfc822":
        return [part]
    if part.is_multipart():
        payload = part.get_payload()
        leaves: list[Message] = []
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                leaves.extend(_leaves(sub))
        return leaves
    return [part]


def _payload(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        try:
            first = inner[0] if isinstance(inner, list) else inner
            return first.as_bytes() if isinstance(first, Message) else b""
        except Exception:  # a broken attached message is kept as whatever bytes we have
            return str(inner).encode("utf-8", errors="replace")
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken transfer encoding: keep the raw text
        data = str(part.get_payload()).encode("utf-8", errors="replace")
    return data if isinstance(data, bytes) else b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # a malformed filename parameter
        name = ""
    name = tidy(name).replace("/", "_").replace("\\", "_")
    return name[:200]


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # a malformed charset parameter
        return None


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    lost: int = 0
    attachments: list[ParsedAttachment] = field(default_factory=list)


def _collect(message: Message) -> _Body:
    body = _Body()
    for part in _leaves(message):
        content_type = part.get_content_type()
        filename = _filename(part)
        try:
            disposition = part.get_content_disposition()
        except Exception:  # a malformed Content-Disposition: treat as inline
            disposition = None
        if (
            disposition == "attachment"
            or filename
            or part.get_content_maintype()
            not in (
                "text",
                "multipart",
            )
        ):
            data = _payload(part)
            if data or filename:
                name = filename or f"attachment-{len(body.attachments) + 1}"
                body.attachments.append(ParsedAttachment(name, content_type, data))
            continue
        text, lost = decode_bytes(_payload(part), _charset(part))
        body.lost += lost
        if content_type == "text/html":
            body.html.append(html_to_text(text))
        else:
            body.plain.append(text)
    return body


# --- bounces ------------------------------------------------------------------------------------


def _bounce_details(message: Message, body: _Body) -> tuple[tuple[str, ...], str]:
    """The Message-IDs and the status code a delivery failure report names."""
    ids: list[str] = []
    status = ""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if isinstance(block, Message) and not status and block.get("Status"):
                    status = str(block.get("Status")).strip()[:20]
        elif content_type == "text/rfc822-headers":
            text, _lost = decode_bytes(_payload(part), _charset(part))
            headers = message_from_bytes(text.encode("utf-8", errors="replace"), policy=compat32)
            ids.extend(_ids(str(headers.get("Message-ID", ""))))
        elif content_type == "message/rfc822":
            inner_payload = part.get_payload()
            inner = inner_payload[0] if isinstance(inner_payload, list) else None
            if isinstance(inner, Message):
                ids.extend(_ids(str(inner.get("Message-ID", ""))))
    if not ids:
        for text in body.plain:
            match = re.search(r"^Message-ID:\s*(<[^<>\s]+>)", text, re.IGNORECASE | re.MULTILINE)
            if match:
                ids.append(match.group(1))
    return tuple(dict.fromkeys(ids)), status


# --- the message --------------------------------------------------------------------------------


def _auto_reason(message: Message, raw: Message, subject: str) -> str:
    auto_submitted = _header(message, raw, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto_submitted.split(';')[0].strip()[:40]}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if _header(message, raw, name):
            return f"{name} header"
    precedence = _header(message, raw, "Precedence").lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if _AUTO_SUBJECT.match(subject):
        return "out-of-office subject"
    return ""


def mail_parse(data: bytes) -> ParsedMail:
    """Everything Careloop uses from a message. Never raises on malformed input."""
    message = message_from_bytes(data, policy=default_policy)
    raw = message_from_bytes(data, policy=compat32)
    assert isinstance(message, EmailMessage)  # noqa: S101  # policy=default makes EmailMessage
    subject = tidy(_header(message, raw, "Subject"))[:300]
    from_name, from_address = _sender(message, raw)
    body = _collect(message)
    text = "\n\n".join(t for t in body.plain if t.strip()) or "\n\n".join(
        t for t in body.html if t.strip()
    )
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type", "", header="content-type") or "")
    local_part = from_address.partition("@")[0]
    is_bounce = (
        content_type == "multipart/report" and report_type.lower() == "delivery-status"
    ) or local_part in _BOUNCE_SENDERS
    bounced_ids, bounce_status = _bounce_details(message, body) if is_bounce else ((), "")
    defects = [type(d).__name__ for part in message.walk() for d in part.defects]
    return ParsedMail(
        message_id=(_ids(_header(message, raw, "Message-ID")) or ("",))[0],
        in_reply_to=_ids(_header(message, raw, "In-Reply-To")),
        references=_ids(_header(message, raw, "References")),
        subject=subject,
        from_name=from_name,
        from_address=from_address,
        body=tidy(text),
        lost_chars=body.lost,
        attachments=tuple(body.attachments),
        auto_reason="" if is_bounce else _auto_reason(message, raw, subject),
        is_bounce=is_bounce,
        bounced_ids=bounced_ids,
        bounce_status=bounce_status,
        defects=tuple(dict.fromkeys(defects)),
    )
