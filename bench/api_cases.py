"""The API's case list at scale: latency p50/p95/p99 and SQL queries per page for the first
page, deep pages by cursor and filtered lists, in-process (Django test client against the
benchmark PostgreSQL database, no network), with a token made for the run (revoked at the end).
Also case creation through POST /api/v1/cases with an Idempotency-Key."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from common import percentiles, setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from careloop.api.services import api_token_create, api_token_revoke  # noqa: E402
from careloop.cases.models import Case  # noqa: E402
from careloop.cases.selectors import encode_cursor  # noqa: E402
from careloop.core.time import utcnow  # noqa: E402
from careloop.orgs.models import Facility, Unit, User  # noqa: E402

ROUNDS = 200
PATH = "/api/v1/cases"


def measure(client: Client, headers: dict[str, str], queries_: list[dict[str, Any]]) -> str:
    times: list[float] = []
    counts: list[int] = []
    for query in queries_:
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(PATH, query, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (query, response.status_code, response.content[:300])
        counts.append(len(ctx.captured_queries))
    return f"{percentiles(times)}; queries/page {min(counts)}-{max(counts)}"


def walk(client: Client, headers: dict[str, str], pages: int, **query: Any) -> str:
    """The cursor of page `pages + 1`."""
    cursor = ""
    for _ in range(pages):
        body = client.get(PATH, {**query, "cursor": cursor} if cursor else query, headers=headers)
        cursor = body.json()["next_cursor"]
    return cursor


def run(label: str, headers: dict[str, str], facility: Facility, unit: Unit, middle: Case) -> None:
    client = Client()
    client.get(PATH, headers=headers)  # warm caches and the token's last use
    print(f"-- {label}")
    print(f"first page (50): {measure(client, headers, [{}] * ROUNDS)}")
    sizes = [{"limit": n} for n in (10, 50, 200)] * 20
    print(f"first page, sizes 10/50/200: {measure(client, headers, sizes)}")
    cursor = walk(client, headers, 20)
    print(f"page 21 by cursor: {measure(client, headers, [{'cursor': cursor}] * 50)}")
    deep = encode_cursor(middle)
    print(f"page at the middle of 1M: {measure(client, headers, [{'cursor': deep}] * 50)}")
    today = utcnow()
    for name, query in (
        ("status closed + kind grievance", {"status": "closed", "kind": "grievance"}),
        ("one facility", {"facility_id": facility.pk}),
        ("one unit", {"unit_id": unit.pk}),
        ("a month received", {"received_from": "2026-01-01", "received_to": "2026-01-31"}),
        ("updated in the last day", {"updated_since": (today - timedelta(days=1)).isoformat()}),
        ("status new, page 5", {"status": "new", "cursor": walk(client, headers, 4, status="new")}),
    ):
        print(f"filtered by {name}: {measure(client, headers, [query] * 30)}")


def create_cases(headers: dict[str, str], facility: Facility, unit: Unit) -> None:
    client = Client()
    times: list[float] = []
    body = {
        "facility_id": facility.pk,
        "unit_id": unit.pk,
        "kind": "complaint",
        "reporter_type": "patient",
        "channel": "phone",
        "narrative": "Benchmark: the call bell was not answered.",
    }
    for _ in range(100):
        key = {"Idempotency-Key": f"bench-{uuid.uuid4()}"}
        t0 = time.perf_counter()
        response = client.post(PATH, body, content_type="application/json", headers=headers | key)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 201, response.content[:300]
        replay = client.post(PATH, body, content_type="application/json", headers=headers | key)
        assert replay["Idempotent-Replayed"] == "true"
    print(f"-- POST /api/v1/cases with an Idempotency-Key: {percentiles(times)}")


def main() -> None:
    call_command("migrate", "api", verbosity=0)  # only this app's tables
    admin = User.objects.get(username="admin")
    facility = Facility.objects.get(name="Riverside General Hospital")
    unit = Unit.objects.filter(facility=facility).order_by("pk").first()
    assert unit is not None
    total = Case.objects.count()
    print(f"cases in database: {total:,}")
    middle = Case.objects.only("pk", "received_at").order_by("-received_at", "-pk")[total // 2]
    now = utcnow()
    made = [
        api_token_create(
            actor=admin,
            name=f"bench api_cases {role}",
            scopes=["cases:read", "cases:write"],
            role=role,
            facility=place,
            unit=None,
            now=now,
        )
        for role, place in (("admin", None), ("advocate", facility))
    ]
    try:
        with override_settings(CARELOOP_API_RATE_LIMIT=(10**9, 60)):
            for new, label in zip(
                made,
                ("admin token, whole organization", "advocate token, one facility"),
                strict=True,
            ):
                run(label, {"Authorization": f"Bearer {new.secret}"}, facility, unit, middle)
            create_cases({"Authorization": f"Bearer {made[0].secret}"}, facility, unit)
    finally:
        for new in made:
            api_token_revoke(actor=admin, token=new.token, now=utcnow())


main()
