"""Add survey responses to the benchmark database (after bench/setup_db.py): a published bench
instrument of the demo organization and N responses with their answers, written with COPY.

    .venv/bin/python bench/setup_surveys.py --responses 5000000 [--name "Bench survey"]

Adds only what is missing: run twice with the same N, the second run writes nothing."""

from __future__ import annotations

import argparse

from common import ensure_database, setup_django

parser = argparse.ArgumentParser()
parser.add_argument("--responses", type=int, default=1_000_000, help="responses wanted")
parser.add_argument("--name", default="Bench survey", help="the bench instrument's name")
args = parser.parse_args()

ensure_database()
setup_django()

from django.core.management import call_command  # noqa: E402
from survey_data import bench_version, response_count, responses_generate  # noqa: E402

from careloop.core.time import utcnow  # noqa: E402

call_command("migrate", verbosity=0)
now = utcnow()
version = bench_version(name=args.name, now=now)
have = response_count(version)
if args.responses > have:
    seconds = responses_generate(version=version, count=args.responses - have, now=now, seed=have)
    added = args.responses - have
    print(f"added {added:,} responses in {seconds:.0f} s ({added / seconds:,.0f} responses/s)")
print(
    f"responses of {args.name!r} (instrument {version.instrument_id}): {response_count(version):,}"
)
