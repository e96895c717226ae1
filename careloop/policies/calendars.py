"""Holiday calendars for working-day clocks, built on the ``holidays`` package.

Observed substitute days are included (US Independence Day 2026 is observed on Friday 3 July;
Boxing Day 2026 is substituted on Monday 28 December in the UK).
"""

from __future__ import annotations

import functools
from datetime import date

import holidays

from careloop.policies.clocks import HolidayCheck

CALENDARS: dict[str, str] = {
    "none": "No holidays",
    "us_federal": "US federal holidays (with observed days)",
    "england_wales": "Bank holidays in England and Wales",
    "scotland": "Bank holidays in Scotland",
    "northern_ireland": "Bank holidays in Northern Ireland",
    "italy": "Public holidays in Italy (national)",
    "spain": "Public holidays in Spain (national)",
}

# calendar id -> (ISO country code, subdivision) for holidays.country_holidays().
_COUNTRIES: dict[str, tuple[str, str | None]] = {
    "us_federal": ("US", None),
    "england_wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern_ireland": ("GB", "NIR"),
    "italy": ("IT", None),
    "spain": ("ES", None),
}


def _require_known(calendar_id: str) -> None:
    if calendar_id not in CALENDARS:
        known = ", ".join(sorted(CALENDARS))
        raise KeyError(f"unknown holiday calendar {calendar_id!r}; known calendars: {known}")


@functools.cache
def holiday_dates(*, calendar_id: str, year: int) -> frozenset[date]:
    """All holiday dates of one calendar in one year (cached; building them is slow)."""
    _require_known(calendar_id)
    if calendar_id == "none":
        return frozenset()
    country, subdiv = _COUNTRIES[calendar_id]
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


def holiday_check(
    *,
    calendar_id: str,
    extra_dates: frozenset[date] = frozenset(),
    removed_dates: frozenset[date] = frozenset(),
) -> HolidayCheck:
    """A predicate for ``calendar_id`` plus a facility's own closure days, minus overrides."""
    _require_known(calendar_id)

    def is_holiday(on: date) -> bool:
        if on in removed_dates:
            return False
        return on in extra_dates or on in holiday_dates(calendar_id=calendar_id, year=on.year)

    return is_holiday
