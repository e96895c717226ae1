"""Which email attachments are kept: an allow-list of document and image types, and a size
limit (settings.CARELOOP_MAIL_MAX_ATTACHMENT_BYTES). Pure apart from reading the setting."""

from __future__ import annotations

from django.conf import settings

from careloop.mail.parsing import ParsedAttachment

ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/heic",
        "image/webp",
        "image/tiff",
        "text/plain",
        "text/csv",
        "audio/mpeg",
        "audio/mp4",
        "audio/wav",
        "message/rfc822",
        "application/msword",
        "application/rtf",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
# A generic type is judged by the file's extension instead.
_GENERIC = frozenset({"application/octet-stream", "binary/octet-stream", "application/x-download"})
_EXTENSIONS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
    "txt": "text/plain",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
}
# Executable or script content is refused whatever type it claims.
_REFUSED_EXTENSIONS = frozenset(
    {"exe", "com", "bat", "cmd", "scr", "js", "vbs", "jar", "msi", "ps1", "sh", "dll", "lnk"}
)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def attachment_check(attachment: ParsedAttachment) -> str:
    """Why the attachment is refused, or "" if it is kept."""
    limit = settings.CARELOOP_MAIL_MAX_ATTACHMENT_BYTES
    size = len(attachment.content)
    if size > limit:
        return f"it is {_megabytes(size)}, larger than the {_megabytes(limit)} limit."
    extension = attachment.filename.rpartition(".")[2].lower() if "." in attachment.filename else ""
    if extension in _REFUSED_EXTENSIONS:
        return f"files of type .{extension} are not accepted."
    content_type = attachment.content_type.lower()
    if content_type in _GENERIC:
        content_type = _EXTENSIONS.get(extension, content_type)
    if content_type not in ALLOWED_TYPES:
        return f"files of type {content_type} are not accepted."
    return ""
