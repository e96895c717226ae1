"""The actions on the case page: each pairs a form with the one service it calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from careloop.cases import records, services
from careloop.cases.models import Case, Task
from careloop.orgs.models import Person, Unit, User
from careloop.policies import services as clock_services
from careloop.policies.models import CaseClock
from careloop.web import forms as f


def owners_for(case: Case) -> QuerySet[User]:
    """Users who may own this case: advocates, managers and administrators whose scope covers it."""
    in_scope = (
        Q(memberships__unit_id=case.unit_id, memberships__unit__isnull=False)
        | Q(memberships__facility_id=case.facility_id, memberships__unit__isnull=True)
        | Q(memberships__facility__isnull=True)
    )
    return (
        User.objects.filter(
            organization_id=case.organization_id, is_active=True, api_token__isnull=True
        )
        .filter(in_scope, memberships__role__in=["advocate", "manager", "admin"])
        .distinct()
        .order_by("last_name", "first_name")
    )


def _form_kwargs(action: str, case: Case) -> dict[str, Any]:
    if action in {"assign", "task"}:
        return {"owners": owners_for(case)}
    if action == "code":
        return {
            "people": Person.objects.filter(facility_id=case.facility_id, active=True),
            "units": Unit.objects.filter(facility_id=case.facility_id, active=True),
        }
    return {}


Run = Callable[[User, Case, dict[str, Any], datetime], object]


def _task(case: Case, task_id: int) -> Task:
    return get_object_or_404(Task, pk=task_id, case=case)


def _clock(case: Case, clock_id: int) -> CaseClock:
    return get_object_or_404(CaseClock, pk=clock_id, case=case)


def _severities(d: dict[str, Any]) -> dict[str, int]:
    from careloop.cases.models import HCAT_CATEGORIES

    return {name: int(d[name]) for name, _ in HCAT_CATEGORIES}


@dataclass(frozen=True)
class CaseAction:
    name: str
    title: str
    form: type[forms.Form]
    capability: str
    run: Run


ACTIONS: dict[str, CaseAction] = {
    a.name: a
    for a in [
        CaseAction(
            "acknowledge",
            "Acknowledge",
            f.AcknowledgeForm,
            "work_case",
            lambda u, c, d, n: services.case_acknowledge(
                actor=u, case=c, channel=d["channel"], now=n
            ),
        ),
        CaseAction(
            "assign",
            "Owner",
            f.AssignForm,
            "work_case",
            lambda u, c, d, n: services.case_assign(actor=u, case=c, owner=d["owner"], now=n),
        ),
        CaseAction(
            "move",
            "Status",
            f.MoveForm,
            "work_case",
            lambda u, c, d, n: services.case_move(
                actor=u, case=c, status=d["status"], reason=d["reason"], now=n
            ),
        ),
        CaseAction(
            "reclassify",
            "Classification",
            f.ReclassifyForm,
            "work_case",
            lambda u, c, d, n: services.case_reclassify(
                actor=u, case=c, kind=d["kind"], reason=d["reason"], now=n
            ),
        ),
        CaseAction(
            "code",
            "HCAT coding",
            f.CodeForm,
            "work_case",
            lambda u, c, d, n: services.case_code(
                actor=u,
                case=c,
                severities=_severities(d),
                stage_of_care=d["stage_of_care"],
                harm=d["harm"],
                staff_involved=list(d["staff_involved"]),
                units_involved=list(d["units_involved"]),
                now=n,
            ),
        ),
        CaseAction(
            "note",
            "Note or message",
            f.NoteForm,
            "note_case",
            lambda u, c, d, n: records.note_add(
                actor=u, case=c, body=d["body"], visibility=d["visibility"], now=n
            ),
        ),
        CaseAction(
            "task",
            "New task",
            f.TaskForm,
            "work_case",
            lambda u, c, d, n: records.task_add(
                actor=u, case=c, title=d["title"], owner=d["owner"], due_on=d["due_on"], now=n
            ),
        ),
        CaseAction(
            "task_done",
            "Task done",
            f.ObjectIdForm,
            "work_case",
            lambda u, c, d, n: records.task_complete(actor=u, task=_task(c, d["object_id"]), now=n),
        ),
        CaseAction(
            "step",
            "Investigation step",
            f.StepForm,
            "work_case",
            lambda u, c, d, n: records.investigation_step_add(
                actor=u, case=c, description=d["description"], at=None, now=n
            ),
        ),
        CaseAction(
            "findings",
            "Findings",
            f.FindingsForm,
            "work_case",
            lambda u, c, d, n: records.case_set_findings(
                actor=u,
                case=c,
                findings=d["findings"],
                confirmed=d["confirmed"],
                confirmed_by=d["confirmed_by"],
                now=n,
            ),
        ),
        CaseAction(
            "corrective",
            "Corrective action",
            f.CorrectiveForm,
            "work_case",
            lambda u, c, d, n: records.corrective_action_add(
                actor=u,
                case=c,
                description=d["description"],
                owner_name=d["owner_name"],
                due_on=d["due_on"],
                now=n,
            ),
        ),
        CaseAction(
            "report",
            "External report",
            f.ReportForm,
            "work_case",
            lambda u, c, d, n: records.external_report_record(
                actor=u,
                case=c,
                kind=d["kind"],
                agency=d["agency"],
                recipients=d["recipients"],
                method=d["method"],
                sent_at=d["sent_at"],
                confirmation_ref=d["confirmation_ref"],
                now=n,
            ),
        ),
        CaseAction(
            "interim",
            "Interim notice",
            f.InterimForm,
            "work_case",
            lambda u, c, d, n: records.interim_notice_record(
                actor=u,
                case=c,
                channel=d["channel"],
                sent_at=d["sent_at"],
                follow_up_on=d["follow_up_on"],
                now=n,
            ),
        ),
        CaseAction(
            "letter",
            "Decision letter",
            f.LetterForm,
            "work_case",
            lambda u, c, d, n: records.letter_update(actor=u, case=c, values=d, now=n),
        ),
        CaseAction(
            "letter_issue",
            "Issue the letter",
            f.IssueForm,
            "work_case",
            lambda u, c, d, n: records.letter_issue(actor=u, case=c, delivery=d["delivery"], now=n),
        ),
        CaseAction(
            "retention",
            "Retention and legal hold",
            f.RetentionForm,
            "hold_case",
            lambda u, c, d, n: services.case_set_retention(
                actor=u, case=c, retain_until=d["retain_until"], legal_hold=d["legal_hold"], now=n
            ),
        ),
        CaseAction(
            "clock_pause",
            "Pause clock",
            f.ObjectIdForm,
            "work_case",
            lambda u, c, d, n: clock_services.clock_pause(
                actor=u, clock=_clock(c, d["object_id"]), now=n
            ),
        ),
        CaseAction(
            "clock_resume",
            "Resume clock",
            f.ObjectIdForm,
            "work_case",
            lambda u, c, d, n: clock_services.clock_resume(
                actor=u, clock=_clock(c, d["object_id"]), now=n
            ),
        ),
    ]
}


def action_form(
    action: CaseAction, case: Case, data: Any = None, initial: Any = None
) -> forms.Form:
    return action.form(data, initial=initial, prefix=action.name, **_form_kwargs(action.name, case))
