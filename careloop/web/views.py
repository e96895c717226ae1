"""Staff workspace: queues, the case page, case actions and quick entry."""

from __future__ import annotations

import csv
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.cases.models import Case, Status
from careloop.cases.selectors import (
    EXPORT_FIELDS,
    QueueFilters,
    case_export_for,
    case_get_for,
    case_queue_for,
    clock_state_of,
)
from careloop.cases.services import NewCase, case_open, case_requirements_missing
from careloop.core.time import utcnow
from careloop.insights.exports import csv_cell
from careloop.orgs.models import Facility, Person, Unit, User
from careloop.orgs.permissions import (
    CAPABILITIES,
    facility_ids_for,
    has_capability,
    has_capability_anywhere,
    org_id_of,
    user_memberships,
)
from careloop.web.case_actions import ACTIONS, action_form
from careloop.web.forms import QueueFilterForm, QuickEntryForm

_csv_value = csv_cell  # the queue export's cells, shared with insights exports


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _home_zone(user: User) -> str:
    for m in user_memberships(user):
        if m.facility is not None:
            return m.facility.time_zone
    first = user.organization.facilities.first() if user.organization else None
    return first.time_zone if first else "UTC"


def _units_for(user: User, capability: str) -> Any:
    """Active units where the user holds the capability (every unit of a facility for a
    facility-wide role)."""
    units = Unit.objects.filter(facility__organization_id=org_id_of(user), active=True)
    if facility_ids_for(user, capability) is not None:
        allowed = [m for m in user_memberships(user) if m.role in CAPABILITIES[capability]]
        facilities = {m.facility_id for m in allowed if m.unit_id is None}
        unit_ids = {m.unit_id for m in allowed if m.unit_id is not None}
        units = units.filter(Q(facility_id__in=facilities) | Q(pk__in=unit_ids))
    return units.select_related("facility__organization").order_by("facility__name", "name")


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    owns_cases = has_capability_anywhere(_user(request), "work_case")
    return redirect(reverse("web:queue") + ("?scope=mine" if owns_cases else "?scope=open"))


def _queue_filters(
    request: HttpRequest, user: User
) -> tuple[QueueFilterForm, QueueFilters | None, str, str]:
    """The filter form, the filters it means (None when the form is invalid), the scope tab and
    the keyset cursor."""
    units = _units_for(user, "view_case")
    people = Person.objects.filter(organization_id=org_id_of(user), active=True)
    filtering = any(key not in {"scope"} for key in request.GET)
    facilities = Facility.objects.filter(pk__in={u.facility_id for u in units})
    form = QueueFilterForm(
        request.GET if filtering else None, units=units, people=people, facilities=facilities
    )
    scope = request.GET.get("scope", "all")
    if form.is_bound and not form.is_valid():
        return form, None, scope, ""
    d = form.cleaned_data if form.is_bound else {}
    filters = QueueFilters(
        status=d.get("status", ""),
        kind=d.get("kind", ""),
        facility_id=d["facility"].pk if d.get("facility") else None,
        unit_id=d["unit"].pk if d.get("unit") else None,
        staff_id=d["staff"].pk if d.get("staff") else None,
        clock_state=d.get("clock", ""),
        received_from=d.get("received_from"),
        received_to=d.get("received_to"),
        tz_name=_home_zone(user),
        query=d.get("q", ""),
        mine=scope == "mine",
        open_only=scope in {"mine", "open"},
    )
    return form, filters, scope, d.get("after", "")


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    now = utcnow()
    timezone.activate(ZoneInfo(_home_zone(user)))
    form, filters, scope, cursor = _queue_filters(request, user)
    if filters is None:
        return render(
            request, "web/queue.html", {"form": form, "page": None, "scope": scope}, status=400
        )
    page = case_queue_for(user=user, filters=filters, now=now, cursor=cursor)
    params = request.GET.copy()
    if page.next_cursor:
        params["after"] = page.next_cursor
    export = request.GET.copy()
    export.pop("after", None)
    return render(
        request,
        "web/queue.html",
        {
            "form": form,
            "page": page,
            "scope": scope,
            "rows": [(c, page.clock_states.get(c.pk, "")) for c in page.cases],
            "next_query": params.urlencode() if page.next_cursor else "",
            "export_query": export.urlencode(),
            "can_open": has_capability_anywhere(user, "open_case"),
        },
    )


@require_GET
@login_required
def queue_export(request: HttpRequest) -> HttpResponse:
    """The filtered queue as CSV (coded fields only), audited as an export."""
    user = _user(request)
    zone = ZoneInfo(_home_zone(user))
    _form, filters, _scope, _cursor = _queue_filters(request, user)
    if filters is None:
        return HttpResponse("Those filters are not valid.", status=400)
    rows = case_export_for(user=user, filters=filters, now=utcnow())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="careloop-cases.csv"'
    writer = csv.writer(response)
    writer.writerow([name.replace("__", "_") for name in EXPORT_FIELDS])
    for row in rows:
        writer.writerow([_csv_value(row[name], zone) for name in EXPORT_FIELDS])
    return response


ON_DEMAND_ACTIONS = frozenset({"code"})  # heavy forms, rendered when asked for (?form=code)


