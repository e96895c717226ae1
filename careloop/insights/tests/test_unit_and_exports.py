"""M13 counting on the dashboard, the unit dashboard, chart-table exports and the US
grievance log: scope per persona, formula defusing, narratives only where allowed, audit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, Kind, ReporterType
from careloop.conftest import NARRATIVE, CaseOpener
from careloop.insights.exports import csv_cell
from careloop.insights.models import Exposure, Measure
from careloop.insights.selectors import (
    Period,
    complaints_by_month,
    counted_complaints_by_month,
)
from careloop.orgs.models import Facility, Unit, User

NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
MARCH = "?start=2026-03&end=2026-03"


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def coded(case: Case, **severities: int) -> Case:
    Case.objects.filter(pk=case.pk).update(**severities)
    return case


@pytest.fixture
def repeats(open_case: CaseOpener, unit_a: Unit, unit_b: Unit) -> list[Case]:
    """Ann complains about quality three times in March on unit A (once, as a repeat, by phone
    only and in capitals); once about communication; an anonymous grievance twice; one on
    unit B from Bob."""
    ann: dict[str, Any] = {"reporter_email": "ann@example.org"}
    return [
        coded(open_case(now=datetime(2026, 3, 2, 15, tzinfo=UTC), **ann), sev_quality=2),
        coded(
            open_case(now=datetime(2026, 3, 9, 15, tzinfo=UTC), reporter_email="ANN@example.org"),
            sev_quality=3,
        ),
        coded(
            open_case(now=datetime(2026, 3, 10, 15, tzinfo=UTC), **ann),
            sev_quality=1,
            sev_communication=3,
        ),
        coded(
            open_case(
                now=datetime(2026, 3, 11, 15, tzinfo=UTC), reporter_type=ReporterType.ANONYMOUS
            ),
            sev_quality=2,
        ),
        coded(
            open_case(
                now=datetime(2026, 3, 12, 15, tzinfo=UTC), reporter_type=ReporterType.ANONYMOUS
            ),
            sev_quality=2,
        ),
        coded(
            open_case(
                unit=unit_b,
                now=datetime(2026, 3, 13, 15, tzinfo=UTC),
                reporter_email="bob@example.org",
            ),
            sev_quality=2,
        ),
    ]


def test_repeats_count_once_beside_the_raw_case_count(
    facility_x: Facility, unit_a: Unit, repeats: list[Case]
) -> None:
    period = Period(first_on=date(2026, 3, 1), last_on=date(2026, 3, 1))
    assert complaints_by_month(facility=facility_x, period=period) == {date(2026, 3, 1): 6}
    assert counted_complaints_by_month(facility=facility_x, period=period) == {date(2026, 3, 1): 5}
    assert counted_complaints_by_month(facility=facility_x, period=period, unit=unit_a) == {
        date(2026, 3, 1): 4
    }


def test_a_repeat_of_a_complaint_counted_last_period_is_not_counted_again(
    facility_x: Facility, repeats: list[Case]
) -> None:
    april = Period(first_on=date(2026, 4, 1), last_on=date(2026, 4, 1))
    Case.objects.filter(pk=repeats[1].pk).update(received_at=datetime(2026, 4, 2, 15, tzinfo=UTC))
    assert complaints_by_month(facility=facility_x, period=april) == {date(2026, 4, 1): 1}
    assert counted_complaints_by_month(facility=facility_x, period=april) == {date(2026, 4, 1): 0}


def test_the_facility_dashboard_shows_counted_and_raw_side_by_side(
    client: Client, frozen: None, admin: User, facility_x: Facility, repeats: list[Case]
) -> None:
    client.force_login(admin)
    response = client.get(reverse("insights:facility", args=[facility_x.pk]) + MARCH)
    assert (response.context["total_complaints"], response.context["total_cases"]) == (5, 6)
    assert "complaints (counted once per person and issue)" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("executive", 200),
        ("advocate_x", 200),
        ("frontline_a", 200),
        ("manager_a", 200),
        ("advocate_y", 404),
        ("outsider", 404),
    ],
)
def test_the_unit_dashboard_is_open_to_everyone_whose_scope_covers_the_unit(
    client: Client,
    frozen: None,
    personas: dict[str, User],
    unit_a: Unit,
    persona: str,
    status: int,
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("insights:unit", args=[unit_a.pk]))
    assert response.status_code == status
    events = AuditEvent.objects.filter(event_type="insights.viewed", object_type="unit")
    assert events.count() == (status == 200)


def test_the_unit_dashboard_uses_the_units_cases_and_exposure(
    client: Client,
    frozen: None,
    manager_a: User,
    unit_a: Unit,
    unit_b: Unit,
    repeats: list[Case],
) -> None:
    for unit, value in ((unit_a, 2000), (unit_b, 500)):
        Exposure.objects.create(
            organization_id=unit.facility.organization_id,
            unit=unit,
            measure=Measure.PATIENT_DAYS,
            period_start_on=date(2026, 3, 1),
            period_end_on=date(2026, 3, 31),
            value=value,
            updated_at=NOW,
        )
    client.force_login(manager_a)
    response = client.get(reverse("insights:unit", args=[unit_a.pk]) + MARCH)
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert (row.complaints, row.cases, row.exposure) == (4, 5, 2000)
    assert row.rate == pytest.approx(2.0)
    assert dict(response.context["by_kind"]) == {"Grievance": 5}
    assert "<svg" in response.content.decode()
    assert response.context["facility_page"] is False
    index = client.get(reverse("insights:index"))
    assert [u.name for u in index.context["units"]] == [unit_a.name]


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


@pytest.mark.parametrize("table", ["rates", "kinds", "channels", "categories", "funnel"])
def test_each_chart_table_exports_as_csv_audited(
    client: Client, frozen: None, advocate_x: User, facility_x: Facility, table: str
) -> None:
    client.force_login(advocate_x)
    url = reverse("insights:facility_export", args=[facility_x.pk, table]) + MARCH
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *_ = rows_of(response.content)
    event = AuditEvent.objects.get(event_type="insights.exported")
    assert (event.action, event.object_type, event.detail["table"]) == ("X", "facility", table)
    assert event.fields == header


def test_unit_exports_are_scoped_and_have_no_funnel(
    client: Client,
    frozen: None,
    frontline_a: User,
    advocate_y: User,
    unit_a: Unit,
    repeats: list[Case],
) -> None:
    client.force_login(frontline_a)
    url = reverse("insights:unit_export", args=[unit_a.pk, "rates"]) + MARCH
    header, row = rows_of(client.get(url).content)
    assert header[:3] == ["month", "complaints_counted_once", "cases"]
    assert row[:3] == ["2026-03", "4", "5"]
    assert client.get(reverse("insights:unit_export", args=[unit_a.pk, "funnel"])).status_code == (
        404
    )
    assert client.get(reverse("insights:unit_export", args=[unit_a.pk, "nope"])).status_code == 404
    client.force_login(advocate_y)
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(event_type="insights.exported").count() == 1


@pytest.fixture
def grievances(open_case: CaseOpener, facility_x: Facility) -> list[Case]:
    first = open_case(now=datetime(2026, 3, 2, 15, tzinfo=UTC), narrative="=HYPERLINK(1) hurt")
    Case.objects.filter(pk=first.pk).update(
        sev_safety=3,
        confirmed=True,
        acknowledged_at=datetime(2026, 3, 3, 15, tzinfo=UTC),
        resolved_at=datetime(2026, 3, 6, 15, tzinfo=UTC),
    )
    second = open_case(now=datetime(2026, 3, 20, 15, tzinfo=UTC))
    open_case(kind=Kind.COMPLAINT, now=datetime(2026, 3, 21, 15, tzinfo=UTC))  # not a grievance
    open_case(now=datetime(2026, 2, 20, 15, tzinfo=UTC))  # outside the period
    return [first, second]


@pytest.mark.parametrize(
    ("persona", "status", "narrative"),
    [
        ("admin", 200, True),
        ("advocate_x", 200, True),
        ("executive", 200, False),
        ("frontline_a", 404, False),
        ("manager_a", 404, False),
        ("advocate_y", 404, False),
        ("outsider", 404, False),
    ],
)
def test_the_grievance_log_is_scoped_and_carries_narratives_only_for_advocates_and_admins(
    client: Client,
    frozen: None,
    personas: dict[str, User],
    facility_x: Facility,
    grievances: list[Case],
    persona: str,
    status: int,
    narrative: bool,
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("insights:grievance_log", args=[facility_x.pk]) + MARCH)
    assert response.status_code == status
    if status != 200:
        assert not AuditEvent.objects.filter(event_type="insights.exported").exists()
        return
    header, first, second = rows_of(response.content)
    row = dict(zip(header, first, strict=True))
    assert row["reference"] == grievances[0].reference
    assert (row["date_received"], row["date_acknowledged"], row["date_resolved"]) == (
        "2026-03-02",
        "2026-03-03",
        "2026-03-06",
    )
    assert (row["category"], row["confirmed"]) == ("Safety (high)", "confirmed")
    assert dict(zip(header, second, strict=True))["confirmed"] == ""
    assert ("narrative" in header) is narrative
    body = response.content.decode()
    assert ("'=HYPERLINK(1) hurt" in body) is narrative
    assert "=HYPERLINK" not in body.replace("'=HYPERLINK", "")
    assert NARRATIVE not in body or narrative
    event = AuditEvent.objects.get(event_type="insights.exported")
    assert (event.detail["table"], event.detail["rows"]) == ("grievance_log", 2)
    assert ("narrative" in event.fields) is narrative


def test_csv_cells_are_defused_and_times_localized() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    assert csv_cell("=1+1", zone) == "'=1+1"
    assert csv_cell("@SUM(A1)", zone) == "'@SUM(A1)"
    assert csv_cell("4 West", zone) == "4 West"
    assert csv_cell(None, zone) == ""
    assert csv_cell(datetime(2026, 3, 1, 5, 30, tzinfo=UTC), zone) == "2026-02-28 23:30"
