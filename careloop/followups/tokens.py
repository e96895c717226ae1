"""The secret in a check-back link: random, shown once in the email, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_MAX_CHARS = 64


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
