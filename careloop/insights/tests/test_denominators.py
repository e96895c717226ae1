from __future__ import annotations

from datetime import date

import pytest

from careloop.insights.denominators import (
    default_measure,
    exposure_csv_parse,
    month_add,
    month_end,
)
from careloop.insights.models import Measure


@pytest.mark.parametrize(
    ("setting", "measure"),
    [
        ("hospital", Measure.PATIENT_DAYS),
        ("nursing_facility", Measure.RESIDENT_DAYS),
        ("assisted_living", Measure.RESIDENT_DAYS),
        ("home_health", Measure.VISITS),
        ("hospice", Measure.VISITS),
        ("clinic", Measure.VISITS),
        ("pharmacy", Measure.PRESCRIPTIONS),
        ("human_services", Measure.ENCOUNTERS),
        ("unheard_of", Measure.ENCOUNTERS),
    ],
)
def test_it_picks_the_default_measure_per_setting(setting: str, measure: Measure) -> None:
    assert default_measure(setting) is measure


def test_month_arithmetic_crosses_years_and_leap_days() -> None:
    assert month_add(date(2025, 11, 1), 3) == date(2026, 2, 1)
    assert month_add(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)


def test_it_reads_a_header_with_byte_order_mark_and_spaces() -> None:
    text = "\ufeff Unit_Code , month,measure,value\nAB,2026-01,Visits,12\n"
    rows, problems = exposure_csv_parse(text)
    assert problems == []
    assert [(r.unit_code, r.measure, r.value) for r in rows] == [("AB", Measure.VISITS, 12)]


def test_it_accepts_a_quoted_thousands_separator() -> None:
    rows, problems = exposure_csv_parse(
        'unit_code,month,measure,value\nAB,2026-01,visits,"1,200"\n'
    )
    assert problems == []
    assert rows[0].value == 1200
    assert rows[0].month_on == date(2026, 1, 1)


def test_it_reports_missing_columns_on_line_one() -> None:
    _, problems = exposure_csv_parse("unit,month,value\n")
    assert [(p.line, p.reason) for p in problems] == [
        (1, "missing columns: measure, unit_code (or unit and facility, or staff_email)")
    ]
