"""Case reads: scoped fetches that look missing out of scope, and the queue (keyset pages,
filters, and a query count that does not grow with the page size)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Kind, Status
from careloop.cases.selectors import (
    QueueFilters,
    case_get_for,
    case_queue_for,
    decode_cursor,
    encode_cursor,
)
from careloop.cases.services import case_acknowledge, case_assign, case_move
from careloop.conftest import RECEIVED_AT, CaseOpener, clock_of
from careloop.orgs.models import Person, Unit, User
from careloop.policies.services import clocks_sweep

NOW = RECEIVED_AT + timedelta(days=20)


def queue(user: User, page_size: int = 50, cursor: str = "", **filters: object) -> list[Case]:
    page = case_queue_for(
        user=user,
        filters=QueueFilters(**filters),  # type: ignore[arg-type]  # test shorthand
        now=NOW,
        cursor=cursor,
        page_size=page_size,
    )
    return page.cases


def opened(open_case: CaseOpener, count: int, **fields: Any) -> list[Case]:
    """`count` cases an hour apart, the first at RECEIVED_AT."""
    return [open_case(now=RECEIVED_AT + timedelta(hours=i), **fields) for i in range(count)]


# --- case_get_for --------------------------------------------------------------------------


def test_a_case_in_scope_is_fetched_and_the_read_audited(
    open_case: CaseOpener, manager_a: User
) -> None:
    case = open_case()

    fetched = case_get_for(user=manager_a, case_id=case.pk, now=NOW)

    assert fetched == case
    event = AuditEvent.objects.get(event_type="case.view")
    assert (event.actor_id, event.actor_role, event.case_id) == (manager_a.pk, "manager", case.pk)


def test_a_case_out_of_scope_looks_missing_and_is_not_audited(
    open_case: CaseOpener, unit_b: Unit, frontline_a: User, outsider: User
) -> None:
    case = open_case(unit=unit_b)

    for user in (frontline_a, outsider):
        with pytest.raises(Http404):
            case_get_for(user=user, case_id=case.pk, now=NOW)
    with pytest.raises(Http404):
        case_get_for(user=frontline_a, case_id=case.pk + 1000, now=NOW)
    assert not AuditEvent.objects.filter(action="R").exists()


# --- keyset pages --------------------------------------------------------------------------


def test_pages_return_every_case_exactly_once_newest_first(
    open_case: CaseOpener, advocate_x: User, unit_b: Unit
) -> None:
    cases = opened(open_case, 9) + opened(open_case, 4, unit=unit_b)
    same_time = [open_case(now=RECEIVED_AT + timedelta(hours=3)) for _ in range(3)]
    expected = sorted(cases + same_time, key=lambda c: (c.received_at, c.pk), reverse=True)

    seen: list[Case] = []
    cursor = ""
    for _ in range(10):
        page = case_queue_for(
            user=advocate_x, filters=QueueFilters(), now=NOW, cursor=cursor, page_size=4
        )
        seen += page.cases
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert [c.pk for c in seen] == [c.pk for c in expected]
    assert len(seen) == 16


def test_the_last_page_has_no_next_cursor(open_case: CaseOpener, advocate_x: User) -> None:
    opened(open_case, 3)

    page = case_queue_for(user=advocate_x, filters=QueueFilters(), now=NOW, page_size=3)

    assert (len(page.cases), page.next_cursor) == (3, None)


def test_a_cursor_round_trips_and_a_garbled_one_starts_over(
    open_case: CaseOpener, advocate_x: User
) -> None:
    case = open_case()

    assert decode_cursor(encode_cursor(case)) == (case.received_at, case.pk)
    assert decode_cursor("%%%not-base64") is None
    assert decode_cursor("bm9waXBl") is None  # "nopipe"
    assert queue(advocate_x, cursor="%%%") == [case]


def test_a_page_is_audited_with_the_ids_it_showed(open_case: CaseOpener, executive: User) -> None:
    cases = opened(open_case, 3)

    queue(executive, page_size=2)

    event = AuditEvent.objects.get(event_type="case.listed")
    assert event.detail == {"case_ids": [cases[2].pk, cases[1].pk]}


# --- filters -------------------------------------------------------------------------------


def test_it_filters_by_status_kind_and_unit(
    open_case: CaseOpener, advocate_x: User, unit_b: Unit
) -> None:
    grievance = open_case()
    complaint = open_case(kind=Kind.COMPLAINT)
    on_b = open_case(unit=unit_b)
    case_move(actor=advocate_x, case=grievance, status=Status.INVESTIGATING, now=NOW)

    assert queue(advocate_x, status=Status.INVESTIGATING) == [grievance]
    assert queue(advocate_x, kind=Kind.COMPLAINT) == [complaint]
    assert queue(advocate_x, unit_id=unit_b.pk) == [on_b]


def test_it_filters_by_staff_involved_once_per_case(
    open_case: CaseOpener, advocate_x: User, nurse_a: Person, nurse_b: Person
) -> None:
    both = open_case(staff_involved=(nurse_a, nurse_b))
    open_case(staff_involved=(nurse_b,))
    open_case()

    assert queue(advocate_x, staff_id=nurse_a.pk) == [both]
    assert len(queue(advocate_x, staff_id=nurse_b.pk)) == 2


def test_it_filters_by_clock_state(open_case: CaseOpener, advocate_x: User) -> None:
    overdue = open_case(now=NOW - timedelta(days=9))  # 7-day clocks due, not yet swept
    swept = open_case(now=NOW - timedelta(days=12))
    clocks_sweep(now=NOW - timedelta(days=1))
    at_risk = open_case(now=NOW - timedelta(days=6))  # 7-day clocks past 75 %
    fresh = open_case(now=NOW - timedelta(hours=1))
    for case in (at_risk, fresh):  # meet the next-working-day acknowledgement clock
        case_acknowledge(actor=advocate_x, case=case, channel="phone", now=case.received_at)

    assert {c.pk for c in queue(advocate_x, clock_state="breached")} == {overdue.pk, swept.pk}
    assert [c.pk for c in queue(advocate_x, clock_state="at_risk")] == [at_risk.pk]
    assert fresh in queue(advocate_x, clock_state="running")
    assert clock_of(swept, "written_response").status == "running"
    swept.refresh_from_db()
    assert swept.clock_breached_at == NOW - timedelta(days=1)  # flagged by the sweeper


def test_it_filters_by_the_date_received(open_case: CaseOpener, advocate_x: User) -> None:
    early, middle, late = (open_case(now=RECEIVED_AT + timedelta(days=d)) for d in (0, 3, 6))

    in_range = queue(advocate_x, received_from=date(2026, 3, 4), received_to=date(2026, 3, 6))

    assert in_range == [middle]
    assert queue(advocate_x, received_from=date(2026, 3, 8)) == [late]
    assert queue(advocate_x, received_to=date(2026, 3, 2)) == [early]


def test_it_searches_the_narrative_and_the_reference(
    open_case: CaseOpener, advocate_x: User
) -> None:
    soup = open_case(narrative="The soup was cold and the tray came late.")
    bell = open_case(narrative="Nobody answered the call bell overnight.")

    assert queue(advocate_x, query="soup") == [soup]
    assert queue(advocate_x, query=bell.reference) == [bell]
    assert queue(advocate_x, query="  bell ") == [bell]
    assert queue(advocate_x, query="helicopter") == []


def test_mine_shows_only_open_cases_the_user_owns(open_case: CaseOpener, advocate_x: User) -> None:
    owned, closed_one, _other = opened(open_case, 3, kind=Kind.COMPLAINT)
    for case in (owned, closed_one):
        case_assign(actor=advocate_x, case=case, owner=advocate_x, now=NOW)
    case_move(actor=advocate_x, case=closed_one, status=Status.RESOLVED, now=NOW)

    assert queue(advocate_x, mine=True, open_only=True) == [owned]


def test_filters_never_widen_the_scope(
    open_case: CaseOpener, frontline_a: User, unit_b: Unit
) -> None:
    open_case(unit=unit_b)

    assert queue(frontline_a, unit_id=unit_b.pk) == []


# --- query counts --------------------------------------------------------------------------


def test_the_queue_costs_the_same_queries_for_10_or_50_cases(
    open_case: CaseOpener,
    advocate_x: User,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    opened(open_case, 55)
    first, second = (User.objects.get(pk=advocate_x.pk) for _ in range(2))  # cold caches
    with CaptureQueriesContext(connection) as small:
        assert len(queue(first, page_size=10)) == 10

    with django_assert_num_queries(len(small.captured_queries)):
        assert len(queue(second, page_size=50)) == 50


def test_the_queue_page_costs_the_same_queries_for_10_or_50_rows(
    open_case: CaseOpener,
    advocate_x: User,
    client: Client,
    nurse_a: Person,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(advocate_x)
    for case in opened(open_case, 10, staff_involved=(nurse_a,)):
        case_assign(actor=advocate_x, case=case, owner=advocate_x, now=NOW)
    client.get(reverse("web:queue"))  # the session and user are loaded once per request anyway
    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse("web:queue")).status_code == 200
    for case in opened(open_case, 40, staff_involved=(nurse_a,)):
        case_assign(actor=advocate_x, case=case, owner=advocate_x, now=NOW)

    with django_assert_num_queries(len(ten.captured_queries)):
        response = client.get(reverse("web:queue"))

    assert response.text.count('<td class="ref">') == 50


def test_an_overdue_clock_not_yet_swept_counts_as_breached(
    open_case: CaseOpener, advocate_x: User
) -> None:
    overdue = open_case(now=NOW - timedelta(days=9))

    assert overdue.clock_breached_at is None
    assert [c.pk for c in queue(advocate_x, clock_state="breached")] == [overdue.pk]
