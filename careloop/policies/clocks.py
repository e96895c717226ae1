"""Pure deadline maths for policy clocks.

No Django, no database. Every function takes aware datetimes and returns aware UTC datetimes;
arithmetic is done in UTC because Python subtracts same-zone datetimes by wall clock.
Day-based units count local dates in the facility's time zone and end at the local midnight that
starts the following day.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

HolidayCheck = Callable[[date], bool]

# A working-day search that finds nothing in this many days has a broken holiday calendar.
_MAX_SCAN_DAYS = 366


class ClockUnit(StrEnum):
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


class ClockState(StrEnum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


def _utc(value: datetime, *, name: str) -> datetime:
    """``value`` in UTC; ValueError if it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def is_working_day(*, on: date, is_holiday: HolidayCheck) -> bool:
    """Monday to Friday and not a holiday."""
    return on.weekday() < 5 and not is_holiday(on)


def end_of_local_day(*, on: date, tz: ZoneInfo) -> datetime:
    """The local midnight that starts the day after ``on``, in UTC."""
    return datetime.combine(on + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def add_working_days(*, start_on: date, count: int, is_holiday: HolidayCheck) -> date:
    """The ``count``-th working day after ``start_on`` (``start_on`` itself never counts)."""
    day, found, scanned = start_on, 0, 0
    while found < count:
        day += timedelta(days=1)
        scanned += 1
        if is_working_day(on=day, is_holiday=is_holiday):
            found, scanned = found + 1, 0
        elif scanned > _MAX_SCAN_DAYS:
            raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days after {day}")
    return day


def add_months(*, start_on: date, count: int) -> date:
    """Same day of month ``count`` months later, clamped to the month's last day."""
    month_index = start_on.month - 1 + count
    year, month = start_on.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start_on.day, last_day))


def deadline(
    *,
    start_at: datetime,
    duration: int,
    unit: ClockUnit,
    tz: ZoneInfo,
    is_holiday: HolidayCheck,
) -> datetime:
    """When a clock of ``duration`` ``unit`` started at ``start_at`` is due (UTC)."""
    start_utc = _utc(start_at, name="start_at")
    if duration < 0:
        raise ValueError(f"duration must be >= 0, got {duration}")
    unit = ClockUnit(unit)
    if unit is ClockUnit.HOURS:
        return start_utc + timedelta(hours=duration)
    start_on = start_utc.astimezone(tz).date()
    due_on = _due_on(start_on=start_on, duration=duration, unit=unit, is_holiday=is_holiday)
    return end_of_local_day(on=due_on, tz=tz)


def _due_on(*, start_on: date, duration: int, unit: ClockUnit, is_holiday: HolidayCheck) -> date:
    """The local due date for the day-based units."""
    if unit is ClockUnit.CALENDAR_DAYS:
        return start_on + timedelta(days=duration)
    if unit is ClockUnit.WORKING_DAYS:
        return add_working_days(start_on=start_on, count=duration, is_holiday=is_holiday)
    if unit is ClockUnit.MONTHS:
        return add_months(start_on=start_on, count=duration)
    raise ValueError(f"{unit} is not a day-based unit")


def warning_at(*, start_at: datetime, due_at: datetime, fraction: float) -> datetime:
    """The moment ``fraction`` of the real time between start and due has elapsed (UTC)."""
    start_utc, due_utc = _utc(start_at, name="start_at"), _utc(due_at, name="due_at")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    if due_utc < start_utc:
        raise ValueError("due_at is before start_at")
    return start_utc + (due_utc - start_utc) * fraction


def clock_state(
    *,
    now: datetime,
    due_at: datetime,
    warn_at: datetime | None,
    met_at: datetime | None,
    paused_at: datetime | None,
) -> ClockState:
    """Classify a clock at ``now``: met and paused win over breached, breached over at risk."""
    now_utc, due_utc = _utc(now, name="now"), _utc(due_at, name="due_at")
    warn_utc = None if warn_at is None else _utc(warn_at, name="warn_at")
    if met_at is not None:
        return ClockState.MET
    if paused_at is not None:
        return ClockState.PAUSED
    if now_utc >= due_utc:
        return ClockState.BREACHED
    if warn_utc is not None and now_utc >= warn_utc:
        return ClockState.AT_RISK
    return ClockState.RUNNING


def resume_due_at(*, due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """Push ``due_at`` later by the paused span (UTC). Apply it to ``warn_at`` the same way."""
    paused_utc = _utc(paused_at, name="paused_at")
    resumed_utc = _utc(resumed_at, name="resumed_at")
    if resumed_utc < paused_utc:
        raise ValueError("resumed_at is before paused_at")
    return _utc(due_at, name="due_at") + (resumed_utc - paused_utc)


def working_days_between(*, start_on: date, end_on: date, is_holiday: HolidayCheck) -> int:
    """Working days after ``start_on`` up to and including ``end_on``."""
    if end_on < start_on:
        raise ValueError(f"end_on {end_on} is before start_on {start_on}")
    span = (end_on - start_on).days
    days = (start_on + timedelta(days=offset) for offset in range(1, span + 1))
    return sum(1 for day in days if is_working_day(on=day, is_holiday=is_holiday))
