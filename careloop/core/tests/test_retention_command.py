"""careloop retention: `report` counts per facility, `apply` erases every due case in its own
transaction, and one failing case neither stops the run nor hides behind a zero exit code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import audit_chain_verify
from careloop.cases import retention
from careloop.cases.models import Case, CaseEvent, Kind, Status
from careloop.cases.services import case_move, case_set_retention
from careloop.conftest import NARRATIVE, RECEIVED_AT, CaseOpener
from careloop.orgs.models import User

CLOSED_AT = RECEIVED_AT + timedelta(days=6)  # retained until 8 March 2033
# Thursday 10 March 2033, noon in Chicago: two cases' retention has ended, not the later one's.
RUN_AT = datetime(2033, 3, 10, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(RUN_AT, tick=False):
        yield


def closed(case: Case, actor: User, *, at: datetime = CLOSED_AT) -> Case:
    case = case_move(actor=actor, case=case, status=Status.RESOLVED, now=at - timedelta(days=1))
    return case_move(actor=actor, case=case, status=Status.CLOSED, now=at)


@pytest.fixture
def cases(open_case: CaseOpener, advocate_x: User) -> dict[str, Case]:
    """Two cases due, one held, one retained a year longer, one still open."""
    made = {
        name: closed(open_case(kind=Kind.COMPLAINT), advocate_x)
        for name in ("due_1", "due_2", "held")
    }
    made["later"] = closed(
        open_case(kind=Kind.COMPLAINT), advocate_x, at=CLOSED_AT + timedelta(days=365)
    )
    made["open"] = open_case(kind=Kind.COMPLAINT)
    case_set_retention(
        actor=advocate_x,
        case=made["held"],
        retain_until=made["held"].retain_until,
        legal_hold=True,
        now=CLOSED_AT,
    )
    return made


def erased_names(cases: dict[str, Case]) -> set[str]:
    return {
        name for name, case in cases.items() if Case.objects.get(pk=case.pk).erased_at is not None
    }


def test_the_dry_run_lists_due_cases_and_changes_nothing(
    cases: dict[str, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    audit_events, case_events = AuditEvent.objects.count(), CaseEvent.objects.count()

    call_command("retention", "apply", dry_run=True)

    out = capsys.readouterr().out
    assert f"would erase {cases['due_1'].reference} (Riverside General" in out
    assert f"would erase {cases['due_2'].reference}" in out
    assert cases["held"].reference not in out
    assert "Dry run: 2 case(s) due for erasure; nothing changed." in out
    assert erased_names(cases) == set()
    assert set(Case.objects.values_list("narrative", flat=True)) == {NARRATIVE}
    assert (AuditEvent.objects.count(), CaseEvent.objects.count()) == (audit_events, case_events)


def test_apply_erases_every_due_case_as_the_system(
    cases: dict[str, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("retention", "apply")

    assert "Erased 2 case(s); skipped 0; failed 0." in capsys.readouterr().out
    assert erased_names(cases) == {"due_1", "due_2"}
    erasures = AuditEvent.objects.filter(event_type="case.erased")
    assert set(erasures.values_list("case_id", flat=True)) == {
        cases["due_1"].pk,
        cases["due_2"].pk,
    }
    assert set(erasures.values_list("actor_id", "actor_label", "action")) == {(None, "system", "D")}
    erased = Case.objects.get(pk=cases["due_1"].pk)
    assert erased.erased_reason == "Retention period ended (retained until 2033-03-08)."
    assert erased.narrative == "[erased under the retention policy on 2033-03-10]"
    assert audit_chain_verify()[1] == []


def test_a_second_run_is_a_no_op(
    cases: dict[str, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("retention", "apply")
    audit_events = AuditEvent.objects.count()

    call_command("retention", "apply")

    assert "Erased 0 case(s); skipped 0; failed 0." in capsys.readouterr().out
    assert AuditEvent.objects.count() == audit_events


def test_limit_erases_the_longest_overdue_first(cases: dict[str, Case]) -> None:
    call_command("retention", "apply", limit=1)

    assert erased_names(cases) == {"due_1"}


def test_a_limit_below_one_is_refused(cases: dict[str, Case]) -> None:
    with pytest.raises(CommandError, match="--limit must be at least 1"):
        call_command("retention", "apply", limit=0)
    assert erased_names(cases) == set()


def test_the_run_continues_past_a_failing_case_and_exits_non_zero(
    cases: dict[str, Case], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = retention._erase_timeline
    broken = cases["due_1"].pk

    def fail_once_half_done(case: Case, marker: str) -> None:
        if case.pk == broken:
            raise RuntimeError("disk full")
        real(case, marker)

    monkeypatch.setattr(retention, "_erase_timeline", fail_once_half_done)

    with pytest.raises(CommandError, match="1 case"):
        call_command("retention", "apply")

    captured = capsys.readouterr()
    assert f"FAILED {cases['due_1'].reference}: RuntimeError: disk full" in captured.err
    assert "Erased 1 case(s); skipped 0; failed 1." in captured.out
    assert erased_names(cases) == {"due_2"}
    half_done = Case.objects.get(pk=broken)  # its transaction rolled back as a whole
    assert (half_done.narrative, half_done.erased_at) == (NARRATIVE, None)
    assert not AuditEvent.objects.filter(event_type="case.erased", case_id=broken).exists()


def test_a_case_held_after_it_was_listed_is_skipped_not_failed(
    cases: dict[str, Case],
    advocate_x: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = retention.case_anonymize

    def hold_first(*, actor: User | None, case: Case, now: datetime, reason: str) -> Case:
        if case.pk == cases["due_1"].pk:
            case_set_retention(
                actor=advocate_x,
                case=case,
                retain_until=case.retain_until,
                legal_hold=True,
                now=now,
            )
        return real(actor=actor, case=case, now=now, reason=reason)

    monkeypatch.setattr("careloop.core.management.commands.retention.case_anonymize", hold_first)

    call_command("retention", "apply")

    captured = capsys.readouterr()
    assert f"skipped {cases['due_1'].reference}: " in captured.err
    assert "under legal hold" in captured.err
    assert "Erased 1 case(s); skipped 1; failed 0." in captured.out
    assert erased_names(cases) == {"due_2"}


def test_the_report_counts_due_and_held_cases_per_facility(
    cases: dict[str, Case], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("retention", "report")

    out = capsys.readouterr().out
    assert (
        "Riverside General: 2 due, 1 on legal hold, 0 erased; next due 2034-03-09 "
        "(today 2033-03-10)"
    ) in out
    assert "Total: 2 case(s) due for erasure." in out
