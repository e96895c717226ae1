"""Cursor pagination of the case list: keyset on (received_at, id), so pages neither repeat
nor skip cases while new ones arrive, and each page costs the same number of queries whatever
its size or depth."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.api.tests.conftest import NOW, ApiClient
from careloop.cases.models import Case
from careloop.conftest import RECEIVED_AT, CaseOpener


def open_many(open_case: CaseOpener, count: int) -> list[Case]:
    # Two cases share each receipt time, so the id breaks ties inside a page boundary.
    return [open_case(now=RECEIVED_AT - timedelta(minutes=n // 2)) for n in range(count)]


def walk(
    client: ApiClient, limit: int, on_each_page: Callable[[], object] | None = None
) -> list[str]:
    seen: list[str] = []
    cursor = ""
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/cases", query).json()
        seen += [item["reference"] for item in body["items"]]
        if on_each_page is not None:
            on_each_page()  # a new case arrives between pages
        cursor = body["next_cursor"]
        if not cursor:
            return seen


def test_pages_have_no_duplicates_or_gaps_while_new_cases_arrive(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    existing = open_many(open_case, 11)
    seen = walk(api_admin, limit=3, on_each_page=lambda: open_case(now=NOW))
    assert len(seen) == len(set(seen))
    assert (
        seen == [c.reference for c in sorted(existing, key=lambda c: (c.received_at, c.pk))][::-1]
    )


def test_a_page_costs_the_same_queries_whatever_its_size_or_depth(
    api_admin: ApiClient, open_case: CaseOpener
) -> None:
    open_many(open_case, 12)

    def queries(**query: object) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api_admin.get("/api/v1/cases", query)
        assert response.status_code == 200
        return len(captured)

    api_admin.get("/api/v1/cases")  # records the token's last use (at most once a minute)
    first_small = queries(limit=2)
    first_large = queries(limit=10)
    cursor = api_admin.get("/api/v1/cases", {"limit": 8}).json()["next_cursor"]
    deep = queries(limit=2, cursor=cursor)
    assert first_small == first_large == deep
    assert first_small <= 16  # token, memberships, page, clocks, two audit events, savepoints


def test_the_last_page_has_no_cursor(api_admin: ApiClient, open_case: CaseOpener) -> None:
    open_many(open_case, 2)
    body = api_admin.get("/api/v1/cases", {"limit": 2}).json()
    assert len(body["items"]) == 2
    assert body["next_cursor"] is None
