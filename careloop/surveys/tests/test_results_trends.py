"""Results per period and unit: trends per month or quarter with n and interval per point (SVG
and table), exports to CSV and XLSX with the formula guard (audited), the filters of the page
and the summary-star verification count on it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from careloop.audit.models import AuditEvent
from careloop.orgs.models import Unit, User
from careloop.surveys.exports import csv_bytes, formula_safe, xlsx_bytes
from careloop.surveys.instruments import ItemSpec
from careloop.surveys.models import Instrument
from careloop.surveys.scoring import DEFAULT_MINIMUM_N
from careloop.surveys.selectors import survey_scores
from careloop.surveys.services import instrument_revise, response_submit
from careloop.surveys.tests.conftest import NOW, InstrumentMaker, Inviter
from careloop.surveys.trend_svg import trend_svg
from careloop.surveys.trends import ItemTrend, TrendPoint, periods_between, survey_trends
from careloop.surveys.verification import summary_star_verification

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
JANUARY = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 10, 18, 0, tzinfo=UTC)
START, END = datetime(2025, 12, 1, 6, tzinfo=UTC), NOW + timedelta(hours=1)
INJECTION = '=HYPERLINK("http://x","y")'


def _answers(
    invite: Inviter,
    instrument: Instrument,
    values: list[str],
    *,
    at: datetime = NOW,
    **fields: Any,
) -> None:
    for value in values:
        invitation, _ = invite(instrument, at=at, **fields)
        response_submit(invitation=invitation, raw={"item_1": value}, now=at)


@pytest.fixture
def csat(make_instrument: InstrumentMaker, invite: Inviter) -> Instrument:
    instrument = make_instrument("csat_post_resolution")
    _answers(invite, instrument, ["5", "5", "4", "3", "5"], at=JANUARY)
    _answers(invite, instrument, ["4", "4", "5", "5", "5", "5"], at=FEBRUARY)
    _answers(invite, instrument, ["5", "4"], at=NOW)
    return instrument


def test_periods_cover_every_month_or_quarter_between_two_dates() -> None:
    assert periods_between(date(2025, 11, 20), date(2026, 2, 1), period="month") == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert periods_between(date(2025, 11, 20), date(2026, 4, 1), period="quarter") == [
        date(2025, 10, 1),
        date(2026, 1, 1),
        date(2026, 4, 1),
    ]


def test_a_monthly_trend_has_a_point_per_month_with_n_and_interval(csat: Instrument) -> None:
    (trend,) = survey_trends(
        instrument=csat, start=START, end=END, zone=CHICAGO, period="month", minimum_n=5
    )
    assert trend.measure == "CSAT (4 or 5)"
    assert [p.label for p in trend.points] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    december, january, february, march = trend.points
    assert (december.n, december.value) == (0, None)
    assert (january.n, january.value) == (5, 80.0)
    assert january.low is not None
    assert january.high is not None
    assert january.low < 80.0 < january.high
    assert (february.n, february.value) == (6, 100.0)
    assert (march.n, march.value) == (2, None)  # below the minimum n: not shown


def test_a_quarterly_trend_pools_the_months(csat: Instrument) -> None:
    (trend,) = survey_trends(
        instrument=csat, start=START, end=END, zone=CHICAGO, period="quarter", minimum_n=5
    )
    assert [(p.label, p.n) for p in trend.points] == [("2025-Q4", 0), ("2026-Q1", 13)]
    assert trend.points[1].value == pytest.approx(1200 / 13)


def test_the_svg_has_a_title_a_description_and_gaps_for_suppressed_points() -> None:
    trend = ItemTrend(
        text="How <satisfied>?",
        type="csat_1_5",
        measure="CSAT (4 or 5)",
        lowest=0.0,
        points=(
            TrendPoint("2026-01", 5, 80.0, 37.6, 96.4),
            TrendPoint("2026-02", 2, None, None, None),
            TrendPoint("2026-03", 7, 100.0, 64.6, 100.0),
        ),
    )
    svg = trend_svg(trend, chart_id="t1")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "How &lt;satisfied&gt;?" in svg
    assert "2026-02: not shown (n=2)" in svg
    assert "n=5" in svg
    assert "n=7" in svg
    assert svg.count("<circle") == 2
    assert "<polyline" not in svg  # no line across the gap


def test_scores_can_be_limited_to_one_unit(
    make_instrument: InstrumentMaker, invite: Inviter, unit_a: Unit, unit_b: Unit
) -> None:
    instrument = make_instrument("nps")
    _answers(invite, instrument, ["10"] * 5, unit=unit_a)
    _answers(invite, instrument, ["9", "8"], unit=unit_b, facility=unit_b.facility)
    everyone = survey_scores(instrument=instrument, start=START, end=END)
    only_b = survey_scores(instrument=instrument, start=START, end=END, unit_id=unit_b.pk)
    assert (everyone[0].answers, only_b[0].answers) == (7, 2)


def test_cells_that_could_run_as_formulas_are_quoted() -> None:
    assert formula_safe("=1+1") == "'=1+1"
    assert formula_safe("+44 20") == "'+44 20"
    assert formula_safe("-x") == "'-x"
    assert formula_safe("@SUM(A1)") == "'@SUM(A1)"
    assert formula_safe(-12.5) == -12.5
    assert formula_safe("Fine") == "Fine"
    rows = [("All", 1, 1, INJECTION, "NPS", -12.5, -30.0, 5.0, 40)]
    text = csv_bytes(rows).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[1][3] == "'" + INJECTION
    assert parsed[1][5] == "-12.5"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(rows, title="=title"))).active
    assert sheet is not None
    assert sheet["A1"].value == "'=title"
    assert sheet["D3"].value == "'" + INJECTION
    assert sheet["D3"].data_type == "s"
    assert sheet["F3"].value == -12.5


@pytest.fixture
def injected(admin: User, make_instrument: InstrumentMaker, invite: Inviter) -> Instrument:
    instrument = make_instrument("nps")
    instrument_revise(
        actor=admin,
        instrument=instrument,
        items=[ItemSpec(type="nps_0_10", texts={"en": INJECTION})],
        now=NOW,
    )
    _answers(invite, instrument, ["10", "9", "9", "7", "10"])
    return instrument


@time_machine.travel(NOW, tick=False)
def test_the_csv_export_has_the_results_guarded_and_is_audited(
    client: Client, manager_a: User, injected: Instrument
) -> None:
    client.force_login(manager_a)
    url = reverse("surveys:results_export", args=[injected.pk, "csv"])
    got = client.get(url, {"period": "quarter"})
    assert got.status_code == 200
    assert got["Content-Type"].startswith("text/csv")
    assert "attachment" in got["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    nps_rows = [r for r in rows if r["measure"] == "NPS" and r["version"] == "2"]
    assert [(r["group"], r["value"], r["n"]) for r in nps_rows] == [
        ("All", "80.0", "5"),
        ("2026-Q1", "80.0", "5"),
    ]
    assert nps_rows[0]["question"] == "'" + INJECTION
    event = AuditEvent.objects.get(event_type="survey.results.exported")
    assert event.actor_id == manager_a.pk
    assert event.detail["format"] == "csv"
    assert event.detail["period"] == "quarter"


@time_machine.travel(NOW, tick=False)
def test_the_xlsx_export_opens_in_a_spreadsheet(
    client: Client, manager_a: User, injected: Instrument
) -> None:
    client.force_login(manager_a)
    got = client.get(reverse("surveys:results_export", args=[injected.pk, "xlsx"]))
    assert got.status_code == 200
    sheet = load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    values = [row[:6] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert ("All", 2, 1, "'" + INJECTION, "NPS", 80.0) in values
    assert AuditEvent.objects.filter(event_type="survey.results.exported").count() == 1


@pytest.mark.parametrize(("persona", "status"), [("frontline_a", 403), ("outsider", 404)])
def test_others_cannot_export(
    client: Client, request: pytest.FixtureRequest, injected: Instrument, persona: str, status: int
) -> None:
    client.force_login(request.getfixturevalue(persona))
    got = client.get(reverse("surveys:results_export", args=[injected.pk, "csv"]))
    assert got.status_code == status
    assert not AuditEvent.objects.filter(event_type="survey.results.exported").exists()


def test_an_unknown_export_format_is_not_found(
    client: Client, manager_a: User, injected: Instrument
) -> None:
    client.force_login(manager_a)
    url = reverse("surveys:results_export", args=[injected.pk, "pdf"])
    assert client.get(url).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_results_page_shows_trends_filters_and_the_star_verification(
    client: Client, manager_a: User, csat: Instrument, unit_a: Unit
) -> None:
    client.force_login(manager_a)
    url = reverse("surveys:results", args=[csat.pk])
    page = client.get(url, {"start": "2026-01-01", "end": "2026-03-02", "period": "month"})
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("<svg") == 1
    assert '<th scope="row">2026-01</th><td>80.0</td>' in text
    verification = summary_star_verification()
    assert (verification.matched, verification.rows) == (3462, 3462)
    assert "published summary star of 3462 of the 3462 clean hospital rows" in text
    assert "export.csv?start=2026-01-01" in text
    one_unit = client.get(url, {"unit": str(unit_a.pk), "period": "quarter"}).content.decode()
    assert "Unit: " + unit_a.name in one_unit
    assert "2026-Q1" in one_unit
    assert "By unit" not in one_unit
    backwards = client.get(url, {"start": "2026-03-01", "end": "2026-01-01"})
    assert backwards.status_code == 200
    assert "The end date is before the start date." in backwards.content.decode()


def test_the_default_minimum_n_is_five() -> None:
    assert DEFAULT_MINIMUM_N == 5
