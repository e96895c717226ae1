"""One-time codes for two-step sign-in: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1,
the variant every authenticator app supports. Pure functions: no Django, no clock of their own."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
SECRET_BYTES = 20  # 160 bits, the key length RFC 4226 recommends


def new_secret() -> str:
    """A random key in base32 without padding (32 characters), as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The key bytes of a base32 secret; spaces, lower case and missing padding are accepted."""
    compact = secret.replace(" ", "").upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 section 5.3: HMAC-SHA-1 of the counter, dynamically truncated to `digits`."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFF_FFFF
    return str(value % 10**digits).zfill(digits)


def time_step(at: datetime) -> int:
    """RFC 6238 T: whole 30-second steps since the Unix epoch."""
    if at.tzinfo is None:
        raise ValueError("TOTP needs an aware datetime")
    return int(at.timestamp()) // STEP_SECONDS


def totp_at(secret: str, at: datetime, digits: int = DIGITS) -> str:
    return hotp(secret_key(secret), time_step(at), digits)


def totp_verify(
    secret: str, code: str, at: datetime, window: int = 1, digits: int = DIGITS
) -> int | None:
    """The time step whose code matches, looking `window` steps either side of `at` for clock
    drift, or None. Callers store the step and refuse any step at or before it (no replay)."""
    code = code.replace(" ", "")
    if len(code) != digits or not code.isascii() or not code.isdigit():
        return None
    key = secret_key(secret)
    now = time_step(at)
    for counter in range(now - window, now + window + 1):
        if hmac.compare_digest(hotp(key, counter, digits), code):
            return counter
    return None


def otpauth_uri(secret: str, account: str, issuer: str = "Careloop") -> str:
    """The Key URI that authenticator apps import (usually from a QR code of this text)."""
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def secret_grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
