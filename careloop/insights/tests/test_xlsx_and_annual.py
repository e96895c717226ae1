"""XLSX downloads of the dashboard tables and the grievance log (formula defusing, audit), and
the NHS England annual report figures and CQC complaints summary per reporting year."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CorrectiveAction, ExternalReport, Kind, ReportKind
from careloop.conftest import CaseOpener
from careloop.insights.annual import CQC_HEADER, nhs_annual_rows, year_bounds, year_label
from careloop.insights.exports import xlsx_bytes, xlsx_cell
from careloop.orgs.models import Facility, Person, Unit, User

NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
MARCH = "?start=2026-03&end=2026-03"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def sheet_rows(body: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_cells_keep_numbers_and_defuse_formulas() -> None:
    zone = ZoneInfo("America/Chicago")
    assert xlsx_cell(3, zone) == 3
    assert xlsx_cell(2.5, zone) == 2.5
    assert xlsx_cell("=1+1", zone) == "'=1+1"
    assert xlsx_cell("-2", zone) == "'-2"
    assert xlsx_cell("+cmd", zone) == "'+cmd"
    assert xlsx_cell("@SUM(A1)", zone) == "'@SUM(A1)"
    assert xlsx_cell(None, zone) is None
    assert xlsx_cell(datetime(2026, 3, 1, 5, 30, tzinfo=UTC), zone) == "2026-02-28 23:30"
    assert xlsx_cell(date(2026, 3, 1), zone) == "2026-03-01"


def test_an_xlsx_workbook_holds_no_formula_cell() -> None:
    body = xlsx_bytes(
        sheet="rates",
        header=["name", "value"],
        rows=[['=HYPERLINK("http://x")', 4], ["ok", None]],
        zone=ZoneInfo("UTC"),
    )
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["name", "value"],
        ['\'=HYPERLINK("http://x")', 4],
        ["ok", None],
    ]


@pytest.mark.parametrize("table", ["rates", "kinds", "channels", "categories", "funnel"])
def test_each_chart_table_exports_as_xlsx_audited(
    client: Client, frozen: None, advocate_x: User, facility_x: Facility, table: str
) -> None:
    client.force_login(advocate_x)
    url = reverse("insights:facility_export_xlsx", args=[facility_x.pk, table]) + MARCH
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith(f'{table}-2026-03-2026-03.xlsx"')
    header, *_ = sheet_rows(response.content)
    event = AuditEvent.objects.get(event_type="insights.exported")
    assert (event.detail["table"], event.detail["format"]) == (table, "xlsx")
    assert event.fields == header


def test_the_unit_rates_xlsx_carries_counted_raw_and_issue_counts(
    client: Client, frozen: None, frontline_a: User, unit_a: Unit, open_case: CaseOpener
) -> None:
    ann = "ann@example.org"
    first = open_case(now=datetime(2026, 3, 2, 15, tzinfo=UTC), reporter_email=ann)
    second = open_case(now=datetime(2026, 3, 9, 15, tzinfo=UTC), reporter_email=ann)
    Case.objects.filter(pk=first.pk).update(sev_quality=2, sev_communication=1)
    Case.objects.filter(pk=second.pk).update(sev_quality=3, sev_respect=1)
    client.force_login(frontline_a)
    url = reverse("insights:unit_export_xlsx", args=[unit_a.pk, "rates"]) + MARCH
    header, row = sheet_rows(client.get(url).content)
    values = dict(zip(header, row, strict=True))
    # one counted complaint (a repeat on quality), two cases, three issues
    assert (values["complaints_counted_once"], values["cases"], values["issues"]) == (1, 2, 3)


def test_the_grievance_log_xlsx_defuses_narratives(
    client: Client, frozen: None, admin: User, facility_x: Facility, open_case: CaseOpener
) -> None:
    open_case(now=datetime(2026, 3, 2, 15, tzinfo=UTC), narrative="=HYPERLINK(1) hurt")
    client.force_login(admin)
    response = client.get(reverse("insights:grievance_log_xlsx", args=[facility_x.pk]) + MARCH)
    assert response.status_code == 200
    header, row = sheet_rows(response.content)
    assert dict(zip(header, row, strict=True))["narrative"] == "'=HYPERLINK(1) hurt"
    assert AuditEvent.objects.get(event_type="insights.exported").detail["format"] == "xlsx"


def test_an_unknown_export_format_is_not_found(
    client: Client, admin: User, facility_x: Facility
) -> None:
    client.force_login(admin)
    url = f"/insights/facilities/{facility_x.pk}/rates.ods"
    assert client.get(url).status_code == 404


# --- the NHS annual report and the CQC summary ---------------------------------------------


def test_the_reporting_year_runs_from_april_in_local_time(facility_uk: Facility) -> None:
    start, end = year_bounds(facility_uk, 2025)
    assert start == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)  # BST midnight
    assert end == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert year_label(2025) == "2025-26"
    assert year_label(2099) == "2099-00"


@pytest.fixture
def england_year(open_case: CaseOpener, facility_uk: Facility, nurse_a: Person) -> list[Case]:
    """In 2025-26 at Thames Community: an upheld complaint about safety naming a nurse, referred
    to the Ombudsman, with a corrective action done; a not upheld one; one still open; and one
    received before the year and resolved in it."""
    Person.objects.filter(pk=nurse_a.pk).update(facility=facility_uk, unit=None)
    upheld = open_case(
        facility=facility_uk,
        kind=Kind.COMPLAINT,
        now=datetime(2025, 5, 2, 9, tzinfo=UTC),
        resolved_at_time=False,
    )
    not_upheld = open_case(
        facility=facility_uk,
        kind=Kind.COMPLAINT,
        now=datetime(2025, 6, 2, 9, tzinfo=UTC),
        resolved_at_time=False,
    )
    still_open = open_case(
        facility=facility_uk,
        kind=Kind.COMPLAINT,
        now=datetime(2026, 2, 2, 9, tzinfo=UTC),
        resolved_at_time=False,
    )
    earlier = open_case(
        facility=facility_uk,
        kind=Kind.COMPLAINT,
        now=datetime(2025, 3, 2, 9, tzinfo=UTC),
        resolved_at_time=False,
    )
    Case.objects.filter(pk=upheld.pk).update(
        sev_safety=3,
        sev_communication=1,
        confirmed=True,
        resolved_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
    )
    Case.objects.filter(pk=not_upheld.pk).update(
        sev_quality=2, confirmed=False, resolved_at=datetime(2025, 7, 1, 9, tzinfo=UTC)
    )
    Case.objects.filter(pk=earlier.pk).update(
        sev_quality=1, confirmed=True, resolved_at=datetime(2025, 4, 20, 9, tzinfo=UTC)
    )
    upheld.staff_involved.add(nurse_a)
    ExternalReport.objects.create(
        case=upheld,
        kind=ReportKind.OTHER,
        agency="Parliamentary and Health Service Ombudsman",
        recipients="PHSO",
        sent_at=datetime(2025, 8, 1, 9, tzinfo=UTC),
        recorded_at=datetime(2025, 8, 1, 9, tzinfo=UTC),
    )
    CorrectiveAction.objects.create(
        case=upheld,
        description="Retrain",
        done_on=date(2025, 9, 1),
        created_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
    )
    return [upheld, not_upheld, still_open, earlier]


def test_the_nhs_annual_figures_count_received_upheld_ombudsman_subjects_and_actions(
    facility_uk: Facility, england_year: list[Case]
) -> None:
    figures = {
        (s, item): (n, note)
        for s, item, n, note in nhs_annual_rows(facility=facility_uk, year=2025)
    }
    assert figures["summary", "brought forward (open on 1 April)"][0] == 1
    assert figures["summary", "new complaints received"][0] == 3
    assert figures["summary", "resolved in the year"][0] == 3
    assert figures["summary", "carried forward (open on 31 March)"][0] == 1
    assert figures["outcome", "upheld (well-founded)"][0] == 2
    assert figures["outcome", "not upheld"][0] == 1
    assert figures["outcome", "partially upheld"] == ("", "not recorded in Careloop")
    assert figures["ombudsman", "referred to the Ombudsman"][0] == 1
    assert figures["ombudsman", "accepted for investigation by the Ombudsman"][0] == ""
    assert figures["subject (HCAT)", "Safety"][0] == 1
    assert figures["subject (HCAT)", "Quality"][0] == 1
    assert figures["subject (HCAT)", "not yet coded"][0] == 1
    assert figures["profession (staff group)", "Nursing"][0] == 1
    assert figures["status of complainant", "Patient"][0] == 3
    assert figures["actions", "corrective actions recorded"][0] == 1
    assert figures["actions", "corrective actions completed"][0] == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("executive", 200), ("advocate_x", 404), ("outsider", 404)],
)
def test_the_cqc_summary_downloads_per_facility_and_year_audited(
    client: Client,
    personas: dict[str, User],
    facility_uk: Facility,
    england_year: list[Case],
    persona: str,
    status: int,
) -> None:
    client.force_login(personas[persona])
    url = reverse("insights:annual_report", args=[facility_uk.pk, 2025, "cqc", "csv"])
    response = client.get(url)
    assert response.status_code == status
    if status != 200:
        assert not AuditEvent.objects.filter(event_type="insights.exported").exists()
        return
    header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == CQC_HEADER
    by_ref = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert set(by_ref) == {c.reference for c in england_year[:3]}
    upheld = by_ref[england_year[0].reference]
    assert (upheld["outcome"], upheld["referred_to_ombudsman"], upheld["corrective_actions"]) == (
        "upheld",
        "yes",
        "1",
    )
    assert upheld["subjects"] == "Safety; Communication"
    assert by_ref[england_year[2].reference]["outcome"] == "open"
    event = AuditEvent.objects.get(event_type="insights.exported")
    assert (event.detail["table"], event.detail["rows"], event.detail["from"]) == (
        "cqc_summary",
        3,
        "2025-04",
    )


def test_the_nhs_figures_download_as_xlsx(
    client: Client, admin: User, facility_uk: Facility, england_year: list[Case]
) -> None:
    client.force_login(admin)
    url = reverse("insights:annual_report", args=[facility_uk.pk, 2025, "nhs", "xlsx"])
    response = client.get(url)
    assert response["Content-Disposition"].endswith(
        "nhs-annual-" + str(facility_uk.pk) + '-2025-26.xlsx"'
    )
    header, *rows = sheet_rows(response.content)
    assert header == ["section", "item", "count", "note"]
    assert ["summary", "new complaints received", 3, None] in rows


def test_a_year_out_of_range_is_not_found(
    client: Client, admin: User, facility_uk: Facility
) -> None:
    client.force_login(admin)
    url = reverse("insights:annual_report", args=[facility_uk.pk, 1999, "nhs", "csv"])
    assert client.get(url).status_code == 404
