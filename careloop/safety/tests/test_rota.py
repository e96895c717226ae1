"""Who is on call: pure window maths, no database. Chicago springs forward on Sunday 8 March 2026
(02:00 CST -> 03:00 CDT) and falls back on Sunday 1 November 2026 (02:00 CDT -> 01:00 CST)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from careloop.safety.rota import Slot, covers, on_call_order, position_groups

CHICAGO = ZoneInfo("America/Chicago")
MON, FRI, SAT, SUN = 0, 4, 5, 6

DAY = Slot(position=0, start_time=time(6), end_time=time(22), name="day")
NIGHT = Slot(position=0, start_time=time(22), end_time=time(6), name="night")
SATURDAY_NIGHT = Slot(
    position=1, weekdays=(SAT,), start_time=time(22), end_time=time(6), name="saturday night"
)
BACKUP = Slot(position=2, name="backup")  # all day, every day


def names(slots: list[Slot]) -> list[str]:
    return [slot.name for slot in slots]


def chicago(utc: datetime) -> datetime:
    return utc.astimezone(CHICAGO)


def test_a_slot_without_times_covers_the_whole_day_on_its_weekdays() -> None:
    monday_only = Slot(position=0, weekdays=(MON,))

    assert covers(monday_only, at_local=datetime(2026, 3, 2, 0, 0, tzinfo=CHICAGO))
    assert covers(monday_only, at_local=datetime(2026, 3, 2, 23, 59, tzinfo=CHICAGO))
    assert not covers(monday_only, at_local=datetime(2026, 3, 3, 0, 0, tzinfo=CHICAGO))


def test_a_day_window_includes_its_start_and_excludes_its_end() -> None:
    assert covers(DAY, at_local=datetime(2026, 3, 2, 6, 0, tzinfo=CHICAGO))
    assert covers(DAY, at_local=datetime(2026, 3, 2, 21, 59, tzinfo=CHICAGO))
    assert not covers(DAY, at_local=datetime(2026, 3, 2, 22, 0, tzinfo=CHICAGO))
    assert not covers(DAY, at_local=datetime(2026, 3, 2, 5, 59, tzinfo=CHICAGO))


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 3, 7, 21, 59, tzinfo=CHICAGO), False),  # Saturday before the shift
        (datetime(2026, 3, 7, 22, 0, tzinfo=CHICAGO), True),  # Saturday 22:00: starts
        (datetime(2026, 3, 7, 23, 59, tzinfo=CHICAGO), True),
        (
            datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO),
            True,
        ),  # past midnight: Saturday's window still
        (datetime(2026, 3, 8, 5, 59, tzinfo=CHICAGO), True),
        (datetime(2026, 3, 8, 6, 0, tzinfo=CHICAGO), False),  # Sunday 06:00: over
        (datetime(2026, 3, 8, 22, 30, tzinfo=CHICAGO), False),  # Sunday night is not Saturday night
        (
            datetime(2026, 3, 7, 3, 0, tzinfo=CHICAGO),
            False,
        ),  # Saturday early hours belong to Friday's window
    ],
)
def test_a_night_window_wraps_midnight_and_counts_the_weekday_it_starts_on(
    local: datetime, expected: bool
) -> None:
    assert covers(SATURDAY_NIGHT, at_local=local) is expected


def test_equal_start_and_end_is_a_full_day_from_the_start() -> None:
    friday_noon_to_noon = Slot(position=0, weekdays=(FRI,), start_time=time(12), end_time=time(12))

    assert covers(friday_noon_to_noon, at_local=datetime(2026, 3, 6, 12, 0, tzinfo=CHICAGO))
    assert covers(friday_noon_to_noon, at_local=datetime(2026, 3, 7, 11, 59, tzinfo=CHICAGO))
    assert not covers(friday_noon_to_noon, at_local=datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO))
    assert not covers(friday_noon_to_noon, at_local=datetime(2026, 3, 6, 11, 59, tzinfo=CHICAGO))


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 01:30 CST, before the clocks jump: Saturday's night shift.
        (datetime(2026, 3, 8, 7, 30, tzinfo=UTC), ["night", "saturday night", "backup"]),
        # 03:30 CDT, one real hour later (02:xx never happens): still the night shift.
        (datetime(2026, 3, 8, 8, 30, tzinfo=UTC), ["night", "saturday night", "backup"]),
        # 05:30 CDT: a fixed UTC-6 offset would say 04:30; either way still night.
        (datetime(2026, 3, 8, 10, 30, tzinfo=UTC), ["night", "saturday night", "backup"]),
        # 06:30 CDT: the day shift. A fixed UTC-6 offset would say 05:30, the night shift.
        (datetime(2026, 3, 8, 11, 30, tzinfo=UTC), ["day", "backup"]),
    ],
)
def test_on_call_on_the_day_daylight_time_starts_in_chicago(
    utc: datetime, expected: list[str]
) -> None:
    slots = [BACKUP, SATURDAY_NIGHT, DAY, NIGHT]

    assert names(on_call_order(slots, at_local=chicago(utc))) == expected


def test_the_repeated_hour_when_daylight_time_ends_is_night_both_times() -> None:
    first = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT
    second = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 CST, an hour later
    day_starts = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 06:00 CST

    assert chicago(first).time() == chicago(second).time() == time(1, 30)
    assert names(on_call_order([DAY, NIGHT], at_local=chicago(first))) == ["night"]
    assert names(on_call_order([DAY, NIGHT], at_local=chicago(second))) == ["night"]
    assert names(on_call_order([DAY, NIGHT], at_local=chicago(day_starts))) == ["day"]


def test_the_order_follows_position_and_keeps_ties_in_the_given_order() -> None:
    first = Slot(position=3, name="c")
    second = Slot(position=1, name="a")
    third = Slot(position=1, name="b")
    off = Slot(position=0, weekdays=(SUN,), name="sunday only")

    ordered = on_call_order(
        [first, second, third, off], at_local=datetime(2026, 3, 2, 12, 0, tzinfo=CHICAGO)
    )

    assert names(ordered) == ["a", "b", "c"]
    assert [names(group) for group in position_groups(ordered)] == [["a", "b"], ["c"]]


def test_nobody_is_on_call_outside_every_window() -> None:
    assert on_call_order([DAY], at_local=datetime(2026, 3, 2, 23, 0, tzinfo=CHICAGO)) == []
    assert position_groups([]) == []
