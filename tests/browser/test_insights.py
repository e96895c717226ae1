"""Insights in headless Chromium: an administrator opens the organization, facility and unit
dashboards with a year of exposure imported, the u-chart and its data table, CSV and XLSX
exports and the peer-review page;
the unit manager sees their unit's dashboard and not the facility's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from careloop.core.demo import DemoResult
from careloop.core.time import utcnow
from careloop.insights.denominators import month_add
from careloop.insights.services import exposure_import_csv
from careloop.orgs.models import Facility, Unit, User
from tests.browser.conftest import Screenshot, SignIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def exposure_imported(demo: DemoResult) -> None:
    """Twelve months of patient days for every demo unit, through the import service."""
    admin = User.objects.get(username="admin")
    last = month_add(utcnow().date().replace(day=1), -1)
    lines = ["unit_code,unit,facility,month,measure,value"]
    for unit in Unit.objects.filter(facility__organization=demo.organization).order_by("pk"):
        for i in range(12):
            month_on: date = month_add(last, -i)
            lines.append(f"{unit.intake_code},,,{month_on:%Y-%m},patient_days,{800 + 25 * i}")
    result = exposure_import_csv(
        actor=admin, organization=demo.organization, text="\n".join(lines), now=utcnow()
    )
    assert result.ok, result.problems


def test_an_administrator_reads_a_facility_dashboard_and_exports_its_rates(
    demo: DemoResult, page: Page, sign_in: SignIn, screenshot: Screenshot, tmp_path: Path
) -> None:
    exposure_imported(demo)
    facility = Facility.objects.get(name="Riverside General Hospital")
    sign_in(page, "admin")
    page.goto("/insights/")
    screenshot(page, "insights-index")
    page.get_by_role("link", name=facility.name).first.click()
    expect(page.get_by_role("heading", name=facility.name, level=1)).to_be_visible()

    chart = page.locator("svg.control-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("title#chart-title")).to_contain_text(
        "Complaints and grievances per 1,000"
    )
    table = page.locator("table.rates")
    expect(table.locator("caption")).to_have_text("Data behind the chart")
    expect(table.locator("tbody tr")).to_have_count(12)
    screenshot(page, "insights-facility")

    expect(page.get_by_text("Figures from the rollups rebuilt in the background")).to_be_visible()
    expect(page.get_by_role("heading", name="Survey top-box trends")).to_be_visible()

    with page.expect_download() as info:
        page.locator("a[href*='/rates.csv']").click()
    saved = tmp_path / "rates.csv"
    info.value.save_as(saved)
    assert saved.read_text().startswith("month,complaints_counted_once,cases,issues,patient_days,")
    with page.expect_download() as info:
        page.locator("a[href*='/rates.xlsx']").click()
    workbook = tmp_path / "rates.xlsx"
    info.value.save_as(workbook)
    sheet = load_workbook(workbook, read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header[:4] == ("month", "complaints_counted_once", "cases", "issues")

    page.get_by_role("link", name="Hotspots per staff member").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hotspots per staff member")
    expect(page.get_by_text("Peer review work product.")).to_be_visible()
    screenshot(page, "insights-staff")


def test_the_unit_manager_sees_their_unit_and_not_the_facility(
    demo: DemoResult, page: Page, sign_in: SignIn, screenshot: Screenshot
) -> None:
    exposure_imported(demo)
    unit = Unit.objects.select_related("facility").get(name="4 West Medical")
    sign_in(page, "manager")
    page.goto("/insights/")
    page.get_by_role("link", name="4 West Medical").first.click()
    expect(page.locator("svg.control-chart")).to_be_visible()
    expect(page.locator("table.rates")).to_be_visible()
    screenshot(page, "insights-unit-manager")

    response = page.goto(f"/insights/facilities/{unit.facility_id}/")
    assert response is not None
    assert response.status == 404
    screenshot(page, "insights-facility-404")
