"""careloop retention: report on retention and erase client details from cases past it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.cases.models import Case
from careloop.cases.retention import (
    ErasureRefused,
    case_anonymize,
    cases_due_for_erasure_at,
    retention_by_facility,
)
from careloop.core.time import utcnow


class Command(BaseCommand):
    help = (
        "Retention tools. `report` counts cases due for erasure, held and erased per facility; "
        "`apply` erases client details from closed cases past their retention (--dry-run lists "
        "them only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["apply", "report"])
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument("--limit", type=int, default=None, help="Erase at most N cases.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = utcnow()
        if options["action"] == "report":
            self._report(now)
        else:
            self._apply(now, dry_run=options["dry_run"], limit=options["limit"])

    def _report(self, now: datetime) -> None:
        rows = retention_by_facility(now=now)
        for row in rows:
            next_due = row.next_due_on.isoformat() if row.next_due_on else "none"
            self.stdout.write(
                f"{row.facility.name}: {row.due} due, {row.held} on legal hold, "
                f"{row.erased} erased; next due {next_due} (today {row.today.isoformat()})"
            )
        total = sum(r.due for r in rows)
        self.stdout.write(f"Total: {total} case(s) due for erasure.")

    def _apply(self, now: datetime, *, dry_run: bool, limit: int | None) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        due = cases_due_for_erasure_at(now=now).select_related("facility")
        cases = list(due.order_by("retain_until", "pk")[:limit])
        if dry_run:
            for case in cases:
                self.stdout.write(
                    f"would erase {case.reference} ({case.facility.name}, "
                    f"retained until {case.retain_until})"
                )
            self.stdout.write(f"Dry run: {len(cases)} case(s) due for erasure; nothing changed.")
            return
        outcomes = Counter(self._erase_one(case, now) for case in cases)
        self.stdout.write(
            f"Erased {outcomes['erased']} case(s); skipped {outcomes['skipped']}; "
            f"failed {outcomes['failed']}."
        )
        if outcomes["failed"]:
            raise CommandError(
                f"{outcomes['failed']} case(s) could not be erased; see the messages above."
            )

    def _erase_one(self, case: Case, now: datetime) -> str:
        """One transaction per case: a failure rolls back that case only and the run goes on."""
        try:
            case_anonymize(
                actor=None,
                case=case,
                now=now,
                reason=f"Retention period ended (retained until {case.retain_until}).",
            )
        except ErasureRefused as exc:  # changed since it was listed (held, reopened, erased)
            self.stderr.write(f"skipped {case.reference}: {' '.join(exc.messages)}")
            return "skipped"
        except Exception as exc:  # report it, carry on with the other cases
            self.stderr.write(f"FAILED {case.reference}: {type(exc).__name__}: {exc}")
            return "failed"
        self.stdout.write(f"erased {case.reference}")
        return "erased"
