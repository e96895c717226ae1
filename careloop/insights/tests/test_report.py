"""The monthly facility report as PDF: headline figures for the month and the 12 months before,
the u-chart drawn natively, hotspots; no client text; scoped and audited like an export."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from reportlab.graphics.shapes import Polygon

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CorrectiveAction
from careloop.conftest import CaseOpener
from careloop.core.demo import demo_create
from careloop.insights.dashboard import complaint_rate_chart
from careloop.insights.models import Exposure, Measure
from careloop.insights.report import monthly_report
from careloop.insights.report_pdf import chart_drawing, plain, report_pdf
from careloop.insights.services import exposure_import_csv
from careloop.orgs.models import Facility, Unit, User

NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
SECRET = "Zebra marmalade spilled on the ward, said Mrs Quibbleworth"
REPORT_COPY_ENV = "CARELOOP_REPORT_COPY"  # a file path: the demo's report is copied there


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def exposure(unit: Unit, month_on: date, value: int) -> None:
    Exposure.objects.create(
        organization_id=unit.facility.organization_id,
        unit=unit,
        measure=Measure.PATIENT_DAYS,
        period_start_on=month_on,
        period_end_on=month_on.replace(day=28),
        value=value,
        updated_at=NOW,
    )


@pytest.fixture
def month_data(open_case: CaseOpener, unit_a: Unit, unit_b: Unit) -> list[Case]:
    """March 2026: Ann twice on the same issue (counted once) and Bob on unit B, 2,500 patient
    days; January 2026: one complaint, 1,000 patient days. Every narrative is the secret."""
    ann: dict[str, Any] = {"reporter_email": "ann@example.org", "narrative": SECRET}
    cases = [
        open_case(now=datetime(2026, 3, 2, 15, tzinfo=UTC), **ann),
        open_case(now=datetime(2026, 3, 9, 15, tzinfo=UTC), **ann),
        open_case(
            unit=unit_b,
            now=datetime(2026, 3, 13, 15, tzinfo=UTC),
            reporter_email="bob@example.org",
            narrative=SECRET,
        ),
        open_case(now=datetime(2026, 1, 5, 15, tzinfo=UTC), narrative=SECRET),
    ]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(sev_quality=2)
    exposure(unit_a, date(2026, 3, 1), 2000)
    exposure(unit_b, date(2026, 3, 1), 500)
    exposure(unit_a, date(2026, 1, 1), 1000)
    return cases


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_report_holds_the_headline_figures_and_no_client_text(
    frozen: None, facility_x: Facility, month_data: list[Case]
) -> None:
    report = monthly_report(facility=facility_x, month_on=date(2026, 3, 1), now=NOW)
    assert (report.month.counted, report.month.cases, report.month.exposure) == (2, 3, 2500)
    assert report.month.rate == pytest.approx(0.8)
    assert (report.prior.counted, report.prior.cases, report.prior.exposure) == (1, 1, 1000)
    assert report.prior.rate == pytest.approx(1.0)
    assert len(report.rows) == 13
    assert report.generated_on == date(2026, 4, 10)

    content = report_pdf(report)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Monthly complaints report: March 2026" in text
    assert facility_x.name in text
    assert facility_x.organization.name in text
    assert "generated 2026-04-10" in text
    assert "Complaints, counted once per person and issue 2 1" in text
    assert "Complaint and grievance cases 3 1" in text
    assert "Patient days 2,500 1,000" in text
    assert "per 1,000 patient days 0.80 1.00" in text
    assert "2026-03 2 3 2,500 0.80" in text  # the chart's data table
    assert "Hotspots" in text
    for word in ("Zebra", "marmalade", "Quibbleworth", "ann@example.org"):
        assert word not in text
    assert report_pdf(report) == content  # deterministic


def test_signals_are_drawn_as_diamonds() -> None:
    months = [date(2025, m, 1) for m in range(1, 13)]
    complaints = dict.fromkeys(months, 2) | {months[-1]: 30}
    _result, _rows = complaint_rate_chart(
        complaints=complaints, exposure=dict.fromkeys(months, 1000)
    )
    quiet = chart_drawing(
        complaint_rate_chart(
            complaints=dict.fromkeys(months, 2), exposure=dict.fromkeys(months, 1000)
        )[0]
    )
    loud = chart_drawing(_result)

    def diamonds(drawing: object) -> int:
        return sum(isinstance(s, Polygon) for s in getattr(drawing, "contents", []))

    assert diamonds(loud) == diamonds(quiet) + 1  # the legend has one of its own


def test_text_outside_the_font_is_replaced_not_dropped() -> None:
    assert plain("Señora \u4e2d\x00 ok") == "Señora ? ok"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("executive", 200),
        ("advocate_x", 200),
        ("frontline_a", 404),
        ("manager_a", 404),
        ("advocate_y", 404),
        ("outsider", 404),
    ],
)
def test_the_report_is_open_to_who_sees_the_facility_dashboard_and_audited(
    client: Client,
    frozen: None,
    personas: dict[str, User],
    facility_x: Facility,
    persona: str,
    status: int,
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("insights:facility_report", args=[facility_x.pk, "2026-03"]))
    assert response.status_code == status
    events = AuditEvent.objects.filter(event_type="insights.exported")
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        event = events.get()
        assert (event.action, event.detail["table"], event.detail["to"]) == (
            "X",
            "monthly_report",
            "2026-03",
        )
    else:
        assert not events.exists()


def test_a_month_that_does_not_exist_is_a_404(
    client: Client, admin: User, facility_x: Facility
) -> None:
    client.force_login(admin)
    url = f"/insights/facilities/{facility_x.pk}/report-2026-13.pdf"
    assert client.get(url).status_code == 404


def test_the_demo_report_renders(db: None) -> None:
    result = demo_create(now=NOW, cases=20, seed=1)
    facility = Facility.objects.filter(organization=result.organization).order_by("pk").first()
    assert facility is not None
    admin = User.objects.get(username="admin")
    lines = ["unit_code,unit,facility,month,measure,value"]
    for unit in Unit.objects.filter(facility=facility).order_by("pk"):
        for i in range(13):
            month_on = date(2025 + (2 + i) // 12, (2 + i) % 12 + 1, 1)
            lines.append(f"{unit.intake_code},,,{month_on:%Y-%m},patient_days,{900 + 37 * i}")
    imported = exposure_import_csv(
        actor=admin, organization=result.organization, text="\n".join(lines), now=NOW
    )
    assert imported.ok, imported.problems
    content = report_pdf(monthly_report(facility=facility, month_on=date(2026, 3, 1), now=NOW))
    assert len(PdfReader(io.BytesIO(content)).pages) >= 1
    if copy_to := os.environ.get(REPORT_COPY_ENV, ""):
        Path(copy_to).write_bytes(content)


def test_a_unit_outside_the_funnel_limits_is_printed_in_bold() -> None:

    from careloop.insights.funnel import UnitInput, funnel
    from careloop.insights.report_pdf import _fonts, _hotspot_table

    _fonts()  # what report_pdf does before laying anything out

    hot = funnel(
        [
            UnitInput(label="Hot ward", events=60, exposure=10_000),
            *(UnitInput(label=f"Ward {n}", events=10, exposure=10_000) for n in range(5)),
        ]
    )
    assert any(p.outside for p in hot.points)

    class Report:
        hotspots = hot
        measure_label = "Patient days"
        hotspots_period = None

    table = _hotspot_table(Report())  # type: ignore[arg-type]  # only what the table reads
    cells: list[list[Any]] = getattr(table, "_cellvalues")  # noqa: B009  # reportlab keeps it private
    verdicts = [row[-1] for row in cells[1:]]
    assert any(cell.style.name == "cell_bold" for cell in verdicts)


def test_the_report_lists_top_themes_and_the_actions_taken_without_their_words(
    frozen: None, facility_x: Facility, month_data: list[Case]
) -> None:
    Case.objects.filter(pk=month_data[2].pk).update(sev_respect=3)
    CorrectiveAction.objects.create(
        case=month_data[0],
        description=SECRET,
        due_on=date(2026, 3, 20),
        created_at=datetime(2026, 3, 3, 15, tzinfo=UTC),
    )
    CorrectiveAction.objects.create(
        case=month_data[3],
        description=SECRET,
        due_on=date(2026, 2, 1),
        done_on=date(2026, 3, 10),
        created_at=datetime(2026, 1, 6, 15, tzinfo=UTC),
    )
    report = monthly_report(facility=facility_x, month_on=date(2026, 3, 1), now=NOW)
    assert [(t.label, t.month, t.prior) for t in report.themes] == [
        ("Quality", 3, 1),
        ("Respect and patient rights", 1, 0),
    ]
    actions = report.actions
    assert (actions.recorded, actions.completed, actions.overdue) == (1, 1, 1)
    assert [(a.reference, a.due_on, a.done_on) for a in actions.lines] == [
        (month_data[3].reference, date(2026, 2, 1), date(2026, 3, 10)),
        (month_data[0].reference, date(2026, 3, 20), None),
    ]
    assert report.month.issues == 3  # Ann's repeat adds none; Bob raises quality and respect
    text = pdf_text(report_pdf(report))
    assert "Top themes" in text
    assert "Quality 3 75 % 1" in text
    assert "Actions taken" in text
    assert "1 corrective action recorded and 1 completed in March 2026; 1 open past" in text
    assert month_data[0].reference in text
    assert "Issues raised (issue-level count) 3 1" in text
    assert "Zebra" not in text
    assert not actions.more
    assert "Only the first" not in text
