"""Running a batch: read the file, check every row against the mapping, then open and replay
each good row through the case services in its own savepoint, collecting every problem. The
caller decides whether the work is kept (an import with no problems) or rolled back (a dry run,
or any problem): `batch_attempt` does either inside a savepoint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from careloop.audit.context import current_source, set_source
from careloop.imports.checking import Lookups, PlannedRow, Problem, row_check
from careloop.imports.mapping import Mapping, mapping_from_spec
from careloop.imports.models import ImportBatch, ImportedRecord
from careloop.imports.reading import FileRefused, SourceRow, Table, table_read
from careloop.imports.replay import case_replay
from careloop.orgs.models import Facility, Unit, User


@dataclass
class ImportReport:
    rows_read: int = 0
    blank_rows: int = 0
    planned: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    file_problem: str = ""

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.rejected})

    @property
    def clean(self) -> bool:
        return not self.file_problem and not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "blank_rows": self.blank_rows,
            "planned": self.planned,
            "rejected": [p.as_dict() for p in self.rejected],
            "skipped": [p.as_dict() for p in self.skipped],
            "file_problem": self.file_problem,
        }


class RollBack(Exception):
    def __init__(self, report: ImportReport) -> None:
        self.report = report


def limits() -> dict[str, int]:
    return {
        "max_bytes": settings.CARELOOP_IMPORT_MAX_BYTES,
        "max_rows": settings.CARELOOP_IMPORT_MAX_ROWS,
    }


def _lookups(organization_id: int, source: str) -> Lookups:
    facilities = {
        f.name.strip().lower(): f
        for f in Facility.objects.filter(organization_id=organization_id, active=True)
        .select_related("organization")
        .order_by("pk")
    }
    units = {
        (u.facility_id, u.name.strip().lower()): u
        for u in Unit.objects.filter(facility__organization_id=organization_id, active=True)
    }
    imported = dict(
        ImportedRecord.objects.filter(organization_id=organization_id, source=source).values_list(
            "source_id", "case__reference"
        )
    )
    return Lookups(facilities=facilities, units=units, imported=imported)


def _source_id(source: SourceRow, mapping: Mapping) -> str:
    columns = mapping.spec("source_id").columns
    value = source.cells.get(columns[0]) if columns else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _check_all(
    table: Table, mapping: Mapping, lookups: Lookups, now: datetime
) -> tuple[list[PlannedRow], ImportReport]:
    report = ImportReport(rows_read=len(table.rows), blank_rows=table.blank_rows)
    id_column = ", ".join(mapping.spec("source_id").columns) or "source id"
    by_id: dict[str, int] = {}
    by_content: dict[tuple[str, ...], int] = {}
    planned: list[PlannedRow] = []
    for source in table.rows:
        sid = _source_id(source, mapping)
        content = tuple(repr(v) for v in source.cells.values())
        earlier = by_id.get(sid) if sid else by_content.get(content)
        if not source.problem and earlier is not None:
            why = "same source id" if sid else "identical row"
            report.rejected.append(
                Problem(source.number, id_column, sid, f"duplicate of row {earlier} ({why})")
            )
            continue
        if sid and not source.problem and sid in lookups.imported:
            reference = lookups.imported[sid]
            report.skipped.append(
                Problem(source.number, id_column, sid, f"already imported as {reference}")
            )
            continue
        if sid:
            by_id.setdefault(sid, source.number)
        by_content.setdefault(content, source.number)
        checked = row_check(source=source, mapping=mapping, lookups=lookups, now=now)
        if checked is None:
            status_column = ", ".join(mapping.spec("status").columns)
            report.skipped.append(Problem(source.number, status_column, "", "status maps to skip"))
        elif isinstance(checked, list):
            report.rejected.extend(checked)
        else:
            planned.append(checked)
    return planned, report


def _missing_columns(table: Table, mapping: Mapping) -> str:
    header = {h.lower() for h in table.header}
    missing = sorted(c for c in mapping.columns() if c.lower() not in header)
    if not missing:
        return ""
    return f"Columns named by the mapping are not in the file: {', '.join(missing)}."


def _normalize_columns(table: Table, mapping: Mapping) -> Table:
    """Match the mapping's column names to the file's whatever their case."""
    by_lower = {c.lower(): c for c in mapping.columns()}
    renamed = [by_lower.get(h.lower(), h) for h in table.header]
    if renamed == table.header:
        return table
    rows = [
        SourceRow(r.number, dict(zip(renamed, r.cells.values(), strict=True)), r.problem)
        if r.cells
        else r
        for r in table.rows
    ]
    return Table(header=renamed, rows=rows, blank_rows=table.blank_rows)


@contextmanager
def _audit_source(batch: ImportBatch) -> Iterator[None]:
    """Audit events written for imported cases name the batch as their source."""
    previous = current_source()
    set_source(f"import batch {batch.pk}")
    try:
        yield
    finally:
        set_source(previous)


def _open_all(
    *,
    actor: User,
    batch: ImportBatch,
    mapping: Mapping,
    planned: list[PlannedRow],
    report: ImportReport,
    now: datetime,
) -> None:
    for plan in planned:
        try:
            with transaction.atomic():
                case = case_replay(
                    actor=actor,
                    plan=plan,
                    source=mapping.source_system,
                    batch_id=batch.pk,
                    now=now,
                )
                ImportedRecord.objects.create(
                    organization_id=batch.organization_id,
                    case=case,
                    source=mapping.source_system,
                    source_id=plan.source_id,
                    batch=batch,
                    row_number=plan.row,
                )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            report.rejected.append(Problem(plan.row, "", "", " ".join(messages)))
            continue
        except IntegrityError:
            report.rejected.append(
                Problem(plan.row, "", plan.source_id, "imported meanwhile by another batch")
            )
            continue
        report.planned.append(
            {
                "row": plan.row,
                "source_id": plan.source_id,
                "received": case.received_at.isoformat(),
                "facility": case.facility.name,
                "unit": case.unit.name if case.unit else "",
                "kind": case.kind,
                "status": case.status,
                "reference": case.reference,
            }
        )


def _execute(*, actor: User, batch: ImportBatch, now: datetime) -> ImportReport:
    """Check and open every row. A file that cannot be run at all raises RollBack with its
    report; otherwise the report comes back and the caller keeps or rolls back the work."""
    try:
        mapping = mapping_from_spec(batch.mapping_spec)
    except ValidationError as exc:
        raise RollBack(ImportReport(file_problem=" ".join(exc.messages))) from exc
    try:
        table = table_read(
            content=bytes(batch.content or b""), delimiter=mapping.delimiter, **limits()
        )
    except FileRefused as exc:
        raise RollBack(ImportReport(file_problem=str(exc))) from exc
    problem = _missing_columns(table, mapping)
    if problem:
        raise RollBack(ImportReport(rows_read=len(table.rows), file_problem=problem))
    table = _normalize_columns(table, mapping)
    planned, report = _check_all(
        table, mapping, _lookups(batch.organization_id, mapping.source_system), now
    )
    with _audit_source(batch):
        _open_all(
            actor=actor, batch=batch, mapping=mapping, planned=planned, report=report, now=now
        )
    report.rejected.sort(key=lambda p: p.row)
    return report


def batch_attempt(*, actor: User, batch: ImportBatch, now: datetime, keep: bool) -> ImportReport:
    """Run `_execute` in a savepoint; keep its writes only if `keep` and the run is clean."""
    try:
        with transaction.atomic():
            report = _execute(actor=actor, batch=batch, now=now)
            if not keep or not report.clean:
                raise RollBack(report)
    except RollBack as rolled_back:
        return rolled_back.report
    return report
