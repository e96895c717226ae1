"""Queue page and case page: latency and SQL queries per page, in-process (Django test client
against the benchmark PostgreSQL database; no network in the figure)."""

from __future__ import annotations

import random
import time

from common import percentiles, setup_django

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from careloop.cases.models import Case  # noqa: E402
from careloop.orgs.models import User  # noqa: E402

ROUNDS = 200


def measure(client: Client, urls: list[str]) -> tuple[list[float], list[int]]:
    times, queries = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(ctx.captured_queries))
    return times, queries


def main() -> None:
    total = Case.objects.count()
    rng = random.Random(1)
    advocate = User.objects.get(username="advocate")
    admin = User.objects.get(username="admin")
    print(f"cases in database: {total:,}")
    for who in (advocate, admin):
        client = Client()
        client.force_login(who)
        client.get("/cases/?scope=all")  # warm caches
        queue_urls = ["/cases/?scope=all"] * (ROUNDS // 2) + ["/cases/?scope=open"] * (ROUNDS // 4)
        queue_urls += ["/cases/?scope=all&kind=grievance&status=closed"] * (ROUNDS // 4)
        times, queries = measure(client, queue_urls)
        print(
            f"queue page as {who.username}: {percentiles(times)}; queries/page "
            f"{min(queries)}-{max(queries)}"
        )
        deep = client.get("/cases/?scope=all")
        cursor_url = None
        for _ in range(20):  # walk 20 pages deep by keyset
            body = deep.content.decode()
            marker = 'href="?'
            if marker not in body:
                break
            start = body.rindex(marker) + len(marker)
            cursor_url = "/cases/?" + body[start : body.index('"', start)].replace("&amp;", "&")
            deep = client.get(cursor_url)
        if cursor_url:
            times, queries = measure(client, [cursor_url] * 50)
            print(
                f"queue page 21 (keyset) as {who.username}: {percentiles(times)}; "
                f"queries/page {max(queries)}"
            )
        for label, query in (
            ("breached clocks", "clock=breached"),
            ("at-risk clocks", "clock=at_risk"),
            ("a month's date range", "received_from=2026-01-01&received_to=2026-01-31"),
        ):
            times, queries = measure(client, [f"/cases/?scope=all&{query}"] * 30)
            print(
                f"queue filtered by {label} as {who.username}: {percentiles(times)}; "
                f"queries/page {max(queries)}"
            )
        times, queries = measure(client, ["/cases/?scope=all&q=call+bell"] * 30)
        print(
            f"queue search 'call bell' as {who.username}: {percentiles(times)}; "
            f"queries/page {max(queries)}"
        )
    ids = list(
        Case.objects.filter(facility__name="Riverside General Hospital")
        .order_by("?")
        .values_list("pk", flat=True)[:ROUNDS]
    )
    client = Client()
    client.force_login(advocate)
    times, queries = measure(client, [f"/cases/{pk}/" for pk in rng.sample(ids, len(ids))])
    print(
        f"case page as advocate: {percentiles(times)}; queries/page {min(queries)}-{max(queries)}"
    )


main()
