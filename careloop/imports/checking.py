"""Checking one source row against a mapping: what case it would open and how far through its
lifecycle, or every problem with it (row, column, value, problem). Reads nothing from the
database itself: facilities, units and earlier imports come in as `Lookups`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from careloop.cases.models import Status
from careloop.cases.records import TEXT_LIMIT
from careloop.cases.services import NewCase
from careloop.imports.dates import DateProblem, Moment, moment_read
from careloop.imports.mapping import SKIP, TARGETS, FieldSpec, Mapping
from careloop.imports.reading import Cell, SourceRow
from careloop.orgs.models import Facility, Unit

_INTEGER = re.compile(r"^[+-]?\d+$")
SOURCE_ID_MAX = 100
TEXT_LIMITS = {"reporter_name": 200, "reporter_phone": 40, "reporter_email": 254}
MILESTONES = ("received_at", "acknowledged_at", "resolved_at", "closed_at")
# The milestones each final status needs (received is always needed).
NEEDS: dict[str, tuple[str, ...]] = {
    Status.NEW: (),
    Status.ACKNOWLEDGED: ("acknowledged_at",),
    Status.INVESTIGATING: (),
    Status.RESOLVED: ("resolved_at",),
    Status.CLOSED: ("resolved_at", "closed_at"),
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    problem: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class Lookups:
    facilities: dict[str, Facility]  # lower-cased name -> facility
    units: dict[tuple[int, str], Unit]  # (facility id, lower-cased name) -> unit
    imported: dict[str, str]  # source id -> the case reference it became


@dataclass(frozen=True)
class PlannedRow:
    row: int
    source_id: str
    data: NewCase
    status: str
    moments: dict[str, datetime]  # the milestones the status needs, in order
    outcome: str


@dataclass
class _Row:
    source: SourceRow
    mapping: Mapping
    problems: list[Problem] = field(default_factory=list)

    def where(self, name: str) -> str:
        spec = self.mapping.spec(name)
        return ", ".join(spec.columns) if spec.columns else f"{TARGETS[name].label} (fixed)"

    def fail(self, name: str, value: object, problem: str) -> None:
        shown = "" if TARGETS[name].client_text else str(value)[:80]
        self.problems.append(Problem(self.source.number, self.where(name), shown, problem))

    def cells(self, name: str) -> list[Cell]:
        spec = self.mapping.spec(name)
        if spec.fixed:
            return [spec.fixed]
        return [self.source.cells.get(c) for c in spec.columns]


def _text_of(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _integers_ok(row: _Row, name: str, spec: FieldSpec) -> None:
    for cell in row.cells(name):
        text = _text_of(cell)
        if text and not (isinstance(cell, int | float) or _INTEGER.match(text)):
            row.fail(name, text, "text in a number column")


def _text(row: _Row, name: str) -> str:
    spec = row.mapping.spec(name)
    if spec.integer:
        _integers_ok(row, name, spec)  # the text is still returned: one problem per cell
    return "\n\n".join(t for t in (_text_of(c) for c in row.cells(name)) if t)


def _required(row: _Row, name: str, value: object) -> bool:
    if value in ("", None) and TARGETS[name].required:
        row.fail(name, "", "missing required field")
        return False
    return True


def _choice(row: _Row, name: str) -> str:
    target, spec = TARGETS[name], row.mapping.spec(name)
    problems = len(row.problems)
    raw = _text(row, name)
    if len(row.problems) > problems:
        return ""
    if not raw:
        return target.default if _required(row, name, target.default) else ""
    value = spec.values.get(raw.lower(), raw.lower())
    if value not in target.choices:
        row.fail(name, raw, f"unknown {target.label.lower()} '{raw[:40]}'")
        return ""
    return value


def _place(row: _Row, lookups: Lookups) -> tuple[Facility | None, Unit | None]:
    raw = _text(row, "facility")
    if not _required(row, "facility", raw):
        return None, None
    name = row.mapping.spec("facility").values.get(raw.lower(), raw)
    facility = lookups.facilities.get(name.lower())
    if facility is None:
        row.fail("facility", raw, f"unknown facility '{raw[:60]}'")
        return None, None
    raw_unit = _text(row, "unit")
    if not raw_unit:
        return facility, None
    unit_name = row.mapping.spec("unit").values.get(raw_unit.lower(), raw_unit)
    unit = lookups.units.get((facility.pk, unit_name.lower()))
    if unit is None:
        row.fail("unit", raw_unit, f"unknown unit '{raw_unit[:60]}' in {facility.name}")
    return facility, unit


def _moments(row: _Row, tz: ZoneInfo, status: str, now: datetime) -> dict[str, datetime]:
    """The milestones the status needs, each no earlier than the one before; a date without
    a time on the same day as the milestone before it takes that milestone's time."""
    read: dict[str, Moment] = {}
    for name in MILESTONES:
        spec = row.mapping.spec(name)
        if not spec.used:
            continue
        cells = row.cells(name)
        try:
            moment = moment_read(cells[0], formats=row.mapping.date_formats, tz=tz)
        except DateProblem as exc:
            row.fail(name, _text_of(cells[0]), f"bad date: {exc}")
            continue
        if moment is not None:
            read[name] = moment
    if "received_at" not in read:
        if not any(p.column == row.where("received_at") for p in row.problems):
            row.fail("received_at", "", "missing required field")
        return {}
    wanted = ("received_at", *NEEDS.get(status, ()))
    if status in (Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED) and (
        "acknowledged_at" in read
    ):
        wanted = ("received_at", "acknowledged_at", *NEEDS[status])
    moments: dict[str, datetime] = {}
    previous: tuple[str, datetime] | None = None
    for name in wanted:
        moment = read.get(name)
        if moment is None:
            if not any(p.column == row.where(name) for p in row.problems):
                row.fail(name, "", f"missing required field for a {status} case")
            return {}
        at = moment.at
        if previous is not None and at < previous[1]:
            same_day = at.astimezone(tz).date() == previous[1].astimezone(tz).date()
            if not (moment.date_only and same_day):
                row.fail(
                    name, at.astimezone(tz).isoformat(), f"before {TARGETS[previous[0]].label}"
                )
                return {}
            at = previous[1]
        if at > now:
            row.fail(name, at.astimezone(tz).isoformat(), "in the future")
            return {}
        moments[name] = at
        previous = (name, at)
    return moments


