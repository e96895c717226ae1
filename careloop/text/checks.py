"""Whether a text can get a suggestion at all, pure. The documented fallback is "no suggestion"
with its reason, never a guessed code:

- empty or whitespace only: ``empty``;
- no letter or digit (emoji, punctuation): ``no_letters``;
- fewer than half of its letters in the Latin script (the models read English, Spanish and
  Italian only): ``unsupported_script``;
- longer than :data:`MAX_CHARS` characters: the first :data:`MAX_CHARS` are classified and
  the suggestion is marked ``truncated``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from careloop.text.themes import MAX_CHARS

LATIN_SHARE = 0.5
_SCRIPT_SAMPLE = 5000


@dataclass(frozen=True)
class Checked:
    text: str | None  # what the models read, None when there is no suggestion
    reason: str  # a NoSuggestionReason value, "" when text is usable
    truncated: bool


def _latin_share(text: str) -> float:
    letters = [ch for ch in text[:_SCRIPT_SAMPLE] if ch.isalpha()]
    if not letters:
        return 1.0  # digits only: no script to object to
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin / len(letters)


def text_check(text: str) -> Checked:
    truncated = len(text) > MAX_CHARS
    cut = text[:MAX_CHARS].strip()
    if not cut:
        return Checked(None, "empty", truncated)
    if not any(ch.isalnum() for ch in cut):
        return Checked(None, "no_letters", truncated)
    if _latin_share(cut) < LATIN_SHARE:
        return Checked(None, "unsupported_script", truncated)
    return Checked(cut, "", truncated)
