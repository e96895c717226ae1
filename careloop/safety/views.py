"""Staff screens for safety screening: pending flags, decisions, page acknowledgement, the
on-call rota. Each view parses input, fetches through a scope, calls one service, renders."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.audit.services import audit_record
from careloop.core.time import utcnow
from careloop.orgs.models import Facility, Role, User
from careloop.orgs.permissions import facility_ids_for, has_capability, role_label, scope_q
from careloop.safety.forms import WEEKDAYS, DecisionForm, OnCallEntryForm, RotaSettingsForm
from careloop.safety.models import (
    DEFAULT_ESCALATE_AFTER_MINUTES,
    FlagStatus,
    OnCallEntry,
    OnCallRota,
    SafetyFlag,
    SafetyPage,
)
from careloop.safety.rota import on_call_order
from careloop.safety.services import (
    can_manage_rota,
    on_call_entry_add,
    on_call_entry_set_active,
    on_call_rota_set,
    safety_flag_confirm,
    safety_flag_dismiss,
    safety_page_acknowledge,
)

DECISIONS = {"confirm": safety_flag_confirm, "dismiss": safety_flag_dismiss}
LIST_LIMIT = 200


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


def _case_url(flag: SafetyFlag) -> str:
    return reverse("web:case", args=[flag.case_id]) + "#safety"


# --- flags ---------------------------------------------------------------------------------------


@require_GET
@login_required
def flag_list(request: HttpRequest) -> HttpResponse:
    """Pending flags on cases the user may see, and the user's own unacknowledged pages."""
    user = _user(request)
    now = utcnow()
    flags = list(
        SafetyFlag.objects.filter(scope_q(user, prefix="case__"), status=FlagStatus.PENDING)
        .select_related("case", "facility")
        .order_by("created_at", "id")[:LIST_LIMIT]
    )
    pages = list(
        SafetyPage.objects.filter(
            user_id=user.pk, acknowledged_at__isnull=True, flag__status=FlagStatus.PENDING
        ).select_related("flag__case")
    )
    if flags and user.organization_id is not None:
        audit_record(
            actor=user,
            action="R",
            event_type="safety.listed",
            at=now,
            organization_id=user.organization_id,
            object_type="safety_flag",
            fields=["reference", "risks", "status"],
            actor_role=role_label(user),
            detail={"case_ids": [f.case_id for f in flags]},
        )
    rota_facilities = Facility.objects.none()
    if user.organization_id is not None:
        allowed = facility_ids_for(user, "administer")
        rota_facilities = Facility.objects.filter(organization_id=user.organization_id)
        if allowed is not None:
            rota_facilities = rota_facilities.filter(pk__in=allowed)
    return render(
        request,
        "safety/flags.html",
        {"flags": flags, "pages": pages, "rota_facilities": rota_facilities, "now": now},
    )


def _flag_for(user: User, flag_id: int) -> SafetyFlag:
    """The flag, if its case is in the user's scope; missing and out of scope are both 404."""
    flag = (
        SafetyFlag.objects.filter(scope_q(user, prefix="case__"), pk=flag_id)
        .select_related("case__facility")
        .first()
    )
    if flag is None:
        raise Http404("No such safety flag.")
    return flag


@require_POST
@login_required
def flag_decide(request: HttpRequest, flag_id: int, decision: str) -> HttpResponse:
    user = _user(request)
    service = DECISIONS.get(decision)
    if service is None:
        raise Http404("No such decision.")
    flag = _flag_for(user, flag_id)
    if not has_capability(user, "work_case", flag.case):
        raise PermissionDenied("Your role cannot review safety flags on this case.")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            service(actor=user, flag=flag, reason=form.cleaned_data["reason"], now=utcnow())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            word = "confirmed" if decision == "confirm" else "dismissed"
            messages.success(request, f"Safety flag {word}.")
            return redirect(_case_url(flag))
    timezone.activate(ZoneInfo(flag.case.facility.time_zone))
    context = {"flag": flag, "form": form, "decision": decision}
    return render(request, "safety/decide.html", context, status=400)


# --- pages ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def page_ack(request: HttpRequest, page_id: int) -> HttpResponse:
    """The link in a page email. Only the person paged finds the page (others get 404)."""
    user = _user(request)
    page = (
        SafetyPage.objects.filter(pk=page_id, user_id=user.pk)
        .select_related("flag__case__facility")
        .first()
    )
    if page is None:
        raise Http404("No such page.")
    timezone.activate(ZoneInfo(page.flag.case.facility.time_zone))
    error = ""
    if request.method == "POST":
        try:
            safety_page_acknowledge(actor=user, page=page, now=utcnow())
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Page acknowledged: {page.flag.case.reference}.")
            return redirect(_case_url(page.flag))
    status = 400 if error else 200
    return render(request, "safety/page_ack.html", {"page": page, "error": error}, status=status)


