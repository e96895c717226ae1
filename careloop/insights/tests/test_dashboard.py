"""The facility dashboard: monthly counts (M13), rates against exposure, scope and audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Channel, Kind
from careloop.conftest import CaseOpener
from careloop.insights.models import Exposure, Measure
from careloop.insights.selectors import Period, complaints_by_month, period_default
from careloop.orgs.models import Facility, Unit, User

# Friday 10 April 2026 in Chicago: the last complete month is March 2026.
NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def month_of_cases(
    open_case: CaseOpener, facility_y: Facility, unit_a: Unit, unit_b: Unit, unit_c: Unit
) -> None:
    """March: two grievances and a complaint; February: one complaint filed at 23:30 on the
    28th in Chicago (already 1 March in UTC); a compliment and another facility's grievance
    that the complaint count leaves out."""
    open_case(now=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    open_case(unit=unit_b, now=datetime(2026, 3, 20, 15, 0, tzinfo=UTC), channel=Channel.EMAIL)
    open_case(kind=Kind.COMPLAINT, now=datetime(2026, 3, 31, 22, 0, tzinfo=UTC))
    open_case(kind=Kind.COMPLAINT, now=datetime(2026, 3, 1, 5, 30, tzinfo=UTC))
    open_case(kind=Kind.COMPLIMENT, now=datetime(2026, 3, 5, 15, 0, tzinfo=UTC))
    open_case(unit=unit_c, now=datetime(2026, 3, 5, 15, 0, tzinfo=UTC))


def exposure(unit: Unit, month_on: date, value: int, measure: str = Measure.PATIENT_DAYS) -> None:
    Exposure.objects.create(
        organization_id=unit.facility.organization_id,
        unit=unit,
        measure=measure,
        period_start_on=month_on,
        period_end_on=month_on.replace(day=28),
        value=value,
        updated_at=NOW,
    )


def test_the_default_period_is_the_last_twelve_complete_local_months(facility_x: Facility) -> None:
    # 03:00 UTC on 1 April is still 31 March in Chicago: March is not complete yet.
    period = period_default(facility=facility_x, now=datetime(2026, 4, 1, 3, 0, tzinfo=UTC))
    assert (period.first_on, period.last_on) == (date(2025, 3, 1), date(2026, 2, 1))
    assert len(period.months) == 12


def test_it_counts_each_complaint_once_by_local_month(
    facility_x: Facility, month_of_cases: None
) -> None:
    period = Period(first_on=date(2026, 1, 1), last_on=date(2026, 3, 1))
    assert complaints_by_month(facility=facility_x, period=period) == {
        date(2026, 1, 1): 0,
        date(2026, 2, 1): 1,
        date(2026, 3, 1): 3,
    }


def test_the_dashboard_shows_rates_and_marks_months_without_exposure_missing(
    client: Client,
    frozen: None,
    admin: User,
    facility_x: Facility,
    unit_a: Unit,
    unit_b: Unit,
    month_of_cases: None,
) -> None:
    exposure(unit_a, date(2026, 3, 1), 1200)
    exposure(unit_b, date(2026, 3, 1), 300)
    exposure(unit_a, date(2026, 2, 1), 1000)
    exposure(unit_a, date(2026, 2, 1), 999, measure=Measure.VISITS)  # not the hospital measure
    client.force_login(admin)
    response = client.get(reverse("insights:facility", args=[facility_x.pk]))
    assert response.status_code == 200
    rows = {r.month_on: r for r in response.context["rows"]}
    assert len(rows) == 12
    assert (rows[date(2026, 3, 1)].complaints, rows[date(2026, 3, 1)].exposure) == (3, 1500)
    assert rows[date(2026, 3, 1)].rate == pytest.approx(2.0)
    assert rows[date(2026, 2, 1)].rate == pytest.approx(1.0)
    assert rows[date(2026, 1, 1)].exposure is None
    assert rows[date(2026, 1, 1)].rate is None
    assert rows[date(2026, 3, 1)].cl == pytest.approx(4 / 2500 * 1000)
    assert response.context["total_complaints"] == 4
    assert dict(response.context["by_kind"]) == {"Grievance": 2, "Complaint": 2, "Compliment": 1}
    assert dict(response.context["by_channel"]) == {"Phone": 4, "Email": 1}
    body = response.content.decode()
    assert "<svg" in body
    assert body.count('class="point') == 2
    assert "missing" in body


def test_reading_the_dashboard_is_audited_without_client_data(
    client: Client, frozen: None, advocate_x: User, facility_x: Facility
) -> None:
    client.force_login(advocate_x)
    client.get(reverse("insights:facility", args=[facility_x.pk]) + "?start=2026-01&end=2026-03")
    event = AuditEvent.objects.get(event_type="insights.viewed")
    assert (event.action, event.object_type, event.object_id) == (
        "R",
        "facility",
        str(facility_x.pk),
    )
    assert event.detail == {"from": "2026-01", "to": "2026-03"}
    assert event.case_id is None


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("executive", 200),
        ("advocate_x", 200),
        ("frontline_a", 404),  # one unit's view: the facility-wide figures are out of scope
        ("manager_a", 404),
        ("advocate_y", 404),
        ("outsider", 404),
    ],
)
def test_only_users_who_see_the_whole_facility_may_open_its_dashboard(
    client: Client,
    frozen: None,
    personas: dict[str, User],
    facility_x: Facility,
    persona: str,
    status: int,
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("insights:facility", args=[facility_x.pk]))
    assert response.status_code == status
    assert AuditEvent.objects.filter(event_type="insights.viewed").count() == (status == 200)


def test_the_dashboard_refuses_post_and_bad_periods_fall_back_to_the_default(
    client: Client, frozen: None, admin: User, facility_x: Facility
) -> None:
    client.force_login(admin)
    url = reverse("insights:facility", args=[facility_x.pk])
    assert client.post(url).status_code == 405
    response = client.get(url + "?start=2026-05&end=2026-01")
    assert response.status_code == 200
    assert response.context["period"].last_on == date(2026, 3, 1)
    assert "must not be after" in response.content.decode()


def test_the_index_lists_facilities_in_scope_and_the_nav_links_it(
    client: Client, advocate_x: User, frontline_a: User, facility_x: Facility, facility_y: Facility
) -> None:
    client.force_login(advocate_x)
    response = client.get(reverse("insights:index"))
    assert [f.name for f in response.context["facilities"]] == ["Riverside General"]
    assert 'href="/insights/">Insights</a>' in response.content.decode()
    client.force_login(frontline_a)
    assert 'href="/insights/">Insights</a>' not in client.get(reverse("web:queue")).content.decode()
