"""Policy packs: TOML files describing clocks and closure requirements, loaded and validated.

Every clock and requirement names its DOMAIN.md rule row in ``rule`` (e.g. "H5", or "house"),
its citation in ``source`` and a verification mark in ``verification``:

- ``V`` checked against primary text; ``S`` secondary source only; ``U`` unverified;
- ``H`` house standard: the organization's own figure, with no external source.

Marks may be combined with "/" (e.g. "S/U", "V/H") when parts of a row differ. Every vocabulary
below is closed: an unknown value is a ``PackError`` naming the file, the row and the field.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careloop.policies.calendars import CALENDARS
from careloop.policies.clocks import ClockUnit

PACKS_DIR = Path(__file__).resolve().parent / "packs"

START_EVENTS = frozenset({"received", "allegation_known", "incident"})
STOP_EVENTS = frozenset(
    {
        "acknowledged",
        # An automatic acknowledgement email was delivered (messaging); each pack decides
        # whether that satisfies its acknowledgement clock.
        "auto_acknowledged",
        "interim_notice_sent",
        "letter_issued",
        "initial_report_sent",
        "results_report_sent",
        "resolved",
        "closed",
    }
)
CONDITIONS = frozenset({"always", "abuse_or_serious_injury", "not_abuse_or_serious_injury"})
CASE_KINDS = frozenset(
    {
        "complaint",
        "grievance",
        "compliment",
        "suggestion",
        "safety_concern",
        "privacy_complaint",
    }
)
SETTINGS = frozenset(
    {
        "hospital",
        "clinic",
        "nursing_facility",
        "assisted_living",
        "home_health",
        "hospice",
        "pharmacy",
        "human_services",
    }
)
ROLES = frozenset({"frontline", "advocate", "manager", "executive", "admin"})
VERIFICATION = frozenset({"V", "S", "U", "H"})
ESCALATION_POINTS = frozenset({"warning", "breach"})
FACILITY_CALENDAR = "facility"
REQUIREMENT_CHECKS = frozenset(
    {
        "letter.contact_person",
        "letter.steps_taken",
        "letter.results",
        "letter.completion_on",
        "letter.received_on",
        "letter.summary",
        "letter.findings",
        "letter.confirmed",
        "letter.corrective_action",
        "letter.issued_on",
        "letter.signed_by",
        "letter.ombudsman_rights",
        "letter.issued",
        "ack.sent",
        "report.initial.sent",
        "report.results.sent",
    }
)

_PACK_ID = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
_ROW_ID = re.compile(r"[a-z0-9_]+")
_TOML_LINE = re.compile(r"at line (\d+)")

_PACK_KEYS = frozenset(
    {"id", "version", "title", "jurisdiction", "settings", "kinds", "safety_only", "sources"}
    | {"clocks", "requirements", "classification"}
)
_CLOCK_KEYS = frozenset(
    {"id", "label", "start", "duration", "unit", "calendar", "stops_on", "when"}
    | {"warn_fraction", "pausable", "escalations", "rule", "source", "verification"}
)
_ESCALATION_KEYS = frozenset({"at", "notify"})
_REQUIREMENT_KEYS = frozenset({"id", "label", "check", "rule", "source", "verification"})
_CLASSIFICATION_KEYS = frozenset(
    {"id", "from_kind", "to_kind", "when", "reason", "rule", "source", "verification"}
)
# What about a concern at intake can make the pack reclassify it (e.g. complaint -> grievance).
CLASSIFY_WHEN = frozenset({"written", "not_resolved_at_time", "asks_for_response"})


class PackError(ValueError):
    """A pack file is invalid; the message names the file and the row."""


@dataclass(frozen=True)
class Escalation:
    at: str
    notify: tuple[str, ...]


@dataclass(frozen=True)
class ClockRule:
    id: str
    label: str
    start: str
    duration: int
    unit: ClockUnit
    calendar: str
    stops_on: tuple[str, ...]
    when: str
    warn_fraction: float | None
    pausable: bool
    escalations: tuple[Escalation, ...]
    rule: str
    source: str
    verification: str


@dataclass(frozen=True)
class Requirement:
    id: str
    label: str
    check: str
    rule: str
    source: str
    verification: str


@dataclass(frozen=True)
class ClassificationRule:
    """When `when` holds for a case of `from_kind`, the pack files it as `to_kind`."""

    id: str
    from_kind: str
    to_kind: str
    when: str
    reason: str
    rule: str
    source: str
    verification: str


@dataclass(frozen=True)
class Pack:
    id: str
    version: str
    title: str
    jurisdiction: str
    settings: tuple[str, ...]
    kinds: tuple[str, ...]
    safety_only: bool
    clocks: tuple[ClockRule, ...]
    requirements: tuple[Requirement, ...]
    sources: tuple[str, ...]
    path: str
    classification: tuple[ClassificationRule, ...] = ()


def _one_of(options: Iterable[str]) -> str:
    return ", ".join(sorted(options))


@dataclass(frozen=True)
class _Row:
    """One TOML table being validated; every error names the file and the row."""

    file: str
    label: str
    data: dict[str, Any]

    def error(self, message: str) -> PackError:
        return PackError(f"{self.file}: {self.label}: {message}")

    def check_keys(self, *, allowed: frozenset[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise self.error(f"unknown key {unknown[0]!r} (allowed: {_one_of(allowed)})")

    def value(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(f"missing key {key!r}")
        return self.data[key]

    def text(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{key} must be a non-empty string, got {value!r}")
        return value

    def choice(self, key: str, *, options: Iterable[str]) -> str:
        value = self.text(key)
        if value not in options:
            raise self.error(f"{key} {value!r} is not one of {_one_of(options)}")
        return value

    def flag(self, key: str, *, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{key} must be true or false, got {value!r}")
        return value

    def texts(self, key: str, *, options: Iterable[str] | None = None) -> tuple[str, ...]:
        values = self.value(key)
        if not isinstance(values, list) or not values:
            raise self.error(f"{key} must be a non-empty list of strings, got {values!r}")
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise self.error(f"{key} must hold non-empty strings, got {value!r}")
            if options is not None and value not in options:
                raise self.error(f"{key} value {value!r} is not one of {_one_of(options)}")
        if len(set(values)) != len(values):
            raise self.error(f"{key} lists a value twice: {values!r}")
        return tuple(values)

    def tables(self, key: str) -> list[_Row]:
        values = self.data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            raise self.error(f"{key} must be an array of tables ([[{key}]])")
        prefix = "" if self.label == "pack" else f"{self.label} "
        return [
            _Row(file=self.file, label=prefix + _row_label(key, index, value), data=value)
            for index, value in enumerate(values)
        ]


def _row_label(key: str, index: int, data: dict[str, Any]) -> str:
    """``clocks[1] (initial_report_24h)``, or ``clocks[1]`` when the row has no string id."""
    row_id = data.get("id")
    return f"{key}[{index}] ({row_id})" if isinstance(row_id, str) else f"{key}[{index}]"


def _identifier(row: _Row, key: str, *, pattern: re.Pattern[str]) -> str:
    value = row.text(key)
    if not pattern.fullmatch(value):
        raise row.error(f"{key} {value!r} must match {pattern.pattern}")
    return value


def _verification(row: _Row) -> str:
    mark = row.text("verification")
    if not all(part in VERIFICATION for part in mark.split("/")):
        raise row.error(
            f"verification {mark!r} must be one of {_one_of(VERIFICATION)} or a combination "
            "joined by '/'"
        )
    return mark


def _duration(row: _Row) -> int:
    value = row.value("duration")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise row.error(f"duration must be an integer >= 0, got {value!r}")
    return value


def _unit(row: _Row) -> ClockUnit:
    value = row.value("unit")
    units = [unit.value for unit in ClockUnit]
    if value not in units:
        raise row.error(f"unit {value!r} is not one of {', '.join(units)}")
    return ClockUnit(value)


def _warn_fraction(row: _Row) -> float | None:
    value = row.data.get("warn_fraction")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise row.error(f"warn_fraction must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def _escalation(row: _Row) -> Escalation:
    row.check_keys(allowed=_ESCALATION_KEYS)
    return Escalation(
        at=row.choice("at", options=ESCALATION_POINTS),
        notify=row.texts("notify", options=ROLES),
    )


def _escalations(row: _Row, *, warn_fraction: float | None) -> tuple[Escalation, ...]:
    escalations = tuple(_escalation(child) for child in row.tables("escalations"))
    points = [escalation.at for escalation in escalations]
    if len(set(points)) != len(points):
        raise row.error(f"escalations name the same point twice: {points!r}")
    if "warning" in points and warn_fraction is None:
        raise row.error("a warning escalation needs warn_fraction")
    return escalations


def _clock(row: _Row) -> ClockRule:
    row.check_keys(allowed=_CLOCK_KEYS)
    warn_fraction = _warn_fraction(row)
    return ClockRule(
        id=_identifier(row, "id", pattern=_ROW_ID),
        label=row.text("label"),
        start=row.choice("start", options=START_EVENTS),
        duration=_duration(row),
        unit=_unit(row),
        calendar=row.choice("calendar", options={FACILITY_CALENDAR, *CALENDARS}),
        stops_on=row.texts("stops_on", options=STOP_EVENTS),
        when=row.choice("when", options=CONDITIONS),
        warn_fraction=warn_fraction,
        pausable=row.flag("pausable", default=False),
        escalations=_escalations(row, warn_fraction=warn_fraction),
        rule=row.text("rule"),
        source=row.text("source"),
        verification=_verification(row),
    )


def _requirement(row: _Row) -> Requirement:
    row.check_keys(allowed=_REQUIREMENT_KEYS)
    return Requirement(
        id=_identifier(row, "id", pattern=_ROW_ID),
        label=row.text("label"),
        check=row.choice("check", options=REQUIREMENT_CHECKS),
        rule=row.text("rule"),
        source=row.text("source"),
        verification=_verification(row),
    )


def _classification(row: _Row) -> ClassificationRule:
    row.check_keys(allowed=_CLASSIFICATION_KEYS)
    return ClassificationRule(
        id=_identifier(row, "id", pattern=_ROW_ID),
        from_kind=row.choice("from_kind", options=CASE_KINDS),
        to_kind=row.choice("to_kind", options=CASE_KINDS),
        when=row.choice("when", options=CLASSIFY_WHEN),
        reason=row.text("reason"),
        rule=row.text("rule"),
        source=row.text("source"),
        verification=_verification(row),
    )


def _check_unique_ids(rows: Sequence[_Row]) -> None:
    """Clock and requirement ids share one namespace within a pack."""
    seen: dict[str, str] = {}
    for row in rows:
        row_id = row.data.get("id")
        if isinstance(row_id, str) and row_id in seen:
            raise row.error(f"duplicate id {row_id!r} (already used by {seen[row_id]})")
        if isinstance(row_id, str):
            seen[row_id] = row.label


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        where = f"line {match.group(1)}" if match else "document"
        raise PackError(f"{path.name}: {where}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path.name}: cannot read pack file: {exc}") from exc


def _pack(row: _Row, *, path: Path) -> Pack:
    row.check_keys(allowed=_PACK_KEYS)
    pack_id = _identifier(row, "id", pattern=_PACK_ID)
    if path.name != f"{pack_id}.toml":
        raise row.error(f"file name must be {pack_id}.toml to match id {pack_id!r}")
    clock_rows, requirement_rows = row.tables("clocks"), row.tables("requirements")
    classification_rows = row.tables("classification")
    _check_unique_ids([*clock_rows, *requirement_rows, *classification_rows])
    return Pack(
        id=pack_id,
        version=row.text("version"),
        title=row.text("title"),
        jurisdiction=row.text("jurisdiction"),
        settings=row.texts("settings", options=SETTINGS),
        kinds=row.texts("kinds", options=CASE_KINDS),
        safety_only=row.flag("safety_only", default=False),
        clocks=tuple(_clock(child) for child in clock_rows),
        requirements=tuple(_requirement(child) for child in requirement_rows),
        sources=row.texts("sources"),
        path=str(path),
        classification=tuple(_classification(child) for child in classification_rows),
    )


def load_pack(path: Path) -> Pack:
    """Read and validate one pack file; raise PackError naming the file and row."""
    data = _read_toml(path)
    return _pack(_Row(file=path.name, label="pack", data=data), path=path)


def load_packs(directory: Path | None = None) -> dict[str, Pack]:
    """Load every ``*.toml`` under ``directory`` (default: the shipped packs) keyed by id."""
    root = PACKS_DIR if directory is None else directory
    if not root.is_dir():
        raise PackError(f"{root}: pack directory does not exist")
    packs: dict[str, Pack] = {}
    for path in sorted(root.rglob("*.toml")):
        pack = load_pack(path)
        if pack.id in packs:
            first = Path(packs[pack.id].path).relative_to(root)
            raise PackError(
                f"{path.relative_to(root)}: pack: id {pack.id!r} is already defined in {first}"
            )
        packs[pack.id] = pack
    return packs


@functools.cache
def shipped_packs() -> dict[str, Pack]:
    """The packs shipped with Careloop (loaded once per process)."""
    return load_packs()
