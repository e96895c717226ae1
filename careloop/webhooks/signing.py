"""The signature on each webhook POST (pure): "v1=" and the hex HMAC-SHA256, keyed with the
subscription's secret, of "<timestamp>.<body>". Receivers recompute it and refuse old
timestamps."""

from __future__ import annotations

import hashlib
import hmac


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def webhook_signature_valid(*, secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected.encode(), signature.encode())
