"""Webhook signatures in Twilio's scheme (pure): base64 of HMAC-SHA1, keyed with the auth token,
over the full URL followed by every POST parameter name and value, sorted by name."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def signature_compute(*, token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_valid(
    *, token: str, url: str, params: Iterable[tuple[str, str]], signature: str
) -> bool:
    """False without a token: an unconfigured Careloop accepts no webhook."""
    if not token or not signature:
        return False
    expected = signature_compute(token=token, url=url, params=params)
    return hmac.compare_digest(expected.encode(), signature.encode())
