"""HOTP and TOTP against the RFCs' own test vectors, the drift window and the Key URI."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from careloop.orgs.totp import (
    hotp,
    new_secret,
    otpauth_uri,
    secret_grouped,
    secret_key,
    time_step,
    totp_at,
    totp_verify,
)

RFC_KEY = b"12345678901234567890"
RFC_SECRET = base64.b32encode(RFC_KEY).decode()
AT = datetime(2026, 3, 2, 15, 0, 10, tzinfo=UTC)  # 10 s into a 30 s step


@pytest.mark.parametrize(
    ("counter", "code"),
    list(
        enumerate(
            [
                "755224",
                "287082",
                "359152",
                "969429",
                "338314",
                "254676",
                "287922",
                "162583",
                "399871",
                "520489",
            ]
        )
    ),
)
def test_hotp_matches_rfc_4226_appendix_d(counter: int, code: str) -> None:
    assert hotp(RFC_KEY, counter) == code


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238_appendix_b_for_sha1(unix_time: int, code: str) -> None:
    at = datetime.fromtimestamp(unix_time, tz=UTC)

    assert totp_at(RFC_SECRET, at, digits=8) == code
    assert totp_verify(RFC_SECRET, code, at, digits=8) == unix_time // 30


def test_a_new_secret_is_160_random_bits_in_base32() -> None:
    first, second = new_secret(), new_secret()

    assert len(first) == 32
    assert len(secret_key(first)) == 20
    assert first != second


def test_a_secret_typed_in_groups_and_lower_case_is_the_same_key() -> None:
    typed = secret_grouped(RFC_SECRET).lower()

    assert typed.startswith("gezd gnbv ")
    assert secret_key(typed) == RFC_KEY


def test_the_code_of_the_current_step_matches_with_its_counter() -> None:
    code = totp_at(RFC_SECRET, AT)

    assert len(code) == 6
    assert totp_verify(RFC_SECRET, code, AT) == time_step(AT)
    assert totp_verify(RFC_SECRET, f"{code[:3]} {code[3:]}", AT) == time_step(AT)


@pytest.mark.parametrize("steps", [-1, 1])
def test_a_code_one_step_either_side_is_accepted_for_clock_drift(steps: int) -> None:
    code = totp_at(RFC_SECRET, AT + timedelta(seconds=30 * steps))

    assert totp_verify(RFC_SECRET, code, AT) == time_step(AT) + steps
    assert totp_verify(RFC_SECRET, code, AT, window=0) is None


@pytest.mark.parametrize("steps", [-2, 2])
def test_a_code_two_steps_away_is_refused(steps: int) -> None:
    code = totp_at(RFC_SECRET, AT + timedelta(seconds=30 * steps))

    assert totp_verify(RFC_SECRET, code, AT) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert totp_verify(RFC_SECRET, code, AT) is None


def test_a_naive_time_is_an_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        totp_at(RFC_SECRET, AT.replace(tzinfo=None))


def test_the_key_uri_names_the_issuer_and_account() -> None:
    uri = otpauth_uri(RFC_SECRET, "dana reyes@riverside")

    assert uri == (
        "otpauth://totp/Careloop:dana%20reyes%40riverside"
        f"?secret={RFC_SECRET}&issuer=Careloop&algorithm=SHA1&digits=6&period=30"
    )
