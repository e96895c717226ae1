"""Insights dashboards at volume: organization, facility and unit dashboards (default period,
the last 12 complete months), the staff hotspots and improvement task pages, as an organization
administrator, in-process (Django test client against the benchmark PostgreSQL database; no
network in the figure). Prints p50/p95/p99 and SQL queries per page, the volume behind them and
what the background rollup refresh costs.

    .venv/bin/python bench/insights_dashboards.py [--rounds 40] [--full] [--report]

--full also times a full rollup rebuild of every facility (the daily one); --report times the
monthly PDF report (read live) once per facility. Run after bench/setup_db.py (cases) and
bench/setup_surveys.py (survey responses)."""

from __future__ import annotations

import argparse
import time

from common import percentiles, setup_django

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=40, help="requests per page")
parser.add_argument("--full", action="store_true", help="also time a full rollup rebuild")
parser.add_argument("--report", action="store_true", help="also time the monthly PDF report")
args = parser.parse_args()

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from careloop.cases.models import Case  # noqa: E402
from careloop.core.time import utcnow  # noqa: E402
from careloop.insights.denominators import month_add  # noqa: E402
from careloop.insights.rollups import RECENT_MONTHS, rollup_build, rollup_ensure  # noqa: E402
from careloop.orgs.models import Facility, Unit, User  # noqa: E402
from careloop.surveys.models import Answer, Response  # noqa: E402


def measure(client: Client, url: str, rounds: int) -> tuple[list[float], list[int]]:
    client.get(url)  # warm caches
    times, queries = [], []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(ctx.captured_queries))
    return times, queries


def rollups_timed(facilities: list[Facility]) -> None:
    now = utcnow()
    for facility in facilities:
        if args.full:
            t0 = time.perf_counter()
            rows = rollup_build(facility=facility, first_on=None, now=now)
            print(
                f"full rollup rebuild, {facility.name}: {rows:,} rows in "
                f"{time.perf_counter() - t0:.1f} s"
            )
        else:
            rollup_ensure(facility=facility, now=now)
        first_on = month_add(now.date().replace(day=1), 1 - RECENT_MONTHS)
        t0 = time.perf_counter()
        rows = rollup_build(facility=facility, first_on=first_on, now=utcnow())
        print(
            f"recent-months rollup refresh ({RECENT_MONTHS} months), {facility.name}: "
            f"{rows:,} rows in {time.perf_counter() - t0:.1f} s"
        )


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"cases in database: {Case.objects.count():,}")
    print(f"survey responses: {Response.objects.count():,} ({Answer.objects.count():,} answers)")
    admin = User.objects.get(username="admin")
    facilities = list(Facility.objects.filter(organization__users=admin).order_by("pk"))
    rollups_timed(facilities)
    client = Client()
    client.force_login(admin)
    pages = [("organization dashboard", "/insights/")]
    pages += [
        (f"facility dashboard, {f.name}", f"/insights/facilities/{f.pk}/") for f in facilities
    ]
    unit = Unit.objects.filter(facility=facilities[0]).order_by("pk").first()
    if unit is not None:
        pages.append((f"unit dashboard, {unit.name}", f"/insights/units/{unit.pk}/"))
    pages.append(
        ("staff hotspots (peer review)", f"/insights/facilities/{facilities[0].pk}/staff/")
    )
    pages.append(("improvement tasks", "/insights/tasks/"))
    for label, url in pages:
        times, queries = measure(client, url, args.rounds)
        print(f"{label}: {percentiles(times)}; queries/page {min(queries)}-{max(queries)}")
    if args.report:
        month = month_add(utcnow().date().replace(day=1), -1)
        for facility in facilities:
            t0 = time.perf_counter()
            response = client.get(f"/insights/facilities/{facility.pk}/report-{month:%Y-%m}.pdf")
            assert response.status_code == 200
            print(
                f"monthly PDF report (live), {facility.name}: "
                f"{(time.perf_counter() - t0) * 1000:,.0f} ms"
            )


main()
