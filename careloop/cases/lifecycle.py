"""The case lifecycle as data: which status may follow which (pure)."""

from __future__ import annotations

from careloop.cases.models import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.RESOLVED}),
    Status.ACKNOWLEDGED: frozenset({Status.INVESTIGATING, Status.RESOLVED}),
    Status.INVESTIGATING: frozenset({Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.INVESTIGATING}),
    Status.CLOSED: frozenset({Status.INVESTIGATING}),
}


def can_move(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def is_reopen(old: str, new: str) -> bool:
    return old in {Status.RESOLVED, Status.CLOSED} and new == Status.INVESTIGATING
