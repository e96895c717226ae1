"""Pure denominator rules: the default measure per setting (DOMAIN.md M12), months, and the
parsing of an exposure CSV into rows or per-line problems. No database."""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from careloop.insights.models import STAFF_MEASURES, Measure
from careloop.orgs.models import Setting

DEFAULT_MEASURES: dict[str, Measure] = {
    Setting.HOSPITAL: Measure.PATIENT_DAYS,
    Setting.CLINIC: Measure.VISITS,
    Setting.NURSING_FACILITY: Measure.RESIDENT_DAYS,
    Setting.ASSISTED_LIVING: Measure.RESIDENT_DAYS,
    Setting.HOME_HEALTH: Measure.VISITS,
    Setting.HOSPICE: Measure.VISITS,
    Setting.PHARMACY: Measure.PRESCRIPTIONS,
    Setting.HUMAN_SERVICES: Measure.ENCOUNTERS,
}

MAX_ROWS = 20_000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_INTEGER = re.compile(r"^\d+$")


def default_measure(setting: str) -> Measure:
    """The denominator a facility of this setting is measured against by default."""
    return DEFAULT_MEASURES.get(setting, Measure.ENCOUNTERS)


def month_end(start_on: date) -> date:
    return start_on.replace(day=calendar.monthrange(start_on.year, start_on.month)[1])


def month_add(start_on: date, months: int) -> date:
    index = start_on.year * 12 + start_on.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first_on: date, last_on: date) -> list[date]:
    """First days of every month from first_on's month to last_on's month, inclusive."""
    months: list[date] = []
    current = first_on.replace(day=1)
    while current <= last_on:
        months.append(current)
        current = month_add(current, 1)
    return months


def month_parse(text: str) -> date | None:
    match = _MONTH.match(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1900:
        return None
    return date(year, month, 1)


@dataclass(frozen=True, kw_only=True)
class ExposureRow:
    """A unit's exposure, or a named staff member's when `staff_email` is given."""

    line: int
    staff_email: str
    unit_code: str
    unit_name: str
    facility_name: str
    month_on: date
    measure: Measure
    value: int

    def unit_key(self) -> tuple[str, str, str]:
        if self.staff_email:
            return ("@", self.staff_email, "")
        return (self.unit_code.upper(), self.unit_name.casefold(), self.facility_name.casefold())


@dataclass(frozen=True, kw_only=True)
class RowProblem:
    line: int
    reason: str


def _cell(record: dict[str | None, str | list[str] | None], name: str) -> str:
    value = record.get(name)
    return value.strip() if isinstance(value, str) else ""


def _row_parse(
    line: int, record: dict[str | None, str | list[str] | None]
) -> ExposureRow | RowProblem:
    if record.get(None):
        return RowProblem(line=line, reason="more cells than columns")
    code = _cell(record, "unit_code")
    unit_name, facility_name = _cell(record, "unit"), _cell(record, "facility")
    staff = _cell(record, "staff_email").lower()
    if not staff and not code and not (unit_name and facility_name):
        return RowProblem(
            line=line, reason="no unit: give unit_code, or unit and facility (or staff_email)"
        )
    month_on = month_parse(_cell(record, "month"))
    if month_on is None:
        return RowProblem(line=line, reason="month must be YYYY-MM")
    measure_text = _cell(record, "measure").lower()
    if measure_text not in Measure.values:
        return RowProblem(
            line=line, reason=f"unknown measure (use one of {', '.join(Measure.values)})"
        )
    value_text = _cell(record, "value").replace(",", "")
    if value_text.startswith("-") and _INTEGER.match(value_text[1:]):
        return RowProblem(line=line, reason="value is negative")
    if not _INTEGER.match(value_text):
        return RowProblem(line=line, reason="value is not a whole number")
    value = int(value_text)
    if value == 0:
        return RowProblem(line=line, reason="value is zero (leave the month out instead)")
    if staff and measure_text not in STAFF_MEASURES:
        return RowProblem(line=line, reason="a staff member's measure must be encounters or shifts")
    return ExposureRow(
        line=line,
        staff_email=staff,
        unit_code=code,
        unit_name=unit_name,
        facility_name=facility_name,
        month_on=month_on,
        measure=Measure(measure_text),
        value=value,
    )


def exposure_csv_parse(text: str) -> tuple[list[ExposureRow], list[RowProblem]]:
    """Every row of the file, or why it cannot be used. Line numbers count the header as 1."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = {"month", "measure", "value"} - header
    if (
        "unit_code" not in header
        and not {"unit", "facility"} <= header
        and ("staff_email" not in header)
    ):
        missing.add("unit_code (or unit and facility, or staff_email)")
    if missing:
        return [], [RowProblem(line=1, reason=f"missing columns: {', '.join(sorted(missing))}")]
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames or []]
    rows: list[ExposureRow] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[tuple[str, str, str], Measure, date], int] = {}
    for record in reader:
        line = reader.line_num
        if line > MAX_ROWS + 1:
            problems.append(RowProblem(line=line, reason=f"more than {MAX_ROWS} rows"))
            break
        if not any(isinstance(v, str) and v.strip() for v in record.values()):
            continue  # blank line
        parsed = _row_parse(line, dict(record))
        if isinstance(parsed, RowProblem):
            problems.append(parsed)
            continue
        key = (parsed.unit_key(), parsed.measure, parsed.month_on)
        if key in seen:
            problems.append(RowProblem(line=line, reason=f"repeats line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(parsed)
    return rows, problems
