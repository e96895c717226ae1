"""View-test fixtures: frozen time, one case per place, and valid input for every case action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import time_machine

from careloop.cases.models import Case, Kind
from careloop.cases.records import letter_update, task_add
from careloop.conftest import RECEIVED_AT, CaseOpener, clock_of
from careloop.orgs.models import Unit, User
from careloop.policies.services import clock_pause

# Tuesday 3 March 2026, 09:00 in Chicago: a day after RECEIVED_AT.
NOW = RECEIVED_AT + timedelta(days=1)
EARLIER_TODAY_LOCAL = "2026-03-03T08:00"  # datetime-local input, read in the facility's zone


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case_a(open_case: CaseOpener) -> Case:
    return open_case()


@pytest.fixture
def case_b(open_case: CaseOpener, unit_b: Unit) -> Case:
    return open_case(unit=unit_b)


@pytest.fixture
def case_y(open_case: CaseOpener, unit_c: Unit) -> Case:
    return open_case(unit=unit_c)


def action_data(name: str, case: Case, *, helper: User) -> dict[str, object]:
    """Valid POST data for one action on `case`; `helper` (an advocate) first puts the case in
    the state the action needs (a task to finish, a letter to issue, a clock to resume)."""
    if name == "task_done":
        task = task_add(
            actor=helper, case=case, title="Call back", owner=None, due_on=None, now=NOW
        )
        return {"task_done-object_id": task.pk}
    if name == "letter_issue":
        complete = {  # what the packs of every case here require before issuing
            "contact_person": "Pat Lee",
            "received_on": date(2026, 3, 2),
            "summary": "Wait for pain relief",
            "steps_taken": "Read the notes",
            "findings": "Delay confirmed",
            "results": "Sorry",
            "confirmed": "confirmed",
            "corrective_action": "Huddle on call lights",
            "completion_on": date(2026, 3, 3),
        }
        letter_update(actor=helper, case=case, values=complete, now=NOW)
        return {"letter_issue-delivery": "letter"}
    if name in {"clock_pause", "clock_resume"}:
        clock = clock_of(case, "resolve_7d")
        if name == "clock_resume":
            clock_pause(actor=helper, clock=clock, now=NOW)
        return {f"{name}-object_id": clock.pk}
    fields: dict[str, dict[str, object]] = {
        "acknowledge": {"channel": "phone"},
        "assign": {"owner": ""},
        "move": {"status": "investigating", "reason": ""},
        "reclassify": {"kind": Kind.COMPLAINT, "reason": "Raised in passing"},
        "code": {
            **{s: "0" for s in ("sev_quality", "sev_safety", "sev_environment")},
            **{s: "1" for s in ("sev_institutional", "sev_listening")},
            **{s: "2" for s in ("sev_communication", "sev_respect")},
            "stage_of_care": "care_on_ward",
            "harm": "1",
        },
        "note": {"visibility": "internal", "body": "Spoke to the charge nurse."},
        "task": {"title": "Pull the call-light log", "due_on": "2026-03-05"},
        "step": {"description": "Read the nursing notes."},
        "findings": {"findings": "Delay confirmed.", "confirmed": "true", "confirmed_by": ""},
        "corrective": {"description": "Huddle on call lights", "owner_name": "Charge nurse"},
        "report": {
            "kind": "other",
            "agency": "IDPH",
            "recipients": "Complaint intake",
            "method": "portal",
            "sent_at": EARLIER_TODAY_LOCAL,
            "confirmation_ref": "IL-77",
        },
        "interim": {
            "channel": "letter",
            "sent_at": EARLIER_TODAY_LOCAL,
            "follow_up_on": str(date(2026, 3, 20)),
        },
        "letter": {"contact_person": "Pat Lee", "completion_on": "2026-03-06"},
        "retention": {"retain_until": "2040-01-01", "legal_hold": "on"},
    }
    return {f"{name}-{key}": value for key, value in fields[name].items()}
