"""Counting complaints (DOMAIN.md M13), pure: a repeat complaint on the same issue from the
same person counts once; several issues in one complaint count once (one case, one count).

Same person: the recovery client the case is linked to, else the reporter's email (trimmed,
lower case), else the reporter's phone (digits only, at least 7). An anonymous case, or one with
none of these, is never matched with another.
Same issue: the HCAT category rated most severe on the case (ties go to the first category in
HCAT order); an uncoded case (every category 0) has no issue yet and is never matched.
Repeat: a later case of the same person and issue received within WINDOW_DAYS of the first
case of its group (the window does not slide, so a complaint every month still counts once
every 90 days)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW_DAYS = 90
MIN_PHONE_DIGITS = 7


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    case_id: int
    received_at: datetime
    person: str | None  # from person_key()
    severities: Mapping[str, int]  # HCAT field name -> 0..3, in HCAT order


@dataclass(frozen=True, kw_only=True)
class CountingGroup:
    first: CaseFacts  # the complaint that is counted
    repeats: tuple[CaseFacts, ...]  # counted with it

    @property
    def case_ids(self) -> list[int]:
        return [self.first.case_id, *(r.case_id for r in self.repeats)]


def person_key(*, client_id: int | None, email: str, phone: str, anonymous: bool) -> str | None:
    if anonymous:
        return None
    if client_id is not None:
        return f"client:{client_id}"
    if address := email.strip().lower():
        return f"email:{address}"
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= MIN_PHONE_DIGITS:
        return f"phone:{digits}"
    return None


def issue_of(severities: Mapping[str, int]) -> str | None:
    """The most severe HCAT category, or None when nothing is rated."""
    best: str | None = None
    top = 0
    for name, severity in severities.items():
        if severity > top:
            best, top = name, severity
    return best


def counting_groups(
    facts: Iterable[CaseFacts], *, window_days: int = WINDOW_DAYS
) -> list[CountingGroup]:
    """Cases grouped so that each group counts once, ordered by the first case's receipt."""
    window = timedelta(days=window_days)
    ordered = sorted(facts, key=lambda f: (f.received_at, f.case_id))
    open_groups: dict[tuple[str, str], tuple[CaseFacts, list[CaseFacts]]] = {}
    groups: list[tuple[CaseFacts, list[CaseFacts]]] = []
    for fact in ordered:
        issue = issue_of(fact.severities)
        key = None if fact.person is None or issue is None else (fact.person, issue)
        current = open_groups.get(key) if key is not None else None
        if current is not None and fact.received_at - current[0].received_at <= window:
            current[1].append(fact)
            continue
        group: tuple[CaseFacts, list[CaseFacts]] = (fact, [])
        groups.append(group)
        if key is not None:
            open_groups[key] = group
    return [CountingGroup(first=first, repeats=tuple(rest)) for first, rest in groups]


def counted_firsts(groups: Sequence[CountingGroup]) -> list[CaseFacts]:
    """The one case per group that is counted."""
    return [g.first for g in groups]
