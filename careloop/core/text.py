"""Checks on free text from the outside world (narratives, names, notes)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
# What a decoder leaves where the bytes were not valid UTF-8 (Django decodes forms with
# errors="replace"): the person's words were lost on the way, so refuse rather than store it.
_REPLACEMENT = "\ufffd"


def clean_text(value: str, *, field: str, max_chars: int, required: bool = False) -> str:
    """Normalize to NFC and refuse text that no person typed: control characters, surrogates,
    replacement characters from undecodable bytes, or more than `max_chars` characters. HTML is
    kept as typed and escaped when shown."""
    if len(value) > max_chars:
        raise ValidationError(
            f"{field} is too long: {len(value):,} characters, the limit is {max_chars:,}.",
            code="too_long",
        )
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs" or ch == _REPLACEMENT:
            raise ValidationError(f"{field} contains invalid Unicode.", code="invalid_unicode")
        if category == "Cc" and ch not in _ALLOWED_CONTROLS:
            raise ValidationError(
                f"{field} contains a control character (U+{ord(ch):04X}).", code="control_char"
            )
    cleaned = unicodedata.normalize("NFC", value).strip()
    if required and not cleaned:
        raise ValidationError(f"{field} is required.", code="required")
    return cleaned
