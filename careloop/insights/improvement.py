"""Improvement tasks opened from special-cause alerts (issue 6): the only writers. A facility's
quality lead (executive or administrator covering it) opens and updates them; each write locks
its row, validates, writes and is audited (field names only) in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from careloop.audit.services import audit_record
from careloop.insights.models import ImprovementTask, InsightAlert, TaskStatus
from careloop.insights.permissions import can_acknowledge_alerts
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import role_label

TITLE_MAX = 200


class TaskNotFound(Exception):
    """Missing, or out of the actor's scope: the same to the caller."""


class TaskInvalid(Exception):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, kw_only=True)
class TaskInput:
    title: str
    owner_id: int
    due_on: date


def task_owners(facility: Facility) -> QuerySet[User]:
    """Active users whose membership covers the facility: who a task may be given to."""
    covering = Q(memberships__facility__isnull=True) | Q(memberships__facility_id=facility.pk)
    return (
        User.objects.filter(covering, organization_id=facility.organization_id, is_active=True)
        .distinct()
        .order_by("username")
    )


def _validate(data: TaskInput, facility: Facility, *, today: date) -> list[str]:
    problems = []
    if not data.title.strip():
        problems.append("Give the task a title.")
    elif len(data.title.strip()) > TITLE_MAX:
        problems.append(f"The title is longer than {TITLE_MAX} characters.")
    if not task_owners(facility).filter(pk=data.owner_id).exists():
        problems.append("The owner must be an active member covering this facility.")
    if data.due_on < today:
        problems.append("The due date must not be in the past.")
    return problems


@transaction.atomic
def task_open(
    *, actor: User, alert_id: int, data: TaskInput, today: date, now: datetime
) -> ImprovementTask:
    """Open an improvement task on an alert; `today` is the facility-local date."""
    if actor.organization_id is None:
        raise TaskNotFound
    alert = (
        InsightAlert.objects.select_for_update()
        .select_related("facility")
        .filter(pk=alert_id, organization_id=actor.organization_id)
        .first()
    )
    if alert is None or not can_acknowledge_alerts(actor, alert.facility):
        raise TaskNotFound
    if problems := _validate(data, alert.facility, today=today):
        raise TaskInvalid(problems)
    task = ImprovementTask.objects.create(
        organization_id=alert.organization_id,
        facility=alert.facility,
        alert=alert,
        title=data.title.strip(),
        owner_id=data.owner_id,
        due_on=data.due_on,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action="C",
        event_type="insights.task_opened",
        at=now,
        organization_id=alert.organization_id,
        object_type="improvement_task",
        object_id=str(task.pk),
        fields=["title", "owner", "due_on", "status"],
        actor_role=role_label(actor),
        detail={"alert": alert.pk, "facility": alert.facility_id},
    )
    return task


@transaction.atomic
def task_update(
    *,
    actor: User,
    task_id: int,
    data: TaskInput,
    status: str,
    today: date,
    now: datetime,
) -> ImprovementTask:
    """Change a task's title, owner, due date or status; nothing changed writes nothing."""
    if actor.organization_id is None:
        raise TaskNotFound
    task = (
        ImprovementTask.objects.select_for_update()
        .select_related("facility")
        .filter(pk=task_id, organization_id=actor.organization_id)
        .first()
    )
    if task is None or not can_acknowledge_alerts(actor, task.facility):
        raise TaskNotFound
    problems = [] if status in TaskStatus.values else ["Choose a status from the list."]
    # a due date already past may stay as it is; a new one may not be in the past
    check_today = today if data.due_on != task.due_on else data.due_on
    problems += _validate(data, task.facility, today=check_today)
    if problems:
        raise TaskInvalid(problems)
    new = {
        "title": data.title.strip(),
        "owner_id": data.owner_id,
        "due_on": data.due_on,
        "status": status,
    }
    changed = [name for name, value in new.items() if getattr(task, name) != value]
    if not changed:
        return task
    old_status = task.status
    for name in changed:
        setattr(task, name, new[name])
    task.updated_at = now
    task.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action="U",
        event_type="insights.task_updated",
        at=now,
        organization_id=task.organization_id,
        object_type="improvement_task",
        object_id=str(task.pk),
        fields=[name.removesuffix("_id") for name in changed],
        actor_role=role_label(actor),
        detail={"from": old_status, "to": task.status},
    )
    return task


def tasks_for(*, facilities: Sequence[Facility]) -> list[ImprovementTask]:
    """Tasks of these facilities (the caller has scoped them), unfinished first."""
    tasks = ImprovementTask.objects.filter(facility__in=facilities).select_related(
        "facility", "owner", "alert"
    )
    finished = (TaskStatus.DONE, TaskStatus.CANCELLED)
    return sorted(tasks, key=lambda t: (t.status in finished, t.due_on, t.pk))
