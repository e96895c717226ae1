"""careloop audit verify: check the hash chain of the audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.audit.models import ChainHead
from careloop.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks that no event was edited, deleted or reordered."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = audit_chain_verify()
        if problems:
            for p in problems[:50]:
                self.stderr.write(f"event #{p.seq}: {p.problem}")
            raise CommandError(f"Audit chain BROKEN: {len(problems)} problem(s) in {count} events.")
        head = ChainHead.objects.filter(pk=1).first()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events verified."))
        if head is not None:
            self.stdout.write(f"Head: #{head.last_seq} {head.last_hash} (record it elsewhere)")
