"""careloop demo: load the demo organization (or, with --bulk, generate cases at scale)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.core.time import utcnow
from careloop.orgs.models import Organization


class Command(BaseCommand):
    help = "Create the demo organization with a year of realistic cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cases", type=int, default=300, help="How many cases (over 5,000 uses bulk inserts)."
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the demo organization exists already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = int(options["cases"])
        if count < 0:
            raise CommandError("--cases must be zero or more.")
        exists = Organization.objects.filter(slug="riverside").exists()
        if exists and options["if_empty"]:
            self.stdout.write("Demo organization already loaded.")
            return
        started = time.perf_counter()
        if count > 5000:
            from careloop.core.demo_bulk import demo_bulk_cases

            if not exists:
                from careloop.core.demo import demo_create

                demo_create(now=utcnow(), cases=50, seed=options["seed"])
            made = demo_bulk_cases(
                total=count, now=utcnow(), seed=options["seed"], progress=self.stdout.write
            )
            self.stdout.write(f"Generated {made:,} cases in {time.perf_counter() - started:.0f} s.")
            return
        if exists:
            raise CommandError("The demo organization exists already (use --if-empty).")
        from careloop.core.demo import demo_create

        result = demo_create(now=utcnow(), cases=count, seed=options["seed"])
        self.stdout.write(
            f"Created {result.organization.name} with {result.cases} cases "
            f"in {time.perf_counter() - started:.0f} s."
        )
