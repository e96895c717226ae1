"""Phone numbers, text segments and keywords (pure; no database)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_SEPARATORS = re.compile(r"[\s().\-/]")
# Country calling codes for the jurisdictions Careloop runs in ("US-IL" -> "US").
CALLING_CODES = {"US": "1", "CA": "1", "GB": "44", "IE": "353", "IT": "39", "ES": "34"}

# The GSM 03.38 alphabet: a text only in these characters takes 160 per segment (153 when
# split); anything else makes it UCS-2, 70 per segment (67 when split). The extension
# characters count twice.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€")
MAX_SEGMENTS = 3

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ALTO"})
START_WORDS = frozenset({"START", "UNSTOP"})
# Answers to "Was it put right?" in English, Spanish and Italian.
ANSWER_WORDS = {
    "YES": "yes",
    "Y": "yes",
    "SI": "yes",
    "SÍ": "yes",
    "SÌ": "yes",
    "PARTLY": "partly",
    "PARTIALLY": "partly",
    "EN PARTE": "partly",
    "PARCIALMENTE": "partly",
    "IN PARTE": "partly",
    "PARZIALMENTE": "partly",
    "NO": "no",
    "N": "no",
}


def phone_normalize(raw: str, *, jurisdiction: str = "") -> str:
    """The number in E.164 form ("+13125550100"). A national number is read in the
    jurisdiction's country (a leading trunk 0 dropped, except in Italy). ValidationError when
    it cannot be a phone number."""
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        country = jurisdiction.split("-", 1)[0].upper()
        code = CALLING_CODES.get(country)
        if code is None or not text.isdigit():
            raise ValidationError("Enter the phone number in international form, e.g. +1 312...")
        us_trunk = code == "1" and len(text) == 11 and text.startswith("1")
        trunk_zero = code not in ("1", "39") and text.startswith("0")
        if us_trunk or trunk_zero:
            text = text[1:]
        text = f"+{code}{text}"
    if not E164.match(text):
        raise ValidationError("That is not a valid phone number.")
    return text


def phone_masked(number: str) -> str:
    """For staff screens and logs that must not show the whole number: the last two digits."""
    return f"…{number[-2:]}" if len(number) > 2 else "…"


def gsm_fold(text: str) -> str:
    """Letters outside the GSM alphabet replaced by their unaccented form where that is in it
    ("recibió" -> "recibio", "SÌ" -> "SI"), as providers' smart encoding does: one accent must
    not turn a text into UCS-2 and double its segments. Characters with no such form are kept."""
    out = []
    for c in text:
        if c in _GSM_BASIC or c in _GSM_EXTENDED:
            out.append(c)
            continue
        bare = "".join(d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d))
        out.append(bare if bare and all(d in _GSM_BASIC for d in bare) else c)
    return "".join(out)


def segments(text: str) -> int:
    """How many SMS segments `text` takes."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, multi = 160, 153
    else:
        units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


def keyword(text: str) -> str:
    """The text as a keyword: upper case, outer spaces and punctuation dropped."""
    return " ".join(text.strip().strip(".!").upper().split())
