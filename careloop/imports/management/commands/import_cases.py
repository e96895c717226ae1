"""careloop import_cases FILE --mapping NAME --actor USERNAME [--facility NAME] [--dry-run]:
the same upload, dry run and all-or-nothing import as the /imports/ pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.core.time import utcnow
from careloop.imports.models import BatchStatus, ImportBatch
from careloop.imports.selectors import mapping_spec_named
from careloop.imports.services import import_batch_check, import_batch_run, import_batch_upload
from careloop.orgs.models import User


class Command(BaseCommand):
    help = (
        "Import historical cases from a CSV or XLSX file with a saved or built-in mapping "
        "(django-helpdesk, complaints-register). --dry-run reports only. The import creates "
        "every row or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="Saved or built-in mapping name.")
        parser.add_argument("--actor", required=True, help="Username of the administrator.")
        parser.add_argument("--facility", default="", help="Facility for every row.")
        parser.add_argument("--dry-run", action="store_true", help="Report, import nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {options['actor']!r}.")
        spec = mapping_spec_named(user=actor, name=options["mapping"])
        if spec is None:
            raise CommandError(f"No mapping named {options['mapping']!r}.")
        if options["facility"]:
            spec.setdefault("fields", {})["facility"] = {"fixed": options["facility"]}
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            batch = import_batch_upload(
                actor=actor,
                file_name=path.name,
                content=content,
                mapping_name=options["mapping"],
                spec=spec,
                now=utcnow(),
            )
            batch = import_batch_check(
                actor=actor,
                batch=batch,
                mapping_name=options["mapping"],
                spec=spec,
                now=utcnow(),
            )
            self._print(batch)
            if options["dry_run"] or batch.rows_rejected or batch.report.get("file_problem"):
                if not options["dry_run"]:
                    raise CommandError("Nothing imported: fix the rejected rows first.")
                return
            batch = import_batch_run(actor=actor, batch=batch, now=utcnow())
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from exc
        self._print(batch)
        if batch.status != BatchStatus.IMPORTED:
            raise CommandError("Nothing imported.")

    def _print(self, batch: ImportBatch) -> None:
        report = batch.report
        verb = "created" if batch.status == BatchStatus.IMPORTED else "would be created"
        planned = (
            batch.cases_created if batch.status == BatchStatus.IMPORTED else batch.rows_planned
        )
        self.stdout.write(
            f"Import {batch.pk} ({batch.get_status_display()}): {batch.rows_read} rows read, "
            f"{planned} {verb}, {batch.rows_rejected} rejected, {batch.rows_skipped} skipped."
        )
        if report.get("file_problem"):
            self.stdout.write(f"  File: {report['file_problem']}")
        for kind in ("rejected", "skipped"):
            for p in report.get(kind, []):
                value = f" '{p['value']}'" if p["value"] else ""
                column = p["column"] or "-"
                self.stdout.write(f"  {kind} row {p['row']} [{column}]{value}: {p['problem']}")