def _contact(row: _Row) -> dict[str, str]:
    values = {name: _text(row, name) for name in ("reporter_name", "reporter_phone")}
    email = _text(row, "reporter_email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.fail("reporter_email", email, "not an email address")
    values["reporter_email"] = email
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            row.fail(name, "", f"longer than {limit} characters")
    return values


def _long_text(row: _Row, name: str, limit: int) -> str:
    text = _text(row, name)
    if len(text) > limit:
        row.fail(name, "", f"longer than {limit:,} characters ({len(text):,})")
    return text


def row_check(
    *, source: SourceRow, mapping: Mapping, lookups: Lookups, now: datetime
) -> PlannedRow | list[Problem] | None:
    """The planned case for a row, its problems, or None when its status maps to skip."""
    if source.problem:
        return [Problem(source.number, "", "", source.problem)]
    row = _Row(source, mapping)
    source_id = _text(row, "source_id")
    if _required(row, "source_id", source_id) and len(source_id) > SOURCE_ID_MAX:
        row.fail("source_id", source_id[:40], f"longer than {SOURCE_ID_MAX} characters")
    status = _choice(row, "status")
    if status == SKIP:
        return None
    facility, unit = _place(row, lookups)
    choices = {n: _choice(row, n) for n in ("kind", "channel", "reporter_type")}
    optional = {n: _choice(row, n) for n in ("contact_preference", "language")}
    limit = settings.CARELOOP_NARRATIVE_MAX_CHARS
    narrative = _long_text(row, "narrative", limit)
    _required(row, "narrative", narrative)
    desired = _long_text(row, "desired_outcome", limit)
    outcome = _long_text(row, "outcome", TEXT_LIMIT)
    contact = _contact(row)
    tz = ZoneInfo(facility.time_zone if facility is not None else "UTC")
    moments = _moments(row, tz, status or Status.NEW, now)
    if row.problems or facility is None:
        return row.problems
    data = NewCase(
        facility=facility,
        unit=unit,
        received_at=moments["received_at"],
        narrative=narrative,
        desired_outcome=desired,
        kind=choices["kind"],
        channel=choices["channel"],
        reporter_type=choices["reporter_type"],
        contact_preference=optional["contact_preference"],
        language=optional["language"],
        reporter_name=contact["reporter_name"],
        reporter_email=contact["reporter_email"],
        reporter_phone=contact["reporter_phone"],
    )
    return PlannedRow(source.number, source_id, data, status, moments, outcome)
