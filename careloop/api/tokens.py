"""Token secrets (pure): made from 32 random bytes, kept only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "clk_"  # noqa: S105  # a marker that makes leaked tokens easy to scan for
PREFIX_SHOWN = 12


def token_new() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
