"""Build the benchmark database: migrate, load the demo organization, bulk-generate cases."""

from __future__ import annotations

import argparse
import time

from common import ensure_database, setup_django

parser = argparse.ArgumentParser()
parser.add_argument("--cases", type=int, default=100_000, help="total generated cases wanted")
args = parser.parse_args()

ensure_database()
setup_django()

from django.core.management import call_command  # noqa: E402

from careloop.cases.models import Case  # noqa: E402

call_command("migrate", verbosity=0)
have = Case.objects.count()
started = time.perf_counter()
if have == 0:
    call_command("demo", cases=300)
    have = Case.objects.count()
if args.cases > have:
    from careloop.core.demo_bulk import demo_bulk_cases
    from careloop.core.time import utcnow

    demo_bulk_cases(total=args.cases - have, now=utcnow(), seed=have, progress=print)
print(
    f"cases in database: {Case.objects.count():,} ({time.perf_counter() - started:.0f} s to build)"
)
call_command(
    "shell",
    command="from django.db import connection; c = connection.cursor(); c.execute('ANALYZE')",
)
