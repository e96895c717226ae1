"""Column mappings (pure): which source column or fixed value fills each Careloop field, the
value maps (source value -> Careloop value), and the date formats a file may use.

A mapping is stored as JSON (`ImportMapping.spec`, `ImportBatch.mapping_spec`) and read back
through `mapping_from_spec`, which refuses anything malformed with a message naming the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from careloop.cases.models import Channel, ContactPreference, Kind, ReporterType, Status

SKIP = "skip"  # a status mapped to this is left out of the import (e.g. duplicates)

DATE_FORMATS = {
    "iso": "ISO 8601 (2025-04-03, 2025-04-03 14:30, 2025-04-03T14:30:00Z)",
    "dmy": "Day first (03/04/2025 is 3 April; 03/04/2025 14:30)",
    "mdy": "Month first (03/04/2025 is 4 March; 03/04/2025 2:30 PM)",
}
DELIMITERS = {"auto": "", "comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}


@dataclass(frozen=True)
class Target:
    label: str
    kind: str  # text, datetime, choice, facility, unit
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str = ""
    client_text: bool = False  # client words or contact details: never copied into reports


def _values(choices: type[Kind] | type[Status] | type[Channel]) -> tuple[str, ...]:
    return tuple(str(v) for v in choices.values)


TARGETS: dict[str, Target] = {
    "source_id": Target("Source id (the other system's reference)", "text", required=True),
    "received_at": Target("Received", "datetime", required=True),
    "facility": Target("Facility", "facility", required=True),
    "unit": Target("Unit", "unit"),
    "kind": Target("Kind", "choice", required=True, choices=_values(Kind)),
    "status": Target("Status", "choice", choices=(*_values(Status), SKIP), default=str(Status.NEW)),
    "channel": Target("Channel", "choice", required=True, choices=_values(Channel)),
    "reporter_type": Target(
        "Reporter", "choice", required=True, choices=tuple(str(v) for v in ReporterType.values)
    ),
    "contact_preference": Target(
        "Contact preference",
        "choice",
        choices=tuple(str(v) for v in ContactPreference.values),
        default=str(ContactPreference.NONE),
    ),
    "language": Target("Language", "choice", choices=("en", "es", "it"), default="en"),
    "narrative": Target("Narrative", "text", required=True, client_text=True),
    "desired_outcome": Target("Desired outcome", "text", client_text=True),
    "reporter_name": Target("Reporter name", "text", client_text=True),
    "reporter_email": Target("Reporter email", "text", client_text=True),
    "reporter_phone": Target("Reporter phone", "text", client_text=True),
    "acknowledged_at": Target("Acknowledged", "datetime"),
    "resolved_at": Target("Resolved", "datetime"),
    "closed_at": Target("Closed", "datetime"),
    "outcome": Target("Outcome (kept as an internal note)", "text", client_text=True),
}


@dataclass(frozen=True)
class FieldSpec:
    """Source columns (joined with a blank line when several), or a fixed value."""

    columns: tuple[str, ...] = ()
    fixed: str = ""
    values: dict[str, str] = field(default_factory=dict)  # keys lower-cased and trimmed
    integer: bool = False  # the column must hold whole numbers

    @property
    def used(self) -> bool:
        return bool(self.columns or self.fixed)


@dataclass(frozen=True)
class Mapping:
    source_system: str
    fields: dict[str, FieldSpec]
    date_formats: tuple[str, ...] = ("iso",)
    delimiter: str = "auto"
    description: str = ""

    def spec(self, name: str) -> FieldSpec:
        return self.fields.get(name, FieldSpec())

    def columns(self) -> set[str]:
        return {c for s in self.fields.values() for c in s.columns}


def _str(value: Any, where: str, limit: int = 200) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(f"{where} must be text of at most {limit} characters.")
    return value.strip()


def _field(name: str, raw: Any) -> FieldSpec:
    if not isinstance(raw, dict):
        raise ValidationError(f"The mapping for {name} must be an object.")
    target = TARGETS[name]
    columns = raw.get("columns", [])
    if not isinstance(columns, list) or len(columns) > 5:
        raise ValidationError(f"{target.label}: columns must be a list of up to 5 names.")
    cols = tuple(c for c in (_str(c, f"{target.label} column") for c in columns) if c)
    if len(cols) > 1 and target.kind != "text":
        raise ValidationError(f"{target.label}: only text fields can join several columns.")
    values_raw = raw.get("values", {})
    if not isinstance(values_raw, dict) or len(values_raw) > 500:
        raise ValidationError(f"{target.label}: the value map must be an object (500 at most).")
    values = {
        _str(k, f"{target.label} value").lower(): _str(v, f"{target.label} value")
        for k, v in values_raw.items()
    }
    spec = FieldSpec(
        columns=cols,
        fixed=_str(raw.get("fixed", ""), f"{target.label} fixed value"),
        values=values,
        integer=bool(raw.get("integer", False)),
    )
    if spec.columns and spec.fixed:
        raise ValidationError(f"{target.label}: choose a column or a fixed value, not both.")
    if target.kind == "choice":
        for value in [spec.fixed, *spec.values.values()]:
            if value and value not in target.choices:
                raise ValidationError(
                    f"{target.label}: '{value}' is not one of {', '.join(target.choices)}."
                )
    return spec


def mapping_from_spec(spec: Any) -> Mapping:
    """Read a stored mapping, refusing anything malformed."""
    if not isinstance(spec, dict):
        raise ValidationError("A mapping must be an object.")
    fields_raw = spec.get("fields", {})
    if not isinstance(fields_raw, dict):
        raise ValidationError("The mapping's fields must be an object.")
    unknown = sorted(set(fields_raw) - set(TARGETS))
    if unknown:
        raise ValidationError(f"Unknown Careloop fields in the mapping: {', '.join(unknown)}.")
    fields = {name: _field(name, raw) for name, raw in fields_raw.items()}
    formats = spec.get("date_formats", ["iso"])
    if not isinstance(formats, list) or not formats or set(formats) - set(DATE_FORMATS):
        raise ValidationError(f"Date formats must be chosen from: {', '.join(DATE_FORMATS)}.")
    delimiter = spec.get("delimiter", "auto")
    if delimiter not in DELIMITERS:
        raise ValidationError(f"The delimiter must be one of: {', '.join(DELIMITERS)}.")
    source = _str(spec.get("source_system", ""), "The source system", limit=60)
    if not source:
        raise ValidationError("Name the source system (it keeps re-imports from duplicating).")
    missing = [
        TARGETS[n].label
        for n, t in TARGETS.items()
        if t.required and not t.default and not fields.get(n, FieldSpec()).used
    ]
    if missing:
        raise ValidationError(f"Map a column or a fixed value for: {', '.join(missing)}.")
    return Mapping(
        source_system=source,
        fields=fields,
        date_formats=tuple(dict.fromkeys(formats)),
        delimiter=delimiter,
        description=_str(spec.get("description", ""), "The description", limit=2000),
    )


def mapping_to_spec(mapping: Mapping) -> dict[str, Any]:
    return {
        "source_system": mapping.source_system,
        "description": mapping.description,
        "date_formats": list(mapping.date_formats),
        "delimiter": mapping.delimiter,
        "fields": {
            name: {
                k: v
                for k, v in (
                    ("columns", list(s.columns)),
                    ("fixed", s.fixed),
                    ("values", dict(s.values)),
                    ("integer", s.integer),
                )
                if v
            }
            for name, s in mapping.fields.items()
            if s.used
        },
    }
