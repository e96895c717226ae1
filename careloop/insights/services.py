"""Writes of the insights app: the exposure import (all rows or none, audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from careloop.audit.services import audit_record
from careloop.insights.denominators import (
    ExposureRow,
    RowProblem,
    exposure_csv_parse,
    month_end,
)
from careloop.insights.models import Exposure
from careloop.orgs.models import Organization, Unit, User


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _units_resolve(
    *, organization: Organization, rows: list[ExposureRow]
) -> tuple[dict[int, Unit], list[RowProblem]]:
    """The unit of each row (by line), looked up in this organization only."""
    units = list(
        Unit.objects.filter(facility__organization=organization).select_related("facility")
    )
    by_code = {u.intake_code.upper(): u for u in units}
    by_name = {(u.name.casefold(), u.facility.name.casefold()): u for u in units}
    found: dict[int, Unit] = {}
    problems: list[RowProblem] = []
    for row in rows:
        unit = (
            by_code.get(row.unit_code.upper())
            if row.unit_code
            else by_name.get((row.unit_name.casefold(), row.facility_name.casefold()))
        )
        if unit is None:
            problems.append(RowProblem(line=row.line, reason="unknown unit"))
        else:
            found[row.line] = unit
    return found, problems


def _duplicates(rows: list[ExposureRow], units: dict[int, Unit]) -> list[RowProblem]:
    """Rows naming the same unit twice (once by code, once by name) for a measure and month."""
    seen: dict[tuple[int, str, object], int] = {}
    problems: list[RowProblem] = []
    for row in rows:
        unit = units.get(row.line)
        if unit is None:
            continue
        key = (unit.pk, row.measure.value, row.month_on)
        if key in seen:
            problems.append(RowProblem(line=row.line, reason=f"repeats line {seen[key]}"))
        else:
            seen[key] = row.line
    return problems


@transaction.atomic
def exposure_import_csv(
    *, actor: User, organization: Organization, text: str, now: datetime
) -> ImportResult:
    """Validate every row, then create or replace each unit's exposure for the month; if any
    row is bad nothing is written and every problem is reported with its line."""
    rows, problems = exposure_csv_parse(text)
    units, unknown = _units_resolve(organization=organization, rows=rows)
    problems = sorted(
        [*problems, *unknown, *_duplicates(rows, units)], key=lambda p: (p.line, p.reason)
    )
    if problems or not rows:
        return ImportResult(problems=problems or [RowProblem(line=1, reason="no rows")])
    existing = {
        (e.unit_id, e.measure, e.period_start_on): e
        for e in Exposure.objects.select_for_update().filter(
            organization=organization, unit_id__in={u.pk for u in units.values()}
        )
    }
    result = ImportResult()
    for row in rows:
        unit = units[row.line]
        current = existing.get((unit.pk, row.measure.value, row.month_on))
        if current is None:
            Exposure.objects.create(
                organization=organization,
                unit=unit,
                measure=row.measure,
                period_start_on=row.month_on,
                period_end_on=month_end(row.month_on),
                value=row.value,
                updated_at=now,
            )
            result.created += 1
        elif current.value != row.value:
            current.value, current.updated_at = row.value, now
            current.save(update_fields=["value", "updated_at"])
            result.updated += 1
    audit_record(
        actor=actor,
        action="C",
        event_type="insights.exposure_imported",
        at=now,
        organization_id=organization.pk,
        object_type="exposure",
        fields=["value"],
        detail={"rows": len(rows), "created": result.created, "updated": result.updated},
    )
    return result
