"""The exposure CSV import: good files, every kind of bad row, all or nothing, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from careloop.audit.models import AuditEvent
from careloop.insights.models import Exposure, Measure
from careloop.insights.services import ImportResult, exposure_import_csv
from careloop.orgs.models import Facility, Unit, User

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
HEADER = "unit_code,unit,facility,month,measure,value\n"


def run(admin: User, text: str) -> ImportResult:
    assert admin.organization is not None
    return exposure_import_csv(actor=admin, organization=admin.organization, text=text, now=NOW)


def test_it_imports_a_good_file_by_code_and_by_name(
    admin: User, unit_a: Unit, unit_b: Unit, unit_c: Unit
) -> None:
    text = (
        HEADER
        + f"{unit_a.intake_code},,,2026-01,patient_days,812\n"
        + ",ICU,Riverside General,2026-01,patient_days,240\n"
        + f"{unit_c.intake_code.lower()},,,2026-02,resident_days,1\n"
    )
    result = run(admin, text)
    assert result.ok
    assert result.created == 3
    a = Exposure.objects.get(unit=unit_a)
    assert (a.measure, a.period_start_on, a.period_end_on, a.value) == (
        Measure.PATIENT_DAYS,
        date(2026, 1, 1),
        date(2026, 1, 31),
        812,
    )
    event = AuditEvent.objects.get(event_type="insights.exposure_imported")
    assert event.action == "C"
    assert event.detail == {"rows": 3, "staff_rows": 0, "created": 3, "updated": 0}


def test_a_second_import_replaces_the_month(admin: User, unit_a: Unit) -> None:
    run(admin, HEADER + f"{unit_a.intake_code},,,2026-01,patient_days,812\n")
    result = run(admin, HEADER + f"{unit_a.intake_code},,,2026-01,patient_days,790\n")
    assert (result.created, result.updated) == (0, 1)
    assert Exposure.objects.get().value == 790


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("this is not,a row", "month must be YYYY-MM"),
        (",,,2026-01,patient_days,5", "no unit"),
        ("{code},,,2026-1,patient_days,5", "month must be YYYY-MM"),
        ("{code},,,2026-13,patient_days,5", "month must be YYYY-MM"),
        ("{code},,,2026-01,bed_days,5", "unknown measure"),
        ("{code},,,2026-01,patient_days,-5", "value is negative"),
        ("{code},,,2026-01,patient_days,5.5", "value is not a whole number"),
        ("{code},,,2026-01,patient_days,lots", "value is not a whole number"),
        ("{code},,,2026-01,patient_days,0", "value is zero"),
        ("ZZZZZZ,,,2026-01,patient_days,5", "unknown unit"),
        (",4 West,Nowhere,2026-01,patient_days,5", "unknown unit"),
        ("{other},,,2026-01,patient_days,5", "unknown unit"),
        ("{code},,,2026-02,patient_days,5", "repeats line 2"),
        (",4 West,Riverside General,2026-02,patient_days,6", "repeats line 2"),
    ],
)
def test_one_bad_row_imports_nothing_and_names_its_line(
    admin: User, unit_a: Unit, other_unit: Unit, row: str, reason: str
) -> None:
    good = f"{unit_a.intake_code},,,2026-02,patient_days,700\n"
    bad = row.format(code=unit_a.intake_code, other=other_unit.intake_code)
    result = run(admin, HEADER + good + bad + "\n")
    assert not result.ok
    assert [p.line for p in result.problems] == [3]
    assert result.problems[0].reason.startswith(reason)
    assert not Exposure.objects.exists()
    assert not AuditEvent.objects.filter(event_type="insights.exposure_imported").exists()


def test_it_reports_every_bad_row(admin: User, unit_a: Unit) -> None:
    text = (
        HEADER
        + "junk\n"
        + f"{unit_a.intake_code},,,2026-01,patient_days,-1\n"
        + f"{unit_a.intake_code},,,2026-02,patient_days,10\n"
        + f"{unit_a.intake_code},,,2026-03,patient_days,ten\n"
    )
    result = run(admin, text)
    assert [p.line for p in result.problems] == [2, 3, 5]
    assert not Exposure.objects.exists()


def test_an_empty_file_imports_nothing(admin: User, facility_x: Facility) -> None:
    result = run(admin, HEADER)
    assert not result.ok
    assert [p.reason for p in result.problems] == ["no rows"]
