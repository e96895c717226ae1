"""Signatures, phone numbers, segments and office hours (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError

from careloop.sms.hours import is_after_hours
from careloop.sms.phones import gsm_fold, keyword, phone_normalize, segments
from careloop.sms.signature import signature_compute, signature_valid

# The worked example in Twilio's webhook security documentation (auth token "12345").
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+12349013030"),
    ("Digits", "1234"),
    ("From", "+12349013030"),
    ("To", "+18005551212"),
]
TWILIO_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_the_signature_matches_twilios_published_example() -> None:
    assert (
        signature_compute(token="12345", url=TWILIO_URL, params=TWILIO_PARAMS) == TWILIO_SIGNATURE
    )
    assert signature_valid(
        token="12345", url=TWILIO_URL, params=reversed(TWILIO_PARAMS), signature=TWILIO_SIGNATURE
    )


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        ("12346", TWILIO_URL, TWILIO_PARAMS, TWILIO_SIGNATURE),
        ("12345", TWILIO_URL + "&x=1", TWILIO_PARAMS, TWILIO_SIGNATURE),
        ("12345", TWILIO_URL, [*TWILIO_PARAMS[:2], ("Digits", "9")], TWILIO_SIGNATURE),
        ("12345", TWILIO_URL, TWILIO_PARAMS, ""),
        ("", TWILIO_URL, TWILIO_PARAMS, TWILIO_SIGNATURE),
    ],
)
def test_anything_else_fails(
    token: str, url: str, params: list[tuple[str, str]], signature: str
) -> None:
    assert not signature_valid(token=token, url=url, params=params, signature=signature)


@pytest.mark.parametrize(
    ("raw", "jurisdiction", "expected"),
    [
        ("+1 (312) 555-0199", "", "+13125550199"),
        ("312-555-0199", "US-IL", "+13125550199"),
        ("1 312 555 0199", "US-IL", "+13125550199"),
        ("07700 900123", "GB-ENG", "+447700900123"),
        ("0044 7700 900123", "", "+447700900123"),
        ("06 1234 5678", "IT-RM", "+390612345678"),
    ],
)
def test_numbers_are_normalized_to_e164(raw: str, jurisdiction: str, expected: str) -> None:
    assert phone_normalize(raw, jurisdiction=jurisdiction) == expected


@pytest.mark.parametrize(
    ("raw", "jurisdiction"), [("312-555-0199", ""), ("call me", "US-IL"), ("+12", "")]
)
def test_what_cannot_be_a_number_is_refused(raw: str, jurisdiction: str) -> None:
    with pytest.raises(ValidationError):
        phone_normalize(raw, jurisdiction=jurisdiction)


def test_segments_count_gsm_and_unicode_texts() -> None:
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 459) == 3
    assert segments("a" * 460) == 4
    assert segments("€" * 80) == 1  # extension characters count twice
    assert segments("á" * 70) == 1  # not GSM: UCS-2, 70 a segment
    assert segments("á" * 71) == 2


def test_keywords_ignore_case_spaces_and_final_punctuation() -> None:
    assert keyword("  stop. ") == "STOP"
    assert keyword("in  parte!") == "IN PARTE"


CHICAGO = "America/Chicago"


@pytest.mark.parametrize(
    ("at", "after"),
    [
        (datetime(2026, 3, 2, 14, 0, tzinfo=UTC), False),  # Monday 08:00 local: opens
        (datetime(2026, 3, 2, 13, 59, tzinfo=UTC), True),
        (datetime(2026, 3, 3, 0, 0, tzinfo=UTC), True),  # Monday 18:00 local: closed
        (datetime(2026, 3, 9, 13, 30, tzinfo=UTC), False),  # after the DST change: 08:30 CDT
        (datetime(2026, 3, 7, 18, 0, tzinfo=UTC), True),  # Saturday
        (datetime(2026, 1, 19, 16, 0, tzinfo=UTC), True),  # a holiday
    ],
)
def test_after_hours_is_read_in_the_facility_zone(at: datetime, after: bool) -> None:
    holiday = date(2026, 1, 19)
    assert (
        is_after_hours(
            at=at,
            tz_name=CHICAGO,
            opens_at=time(8, 0),
            closes_at=time(18, 0),
            is_holiday=lambda on: on == holiday,
        )
        is after
    )


def test_gsm_fold_drops_only_the_accents_outside_the_gsm_alphabet() -> None:
    spanish = "¿Se resolvió lo que nos contó? Responda SÍ, EN PARTE o NO"
    folded = gsm_fold(spanish)
    assert folded == "¿Se resolvio lo que nos conto? Responda SI, EN PARTE o NO"
    assert segments(folded) == 1
    assert segments(spanish) == 1  # 56 characters fit one UCS-2 segment too
    # GSM letters (è, à, ñ, ü) are kept; a script with no unaccented form is left alone.
    assert gsm_fold("è già così, ñandú") == "è già così, ñandu"
    assert gsm_fold("谢谢") == "谢谢"
    assert segments(gsm_fold("é" * 150 + "ó")) == 1
    assert segments("é" * 150 + "ó") == 3
