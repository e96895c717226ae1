"""Scoring survey responses for a dashboard on the benchmark database: the results page's own
selectors (counts per item and answer in SQL, then the pure scoring over the counts) over an
instrument with N responses (generated with COPY if missing, in an instrument of their own).

    .venv/bin/python bench/survey_scoring.py [--responses 1000000] [--runs 7]

Prints the median and worst of the runs (after one warm-up run) for: scores per question over
all responses (target <= 2 s for 1,000,000), the monthly trends, scores by unit, and the same
for one unit. The planner's choice between a parallel scan of the whole answer table and the
(item, submitted_at) index depends on random_page_cost (4 by default, 1.1 usual on SSDs):
PGOPTIONS="-c random_page_cost=1.1" runs the same with the SSD setting."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from common import ensure_database, setup_django

parser = argparse.ArgumentParser()
parser.add_argument("--responses", type=int, default=1_000_000)
parser.add_argument("--runs", type=int, default=7)
args = parser.parse_args()

ensure_database()
setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from survey_data import bench_version, response_count, responses_generate  # noqa: E402

from careloop.core.time import utcnow  # noqa: E402
from careloop.surveys.models import Response  # noqa: E402
from careloop.surveys.selectors import survey_scores, survey_scores_by  # noqa: E402
from careloop.surveys.trends import survey_trends  # noqa: E402

call_command("migrate", verbosity=0)
now = utcnow()
name = f"Bench scoring ({args.responses:,} responses)"
version = bench_version(name=name, now=now)
have = response_count(version)
if args.responses > have:
    seconds = responses_generate(version=version, count=args.responses - have, now=now, seed=have)
    print(f"generated {args.responses - have:,} responses in {seconds:.0f} s")
instrument = version.instrument
start, end = now - timedelta(days=800), now + timedelta(seconds=1)
zone = ZoneInfo("America/Chicago")
unit_id = Response.objects.filter(version=version).values_list("unit_id", flat=True).first()


def timed(label: str, run: Callable[[], object]) -> None:
    run()  # warm-up
    samples = []
    for _ in range(args.runs):
        began = time.perf_counter()
        result = run()
        samples.append(time.perf_counter() - began)
    print(
        f"{label}: median {statistics.median(samples):.3f} s, worst {max(samples):.3f} s "
        f"({args.runs} runs){_summary(result)}"
    )


def _summary(result: object) -> str:
    if isinstance(result, list) and result and hasattr(result[0], "answers"):
        return f"; answers to the most answered question: {max(r.answers for r in result):,}"
    return ""


with connection.cursor() as cursor:
    cursor.execute("SHOW random_page_cost")
    (page_cost,) = cursor.fetchone() or ("?",)
print(f"responses scored: {response_count(version):,} (PostgreSQL, random_page_cost {page_cost})")
timed(
    "scores per question, all responses",
    lambda: survey_scores(instrument=instrument, start=start, end=end),
)
timed(
    "monthly trends, all responses",
    lambda: survey_trends(
        instrument=instrument, start=start, end=end, zone=zone, period="month", minimum_n=5
    ),
)
timed(
    "scores by unit, all responses",
    lambda: survey_scores_by(instrument=instrument, start=start, end=end, by="unit", zone=zone),
)
timed(
    "scores per question, one unit",
    lambda: survey_scores(instrument=instrument, start=start, end=end, unit_id=unit_id),
)
