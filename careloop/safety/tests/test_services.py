"""Screening wired into case_open: flags, F609 clocks from receipt, pages, escalation,
acknowledgement and the decisions only a person can make."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from pytest_django import DjangoCaptureOnCommitCallbacks

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case, CaseEvent, Kind, SafetyType
from careloop.conftest import CaseOpener, clocks_by_id
from careloop.core.time import utcnow
from careloop.orgs.models import Facility, Unit, User
from careloop.policies.models import ClockStatus
from careloop.safety.models import (
    FlagStatus,
    OnCallEntry,
    OnCallRota,
    PageAudience,
    SafetyFlag,
    SafetyPage,
)
from careloop.safety.paging import safety_page_deliver
from careloop.safety.services import (
    safety_flag_confirm,
    safety_flag_dismiss,
    safety_page_acknowledge,
    safety_pages_escalate,
)
from careloop.safety.tests.conftest import ABUSE, NO_RISK, NOW, on_call

Decide = Callable[..., SafetyFlag]
F609_CLOCKS = {"initial_report_2h", "initial_report_24h", "results_report_5wd"}
MINUTE = timedelta(minutes=1)


def paged(flag: SafetyFlag) -> list[tuple[str, int]]:
    return [(p.user.username, p.step) for p in flag.pages.select_related("user")]


def sweep_at(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return safety_pages_escalate(now=utcnow())


# --- what screening does to a new case -----------------------------------------------------------


def test_a_nursing_facility_allegation_is_filed_as_a_safety_concern_with_f609_clocks_from_receipt(
    open_case: CaseOpener, unit_c: Unit
) -> None:
    received = NOW - timedelta(minutes=40)  # told by phone, logged 40 minutes later

    case = open_case(unit=unit_c, kind=Kind.GRIEVANCE, narrative=ABUSE, received_at=received)

    assert (case.kind, case.safety_type, case.abuse_alleged) == (
        Kind.SAFETY_CONCERN,
        SafetyType.ABUSE,
        True,
    )
    assert case.allegation_known_at == received
    clocks = clocks_by_id(case)
    assert clocks["initial_report_2h"].started_at == received
    assert clocks["initial_report_2h"].due_at == received + timedelta(hours=2)
    assert clocks["initial_report_2h"].status == ClockStatus.RUNNING
    assert "review_5wd" not in clocks  # the grievance clock does not run on a safety concern
    classified = case.events.get(kind="classified")
    assert classified.changes == {
        "kind": ["grievance", "safety_concern"],
        "safety_type": ["", "abuse"],
    }
    assert classified.actor is None
    assert "F609" in case.classification_reason


def test_the_flag_records_rules_and_spans_but_not_the_client_words(
    allegation_y: Case,
) -> None:
    flag = SafetyFlag.objects.get(case=allegation_y)

    assert (flag.status, flag.risks, flag.original_kind, flag.filed_as_safety_concern) == (
        FlagStatus.PENDING,
        ["abuse"],
        Kind.GRIEVANCE,
        True,
    )
    assert (flag.organization_id, flag.facility_id) == (
        allegation_y.organization_id,
        allegation_y.facility_id,
    )
    [hit] = flag.hits
    assert (hit["rule_id"], hit["risk"], hit["certainty"], hit["field"]) == (
        "en.abuse.assault",
        "abuse",
        "likely",
        "narrative",
    )
    assert allegation_y.narrative[hit["start"] : hit["end"]] == "slapped"
    assert "slapped" not in json.dumps(flag.hits)
    event = allegation_y.events.get(kind="safety_flagged")
    assert event.summary == (
        "Safety screening flagged: abuse — filed as safety concern pending review"
    )
    assert "slapped" not in event.summary
    audit = AuditEvent.objects.get(event_type="case.safety_flagged")
    assert (audit.object_type, audit.object_id, audit.case_id) == (
        "safety_flag",
        str(flag.pk),
        allegation_y.pk,
    )
    assert "slapped" not in json.dumps(audit.detail)


def test_the_opening_events_come_in_order_and_the_case_opened_audit_comes_before_the_flag(
    allegation_y: Case,
) -> None:
    kinds = list(allegation_y.events.values_list("kind", flat=True))

    assert kinds[:2] == ["opened", "classified"]
    assert kinds[-1] == "safety_flagged"
    audits = list(
        AuditEvent.objects.filter(case_id=allegation_y.pk).values_list("event_type", flat=True)
    )
    assert audits == ["case.opened", "case.safety_flagged"]


def test_a_fall_with_injury_is_filed_as_an_injury_of_unknown_source_with_the_24_hour_report(
    open_case: CaseOpener, unit_c: Unit
) -> None:
    case = open_case(unit=unit_c, narrative="Mum fell in the bathroom and broke her hip.")

    assert (case.kind, case.safety_type) == (Kind.SAFETY_CONCERN, SafetyType.INJURY_UNKNOWN)
    clocks = clocks_by_id(case)
    assert clocks["initial_report_24h"].due_at == NOW + timedelta(hours=24)
    assert "initial_report_2h" not in clocks
    assert SafetyFlag.objects.get(case=case).risks == ["injury", "fall"]


def test_a_spanish_allegation_at_the_nursing_facility_is_filed_too(
    open_case: CaseOpener, unit_c: Unit
) -> None:
    case = open_case(
        unit=unit_c, narrative="La enfermera le pegó a mi madre anoche.", language="es"
    )

    assert (case.kind, case.safety_type) == (Kind.SAFETY_CONCERN, SafetyType.ABUSE)
    assert SafetyFlag.objects.get(case=case).hits[0]["language"] == "es"


def test_a_hospital_case_is_flagged_but_its_kind_is_unchanged(flagged_a: Case) -> None:
    flag = SafetyFlag.objects.get(case=flagged_a)

    assert (flagged_a.kind, flagged_a.safety_type) == (Kind.GRIEVANCE, "")
    assert not flag.filed_as_safety_concern
    assert not flagged_a.events.filter(kind="classified").exists()
    assert not set(clocks_by_id(flagged_a)) & F609_CLOCKS
    assert flagged_a.events.get(kind="safety_flagged").summary == (
        "Safety screening flagged: abuse"
    )


@pytest.mark.parametrize(
    ("narrative", "risk"),
    [
        ("They gave her the wrong medication twice.", "medication_error"),
        ("She keeps saying she wants to kill herself.", "self_harm"),
    ],
)
def test_medication_errors_and_self_harm_page_at_the_nursing_facility_but_keep_the_kind(
    open_case: CaseOpener, unit_c: Unit, rota_y: list[OnCallEntry], narrative: str, risk: str
) -> None:
    case = open_case(unit=unit_c, kind=Kind.COMPLAINT, narrative=narrative)
    flag = SafetyFlag.objects.get(case=case)

    assert case.kind == Kind.COMPLAINT
    assert flag.risks == [risk]
    assert paged(flag) == [("advocate_y", 0)]


def test_a_case_without_risk_gets_no_flag_and_pages_nobody(
    open_case: CaseOpener, unit_c: Unit, rota_y: list[OnCallEntry]
) -> None:
    case = open_case(unit=unit_c, narrative=NO_RISK)

    assert case.kind == Kind.GRIEVANCE
    assert not SafetyFlag.objects.exists()
    assert not SafetyPage.objects.exists()
    assert not case.events.filter(kind="safety_flagged").exists()


def test_a_refused_case_leaves_no_flag_behind(open_case: CaseOpener, unit_c: Unit) -> None:
    with pytest.raises(ValidationError):
        open_case(unit=unit_c, narrative=ABUSE, received_at=NOW + timedelta(hours=1))

    assert not Case.objects.exists()
    assert not SafetyFlag.objects.exists()


# --- pages ---------------------------------------------------------------------------------------


def test_the_first_page_goes_to_the_person_on_call(flag_y: SafetyFlag) -> None:
    [page] = flag_y.pages.all()

    assert (page.user.username, page.step, page.audience) == (
        "advocate_y",
        0,
        PageAudience.ON_CALL,
    )
    assert (page.sent_at, page.due_ack_by) == (NOW, NOW + timedelta(minutes=15))


def test_people_sharing_the_first_position_are_paged_together(
    open_case: CaseOpener,
    unit_c: Unit,
    facility_y: Facility,
    admin: User,
    rota_y: list[OnCallEntry],
    nurse_lead_y: User,
) -> None:
    on_call(facility_y, nurse_lead_y, admin=admin, position=0)

    flag = SafetyFlag.objects.get(case=open_case(unit=unit_c, narrative=ABUSE))

    assert sorted(paged(flag)) == [("advocate_y", 0), ("nurselead_y", 0)]


def test_the_page_email_names_the_case_risks_and_links_but_not_the_client_words(
    open_case: CaseOpener,
    unit_c: Unit,
    rota_y: list[OnCallEntry],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(unit=unit_c, narrative=ABUSE)

    [message] = mail.outbox
    page = SafetyPage.objects.get()
    assert message.to == ["advocate_y@example.org"]
    assert case.reference in message.subject
    assert "abuse" in message.subject
    assert f"/safety/pages/{page.pk}/ack/" in message.body
    assert f"/cases/{case.pk}/" in message.body
    assert "filed as a safety concern" in message.body
    assert "slapped" not in f"{message.subject} {message.body}"
    assert "water" not in message.body
    assert page.__class__.objects.get(pk=page.pk).emailed_at == NOW


def test_no_page_email_is_sent_before_the_case_commits(
    open_case: CaseOpener,
    unit_c: Unit,
    rota_y: list[OnCallEntry],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_case(unit=unit_c, narrative=ABUSE)

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_page_email_is_sent_once(flag_y: SafetyFlag) -> None:
    page = flag_y.pages.get()

    assert safety_page_deliver(page_id=page.pk, now=NOW) is True
    assert safety_page_deliver(page_id=page.pk, now=NOW) is False
    assert len(mail.outbox) == 1


def test_a_page_already_acknowledged_before_its_email_goes_out_is_not_sent(
    flag_y: SafetyFlag,
) -> None:
    page = flag_y.pages.get()
    safety_page_acknowledge(actor=page.user, page=page, now=NOW)

    assert safety_page_deliver(page_id=page.pk, now=NOW) is False
    assert mail.outbox == []


def test_nobody_on_call_pages_the_managers_and_advocates_covering_the_case(
    personas: dict[str, User], flag_a: SafetyFlag
) -> None:
    assert paged(flag_a) == [("advocate_x", 0), ("manager_a", 0)]
    assert {p.audience for p in flag_a.pages.all()} == {PageAudience.FALLBACK}


def test_outside_every_on_call_window_the_managers_and_advocates_are_paged(
    open_case: CaseOpener,
    unit_c: Unit,
    facility_y: Facility,
    admin: User,
    manager_y: User,
    advocate_y: User,
) -> None:
    on_call(facility_y, manager_y, admin=admin, start=time(22), end=time(6))  # nights only

    flag = SafetyFlag.objects.get(case=open_case(unit=unit_c, narrative=ABUSE))  # 10:00 local

    assert paged(flag) == [("advocate_y", 0), ("manager_y", 0)]


def test_the_on_call_person_is_chosen_in_the_facility_time_on_the_dst_change_day(
    open_case: CaseOpener, facility_x: Facility, admin: User, manager_a: User, advocate_x: User
) -> None:
    """Riverside General is in Chicago. Sunday 8 March 2026, 11:30 UTC is 06:30 CDT (day shift);
    a fixed UTC-6 offset would give 05:30 and page the Saturday night shift."""
    day_lead = advocate_x
    night_lead = User.objects.create_user(
        username="night_lead", email="night@example.org", organization=facility_x.organization
    )
    night_lead.memberships.create(role="advocate", facility=facility_x)
    on_call(facility_x, night_lead, admin=admin, weekdays=(5,), start=time(22), end=time(6))
    on_call(facility_x, day_lead, admin=admin, start=time(6), end=time(22))

    night = open_case(narrative=ABUSE, now=datetime(2026, 3, 8, 10, 30, tzinfo=UTC))  # 05:30
    day = open_case(narrative=ABUSE, now=datetime(2026, 3, 8, 11, 30, tzinfo=UTC))  # 06:30

    assert paged(SafetyFlag.objects.get(case=night)) == [("night_lead", 0)]
    assert paged(SafetyFlag.objects.get(case=day)) == [("advocate_x", 0)]


def test_a_deactivated_entry_is_not_paged(
    open_case: CaseOpener, unit_c: Unit, rota_y: list[OnCallEntry]
) -> None:
    OnCallEntry.objects.filter(pk=rota_y[0].pk).update(active=False)

    flag = SafetyFlag.objects.get(case=open_case(unit=unit_c, narrative=ABUSE))

    assert paged(flag) == [("manager_y", 0)]


# --- escalation ----------------------------------------------------------------------------------


def test_an_unacknowledged_page_escalates_to_the_next_person_after_the_minutes_pass(
    flag_y: SafetyFlag,
) -> None:
    assert sweep_at(NOW + timedelta(minutes=15) - MINUTE) == 0
    assert paged(flag_y) == [("advocate_y", 0)]

    assert sweep_at(NOW + timedelta(minutes=15)) == 1

    first, second = flag_y.pages.order_by("step")
    assert first.escalated_at == NOW + timedelta(minutes=15)
    assert (second.user.username, second.step, second.audience) == (
        "manager_y",
        1,
        PageAudience.ON_CALL,
    )
    assert second.due_ack_by == NOW + timedelta(minutes=30)
    event = flag_y.case.events.get(kind="safety_escalated")
    assert event.summary == "Safety page not acknowledged in time; step 1: Manager Tester"


def test_when_the_order_is_exhausted_the_managers_and_administrators_are_paged(
    flag_y: SafetyFlag, admin: User, executive: User
) -> None:
    sweep_at(NOW + timedelta(minutes=15))
    sweep_at(NOW + timedelta(minutes=30))

    assert paged(flag_y) == [("advocate_y", 0), ("manager_y", 1), ("admin", 2)]
    assert flag_y.pages.get(step=2).audience == PageAudience.FALLBACK


def test_when_nobody_is_left_the_flag_stays_pending_and_sweeps_go_quiet(
    flag_y: SafetyFlag, admin: User
) -> None:
    for minutes in (15, 30, 45):
        assert sweep_at(NOW + timedelta(minutes=minutes)) == 1

    assert sweep_at(NOW + timedelta(days=30)) == 0
    flag_y.refresh_from_db()
    assert flag_y.status == FlagStatus.PENDING
    last = flag_y.case.events.filter(kind="safety_escalated").last()
    assert last is not None
    assert last.summary.endswith("nobody left to page")


def test_the_escalation_time_comes_from_the_rota(
    open_case: CaseOpener, unit_c: Unit, rota_y: list[OnCallEntry], facility_y: Facility
) -> None:
    OnCallRota.objects.filter(facility=facility_y).update(escalate_after_minutes=5)
    flag = SafetyFlag.objects.get(case=open_case(unit=unit_c, narrative=ABUSE))

    assert flag.pages.get().due_ack_by == NOW + timedelta(minutes=5)
    assert sweep_at(NOW + timedelta(minutes=5)) == 1


def test_escalating_with_nobody_on_call_pages_the_administrators_next(
    personas: dict[str, User], flag_a: SafetyFlag
) -> None:
    sweep_at(NOW + timedelta(minutes=15))

    assert paged(flag_a) == [("advocate_x", 0), ("manager_a", 0), ("admin", 1)]


def test_acknowledging_a_page_stops_escalation(flag_y: SafetyFlag, advocate_y: User) -> None:
    page = flag_y.pages.get()
    later = NOW + timedelta(minutes=3)

    acknowledged = safety_page_acknowledge(actor=advocate_y, page=page, now=later)

    assert acknowledged.acknowledged_at == later
    assert sweep_at(NOW + timedelta(hours=2)) == 0
    assert paged(flag_y) == [("advocate_y", 0)]
    event = flag_y.case.events.get(kind="safety_page_acknowledged")
    assert event.actor == advocate_y


def test_acknowledging_any_page_of_the_flag_stops_escalation(
    manager_a: User, advocate_x: User, flag_a: SafetyFlag
) -> None:
    safety_page_acknowledge(actor=manager_a, page=flag_a.pages.get(user=manager_a), now=NOW)

    assert sweep_at(NOW + timedelta(hours=1)) == 0


def test_a_late_acknowledgement_stops_further_escalation(
    flag_y: SafetyFlag, advocate_y: User
) -> None:
    sweep_at(NOW + timedelta(minutes=15))
    safety_page_acknowledge(
        actor=advocate_y, page=flag_y.pages.get(step=0), now=NOW + timedelta(minutes=20)
    )

    assert sweep_at(NOW + timedelta(minutes=30)) == 0
    assert paged(flag_y) == [("advocate_y", 0), ("manager_y", 1)]


def test_only_the_paged_person_can_acknowledge_and_only_once(
    flag_y: SafetyFlag, advocate_y: User, manager_y: User, admin: User
) -> None:
    page = flag_y.pages.get()

    for someone_else in (manager_y, admin):
        with pytest.raises(PermissionDenied):
            safety_page_acknowledge(actor=someone_else, page=page, now=NOW)
    safety_page_acknowledge(actor=advocate_y, page=page, now=NOW)
    with pytest.raises(ValidationError, match="already acknowledged"):
        safety_page_acknowledge(actor=advocate_y, page=page, now=NOW + MINUTE)


@pytest.mark.parametrize("decide", [safety_flag_confirm, safety_flag_dismiss])
def test_deciding_the_flag_stops_escalation(
    flag_y: SafetyFlag, advocate_y: User, decide: Decide
) -> None:
    decide(actor=advocate_y, flag=flag_y, reason="Spoke to the resident", now=NOW + MINUTE)

    assert sweep_at(NOW + timedelta(hours=1)) == 0
    assert paged(flag_y) == [("advocate_y", 0)]


# --- decisions -----------------------------------------------------------------------------------


def test_confirming_records_who_why_and_when_and_keeps_the_safety_concern(
    flag_y: SafetyFlag, advocate_y: User
) -> None:
    at = NOW + timedelta(minutes=10)

    flag = safety_flag_confirm(actor=advocate_y, flag=flag_y, reason="  Bruise seen  ", now=at)

    assert (flag.status, flag.decided_by, flag.decided_at, flag.reason) == (
        FlagStatus.CONFIRMED,
        advocate_y,
        at,
        "Bruise seen",
    )
    case = Case.objects.get(pk=flag.case_id)
    assert case.kind == Kind.SAFETY_CONCERN
    assert clocks_by_id(case)["initial_report_2h"].status == ClockStatus.RUNNING
    event = case.events.get(kind="safety_confirmed")
    assert event.changes == {"safety_flag": ["pending", "confirmed"]}
    assert "Bruise" not in event.summary
    assert AuditEvent.objects.filter(event_type="case.safety_confirmed", actor_id=advocate_y.pk)


def test_dismissing_files_the_case_back_and_cancels_the_f609_clocks(
    flag_y: SafetyFlag, advocate_y: User
) -> None:
    at = NOW + timedelta(minutes=20)

    safety_flag_dismiss(actor=advocate_y, flag=flag_y, reason="Resident was joking", now=at)

    case = Case.objects.get(pk=flag_y.case_id)
    assert case.kind == Kind.GRIEVANCE
    clocks = clocks_by_id(case)
    assert {clocks[c].status for c in F609_CLOCKS & set(clocks)} == {ClockStatus.CANCELLED}
    assert F609_CLOCKS & set(clocks) == {"initial_report_2h", "results_report_5wd"}
    assert clocks["review_5wd"].status == ClockStatus.RUNNING
    assert clocks["review_5wd"].started_at == case.received_at
    reclassified = case.events.get(kind="reclassified")
    assert reclassified.changes == {"kind": ["safety_concern", "grievance"]}
    assert reclassified.actor == advocate_y
    assert "Safety screening flag dismissed" in case.classification_reason
    assert case.events.filter(kind="clock_cancelled").count() == 2


def test_dismissing_a_hospital_flag_leaves_the_kind_alone(
    flag_a: SafetyFlag, advocate_x: User
) -> None:
    safety_flag_dismiss(actor=advocate_x, flag=flag_a, reason="Misheard", now=NOW)

    case = Case.objects.get(pk=flag_a.case_id)
    assert case.kind == Kind.GRIEVANCE
    assert not case.events.filter(kind="reclassified").exists()


def test_dismissing_does_not_undo_a_kind_a_person_chose_since(
    flag_y: SafetyFlag, advocate_y: User
) -> None:
    from careloop.cases.services import case_reclassify

    case_reclassify(
        actor=advocate_y, case=flag_y.case, kind=Kind.COMPLAINT, reason="Minor", now=NOW
    )

    safety_flag_dismiss(actor=advocate_y, flag=flag_y, reason="Not abuse", now=NOW + MINUTE)

    assert Case.objects.get(pk=flag_y.case_id).kind == Kind.COMPLAINT


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
@pytest.mark.parametrize("decide", [safety_flag_confirm, safety_flag_dismiss])
def test_a_decision_needs_a_reason(
    flag_y: SafetyFlag, advocate_y: User, decide: Decide, reason: str
) -> None:
    with pytest.raises(ValidationError, match="Reason is required"):
        decide(actor=advocate_y, flag=flag_y, reason=reason, now=NOW)

    flag_y.refresh_from_db()
    assert flag_y.status == FlagStatus.PENDING
    assert Case.objects.get(pk=flag_y.case_id).kind == Kind.SAFETY_CONCERN


@pytest.mark.parametrize("persona", ["frontline_a", "executive", "outsider", "advocate_y"])
@pytest.mark.parametrize("decide", [safety_flag_confirm, safety_flag_dismiss])
def test_a_decision_needs_the_work_case_capability_on_the_case(
    flag_a: SafetyFlag, personas: dict[str, User], persona: str, decide: Decide
) -> None:
    with pytest.raises(PermissionDenied):
        decide(actor=personas[persona], flag=flag_a, reason="Looked into it", now=NOW)

    flag_a.refresh_from_db()
    assert flag_a.status == FlagStatus.PENDING


@pytest.mark.parametrize("persona", ["manager_a", "advocate_x", "admin"])
def test_advocates_managers_and_administrators_in_scope_may_decide(
    flag_a: SafetyFlag, personas: dict[str, User], persona: str
) -> None:
    flag = safety_flag_confirm(actor=personas[persona], flag=flag_a, reason="Seen", now=NOW)

    assert flag.status == FlagStatus.CONFIRMED


def test_a_decided_flag_cannot_be_decided_again(flag_y: SafetyFlag, advocate_y: User) -> None:
    safety_flag_confirm(actor=advocate_y, flag=flag_y, reason="Real", now=NOW)

    with pytest.raises(ValidationError, match="already confirmed"):
        safety_flag_dismiss(actor=advocate_y, flag=flag_y, reason="Changed my mind", now=NOW)
    with pytest.raises(ValidationError, match="already confirmed"):
        safety_flag_confirm(actor=advocate_y, flag=flag_y, reason="Again", now=NOW)
    assert Case.objects.get(pk=flag_y.case_id).kind == Kind.SAFETY_CONCERN


# --- nothing is ever dismissed automatically -----------------------------------------------------


def test_no_amount_of_time_or_sweeping_dismisses_a_flag(flag_y: SafetyFlag, admin: User) -> None:
    for days in range(0, 400, 7):
        sweep_at(NOW + timedelta(days=days, minutes=15))

    flag_y.refresh_from_db()
    assert flag_y.status == FlagStatus.PENDING
    assert flag_y.decided_by is None
    assert Case.objects.get(pk=flag_y.case_id).kind == Kind.SAFETY_CONCERN


def test_the_only_code_that_dismisses_a_flag_is_the_dismiss_service_with_a_person_and_reason() -> (
    None
):
    import ast
    import inspect
    from pathlib import Path

    import careloop

    root = Path(careloop.__file__).parent
    naming: set[str] = set()
    writing_the_word: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            where = f"{path.relative_to(root)}:{func.name}"
            for node in ast.walk(func):
                if isinstance(node, ast.Attribute) and node.attr == "DISMISSED":
                    naming.add(where)
                if (
                    isinstance(node, ast.keyword)
                    and node.arg == "status"
                    and isinstance(node.value, ast.Constant)
                    and node.value.value == "dismissed"
                ):
                    writing_the_word.add(where)
    assert naming == {"safety/services.py:safety_flag_dismiss"}
    assert writing_the_word == set()
    params = inspect.signature(safety_flag_dismiss).parameters
    assert {name for name, p in params.items() if p.default is inspect.Parameter.empty} == {
        "actor",
        "flag",
        "reason",
        "now",
    }
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())


# --- the sweeper ---------------------------------------------------------------------------------


def test_the_worker_sweep_escalates_pages(
    flag_y: SafetyFlag, monkeypatch: pytest.MonkeyPatch
) -> None:
    from careloop.core import worker

    class OneRound(threading.Event):
        def __init__(self) -> None:
            super().__init__()
            self.rounds = 0

        def is_set(self) -> bool:
            self.rounds += 1
            return self.rounds > 1

        def wait(self, timeout: float | None = None) -> bool:
            return True

    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(connection, "close", lambda: None)

    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        worker.sweep_forever(OneRound(), 0)

    assert paged(flag_y) == [("advocate_y", 0), ("manager_y", 1)]


def _escalate_in_thread(at: datetime, barrier: threading.Barrier, results: list[object]) -> None:
    try:
        barrier.wait(timeout=10)
        results.append(safety_pages_escalate(now=at))
    except Exception as exc:  # reported to the test thread
        results.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_escalate_a_flag_once(
    audit_log_cleared_after: None, flag_y: SafetyFlag
) -> None:
    barrier = threading.Barrier(2)
    results: list[object] = []
    sweepers = [
        threading.Thread(
            target=_escalate_in_thread, args=(NOW + timedelta(minutes=16), barrier, results)
        )
        for _ in range(2)
    ]

    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join(timeout=60)

    assert sorted(results) == [0, 1], results  # type: ignore[type-var]  # ints or exceptions
    assert paged(flag_y) == [("advocate_y", 0), ("manager_y", 1)]
    assert CaseEvent.objects.filter(case=flag_y.case, kind="safety_escalated").count() == 1
