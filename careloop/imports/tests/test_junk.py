"""A file full of junk: the dry run lists every rejected row and why, the import is refused
and writes nothing, a failure midway rolls everything back, and the XLSX path works too."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent
from careloop.conftest import row_counts
from careloop.followups.models import CheckBack
from careloop.imports.builtins import REGISTER
from careloop.imports.models import BatchStatus, ImportBatch, ImportedRecord
from careloop.imports.replay import case_replay
from careloop.imports.services import import_batch_run
from careloop.imports.tests.conftest import NOW, Checker, builtin
from careloop.orgs.models import Facility, Unit, User
from careloop.safety.models import SafetyFlag, SafetyPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("places")]

HEADER = (
    "Reference;Date received;Facility;Unit;Category;Description;Complainant name;Email;Phone;"
    "Status;Date closed;Outcome"
)
BIG = "x" * (10 * 1024 * 1024)
# Spreadsheet cells carry no zone: they are the facility's local time.
JUNE_2_0930 = datetime(2025, 6, 2, 9, 30)  # noqa: DTZ001
JUNE_4 = datetime(2025, 6, 4)  # noqa: DTZ001
JUNK = [
    "1;2025-04-03 10:00;Riverside Home Care;North Route;Complaint;Good row;;;;Open;;",  # row 2
    "",  # row 3: empty
    "2;03/04/2025;Riverside Home Care;North Route;Complaint;Ambiguous date;;;;Open;;",
    "3;13/04/2025;Riverside Home Care;Nowhere Ward;Complaint;Unknown unit;;;;Open;;",
    "1;2025-04-03 10:00;Riverside Home Care;North Route;Complaint;Good row;;;;Open;;",
    "4;2025-02-30;Riverside Home Care;South Route;Complaint;Bad date;;;;Open;;",
    "5;2025-04-05;Riverside Home Care;South Route;Complaint;Unknown status;;;;Lost;;",
    f'6;2025-04-06;Riverside Home Care;South Route;Complaint;"{BIG}";;;;Open;;',
    "7;2025-04-07;Riverside Home Care;South Route;Complaint;;;;;Open;;",
    "8;2027-01-01;Riverside Home Care;South Route;Complaint;From the future;;;;Open;;",
    "9;2025-04-09 12:00;Riverside Home Care;South Route;Complaint;Closed first;;;;Closed;"
    "2025-04-01;",
    "ten;2025-04-10;Riverside Home Care;South Route;Complaint;Text id;;;;Open;;",
    "11;2025-04-11;Elsewhere;South Route;Rant;Two problems;;not-an-email;;Open;;",
    "12;2025-04-12;Riverside Home Care;South Route;Complaint;Not yet resolved;;;;Resolved;;",
]


def junk_spec(**fields: dict[str, Any]) -> dict[str, Any]:
    spec = builtin(REGISTER, source_id={"columns": ["Reference"], "integer": True}, **fields)
    spec["date_formats"] = ["iso", "dmy", "mdy"]
    return spec


def junk_file() -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *JUNK]) + "\r\n").encode()


def problems(batch: ImportBatch) -> list[tuple[int, str, str, str]]:
    return [(p["row"], p["column"], p["value"], p["problem"]) for p in batch.report["rejected"]]


@time_machine.travel(NOW, tick=False)
def test_the_dry_run_reports_every_rejected_row_and_why(check: Checker) -> None:
    batch = check(junk_file(), junk_spec())
    assert batch.report["blank_rows"] == 1
    assert batch.rows_read == 13
    assert [r["row"] for r in batch.report["planned"]] == [2]
    assert problems(batch) == [
        (
            4,
            "Date received",
            "03/04/2025",
            "bad date: '03/04/2025' is ambiguous (day first or month first): the mapping must "
            "accept only one of them",
        ),
        (5, "Unit", "Nowhere Ward", "unknown unit 'Nowhere Ward' in Riverside Home Care"),
        (6, "Reference", "1", "duplicate of row 2 (same source id)"),
        (7, "Date received", "2025-02-30", "bad date: '2025-02-30' is not a valid date or time"),
        (8, "Status", "Lost", "unknown status 'Lost'"),
        (9, "", "", "A cell is longer than 131,072 characters."),
        (10, "Description", "", "missing required field"),
        (11, "Date received", "2027-01-01T00:00:00-06:00", "in the future"),
        (12, "Date closed", "2025-04-01T00:00:00-05:00", "before Received"),
        (13, "Reference", "ten", "text in a number column"),
        (14, "Facility", "Elsewhere", "unknown facility 'Elsewhere'"),
        (14, "Category", "Rant", "unknown kind 'Rant'"),
        (14, "Email", "", "not an email address"),
        (15, "Date closed", "", "missing required field for a resolved case"),
    ]
    assert batch.rows_rejected == 12
    assert Case.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_file_with_rejected_rows_cannot_be_imported(check: Checker, admin: User) -> None:
    batch = check(junk_file(), junk_spec())
    before = row_counts()
    with pytest.raises(ValidationError, match="no rejected rows"):
        import_batch_run(actor=admin, batch=batch, now=NOW)
    assert row_counts() == before
    assert ImportedRecord.objects.count() == 0


def _clean(rows: int) -> bytes:
    lines = [
        f"{n};2025-0{n}-1{n} 09:00;Riverside Home Care;South Route;Complaint;Case {n};;;;Resolved;"
        f"2025-0{n}-2{n};Sorted"
        for n in range(1, rows + 1)
    ]
    return "\n".join([HEADER, *lines]).encode()


@time_machine.travel(NOW, tick=False)
def test_an_error_midway_rolls_back_every_case_already_opened(
    check: Checker, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = check(_clean(3), junk_spec())
    assert batch.rows_planned == 3
    before = row_counts()
    real = case_replay
    calls: list[int] = []

    def failing(**kwargs: Any) -> Case:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr("careloop.imports.engine.case_replay", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        import_batch_run(actor=admin, batch=batch, now=NOW)
    assert row_counts() == before
    assert ImportedRecord.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKED
    assert batch.content is not None


@time_machine.travel(NOW, tick=False)
def test_a_row_that_fails_when_imported_refuses_the_whole_batch(
    check: Checker, admin: User, pharmacy: Unit
) -> None:
    batch = check(_clean(3), junk_spec())
    Unit.objects.filter(pk=pharmacy.pk).update(active=False)  # changed since the dry run
    before = row_counts()
    batch = import_batch_run(actor=admin, batch=batch, now=NOW)
    assert batch.status == BatchStatus.FAILED
    assert batch.content is None
    unknown = "unknown unit 'South Route' in Riverside Home Care"
    assert [p[3] for p in problems(batch)] == [unknown] * 3
    after = row_counts()
    assert after["cases"] == before["cases"] == 0
    assert AuditEvent.objects.filter(event_type="import.refused").count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_closure_the_packs_block_is_reported_by_the_dry_run(
    check: Checker, facility_x: Facility, unit_a: Unit
) -> None:
    row = (
        "1;2025-04-01 09:00;Riverside General;4 West;Complaint;Letter about food;;;;Closed;"
        "2025-04-20;"
    )
    batch = check("\n".join([HEADER, row]).encode(), junk_spec(channel={"fixed": "letter"}))
    [(number, _column, _value, problem)] = problems(batch)
    assert number == 2
    assert problem.startswith("The case cannot be closed yet. Missing:")
    assert Case.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_imported_cases_page_nobody_and_ask_nobody(
    check: Checker, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [
        "1;2025-04-01 09:00;Riverside Home Care;South Route;Complaint;The aide hit my mother and "
        "pushed her;;a@example.org;;Resolved;2025-04-02;",
    ]
    spec = junk_spec(contact_preference={"fixed": "email"})
    batch = check("\n".join([HEADER, *rows]).encode(), spec)
    with django_capture_on_commit_callbacks() as callbacks:
        batch = import_batch_run(actor=admin, batch=batch, now=NOW)
    assert batch.status == BatchStatus.IMPORTED
    assert callbacks == []
    flag = SafetyFlag.objects.get()
    assert SafetyPage.objects.filter(flag=flag).count() == 0
    assert CheckBack.objects.count() == 0
    flagged = CaseEvent.objects.get(kind="safety_flagged")
    assert flagged.summary.endswith("(imported: nobody paged)")


def _workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_an_xlsx_file_imports_with_spreadsheet_dates_in_local_time(
    check: Checker, admin: User
) -> None:
    header = HEADER.split(";")
    content = _workbook(
        [
            header,
            [
                101,
                JUNE_2_0930,
                "Riverside Home Care",
                "North Route",
                "Complaint",
                "Cold food",
                "Jo Park",
                None,
                None,
                "Closed",
                JUNE_4,
                "Hot meals",
            ],
            [None] * 12,
            [
                "oops",
                "2025-06-03",
                "Riverside Home Care",
                "South Route",
                "Complaint",
                "Text id",
                None,
                None,
                None,
                "Open",
                None,
                None,
            ],
        ]
    )
    batch = check(content, junk_spec(), name="register.xlsx")
    assert batch.file_format == "xlsx"
    assert problems(batch) == [(4, "Reference", "oops", "text in a number column")]
    content = _workbook(
        [
            header,
            *[
                r
                for r in [
                    [
                        101,
                        JUNE_2_0930,
                        "Riverside Home Care",
                        "North Route",
                        "Complaint",
                        "Cold food",
                        "Jo Park",
                        None,
                        None,
                        "Closed",
                        JUNE_4,
                        "Hot meals",
                    ]
                ]
            ],
        ]
    )
    batch = import_batch_run(actor=admin, batch=check(content, junk_spec()), now=NOW)
    case = Case.objects.get(imported_from__source_id="101")
    assert case.received_at.isoformat() == "2025-06-02T14:30:00+00:00"  # 09:30 CDT
    assert case.closed_at is not None
    assert case.closed_at.isoformat() == "2025-06-04T05:00:00+00:00"
    assert batch.cases_created == 1


@time_machine.travel(NOW, tick=False)
def test_acknowledgements_replay_at_their_time_and_late_ones_count_as_breaches(
    check: Checker, admin: User
) -> None:
    header = HEADER + ";Acknowledged"
    rows = [
        "1;2025-04-01 09:00;Riverside Home Care;South Route;Complaint;On time;;;;Acknowledged;;;"
        "2025-04-01 11:00",
        "2;2025-04-01 09:00;Riverside Home Care;South Route;Complaint;Late;;;;Closed;2025-04-20;;"
        "2025-04-07 10:00",
    ]
    spec = junk_spec(acknowledged_at={"columns": ["Acknowledged"]})
    batch = check("\n".join([header, *rows]).encode(), spec)
    assert batch.rows_planned == 2
    import_batch_run(actor=admin, batch=batch, now=NOW)
    on_time = Case.objects.get(imported_from__source_id="1")
    assert on_time.status == "acknowledged"
    assert on_time.acknowledged_at is not None
    assert on_time.acknowledged_at.isoformat() == "2025-04-01T16:00:00+00:00"
    ack = on_time.clocks.get(clock_id="acknowledge_1wd")
    assert (ack.status, ack.met_at) == ("met", on_time.acknowledged_at)
    late = Case.objects.get(imported_from__source_id="2")
    late_ack = late.clocks.get(clock_id="acknowledge_1wd")
    assert late_ack.status == "breached"
    assert late_ack.breached_at == late_ack.due_at
    assert late_ack.met_at == late.acknowledged_at
    resolve = late.clocks.get(clock_id="resolve_7d")
    assert resolve.status == "breached"
    assert resolve.met_at == late.resolved_at
    assert late.clock_breached_at == late_ack.due_at
