"""Writes of the insights app: the exposure import of units and named staff members (all rows
or none, audited)."""

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
from careloop.insights.models import Exposure, StaffExposure
from careloop.orgs.models import Organization, Person, Unit, User


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _people_resolve(
    *, organization: Organization, rows: list[ExposureRow]
) -> tuple[dict[int, Person], list[RowProblem]]:
    """The staff member of each staff row (by line), by email, in this organization only."""
    emails = {row.staff_email for row in rows if row.staff_email}
    by_email: dict[str, list[Person]] = {}
    for person in Person.objects.filter(organization=organization, active=True).exclude(email=""):
        if person.email.lower() in emails:
            by_email.setdefault(person.email.lower(), []).append(person)
    found: dict[int, Person] = {}
    problems: list[RowProblem] = []
    for row in rows:
        if not row.staff_email:
            continue
        matches = by_email.get(row.staff_email, [])
        if len(matches) == 1:
            found[row.line] = matches[0]
        else:
            reason = "unknown staff member" if not matches else "several staff have this email"
            problems.append(RowProblem(line=row.line, reason=reason))
    return found, problems


def _units_resolve(
    *, organization: Organization, rows: list[ExposureRow]
) -> tuple[dict[int, Unit], list[RowProblem]]:
    """The unit of each unit row (by line), looked up in this organization only."""
    units = list(
        Unit.objects.filter(facility__organization=organization).select_related("facility")
    )
    by_code = {u.intake_code.upper(): u for u in units}
    by_name = {(u.name.casefold(), u.facility.name.casefold()): u for u in units}
    found: dict[int, Unit] = {}
    problems: list[RowProblem] = []
    for row in rows:
        if row.staff_email:
            continue
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


def _duplicates(
    rows: list[ExposureRow], units: dict[int, Unit], people: dict[int, Person]
) -> list[RowProblem]:
    """Rows naming the same unit twice (once by code, once by name) for a measure and month."""
    seen: dict[tuple[str, int, str, object], int] = {}
    problems: list[RowProblem] = []
    for row in rows:
        unit, person = units.get(row.line), people.get(row.line)
        if unit is None and person is None:
            continue
        owner = ("unit", unit.pk) if unit is not None else ("person", person.pk if person else 0)
        key = (*owner, row.measure.value, row.month_on)
        if key in seen:
            problems.append(RowProblem(line=row.line, reason=f"repeats line {seen[key]}"))
        else:
            seen[key] = row.line
    return problems


def _staff_import(
    *,
    organization: Organization,
    rows: list[ExposureRow],
    people: dict[int, Person],
    now: datetime,
    result: ImportResult,
) -> None:
    """Create or replace each named staff member's exposure for the month (locked)."""
    if not people:
        return
    existing = {
        (e.person_id, e.measure, e.period_start_on): e
        for e in StaffExposure.objects.select_for_update().filter(
            organization=organization, person_id__in={p.pk for p in people.values()}
        )
    }
    for row in rows:
        person = people.get(row.line)
        if person is None:
            continue
        current = existing.get((person.pk, row.measure.value, row.month_on))
        if current is None:
            StaffExposure.objects.create(
                organization=organization,
                person=person,
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


@transaction.atomic
def exposure_import_csv(
    *, actor: User, organization: Organization, text: str, now: datetime
) -> ImportResult:
    """Validate every row, then create or replace each unit's exposure for the month; if any
    row is bad nothing is written and every problem is reported with its line."""
    rows, problems = exposure_csv_parse(text)
    units, unknown = _units_resolve(organization=organization, rows=rows)
    people, strangers = _people_resolve(organization=organization, rows=rows)
    problems = sorted(
        [*problems, *unknown, *strangers, *_duplicates(rows, units, people)],
        key=lambda p: (p.line, p.reason),
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
    _staff_import(organization=organization, rows=rows, people=people, now=now, result=result)
    for row in rows:
        if row.line not in units:
            continue
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
        detail={
            "rows": len(rows),
            "staff_rows": len(people),
            "created": result.created,
            "updated": result.updated,
        },
    )
    return result
