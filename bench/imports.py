"""Importing historical cases (careloop.imports) on the benchmark database: a generated
complaints-register CSV of N rows (default 2,000) through upload, dry run and the
all-or-nothing import, timed per phase. Everything runs inside one outer transaction that is
rolled back at the end, so the benchmark database keeps none of it (the import's own commit is
therefore not timed; it is one COMMIT)."""

from __future__ import annotations

import argparse
import copy
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from common import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from careloop.core.time import utcnow  # noqa: E402
from careloop.imports.builtins import BUILTIN_SPECS, REGISTER  # noqa: E402
from careloop.imports.services import (  # noqa: E402
    import_batch_check,
    import_batch_run,
    import_batch_upload,
)
from careloop.orgs.models import Facility, Membership, Organization, Role, Unit, User  # noqa: E402

FACILITY, UNITS = "Import Bench Home Care", ("Night Team", "North Route", "South Route")
ZONE = ZoneInfo("America/Chicago")  # the facility's: local times, none in a DST gap
HEADER = (
    "Reference,Date received,Facility,Unit,Category,Description,Complainant name,Email,Phone,"
    "Status,Date closed,Outcome"
)


def register_csv(rows: int) -> bytes:
    start = utcnow() - timedelta(days=700)
    lines = [HEADER]
    for i in range(rows):
        received = (start + timedelta(hours=7 * i % (600 * 24), minutes=i % 60)).astimezone(ZONE)
        resolved = i % 4 != 0
        closed_on = (received + timedelta(days=3 + i % 9)).strftime("%d/%m/%Y")
        lines.append(
            f"BENCH-{i:06d},{received:%Y-%m-%d %H:%M},{FACILITY},{UNITS[i % 3]},"
            f"{'Complaint' if i % 5 else 'Suggestion'},"
            f'"Row {i}: the visit was two hours late and nobody phoned to say so.",'
            f"Client {i},client{i}@example.org,+1 312 555 {i % 10000:04d},"
            f"{'Resolved' if resolved else 'Open'},{closed_on if resolved else ''},"
            f"{'Apologised and moved the visit window.' if resolved else ''}"
        )
    return ("\n".join(lines) + "\n").encode()


def bench_admin() -> User:
    """An organization of the benchmark's own (its counter row and facility are not the demo
    organization's, which other benchmarks write to)."""
    org, _ = Organization.objects.get_or_create(
        slug="import-bench", defaults={"name": "Import Bench", "reference_prefix": "IB"}
    )
    facility, _ = Facility.objects.get_or_create(
        organization=org,
        name=FACILITY,
        defaults={
            "setting": "home_health",
            "jurisdiction": "US-IL",
            "time_zone": "America/Chicago",
            "holiday_calendar": "us_federal",
            "policy_packs": ["house.standard"],
        },
    )
    for name in UNITS:
        Unit.objects.get_or_create(facility=facility, name=name)
    admin, created = User.objects.get_or_create(
        username="import.bench.admin", defaults={"organization": org}
    )
    if created:
        Membership.objects.create(user=admin, role=Role.ADMIN)
    return admin


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    rows = parser.parse_args().rows
    call_command("migrate", verbosity=0)
    admin = bench_admin()
    content = register_csv(rows)
    spec = copy.deepcopy(BUILTIN_SPECS[REGISTER])
    with transaction.atomic():
        t0 = time.perf_counter()
        batch = import_batch_upload(
            actor=admin,
            file_name="bench.csv",
            content=content,
            mapping_name=REGISTER,
            spec=spec,
            now=utcnow(),
        )
        t1 = time.perf_counter()
        batch = import_batch_check(
            actor=admin, batch=batch, mapping_name=REGISTER, spec=spec, now=utcnow()
        )
        t2 = time.perf_counter()
        if batch.rows_rejected:
            raise SystemExit(f"rejected rows: {batch.report['rejected'][:3]}")
        batch = import_batch_run(actor=admin, batch=batch, now=utcnow())
        t3 = time.perf_counter()
        assert batch.cases_created == rows, batch.report.get("rejected", [])[:3]
        transaction.set_rollback(True)
    print(
        f"import of {rows:,} rows ({len(content) / 1e6:.1f} MB CSV) on {connection.vendor}: "
        f"upload {t1 - t0:.2f} s; dry run {t2 - t1:.1f} s ({rows / (t2 - t1):.0f} rows/s); "
        f"import {t3 - t2:.1f} s ({rows / (t3 - t2):.0f} rows/s); rolled back afterwards"
    )


main()
