"""Import write paths: upload a file, save a mapping, dry-run it, import it, discard it.

The dry run and the import run the same code (`engine.batch_attempt`): every row is checked,
then every good row is opened and replayed through the case services inside one transaction,
each row in its own savepoint so one failing row does not hide the next one's problems. A dry
run always rolls that transaction back (nothing it did is kept, no email is queued: on_commit
callbacks of a rolled-back block are dropped); an import keeps it only when no row is rejected
and the rows are exactly those the dry run reported; otherwise everything is rolled back and
the batch is marked refused. The uploaded bytes are dropped when the batch finishes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.imports.engine import ImportReport, RollBack, batch_attempt, limits
from careloop.imports.mapping import mapping_from_spec, mapping_to_spec
from careloop.imports.models import BatchStatus, ImportBatch, ImportMapping
from careloop.imports.reading import FileRefused, file_format_of, table_read
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of, role_label

NAME_MAX = 100
CHECKABLE = (BatchStatus.UPLOADED, BatchStatus.CHECKING, BatchStatus.CHECKED)


def can_import(user: User) -> bool:
    return has_capability_anywhere(user, "administer")


def _require_importer(user: User) -> int:
    organization_id = org_id_of(user)
    if not can_import(user):
        raise PermissionDenied("Only administrators import cases.")
    return organization_id


def _audit(actor: User, event: str, batch: ImportBatch, now: datetime, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action="U" if event != "import.uploaded" else "C",
        event_type=event,
        at=now,
        organization_id=batch.organization_id,
        object_type="import_batch",
        object_id=str(batch.pk),
        actor_role=role_label(actor),
        detail=detail,
    )


def import_batch_upload(
    *, actor: User, file_name: str, content: bytes, mapping_name: str, spec: Any, now: datetime
) -> ImportBatch:
    """Keep an uploaded file for the mapping step; refuse one that cannot be read at all."""
    organization_id = _require_importer(actor)
    mapping_from_spec_partial(spec)
    try:
        table_read(content=content, delimiter=spec.get("delimiter", "auto"), **limits())
    except FileRefused as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            organization_id=organization_id,
            created_by=actor,
            created_at=now,
            file_name=file_name[-200:],
            file_format=file_format_of(content),
            file_size=len(content),
            file_digest=hashlib.sha256(content).hexdigest(),
            content=content,
            mapping_name=mapping_name[:NAME_MAX],
            mapping_spec=spec,
        )
        _audit(actor, "import.uploaded", batch, now, digest=batch.file_digest, bytes=len(content))
    return batch


def mapping_from_spec_partial(spec: Any) -> None:
    """A built-in mapping may leave the facility to be chosen: check only its shape here."""
    if not isinstance(spec, dict) or not isinstance(spec.get("fields", {}), dict):
        raise ValidationError("A mapping must be an object with fields.")


def batch_header(batch: ImportBatch) -> list[str]:
    """The file's column names (for the mapping page)."""
    if batch.content is None:
        return []
    try:
        table = table_read(
            content=bytes(batch.content),
            delimiter=batch.mapping_spec.get("delimiter", "auto"),
            **limits(),
        )
    except FileRefused:
        return []
    return table.header


@transaction.atomic
def import_mapping_save(*, actor: User, name: str, spec: Any, now: datetime) -> ImportMapping:
    """Save (or replace) a mapping under a name for the organization's later imports."""
    organization_id = _require_importer(actor)
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError(f"Name the mapping (at most {NAME_MAX} characters).")
    clean = mapping_to_spec(mapping_from_spec(spec))
    saved, created = ImportMapping.objects.select_for_update().update_or_create(
        organization_id=organization_id,
        name=name,
        defaults={"spec": clean, "created_by": actor, "updated_at": now},
    )
    audit_record(
        actor=actor,
        action="C" if created else "U",
        event_type="import.mapping_saved",
        at=now,
        organization_id=organization_id,
        object_type="import_mapping",
        object_id=str(saved.pk),
        fields=["spec"],
        actor_role=role_label(actor),
    )
    return saved


def _locked(actor: User, batch: ImportBatch, *, statuses: tuple[str, ...]) -> ImportBatch:
    organization_id = _require_importer(actor)
    locked = ImportBatch.objects.select_for_update().filter(
        pk=batch.pk, organization_id=organization_id
    )
    found = locked.first()
    if found is None:
        raise PermissionDenied("No such import.")
    if found.status not in statuses:
        raise ValidationError(f"This import is {found.get_status_display().lower()}.")
    if found.content is None:
        raise ValidationError("The uploaded file is no longer held; upload it again.")
    return found


def _record(batch: ImportBatch, report: ImportReport, status: str, now: datetime) -> None:
    batch.status = status
    batch.report = report.as_dict()
    batch.rows_read = report.rows_read
    batch.rows_rejected = report.rejected_rows
    batch.rows_skipped = len(report.skipped)
    if status == BatchStatus.CHECKED:
        batch.checked_at = now
        batch.rows_planned = len(report.planned)
    else:
        batch.finished_at = now
        batch.content = None
        batch.cases_created = len(report.planned) if status == BatchStatus.IMPORTED else 0
    batch.save()


