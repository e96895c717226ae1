"""Pure hash-chain maths: how an event's hash is made and how a chain is checked.

Each hash is an HMAC-SHA256 under a key kept outside the database (CARELOOP_AUDIT_KEY), so
someone who can write to the database but does not hold the key cannot forge a consistent
chain after editing an event: recomputing the hashes needs the key."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "recorded_at",
    "organization_id",
    "actor_id",
    "actor_label",
    "actor_role",
    "action",
    "event_type",
    "outcome",
    "case_id",
    "object_type",
    "object_id",
    "fields",
    "source",
    "detail",
)


def event_hash(*, prev_hash: str, record: Mapping[str, Any], key: bytes) -> str:
    body = {name: record[name] for name in HASHED_FIELDS}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key, (prev_hash + canonical).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(
    records: Iterable[Mapping[str, Any]], *, head_seq: int, head_hash: str, key: bytes
) -> list[ChainProblem]:
    """Walk records in stored order. Reports edits (hash mismatch), deletions and reorderings
    (sequence gaps or broken links) and truncation (the head points past the last record)."""
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev = GENESIS
    for record in records:
        seq = int(record["seq"])
        if seq != expected_seq:
            problems.append(ChainProblem(seq, f"expected event #{expected_seq}, found #{seq}"))
        if record["prev_hash"] != prev:
            problems.append(ChainProblem(seq, "link to the previous event is broken"))
        if event_hash(prev_hash=record["prev_hash"], record=record, key=key) != record["hash"]:
            problems.append(ChainProblem(seq, "contents were changed after recording"))
        prev = record["hash"]
        expected_seq = seq + 1
    if expected_seq - 1 != head_seq:
        problems.append(
            ChainProblem(
                expected_seq - 1, f"chain ends at #{expected_seq - 1}, head says #{head_seq}"
            )
        )
    elif prev != head_hash:
        problems.append(ChainProblem(head_seq, "the last event does not match the chain head"))
    return problems


def audit_key() -> bytes:
    """The chain key from settings (read at call time, never frozen at import)."""
    from django.conf import settings

    return str(settings.CARELOOP_AUDIT_KEY).encode("utf-8")
