"""Whether a call came in after hours (pure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def is_after_hours(
    *,
    at: datetime,
    tz_name: str,
    opens_at: time,
    closes_at: time,
    is_holiday: Callable[[date], bool],
) -> bool:
    """Outside [opens_at, closes_at) local time, or on a weekend or holiday."""
    local = at.astimezone(ZoneInfo(tz_name))
    if local.weekday() >= 5 or is_holiday(local.date()):
        return True
    return not opens_at <= local.time() < closes_at
