"""The links in a check-back email, /c/<token>/<answer>/ (public, in the client's language), and
the administrators' follow-up settings page, /c/settings/.

A GET never changes anything: mail scanners fetch links before people click them. It shows the
chosen answer preselected with a comment box and one button; only the POST records it."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from careloop.audit.context import public_page
from careloop.cases.models import Case
from careloop.core.time import utcnow
from careloop.followups.forms import FollowUpSettingsForm
from careloop.followups.models import Answer
from careloop.followups.selectors import (
    LinkState,
    checkback_answer_given,
    checkback_for_token,
    checkback_link_state,
    followup_settings_for,
)
from careloop.followups.services import COMMENT_LIMIT, checkback_answer, followup_settings_save
from careloop.intake.public import error_message, public_render
from careloop.intake.throttle import client_address, throttle_hit
from careloop.messaging.services import language_pick
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of

# Refused links: the page and the HTTP status for each state.
REFUSED = {
    LinkState.ANSWERED: ("followups/already_answered.html", 409),
    LinkState.EXPIRED: ("followups/link_closed.html", 410),
    LinkState.CLOSED: ("followups/link_closed.html", 410),
}


def _client_language(request: HttpRequest, case: Case) -> str:
    """The case's language, unless the visitor chose one with the page's switcher."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return translation.get_language()
    return language_pick(case.language)


def _throttled(request: HttpRequest, *, missed: bool) -> HttpResponse | None:
    """The status page's limits, shared with it: a guesser gets no extra tries here."""
    name = "status_miss_address" if missed else "status_address"
    wait = throttle_hit(name=name, key=client_address(request), now_epoch=time.time())
    if not wait:
        return None
    minutes = max(1, wait // 60)
    return public_render(request, "intake/too_many.html", {"minutes": minutes}, status=429)


def _not_found(request: HttpRequest) -> HttpResponse:
    return _throttled(request, missed=True) or public_render(
        request, "intake/nothing_here.html", {}, status=404
    )


def _refused(
    request: HttpRequest, state: LinkState, context: dict[str, Any], language: str
) -> HttpResponse:
    template, status = REFUSED[state]
    return public_render(
        request, template, {**context, "state": str(state)}, status=status, language=language
    )


def _codes(exc: ValidationError) -> set[str]:
    return {str(e.code) for e in exc.error_list} if hasattr(exc, "error_list") else set()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])  # scanners often probe links with HEAD
@public_page
def answer(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    refused = _throttled(request, missed=False)
    if refused is not None:
        return refused
    check_back = checkback_for_token(token=token)
    if check_back is None or answer not in Answer.values:
        return _not_found(request)
    case = check_back.case
    language = _client_language(request, case)
    context: dict[str, Any] = {
        "case": case,
        "facility": case.facility,
        "phone": case.facility.phone or case.facility.after_hours_phone,
        "chosen": answer,
        "comment": "",
        "limit": COMMENT_LIMIT,
    }
    now = utcnow()
    state = checkback_link_state(check_back=check_back, now=now)
    if state != LinkState.OPEN:
        return _refused(request, state, context, language)
    if request.method != "POST":
        return public_render(request, "followups/answer.html", context, language=language)
    chosen = request.POST.get("answer", "")
    comment = request.POST.get("comment", "")
    try:
        checkback_answer(check_back=check_back, answer=chosen, comment=comment, now=now)
    except ValidationError as exc:
        codes = _codes(exc)
        for gone in (LinkState.ANSWERED, LinkState.EXPIRED, LinkState.CLOSED):
            if str(gone) in codes:
                return _refused(request, gone, context, language)
        with translation.override(language):
            context["error"] = error_message(exc)
        context.update(
            chosen=chosen if chosen in Answer.values else "",
            comment=comment[:COMMENT_LIMIT],
            error_field="answer" if "answer" in codes else "comment",
        )
        return public_render(
            request, "followups/answer.html", context, status=400, language=language
        )
    return redirect(reverse("followups:thanks", args=[token]))


@never_cache
@require_GET
@public_page
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    refused = _throttled(request, missed=False)
    if refused is not None:
        return refused
    check_back = checkback_for_token(token=token)
    given = checkback_answer_given(check_back=check_back) if check_back is not None else None
    if check_back is None or given is None:
        return _not_found(request)
    case = check_back.case
    return public_render(
        request,
        "followups/thanks.html",
        {"case": case, "facility": case.facility, "answer": given.answer},
        language=_client_language(request, case),
    )


# --- staff: the organization's settings (English, like the other administration screens) ------


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not has_capability_anywhere(user, "administer"):
        raise PermissionDenied("Administrators only.")
    return user


@require_http_methods(["GET", "POST"])
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    current = followup_settings_for(organization_id=org_id_of(user))
    form = FollowUpSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            followup_settings_save(actor=user, **form.cleaned_data, now=utcnow())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Follow-up settings saved.")
            return redirect("followups:settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "followups/settings.html", {"form": form}, status=status)
