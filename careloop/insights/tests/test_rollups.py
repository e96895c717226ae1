"""Rollups behind the dashboards: they give the live figures, are refreshed by the sweep
(recent months often, all months daily) and say how fresh they are; confirmed duplicate and
repeat links count once; survey top-box trends per month with n and suppression."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careloop.cases.models import Case, Channel, Kind, ReporterType
from careloop.conftest import CaseOpener
from careloop.insights import queries, rollups, selectors
from careloop.insights.counting import CaseFacts, counted_issues, counting_groups
from careloop.insights.models import RollupState
from careloop.insights.selectors import Period
from careloop.insights.survey_trends import survey_trends
from careloop.orgs.models import Facility, Unit, User
from careloop.surveys.models import Instrument
from careloop.surveys.services import response_submit
from careloop.surveys.tests.conftest import InstrumentMaker, Inviter
from careloop.text.models import CaseLink, LinkKind

NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
Q1 = Period(first_on=date(2026, 1, 1), last_on=date(2026, 3, 1))
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
QUALITY = {"sev_quality": 2, "sev_communication": 1}
OTHER = {"sev_quality": 0, "sev_communication": 3}


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def fact(case_id: int, days: int, person: str | None, severities: dict[str, int]) -> CaseFacts:
    return CaseFacts(
        case_id=case_id, received_at=T0 + timedelta(days=days), person=person, severities=severities
    )


def test_a_confirmed_link_joins_the_earliest_case_whatever_the_person_or_window() -> None:
    facts = [
        fact(1, 0, "email:ann@b.org", QUALITY),
        fact(2, 200, None, OTHER),  # anonymous, another issue, outside the window
        fact(3, 201, "email:bob@b.org", QUALITY),
    ]
    assert [g.case_ids for g in counting_groups(facts)] == [[1], [2], [3]]
    assert [g.case_ids for g in counting_groups(facts, links=[(2, 1), (3, 2)])] == [[1, 2, 3]]
    # a link to a case outside the facts read is ignored
    assert [g.case_ids for g in counting_groups(facts, links=[(3, 99)])] == [[1], [2], [3]]


def test_the_issue_level_count_counts_each_category_once_per_person_in_the_window() -> None:
    facts = [
        fact(1, 0, "email:ann@b.org", QUALITY),  # two issues
        fact(2, 10, "email:ann@b.org", {"sev_quality": 1, "sev_respect": 2}),  # respect is new
        fact(3, 20, None, QUALITY),  # anonymous: both count
        fact(4, 21, "email:ann@b.org", {}),  # uncoded: one issue
        fact(5, 100, "email:ann@b.org", QUALITY),  # window over: both count again
    ]
    issues = [(f.case_id, issue) for f, issue in counted_issues(facts)]
    assert issues == [
        (1, "sev_quality"),
        (1, "sev_communication"),
        (2, "sev_respect"),
        (3, "sev_quality"),
        (3, "sev_communication"),
        (4, None),
        (5, "sev_quality"),
        (5, "sev_communication"),
    ]
    # a duplicate linked to case 3 raises its issues as case 3's: nothing new
    linked = [fact(6, 22, "email:zed@b.org", QUALITY), fact(7, 23, None, {})]
    more = counted_issues([*facts, *linked], links=[(6, 3), (7, 3)])
    assert [f.case_id for f, _ in more if f.case_id in (6, 7)] == []


def _coded(case: Case, **fields: Any) -> Case:
    Case.objects.filter(pk=case.pk).update(**fields)
    return case


@pytest.fixture
def quarter(open_case: CaseOpener, unit_a: Unit, unit_b: Unit, facility_x: Facility) -> list[Case]:
    """Cases of every kind and channel over the first quarter, some acknowledged and resolved,
    repeats from one person, one without a unit."""
    ann = "ann@example.org"
    cases = [
        _coded(
            open_case(now=datetime(2026, 1, 6, 15, tzinfo=UTC), reporter_email=ann),
            sev_quality=2,
            acknowledged_at=datetime(2026, 1, 6, 19, tzinfo=UTC),
            resolved_at=datetime(2026, 1, 20, 15, tzinfo=UTC),
        ),
        _coded(
            open_case(now=datetime(2026, 1, 26, 15, tzinfo=UTC), reporter_email=ann),
            sev_quality=3,
            acknowledged_at=datetime(2026, 2, 1, 15, tzinfo=UTC),
        ),
        _coded(
            open_case(
                kind=Kind.COMPLAINT,
                unit=unit_b,
                channel=Channel.EMAIL,
                now=datetime(2026, 2, 3, 15, tzinfo=UTC),
            ),
            sev_respect=1,
            acknowledged_at=datetime(2026, 2, 3, 16, tzinfo=UTC),
            resolved_at=datetime(2026, 3, 3, 16, tzinfo=UTC),
        ),
        open_case(
            kind=Kind.COMPLIMENT,
            facility=facility_x,
            now=datetime(2026, 3, 31, 23, tzinfo=UTC),  # 18:00 in Chicago
        ),
        open_case(reporter_type=ReporterType.ANONYMOUS, now=datetime(2026, 3, 9, 15, tzinfo=UTC)),
    ]
    return cases


@pytest.mark.parametrize("where", ["facility", "unit"])
def test_the_rollups_give_the_live_figures(
    frozen: None, facility_x: Facility, unit_a: Unit, quarter: list[Case], where: str
) -> None:
    unit = unit_a if where == "unit" else None
    rollups.rollup_ensure(facility=facility_x, now=NOW)
    rates = rollups.rates_read(facility=facility_x, period=Q1, unit=unit)
    live = selectors.complaint_counts_by_month(facility=facility_x, period=Q1, unit=unit)
    assert rates.counted == live.counted
    assert rates.issues == live.issues
    assert rates.cases == selectors.complaints_by_month(facility=facility_x, period=Q1, unit=unit)
    assert rollups.volumes_read(facility=facility_x, period=Q1, unit=unit) == selectors.volumes(
        facility=facility_x, period=Q1, unit=unit
    )
    kwargs: dict[str, Any] = {
        "organization": facility_x.organization,
        "facilities": [facility_x],
        "period": Q1,
        "whole": False,
        "unit": unit,
    }
    assert queries.figures_for(**kwargs, rolled=True) == queries.figures_for(**kwargs)
    if unit is None:
        assert sum(rates.counted.values()) == 3  # Ann's repeat counts once
        assert rollups.unit_complaints_read(facility=facility_x, period=Q1) == {
            unit_a.pk: 3,
            quarter[2].unit_id: 1,
        }


def test_the_sweep_refreshes_recent_months_and_the_page_says_how_fresh(
    client: Client,
    open_case: CaseOpener,
    facility_x: Facility,
    advocate_x: User,
    quarter: list[Case],
) -> None:
    april = Period(first_on=date(2026, 3, 1), last_on=date(2026, 4, 1))
    with time_machine.travel(NOW, tick=False):
        assert rollups.rollups_refresh(now=NOW) > 0  # first build: everything
        state = RollupState.objects.get(facility=facility_x)
        assert (state.full_at, state.refreshed_at) == (NOW, NOW)
        open_case(now=NOW - timedelta(hours=1))
        assert rollups.rates_read(facility=facility_x, period=april).cases[date(2026, 4, 1)] == 0
        client.force_login(advocate_x)
        page = client.get(reverse("insights:facility", args=[facility_x.pk])).content.decode()
        assert "as of 2026-04-10 15:00 UTC" in page
    later = NOW + rollups.REFRESH_EVERY
    assert rollups.rollups_refresh(now=later - timedelta(seconds=1)) == 0  # not due yet
    assert rollups.rollups_refresh(now=later) > 0
    assert rollups.rates_read(facility=facility_x, period=april).cases[date(2026, 4, 1)] == 1
    state.refresh_from_db()
    assert (state.refreshed_at, state.recent_from_on, state.full_at) == (
        later,
        date(2026, 3, 1),
        NOW,
    )
    # an old case recoded: its month is rebuilt at the next full rebuild
    Case.objects.filter(pk=quarter[2].pk).update(sev_safety=3)
    january_to_march = rollups.case_figures_read(facilities=[facility_x], period=Q1)
    assert dict(january_to_march.categories)["Safety"] == 0
    rollups.rollups_refresh(now=NOW + rollups.FULL_EVERY)
    january_to_march = rollups.case_figures_read(facilities=[facility_x], period=Q1)
    assert dict(january_to_march.categories)["Safety"] == 1


def test_a_confirmed_duplicate_counts_once_on_the_dashboard(
    frozen: None, open_case: CaseOpener, facility_x: Facility, admin: User
) -> None:
    first = _coded(open_case(now=datetime(2026, 3, 2, 15, tzinfo=UTC)), sev_quality=2)
    second = _coded(
        open_case(reporter_type=ReporterType.ANONYMOUS, now=datetime(2026, 3, 3, 15, tzinfo=UTC)),
        sev_safety=2,
    )
    march = Period(first_on=date(2026, 3, 1), last_on=date(2026, 3, 1))
    rollups.rollup_ensure(facility=facility_x, now=NOW)
    assert rollups.rates_read(facility=facility_x, period=march).counted[date(2026, 3, 1)] == 2
    CaseLink.objects.create(
        from_case=second,
        to_case=first,
        kind=LinkKind.DUPLICATE,
        confirmed_by=admin,
        confirmed_at=NOW,
    )
    live = selectors.complaint_counts_by_month(facility=facility_x, period=march)
    assert live.counted[date(2026, 3, 1)] == 1
    assert live.issues[date(2026, 3, 1)] == 1
    rollups.rollups_refresh(now=NOW, full=True)
    rates = rollups.rates_read(facility=facility_x, period=march)
    assert (rates.counted[date(2026, 3, 1)], rates.cases[date(2026, 3, 1)]) == (1, 2)


# --- survey top-box trends -----------------------------------------------------------------


def _answers(invite: Inviter, instrument: Instrument, values: list[str], at: datetime) -> None:
    for value in values:
        invitation, _ = invite(instrument, at=at)
        response_submit(invitation=invitation, raw={"item_1": value}, now=at)


def test_survey_top_box_trends_per_month_with_n_and_suppression(
    client: Client,
    frozen: None,
    make_instrument: InstrumentMaker,
    invite: Inviter,
    facility_x: Facility,
    unit_a: Unit,
    advocate_x: User,
) -> None:
    instrument = make_instrument("csat_post_resolution")
    Instrument.objects.filter(pk=instrument.pk).update(minimum_n=5)
    _answers(invite, instrument, ["5", "5", "4", "3", "5"], datetime(2026, 1, 15, 18, tzinfo=UTC))
    _answers(invite, instrument, ["5", "4"], datetime(2026, 2, 10, 18, tzinfo=UTC))
    rollups.rollup_ensure(facility=facility_x, now=NOW)
    trends = survey_trends(facility=facility_x, period=Q1)
    assert len(trends) == 1
    points = [(p.month_on, p.n, p.top) for p in trends[0].points]
    assert [(m, n) for m, n, _ in points] == [
        (date(2026, 1, 1), 5),
        (date(2026, 2, 1), 2),
        (date(2026, 3, 1), 0),
    ]
    assert str(points[0][2]) == "80.0"  # 4 of 5 in the top box (4 or 5)
    assert points[1][2] is None  # 2 answers: below the minimum of 5
    assert survey_trends(facility=facility_x, period=Q1, unit=unit_a)[0].points[0].n == 5
    client.force_login(advocate_x)
    page = client.get(
        reverse("insights:facility", args=[facility_x.pk]) + "?start=2026-01&end=2026-03"
    ).content.decode()
    assert "Survey top-box trends" in page
    assert "80.0 %" in page
    assert "too few" in page


def test_a_facility_claimed_by_another_sweeper_is_not_rebuilt_twice(
    frozen: None, facility_x: Facility, quarter: list[Case]
) -> None:
    rollups.rollups_refresh(now=NOW)
    state = RollupState.objects.get(facility=facility_x)
    later = NOW + rollups.REFRESH_EVERY
    RollupState.objects.filter(pk=state.pk).update(claimed_at=later)  # another sweeper
    assert rollups.rollups_refresh(now=later) == 0
    stale_claim = later + rollups.CLAIM_FOR + timedelta(seconds=1)
    assert rollups.rollups_refresh(now=stale_claim) > 0
    state.refresh_from_db()
    assert (state.refreshed_at, state.claimed_at) == (stale_claim, None)


def test_the_facility_dashboard_reads_a_constant_number_of_queries(
    client: Client,
    frozen: None,
    open_case: CaseOpener,
    facility_x: Facility,
    admin: User,
    quarter: list[Case],
) -> None:
    url = reverse("insights:facility", args=[facility_x.pk]) + "?start=2026-01&end=2026-03"
    client.force_login(admin)
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for day in range(1, 11):
        open_case(now=datetime(2026, 2, day, 15, tzinfo=UTC), reporter_email=f"p{day}@x.org")
    rollups.rollups_refresh(now=NOW, full=True)
    assert queries() == before


def test_the_sweep_queues_one_rebuild_per_due_facility_and_the_task_runs_it(
    settings: Any, frozen: None, facility_x: Facility, quarter: list[Case]
) -> None:
    from careloop.insights.alerts import insights_sweep_summary

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    summary = insights_sweep_summary()
    assert summary.startswith("1 rollup rebuilds queued")
    assert insights_sweep_summary() == ""  # claimed: a second sweeper queues nothing
    (queued,) = default_task_backend.results  # type: ignore[attr-defined]  # dummy backend
    assert queued.kwargs == {"facility_id": facility_x.pk, "full": True}
    state = RollupState.objects.get(facility=facility_x)
    assert (state.full_at, state.claimed_at) == (None, NOW)
    from careloop.insights.tasks import rollup_refresh_task

    assert rollup_refresh_task.call(facility_id=facility_x.pk, full=True) > 0
    state.refresh_from_db()
    assert (state.full_at, state.claimed_at) == (NOW, None)
