"""Public intake pages: no sign-in, phone-sized first, usable without JavaScript, translated.

Facility link /f/<code>/, unit QR link /u/<code>/, lobby kiosk /k/<code>/; the confirmation
page; the client's private status page /s/<token>/; display preferences."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.audit.context import public_page
from careloop.cases.models import Kind
from careloop.core.time import local_date, utcnow
from careloop.followups.models import Via
from careloop.followups.services import followup_open_for, followup_record_answer
from careloop.intake.forms import ConcernForm, new_nonce
from careloop.intake.models import Source
from careloop.intake.public import (
    client_stage,
    client_timeline,
    error_message,
    kiosk_reset,
    no_store,
    public_render,
    qr_svg,
)
from careloop.intake.services import (
    ADDITION_LIMIT,
    AlreadySubmitted,
    PublicConcern,
    client_access_for,
    client_information_add,
    client_status_seen,
    intake_submit,
)
from careloop.intake.throttle import client_address, throttle_hit
from careloop.orgs.models import Facility, Unit

View = Callable[..., HttpResponse]
PATHS = ("complaint", "compliment", "suggestion", "safety")
DONE_KEY = "careloop_intake_done"


def _facility_by_code(code: str) -> Facility:
    facility = Facility.objects.filter(intake_code=code.upper()[:12], active=True).first()
    if facility is None:
        raise Http404
    return facility


def _unit_by_code(code: str) -> Unit:
    unit = (
        Unit.objects.select_related("facility")
        .filter(intake_code=code.upper()[:12], active=True, facility__active=True)
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def _body_within_limits(view: View) -> View:
    """Read the posted form first: a body over Django's size or field-count limits gets a
    translated page (413) instead of the generic 400; nothing is saved."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            try:
                request.POST  # noqa: B018  # parsing is what raises
            except (RequestDataTooBig, TooManyFieldsSent):
                return public_render(request, "intake/too_large.html", {}, status=413)
        return view(request, *args, **kwargs)

    return checked


@never_cache
@require_http_methods(["GET", "POST"])
@_body_within_limits
@public_page
def facility_form(request: HttpRequest, code: str) -> HttpResponse:
    return _intake(request, facility=_facility_by_code(code), unit=None, source=Source.FACILITY)


