"""Time helpers: UTC storage, facility-local dates.

Read `now` once per operation and pass it down."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone


def utcnow() -> datetime:
    return timezone.now()


def local_date(*, at: datetime, tz_name: str) -> date:
    """The calendar date at `at` in the named zone (never the UTC date)."""
    return at.astimezone(ZoneInfo(tz_name)).date()


def is_valid_timezone(name: str) -> bool:
    return name in _ZONES


_ZONES = frozenset(available_timezones())