# --- the on-call rota ----------------------------------------------------------------------------


def _rota_facility(user: User, facility_id: int) -> Facility:
    """A facility of the user's organization (else 404) that the user administers (else 403)."""
    if user.organization_id is None:
        raise Http404("No such facility.")
    facility = Facility.objects.filter(pk=facility_id, organization_id=user.organization_id).first()
    if facility is None:
        raise Http404("No such facility.")
    if not can_manage_rota(user, facility):
        raise PermissionDenied("Only administrators can change the on-call rota.")
    return facility


def _eligible(facility: Facility) -> QuerySet[User]:
    """People who can work every case of the facility: whom a page may go to."""
    facility_wide = Q(memberships__facility_id=facility.pk, memberships__unit__isnull=True)
    return (
        User.objects.filter(organization_id=facility.organization_id, is_active=True)
        .filter(facility_wide | Q(memberships__facility__isnull=True))
        .filter(memberships__role__in=[Role.ADVOCATE, Role.MANAGER, Role.ADMIN])
        .exclude(email="")
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _render_rota(
    request: HttpRequest,
    facility: Facility,
    *,
    entry_form: OnCallEntryForm | None = None,
    settings_form: RotaSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    zone = ZoneInfo(facility.time_zone)
    timezone.activate(zone)
    rota = OnCallRota.objects.filter(facility=facility).first()
    minutes = rota.escalate_after_minutes if rota else DEFAULT_ESCALATE_AFTER_MINUTES
    entries = list(OnCallEntry.objects.filter(rota__facility=facility).select_related("user"))
    now_local = utcnow().astimezone(zone)
    on_call_ids = {
        e.pk for e in on_call_order([e for e in entries if e.active], at_local=now_local)
    }
    days = dict(WEEKDAYS)
    rows = [
        (e, ", ".join(days[d] for d in e.weekdays) or "Every day", e.pk in on_call_ids)
        for e in entries
    ]
    context: dict[str, Any] = {
        "facility": facility,
        "rows": rows,
        "now_local": now_local,
        "entry_form": entry_form or OnCallEntryForm(users=_eligible(facility)),
        "settings_form": settings_form
        or RotaSettingsForm(initial={"escalate_after_minutes": minutes}),
    }
    return render(request, "safety/rota.html", context, status=status)


@require_GET
@login_required
def rota(request: HttpRequest, facility_id: int) -> HttpResponse:
    return _render_rota(request, _rota_facility(_user(request), facility_id))


@require_POST
@login_required
def rota_add(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = _user(request)
    facility = _rota_facility(user, facility_id)
    form = OnCallEntryForm(request.POST, users=_eligible(facility))
    if form.is_valid():
        d = form.cleaned_data
        try:
            on_call_entry_add(
                actor=user,
                facility=facility,
                user=d["user"],
                position=d["position"],
                weekdays=list(d["weekdays"]),
                start_time=d["start_time"],
                end_time=d["end_time"],
                now=utcnow(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Added to the on-call rota.")
            return redirect("safety:rota", facility_id=facility.pk)
    return _render_rota(request, facility, entry_form=form, status=400)


@require_POST
@login_required
def rota_entry_active(request: HttpRequest, facility_id: int, entry_id: int) -> HttpResponse:
    user = _user(request)
    facility = _rota_facility(user, facility_id)
    entry = OnCallEntry.objects.filter(pk=entry_id, rota__facility=facility).first()
    if entry is None:
        raise Http404("No such rota entry.")
    active = request.POST.get("active") == "1"
    on_call_entry_set_active(actor=user, entry=entry, active=active, now=utcnow())
    messages.success(request, "Back on the rota." if active else "Taken off the rota.")
    return redirect("safety:rota", facility_id=facility.pk)


@require_POST
@login_required
def rota_settings(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = _user(request)
    facility = _rota_facility(user, facility_id)
    form = RotaSettingsForm(request.POST)
    if form.is_valid():
        try:
            on_call_rota_set(
                actor=user,
                facility=facility,
                escalate_after_minutes=form.cleaned_data["escalate_after_minutes"],
                now=utcnow(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Escalation time saved.")
            return redirect("safety:rota", facility_id=facility.pk)
    return _render_rota(request, facility, settings_form=form, status=400)
