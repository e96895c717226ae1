"""Counting complaints (DOMAIN.md M13), pure: a repeat complaint on the same issue from the
same person counts once; several issues in one complaint count once (one case, one count).

Same person: the recovery client the case is linked to, else the reporter's email (trimmed,
lower case), else the reporter's phone (digits only, at least 7). An anonymous case, or one with
none of these, is never matched with another.
Same issue: the HCAT category rated most severe on the case (ties go to the first category in
HCAT order); an uncoded case (every category 0) has no issue yet and is never matched.
Repeat: a later case of the same person and issue received within WINDOW_DAYS of the first
case of its group (the window does not slide, so a complaint every month still counts once
every 90 days).
Confirmed links: a case a person has confirmed as a duplicate or repeat of another
(text.CaseLink) counts with that case's group, whatever the person, issue or window.
Issue-level count (kept separately): every HCAT category rated on a complaint is an issue; the
same person's issue within the window counts once; an uncoded case is one issue; a confirmed
duplicate or repeat raises none."""

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


def _roots(ordered: Sequence[CaseFacts], links: Iterable[tuple[int, int]]) -> dict[int, CaseFacts]:
    """For each case in a confirmed link, the earliest case it is linked with (directly or
    through other links); links to cases outside `ordered` are ignored."""
    position = {f.case_id: i for i, f in enumerate(ordered)}
    parent = {i: i for i in position.values()}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a in position and b in position:
            ra, rb = find(position[a]), find(position[b])
            parent[max(ra, rb)] = min(ra, rb)
    return {f.case_id: ordered[find(i)] for i, f in enumerate(ordered) if find(i) != i}


def _ordered(facts: Iterable[CaseFacts]) -> list[CaseFacts]:
    return sorted(facts, key=lambda f: (f.received_at, f.case_id))


def counting_groups(
    facts: Iterable[CaseFacts],
    *,
    window_days: int = WINDOW_DAYS,
    links: Iterable[tuple[int, int]] = (),
) -> list[CountingGroup]:
    """Cases grouped so that each group counts once, ordered by the first case's receipt.
    `links` are confirmed duplicate or repeat pairs of case ids."""
    window = timedelta(days=window_days)
    ordered = _ordered(facts)
    roots = _roots(ordered, links)
    open_groups: dict[tuple[str, str], tuple[CaseFacts, list[CaseFacts]]] = {}
    by_first: dict[int, tuple[CaseFacts, list[CaseFacts]]] = {}
    groups: list[tuple[CaseFacts, list[CaseFacts]]] = []
    for fact in ordered:
        root = roots.get(fact.case_id)
        linked = by_first.get(root.case_id) if root is not None else None
        if linked is not None:
            linked[1].append(fact)
            continue
        issue = issue_of(fact.severities)
        key = None if fact.person is None or issue is None else (fact.person, issue)
        current = open_groups.get(key) if key is not None else None
        if current is not None and fact.received_at - current[0].received_at <= window:
            current[1].append(fact)
            by_first[fact.case_id] = current
            continue
        group: tuple[CaseFacts, list[CaseFacts]] = (fact, [])
        groups.append(group)
        by_first[fact.case_id] = group
        if key is not None:
            open_groups[key] = group
    return [CountingGroup(first=first, repeats=tuple(rest)) for first, rest in groups]


def counted_issues(
    facts: Iterable[CaseFacts],
    *,
    window_days: int = WINDOW_DAYS,
    links: Iterable[tuple[int, int]] = (),
) -> list[tuple[CaseFacts, str | None]]:
    """The issue-level count: (the case that raised it, HCAT field or None when uncoded) for
    each issue counted. A case confirmed as a duplicate or repeat of an earlier one raises
    none."""
    window = timedelta(days=window_days)
    ordered = _ordered(facts)
    roots = _roots(ordered, links)
    first_seen: dict[tuple[str, str], datetime] = {}
    counted: list[tuple[CaseFacts, str | None]] = []
    for fact in ordered:
        if fact.case_id in roots:
            continue  # a confirmed duplicate or repeat raises no issue of its own
        person = fact.person or f"case:{fact.case_id}"  # anonymous: never matched
        rated = [name for name, severity in fact.severities.items() if severity > 0]
        if not rated:
            counted.append((fact, None))
            continue
        for name in rated:
            since = first_seen.get((person, name))
            if since is not None and fact.received_at - since <= window:
                continue
            first_seen[person, name] = fact.received_at
            counted.append((fact, name))
    return counted


def counted_firsts(groups: Sequence[CountingGroup]) -> list[CaseFacts]:
    """The one case per group that is counted."""
    return [g.first for g in groups]