def _case_context(
    request: HttpRequest, case: Case, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    user = _user(request)
    now = utcnow()
    bound = bound or {}
    wanted = request.GET.get("form", "")
    staff = list(case.staff_involved.all())
    letter = getattr(case, "letter", None)
    letter_initial = {
        name: getattr(letter, name)
        for name in ACTIONS["letter"].form.base_fields
        if letter is not None
    }
    code_initial: dict[str, Any] = {
        "stage_of_care": case.stage_of_care,
        "harm": case.harm,
        "staff_involved": staff,
        "units_involved": list(case.units_involved.all()),
    }
    from careloop.cases.models import HCAT_CATEGORIES

    code_initial |= {name: getattr(case, name) for name, _ in HCAT_CATEGORIES}
    initials: dict[str, Any] = {
        "letter": letter_initial,
        "code": code_initial,
        "findings": {
            "findings": case.findings,
            "confirmed": case.confirmed,
            "confirmed_by": case.confirmed_by,
        },
        "retention": {"retain_until": case.retain_until, "legal_hold": case.legal_hold},
        "assign": {"owner": case.owner},
        "reclassify": {"kind": case.kind},
    }
    shown = _applicable_actions(case, letter_issued=bool(letter and letter.issued_at))
    forms = [
        (
            name,
            action.title,
            bound.get(name)
            or (
                None
                if name in ON_DEMAND_ACTIONS and wanted != name
                else action_form(action, case, initial=initials.get(name))
            ),
        )
        for name, action in ACTIONS.items()
        if (name in shown or name in bound) and has_capability(user, action.capability, case)
    ]
    clocks = [(c, clock_state_of(c, now)) for c in case.clocks.all()]
    return {
        "case": case,
        "forms": forms,
        "clocks": clocks,
        "events": case.events.select_related("actor"),
        "notes": case.notes.select_related("author"),
        "tasks": case.tasks.select_related("owner"),
        "steps": case.investigation_steps.select_related("actor"),
        "corrective_actions": case.corrective_actions.all(),
        "reports": case.external_reports.all(),
        "interim_notices": case.interim_notices.all(),
        "letter": letter,
        "missing": case_requirements_missing(case) if case.status == Status.RESOLVED else [],
        "staff": staff,
        "opened_form": wanted,
        "can_work": has_capability(user, "work_case", case),
        "hcat": [(label, getattr(case, name)) for name, label in HCAT_CATEGORIES],
    }


BUTTON_ACTIONS = frozenset({"task_done", "clock_pause", "clock_resume"})


def _applicable_actions(case: Case, *, letter_issued: bool) -> set[str]:
    """The forms worth showing for the case as it stands (the services still enforce the rules)."""
    if case.status == Status.CLOSED:
        return {"move", "note", "retention"}
    shown = set(ACTIONS) - BUTTON_ACTIONS
    if case.acknowledged_at is not None:
        shown.discard("acknowledge")
    if letter_issued:
        shown -= {"letter", "letter_issue"}
    return shown


@require_GET
@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for(user=_user(request), case_id=case_id, now=utcnow())
    timezone.activate(ZoneInfo(case.facility.time_zone))
    return render(request, "web/case.html", _case_context(request, case))


@require_POST
@login_required
def case_action(request: HttpRequest, case_id: int, action_name: str) -> HttpResponse:
    user = _user(request)
    action = ACTIONS.get(action_name)
    case = case_get_for(user=user, case_id=case_id, now=utcnow(), purpose="act")
    if action is None:
        return HttpResponse("Unknown action.", status=404)
    if not has_capability(user, action.capability, case):
        raise PermissionDenied("Your role cannot do that on this case.")
    timezone.activate(ZoneInfo(case.facility.time_zone))
    form = action_form(action, case, data=request.POST)
    if form.is_valid():
        try:
            action.run(user, case, form.cleaned_data, utcnow())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"{action.title}: saved.")
            return HttpResponseRedirect(reverse("web:case", args=[case.pk]) + f"#{action.name}")
    case.refresh_from_db()
    context = _case_context(request, case, bound={action.name: form})
    context["failed_action"] = action.name
    return render(request, "web/case.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def quick_entry(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not has_capability_anywhere(user, "open_case"):
        raise PermissionDenied("Your role cannot log cases.")
    timezone.activate(ZoneInfo(_home_zone(user)))
    units = _units_for(user, "open_case")
    only = list(units[:2]) if request.method == "GET" else []
    initial = {"unit": only[0]} if len(only) == 1 else {}
    form = QuickEntryForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit: Unit = d["unit"]
        data = NewCase(
            facility=unit.facility,
            unit=unit,
            kind=d["kind"],
            safety_type=d["safety_type"],
            serious_injury=d["serious_injury"],
            reporter_type=d["reporter_type"],
            channel=d["channel"],
            resolved_at_time=d["resolved_at_time"],
            response_requested=d["response_requested"],
            narrative=d["narrative"],
            desired_outcome=d["desired_outcome"],
            reporter_name=d["reporter_name"],
            reporter_phone=d["reporter_phone"],
            reporter_email=d["reporter_email"] or "",
            contact_preference=d["contact_preference"],
            language=d["language"],
            received_at=d["received_at"],
        )
        try:
            case = case_open(actor=user, data=data, now=utcnow())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Case {case.reference} logged.")
            return redirect("web:case", case_id=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/quick_entry.html", {"form": form}, status=status)