def import_batch_check(
    *, actor: User, batch: ImportBatch, mapping_name: str, spec: Any, now: datetime
) -> ImportBatch:
    """The dry run with this mapping: what would be created and every row that would not. A
    malformed mapping is refused before anything runs."""
    mapping_from_spec(spec)
    with transaction.atomic():
        batch = _locked(actor, batch, statuses=CHECKABLE)
        batch.mapping_name, batch.mapping_spec = mapping_name[:NAME_MAX], spec
        report = batch_attempt(actor=actor, batch=batch, now=now, keep=False)
        for row in report.planned:
            row.pop("reference")  # numbers are taken only by the real import
        _record(batch, report, BatchStatus.CHECKED, now)
        _audit(actor, "import.checked", batch, now, **_counts(batch))
    return batch


def _counts(batch: ImportBatch) -> dict[str, int]:
    return {
        "rows": batch.rows_read,
        "planned": batch.rows_planned,
        "rejected": batch.rows_rejected,
        "skipped": batch.rows_skipped,
        "created": batch.cases_created,
    }


def _as_checked(report: ImportReport, batch: ImportBatch) -> str:
    """Why the import differs from its dry run ("" if it does not)."""
    checked = [(r["row"], r["source_id"]) for r in batch.report.get("planned", [])]
    now_planned = [(r["row"], r["source_id"]) for r in report.planned]
    if report.clean and checked != now_planned:
        return "The file no longer imports as the dry run said; run the dry run again."
    return ""


def import_batch_run(*, actor: User, batch: ImportBatch, now: datetime) -> ImportBatch:
    """Import a checked batch, all or nothing. The rows are checked again; if any is rejected
    now, or the rows differ from the dry run's, nothing is written and the batch is refused."""
    with transaction.atomic():
        batch = _locked(actor, batch, statuses=(BatchStatus.CHECKED, BatchStatus.IMPORTING))
        _importable(batch)
        try:
            with transaction.atomic():
                report = batch_attempt(actor=actor, batch=batch, now=now, keep=True)
                differs = _as_checked(report, batch)
                if differs:
                    report.file_problem = differs
                    raise RollBack(report)
        except RollBack as rolled_back:
            report = rolled_back.report
        status = BatchStatus.IMPORTED if report.clean else BatchStatus.FAILED
        _record(batch, report, status, now)
        event = "import.completed" if status == BatchStatus.IMPORTED else "import.refused"
        _audit(actor, event, batch, now, **_counts(batch))
    return batch


def _importable(batch: ImportBatch) -> None:
    if batch.rows_rejected or not batch.rows_planned:
        raise ValidationError("Only a dry run with no rejected rows can be imported.")


def import_batch_check_queue(
    *, actor: User, batch: ImportBatch, mapping_name: str, spec: Any, now: datetime
) -> ImportBatch:
    """Ask a worker for the dry run (it can take minutes: every row is opened and rolled back).
    The batch shows "Dry run running" until it is done."""
    from careloop.imports.tasks import import_check_task

    mapping_from_spec(spec)
    with transaction.atomic():
        batch = _locked(actor, batch, statuses=CHECKABLE)
        batch.mapping_name, batch.mapping_spec = mapping_name[:NAME_MAX], spec
        batch.status = BatchStatus.CHECKING
        batch.save(update_fields=["mapping_name", "mapping_spec", "status"])
        transaction.on_commit(
            partial(import_check_task.enqueue, batch_id=batch.pk, actor_id=actor.pk)
        )
    return batch


def import_batch_run_queue(*, actor: User, batch: ImportBatch, now: datetime) -> ImportBatch:
    """Ask a worker for the import of a clean dry run."""
    from careloop.imports.tasks import import_run_task

    with transaction.atomic():
        batch = _locked(actor, batch, statuses=(BatchStatus.CHECKED,))
        _importable(batch)
        batch.status = BatchStatus.IMPORTING
        batch.save(update_fields=["status"])
        transaction.on_commit(
            partial(import_run_task.enqueue, batch_id=batch.pk, actor_id=actor.pk)
        )
    return batch


@transaction.atomic
def import_batch_discard(*, actor: User, batch: ImportBatch, now: datetime) -> ImportBatch:
    """Drop an unfinished upload and its bytes (also one whose worker stopped midway: a batch
    being worked on stays locked until the worker is done, then is finished or not)."""
    batch = _locked(
        actor,
        batch,
        statuses=(
            BatchStatus.UPLOADED,
            BatchStatus.CHECKING,
            BatchStatus.CHECKED,
            BatchStatus.IMPORTING,
        ),
    )
    batch.status, batch.content, batch.finished_at = BatchStatus.DISCARDED, None, now
    batch.save(update_fields=["status", "content", "finished_at"])
    _audit(actor, "import.discarded", batch, now)
    return batch
