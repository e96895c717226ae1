"""Who is on call at a local time: pure functions over plain values (no database).

An entry covers a window of wall-clock time in the facility's zone on some weekdays
(0 = Monday ... 6 = Sunday; none listed means every day):

- no start and no end: the whole day;
- start before end: start <= t < end;
- end before (or equal to) start: the window wraps past midnight, from start to end the next
  day, and the weekday that counts is the one the window STARTS on (a Friday night shift covers
  Saturday 02:00).

Times are compared on the wall clock, so a DST change day needs nothing special: 01:30 and
03:30 on the Sunday clocks jump are both inside a 22:00-06:00 night shift begun on Saturday.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Protocol, TypeVar


class Window(Protocol):
    @property
    def position(self) -> int: ...

    @property
    def weekdays(self) -> Sequence[int]: ...

    @property
    def start_time(self) -> time | None: ...

    @property
    def end_time(self) -> time | None: ...


W = TypeVar("W", bound=Window)


@dataclass(frozen=True)
class Slot:
    """A plain on-call window (tests and callers without a database)."""

    position: int
    weekdays: Sequence[int] = field(default_factory=tuple)
    start_time: time | None = None
    end_time: time | None = None
    name: str = ""


def _on_day(weekdays: Sequence[int], weekday: int) -> bool:
    return not weekdays or weekday in weekdays


def covers(window: Window, *, at_local: datetime) -> bool:
    """Whether the window covers the wall-clock time `at_local` (aware in the facility's zone,
    or naive local)."""
    weekday, now = at_local.weekday(), at_local.time().replace(tzinfo=None)
    start, end = window.start_time, window.end_time
    if start is None and end is None:
        return _on_day(window.weekdays, weekday)
    if start is None:
        start = time.min
    if end is not None and start < end:
        return _on_day(window.weekdays, weekday) and start <= now < end
    if now >= start:  # the evening part, on the day the window starts
        return _on_day(window.weekdays, weekday)
    # the early-morning part belongs to yesterday's window
    return end is not None and now < end and _on_day(window.weekdays, (weekday - 1) % 7)


def on_call_order(entries: Iterable[W], *, at_local: datetime) -> list[W]:
    """The entries on call at `at_local`, in position order (ties keep the given order)."""
    return sorted(
        (entry for entry in entries if covers(entry, at_local=at_local)),
        key=lambda entry: entry.position,
    )


def position_groups(ordered: Sequence[W]) -> list[list[W]]:
    """Entries sharing a position are paged together: the order as groups."""
    groups: list[list[W]] = []
    for entry in ordered:
        if groups and groups[-1][0].position == entry.position:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups
