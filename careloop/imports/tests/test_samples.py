"""The shipped mappings on their sample files: dry run, import, original dates and clocks kept,
nobody told, and a second import of the same file creates nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent, Note, Status
from careloop.followups.models import CheckBack
from careloop.imports.builtins import BUILTIN_SPECS, REGISTER
from careloop.imports.models import BatchStatus, ImportedRecord
from careloop.imports.services import import_batch_run
from careloop.imports.tests.conftest import NOW, SAMPLES, Checker, helpdesk_spec
from careloop.orgs.models import Facility, User
from careloop.policies.models import CaseClock, ClockStatus, Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("places")]


def _helpdesk() -> bytes:
    return (SAMPLES / "django_helpdesk_tickets.csv").read_bytes()


def _register() -> bytes:
    return (SAMPLES / "complaints_register.csv").read_bytes()


@time_machine.travel(NOW, tick=False)
def test_the_helpdesk_sample_dry_runs_with_the_duplicate_skipped(check: Checker) -> None:
    batch = check(_helpdesk(), helpdesk_spec())
    assert batch.status == BatchStatus.CHECKED
    assert (batch.rows_read, batch.rows_planned, batch.rows_rejected) == (5, 4, 0)
    assert batch.report["skipped"] == [
        {"row": 5, "column": "status", "value": "", "problem": "status maps to skip"}
    ]
    planned = {r["source_id"]: r for r in batch.report["planned"]}
    assert {k: (v["unit"], v["status"]) for k, v in planned.items()} == {
        "101": ("North Route", "closed"),
        "102": ("South Route", "resolved"),
        "103": ("South Route", "investigating"),
        "105": ("North Route", "investigating"),
    }
    assert Case.objects.count() == 0  # a dry run keeps nothing
    assert ImportedRecord.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_the_helpdesk_sample_imports_with_its_original_dates(
    check: Checker, admin: User, django_capture_on_commit_callbacks: object
) -> None:
    batch = check(_helpdesk(), helpdesk_spec())
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]  # fixture
        batch = import_batch_run(actor=admin, batch=batch, now=NOW)
    assert callbacks == []  # no email, page, check-back or escalation queued
    assert batch.status == BatchStatus.IMPORTED
    assert batch.cases_created == 4
    assert batch.content is None  # the uploaded bytes are gone
    closed = Case.objects.get(imported_from__source_id="101")
    assert closed.received_at == datetime(2025, 9, 1, 14, 5, tzinfo=UTC)
    assert closed.created_at == closed.received_at
    assert closed.resolved_at == closed.closed_at == datetime(2025, 9, 3, 16, 0, tzinfo=UTC)
    assert closed.status == Status.CLOSED
    assert closed.reference.startswith("RH-2025-")
    assert closed.reporter_email == "ana.client@example.org"
    assert closed.narrative.startswith("Waited two hours at the front desk\n\nI arrived")
    note = Note.objects.get(case=closed)
    assert note.at == closed.resolved_at
    assert "front desk now tells" in note.body
    # Clocks ran from the original receipt and stopped at the original resolution.
    response = CaseClock.objects.get(case=closed, clock_id="resolve_7d")
    assert response.started_at == closed.received_at
    assert response.met_at == closed.resolved_at
    assert response.status == ClockStatus.MET
    assert CheckBack.objects.count() == 0
    assert Notification.objects.count() == 0
    imported = CaseEvent.objects.get(case=closed, kind="imported")
    assert imported.at == NOW
    assert imported.summary == f"Imported from django-helpdesk (source id 101), import {batch.pk}"


@time_machine.travel(NOW, tick=False)
def test_an_open_imported_case_records_its_breaches_at_their_own_times_silently(
    check: Checker, admin: User
) -> None:
    import_batch_run(actor=admin, batch=check(_helpdesk(), helpdesk_spec()), now=NOW)
    still_open = Case.objects.get(imported_from__source_id="103")
    assert still_open.status == Status.INVESTIGATING
    ack = CaseClock.objects.get(case=still_open, clock_id="acknowledge_1wd")
    assert ack.status == ClockStatus.BREACHED
    assert ack.breached_at == ack.due_at < NOW
    assert still_open.clock_breached_at == ack.due_at
    assert CaseEvent.objects.filter(case=still_open, kind="clock_breached").count() == 2
    assert Notification.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_second_import_of_the_same_file_creates_nothing(check: Checker, admin: User) -> None:
    import_batch_run(actor=admin, batch=check(_helpdesk(), helpdesk_spec()), now=NOW)
    again = check(_helpdesk(), helpdesk_spec())
    assert again.rows_planned == 0
    assert again.rows_rejected == 0
    assert [p["problem"][:20] for p in again.report["skipped"]] == [
        "already imported as ",
        "already imported as ",
        "already imported as ",
        "status maps to skip",
        "already imported as ",
    ]
    assert Case.objects.count() == 4
    with pytest.raises(Exception, match="no rejected rows"):
        import_batch_run(actor=admin, batch=again, now=NOW)
    assert Case.objects.count() == 4


@time_machine.travel(NOW, tick=False)
def test_the_register_sample_imports_with_day_first_and_iso_dates(
    check: Checker, admin: User, clinic: Facility
) -> None:
    batch = check(_register(), BUILTIN_SPECS[REGISTER])
    assert (batch.rows_planned, batch.rows_rejected, batch.rows_skipped) == (4, 0, 0)
    batch = import_batch_run(actor=admin, batch=batch, now=NOW)
    cases = {r.source_id: r.case for r in ImportedRecord.objects.select_related("case")}
    first = cases["CR-0001"]
    # 03/04/2025 10:15 is 3 April (day first), Chicago daylight time (UTC-5).
    assert first.received_at == datetime(2025, 4, 3, 15, 15, tzinfo=UTC)
    assert first.closed_at == datetime(2025, 4, 10, 5, 0, tzinfo=UTC)
    assert first.reporter_name == "Maria Lopez"
    assert cases["CR-0002"].kind == "compliment"
    assert cases["CR-0003"].status == Status.INVESTIGATING
    assert cases["CR-0004"].unit is None
    assert cases["CR-0004"].status == Status.RESOLVED
    events = AuditEvent.objects.filter(event_type="case.opened")
    assert {e.source for e in events} == {f"import batch {batch.pk}"}
    completed = AuditEvent.objects.get(event_type="import.completed")
    assert completed.detail["created"] == 4
