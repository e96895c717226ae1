"""Reading dates and times from imported cells (pure). The mapping names the formats a file
may use; a date that reads differently under two accepted formats (03/04/2025 with both day
first and month first) is refused rather than guessed. Times without an offset are the
facility's local time; a local time that does not exist (the hour skipped when daylight time
starts) is refused; a repeated hour takes its first occurrence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from careloop.imports.reading import Cell

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$"
)
_SLASHED = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)


class DateProblem(ValueError):
    pass


@dataclass(frozen=True)
class Moment:
    at: datetime  # aware
    date_only: bool


def _local(naive: datetime, tz: ZoneInfo) -> datetime:
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise DateProblem(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks go forward)")
    return aware


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _clock(hour: str | None, minute: str | None, second: str | None, ampm: str | None) -> time:
    if hour is None:
        return time(0, 0)
    h = int(hour)
    if ampm:
        if not 1 <= h <= 12:
            raise DateProblem("an hour with AM/PM must be 1 to 12")
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    return time(h, int(minute or 0), int(second or 0))


def _iso(match: re.Match[str], tz: ZoneInfo) -> Moment:
    y, mo, d, h, mi, s, frac, off = match.groups()
    day = date(int(y), int(mo), int(d))
    clock = _clock(h, mi, s, None).replace(microsecond=int((frac or "0").ljust(6, "0")))
    naive = datetime.combine(day, clock)
    if off:
        return Moment(naive.replace(tzinfo=_offset(off)), date_only=False)
    return Moment(_local(naive, tz), date_only=h is None)


def _slashed(match: re.Match[str], formats: tuple[str, ...], tz: ZoneInfo, text: str) -> Moment:
    a, _sep, b, y, h, mi, s, ampm = match.groups()
    readings: dict[str, date] = {}
    for name, (day, month) in (("dmy", (a, b)), ("mdy", (b, a))):
        if name in formats:
            try:
                readings[name] = date(int(y), int(month), int(day))
            except ValueError:
                continue
    if not readings:
        if not {"dmy", "mdy"} & set(formats):
            raise DateProblem(f"'{text}' is day/month style, which the mapping does not accept")
        raise DateProblem(f"'{text}' is not a valid date")
    if len(set(readings.values())) > 1:
        raise DateProblem(
            f"'{text}' is ambiguous (day first or month first): "
            "the mapping must accept only one of them"
        )
    day = next(iter(readings.values()))
    naive = datetime.combine(day, _clock(h, mi, s, ampm))
    return Moment(_local(naive, tz), date_only=h is None)


def moment_read(value: Cell, *, formats: tuple[str, ...], tz: ZoneInfo) -> Moment | None:
    """The moment in a cell, None for an empty cell; DateProblem says what is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):  # XLSX dates carry no zone: local time
        return Moment(_local(value.replace(tzinfo=None), tz), date_only=False)
    if isinstance(value, date):
        return Moment(_local(datetime.combine(value, time(0, 0)), tz), date_only=True)
    if not isinstance(value, str):
        raise DateProblem(f"'{value}' is a number, not a date")
    text = value.strip()
    try:
        iso = _ISO.match(text)
        if iso is not None:
            if "iso" not in formats:
                raise DateProblem(f"'{text}' is an ISO date, which the mapping does not accept")
            return _iso(iso, tz)
        slashed = _SLASHED.match(text)
        if slashed is not None:
            return _slashed(slashed, formats, tz, text)
    except ValueError as exc:  # impossible dates and times (2025-02-30, 25:00)
        if isinstance(exc, DateProblem):
            raise
        raise DateProblem(f"'{text}' is not a valid date or time") from exc
    raise DateProblem(f"'{text[:40]}' is not a date in an accepted format")