@never_cache
@require_http_methods(["GET", "POST"])
@_body_within_limits
@public_page
def unit_form(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_by_code(code)
    return _intake(request, facility=unit.facility, unit=unit, source=Source.UNIT)


@never_cache
@require_http_methods(["GET", "POST"])
@_body_within_limits
@public_page
def kiosk_form(request: HttpRequest, code: str) -> HttpResponse:
    facility = _facility_by_code(code)
    if request.method == "POST" and "reset" in request.POST:
        return kiosk_reset(request, reverse("intake:kiosk", args=[facility.intake_code]))
    return _intake(request, facility=facility, unit=None, source=Source.KIOSK)


def _form_url(source: str, facility: Facility, unit: Unit | None) -> str:
    if source == Source.UNIT and unit is not None:
        return reverse("intake:unit", args=[unit.intake_code])
    name = "intake:kiosk" if source == Source.KIOSK else "intake:facility"
    return reverse(name, args=[facility.intake_code])


def _intake(
    request: HttpRequest, *, facility: Facility, unit: Unit | None, source: str
) -> HttpResponse:
    kiosk = source == Source.KIOSK
    path = request.POST.get("path") if request.method == "POST" else request.GET.get("path")
    base = {
        "facility": facility,
        "unit": unit,
        "kiosk": kiosk,
        "form_url": _form_url(source, facility, unit),
        "reset_url": reverse("intake:kiosk", args=[facility.intake_code]),
    }
    if path not in PATHS:
        return public_render(request, "intake/choose.html", base)
    today = local_date(at=utcnow(), tz_name=facility.time_zone)
    form_args: dict[str, Any] = {"path": path, "facility": facility, "kiosk": kiosk, "today": today}
    if request.method == "GET":
        form = ConcernForm(
            **form_args,
            initial={"form_nonce": new_nonce(), "unit": unit, "language": get_language()},
        )
        return public_render(request, "intake/form.html", {**base, "form": form, "path": path})
    return _intake_post(request, base=base, form_args=form_args, source=source)


def _intake_post(
    request: HttpRequest, *, base: dict[str, Any], form_args: dict[str, Any], source: str
) -> HttpResponse:
    facility: Facility = base["facility"]
    path: str = form_args["path"]
    now = utcnow()
    wait = throttle_hit(
        name="submit_address", key=client_address(request), now_epoch=time.time()
    ) or throttle_hit(name="submit_form", key=facility.intake_code, now_epoch=time.time())
    if wait:
        return public_render(
            request, "intake/too_many.html", {**base, "minutes": max(1, wait // 60)}, status=429
        )
    form = ConcernForm(request.POST, **form_args)
    if form.is_honeypot_filled:
        # A bot: answer like a success so it learns nothing; nothing is stored.
        return public_render(request, "intake/received_unlisted.html", base)
    context = {**base, "form": form, "path": path}
    if not form.is_valid():
        return public_render(request, "intake/form.html", context, status=400)
    data = form.cleaned_data
    concern = PublicConcern(
        facility=facility,
        unit=data.get("unit"),
        source=source,
        path=path,
        reporter_role=data["reporter_role"],
        danger_type=data.get("danger_type") or "",
        narrative=data["narrative"],
        people_involved=data.get("people_involved") or "",
        desired_outcome=data.get("desired_outcome") or "",
        incident_on=data.get("incident_on"),
        incident_time=data.get("incident_time"),
        reporter_name=data.get("reporter_name") or "",
        contact_method=data["contact_method"],
        email=data.get("email") or "",
        phone=data.get("phone") or "",
        language=data["language"],
        form_nonce=data["form_nonce"],
    )
    try:
        filed = intake_submit(
            concern=concern,
            link_base=settings.CARELOOP_BASE_URL or request.build_absolute_uri("/").rstrip("/"),
            now=now,
        )
    except AlreadySubmitted:
        return public_render(request, "intake/already_sent.html", base, status=409)
    except ValidationError as exc:
        form.add_error(None, error_message(exc))
        return public_render(request, "intake/form.html", context, status=400)
    request.session[DONE_KEY] = {
        "reference": filed.case.reference,
        "token": filed.token,
        "kind": filed.case.kind,
        "emailed": bool(filed.case.reporter_email),
        "contact": filed.case.contact_preference,
        "facility": facility.intake_code,
        "kiosk": source == Source.KIOSK,
        "safety": filed.case.kind == Kind.SAFETY_CONCERN,
    }
    return redirect(reverse("intake:confirmation"))


@never_cache
@require_GET
@public_page
def confirmation(request: HttpRequest) -> HttpResponse:
    done = request.session.get(DONE_KEY)
    if not done:
        return public_render(request, "intake/nothing_here.html", {}, status=404)
    facility = Facility.objects.filter(intake_code=done["facility"]).first()
    status_url = request.build_absolute_uri(reverse("intake:status", args=[done["token"]]))
    context = {"done": done, "facility": facility, "status_url": status_url}
    if done["kiosk"] and facility is not None:
        # A shared tablet shows the link once, as a code to scan with the client's own phone.
        del request.session[DONE_KEY]
        context.update(
            kiosk=True,
            status_qr=qr_svg(status_url),
            reset_url=reverse("intake:kiosk", args=[facility.intake_code]),
        )
    return public_render(request, "intake/confirmation.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@_body_within_limits
@public_page
def status(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    wait = throttle_hit(name="status_address", key=address, now_epoch=time.time())
    if wait:
        return public_render(
            request, "intake/too_many.html", {"minutes": max(1, wait // 60)}, status=429
        )
    access = client_access_for(token=token)
    if access is None:
        if throttle_hit(name="status_miss_address", key=address, now_epoch=time.time()):
            return public_render(request, "intake/too_many.html", {"minutes": 10}, status=429)
        return public_render(request, "intake/nothing_here.html", {}, status=404)
    case = access.case
    context: dict[str, Any] = {"case": case, "facility": case.facility, "limit": ADDITION_LIMIT}
    now = utcnow()
    if request.method == "POST" and request.POST.get("form") == "followup":
        try:
            followup_record_answer(
                case=case,
                answer=request.POST.get("answer", ""),
                comment=request.POST.get("comment", ""),
                via=Via.STATUS_PAGE,
                now=now,
            )
        except ValidationError as exc:
            context["followup_error"] = error_message(exc)
        else:
            return no_store(HttpResponseRedirect(request.path + "?answered=1"))
    elif request.method == "POST":
        try:
            client_information_add(access=access, body=request.POST.get("body", ""), now=now)
        except ValidationError as exc:
            context["error"] = error_message(exc)
            context["body"] = request.POST.get("body", "")[:ADDITION_LIMIT]
        else:
            return no_store(HttpResponseRedirect(request.path + "?added=1"))
    client_status_seen(access=access, now=now)
    case.refresh_from_db()
    context.update(
        stage=client_stage(case),
        timeline=client_timeline(case),
        added="added" in request.GET,
        answered="answered" in request.GET,
        followup_open=followup_open_for(case),
    )
    failed = "error" in context or "followup_error" in context
    return public_render(request, "intake/status.html", context, status=400 if failed else 200)


@require_POST
@public_page
def display_prefs(request: HttpRequest) -> HttpResponse:
    """Large text and high contrast, kept in cookies; works without JavaScript."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    year = 365 * 24 * 3600
    for name, param, on in (
        ("careloop_text", "text", "large"),
        ("careloop_contrast", "contrast", "high"),
    ):
        value = request.POST.get(param)
        if value == on:
            response.set_cookie(name, on, max_age=year, samesite="Lax", httponly=True)
        elif value == "normal":
            response.delete_cookie(name)
    return no_store(response)
