"""Improvement tasks: opened from a special-cause alert (GET shows the form, POST opens it),
listed for everyone who may see the facility's insights, changed by its quality leads."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.insights import selectors
from careloop.insights.forms import TaskForm, TaskUpdateForm
from careloop.insights.improvement import (
    TaskInput,
    TaskInvalid,
    TaskNotFound,
    task_owners,
    tasks_for,
)
from careloop.insights.improvement import (
    task_open as task_open_service,
)
from careloop.insights.improvement import (
    task_update as task_update_service,
)
from careloop.insights.models import ImprovementTask, InsightAlert
from careloop.insights.permissions import can_acknowledge_alerts
from careloop.insights.views import user_of
from careloop.orgs.models import Facility
from careloop.orgs.permissions import org_id_of

DEFAULT_DUE_DAYS = 30


def _today(facility: Facility) -> date:
    return utcnow().astimezone(ZoneInfo(facility.time_zone)).date()


def _owners(facility: Facility) -> list[tuple[int, str]]:
    return [(u.pk, u.get_full_name() or u.get_username()) for u in task_owners(facility)]


def _input(form: TaskForm) -> TaskInput:
    data = form.cleaned_data
    return TaskInput(title=data["title"], owner_id=data["owner"], due_on=data["due_on"])


@login_required
@require_http_methods(["GET", "POST"])
def task_open(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = user_of(request)
    alert = (
        InsightAlert.objects.select_related("facility")
        .filter(pk=alert_id, organization_id=org_id_of(user))
        .first()
    )
    if alert is None or not can_acknowledge_alerts(user, alert.facility):
        raise Http404("No such alert.")
    today = _today(alert.facility)
    form = TaskForm(
        request.POST or None,
        owners=_owners(alert.facility),
        initial={
            "title": f"Review the complaint-rate signal of {alert.month_on:%B %Y}",
            "owner": user.pk,
            "due_on": date.fromordinal(today.toordinal() + DEFAULT_DUE_DAYS),
        },
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            task_open_service(
                actor=user, alert_id=alert.pk, data=_input(form), today=today, now=utcnow()
            )
        except TaskNotFound:
            raise Http404("No such alert.") from None
        except TaskInvalid as error:
            problems = error.problems
        else:
            messages.success(request, "Improvement task opened.")
            return redirect("insights:tasks")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "insights/task_open.html",
        {"alert": alert, "form": form, "problems": problems},
        status=status,
    )


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    facilities = selectors.facilities_for(user=user)
    rows = [
        (
            task,
            TaskUpdateForm(
                owners=_owners(task.facility),
                initial={
                    "title": task.title,
                    "owner": task.owner_id,
                    "due_on": task.due_on,
                    "status": task.status,
                },
                prefix=f"t{task.pk}",
            )
            if can_acknowledge_alerts(user, task.facility)
            else None,
        )
        for task in tasks_for(facilities=facilities)
    ]
    return render(request, "insights/tasks.html", {"rows": rows})


@login_required
@require_POST
def task_update(request: HttpRequest, task_id: int) -> HttpResponse:
    user = user_of(request)
    task = (
        ImprovementTask.objects.select_related("facility")
        .filter(pk=task_id, organization_id=org_id_of(user))
        .first()
    )
    if task is None or not can_acknowledge_alerts(user, task.facility):
        raise Http404("No such task.")
    form = TaskUpdateForm(request.POST, owners=_owners(task.facility), prefix=f"t{task.pk}")
    if not form.is_valid():
        messages.error(request, "The task was not changed: check every field.")
        return redirect("insights:tasks")
    try:
        task_update_service(
            actor=user,
            task_id=task.pk,
            data=_input(form),
            status=form.cleaned_data["status"],
            today=_today(task.facility),
            now=utcnow(),
        )
    except TaskNotFound:
        raise Http404("No such task.") from None
    except TaskInvalid as error:
        messages.error(request, "The task was not changed: " + " ".join(error.problems))
    else:
        messages.success(request, "Task updated.")
    return redirect("insights:tasks")
