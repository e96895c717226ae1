"""The survey form /q/<token>/ (public, no sign-in, in the invitation's language, one page; an
item that depends on an earlier answer is shown with a hint saying when to answer it, and the
server ignores it when the condition is not met, so nothing needs JavaScript), the one-click
opt-out /q/optout/<token>/ (GET shows, POST records) and the staff results page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from careloop.core.time import utcnow
from careloop.intake.public import public_render
from careloop.intake.throttle import client_address, throttle_hit
from careloop.orgs.models import User
from careloop.orgs.permissions import org_id_of
from careloop.surveys.encounters import (
    ImportReport,
    can_import_encounters,
    encounters_import_csv,
)
from careloop.surveys.instruments import options_for, text_in
from careloop.surveys.models import InstrumentVersion, Invitation, Item
from careloop.surveys.selectors import (
    LinkState,
    invitation_for_optout_token,
    invitation_for_token,
    invitation_state,
)
from careloop.surveys.services import (
    COMMENT_LIMIT,
    field_name,
    optout_record,
    response_submit,
)

REFUSED = {
    LinkState.ANSWERED: ("surveys/already_answered.html", 409),
    LinkState.EXPIRED: ("surveys/expired.html", 410),
}
RESULTS_DAYS = 365


def _language(request: HttpRequest, invitation: Invitation) -> str:
    """The invitation's language, unless the visitor chose one with the page's switcher."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return translation.get_language()
    return invitation.language


def _throttled(request: HttpRequest, *, missed: bool) -> HttpResponse | None:
    """The status page's limits, shared: a guesser gets no extra tries on survey links."""
    name = "status_miss_address" if missed else "status_address"
    wait = throttle_hit(name=name, key=client_address(request), now_epoch=time.time())
    if not wait:
        return None
    return public_render(
        request, "intake/too_many.html", {"minutes": max(1, wait // 60)}, status=429
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return _throttled(request, missed=True) or public_render(
        request, "intake/nothing_here.html", {}, status=404
    )


@dataclass(frozen=True)
class Question:
    item: Item
    name: str
    number: int
    text: str
    options: list[tuple[str, str]]
    value: str
    error: str
    condition: str


def _error_text(exc: ValidationError) -> str:
    code = exc.error_list[0].code if hasattr(exc, "error_list") else None
    if code == "required":
        return _("Please answer this question.")
    if code == "choice":
        return _("Please choose one of the answers.")
    if code == "too_long":
        return _("Your text is too long. Please shorten it.")
    return _("Some characters in your text could not be read. Please retype it.")


def _questions(
    items: list[Item], language: str, values: dict[str, str], errors: dict[str, ValidationError]
) -> list[Question]:
    questions = []
    for item in items:
        condition = ""
        if item.show_if_item is not None:
            labels = options_for(item.show_if_item.type, language)
            answers = ", ".join(labels.get(v, v) for v in item.show_if_values)
            condition = _(
                "Answer this only if your answer to question %(number)s was: %(answers)s."
            ) % {"number": item.show_if_item.position, "answers": answers}
        name = field_name(item)
        questions.append(
            Question(
                item=item,
                name=name,
                number=item.position,
                text=text_in(item.texts, language),
                options=list(options_for(item.type, language).items()),
                value=values.get(name, ""),
                error=_error_text(errors[name]) if name in errors else "",
                condition=condition,
            )
        )
    return questions


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    refused = _throttled(request, missed=False)
    if refused is not None:
        return refused
    invitation = invitation_for_token(token=token)
    if invitation is None:
        return _not_found(request)
    language = _language(request, invitation)
    now = utcnow()
    context: dict[str, Any] = {"facility": invitation.facility, "unit": invitation.unit}
    state = invitation_state(invitation=invitation, now=now)
    if state != LinkState.OPEN:
        template, status = REFUSED[state]
        return public_render(request, template, context, status=status, language=language)
    items = list(invitation.version.items.select_related("show_if_item").order_by("position"))
    values: dict[str, str] = {}
    errors: dict[str, ValidationError] = {}
    if request.method == "POST":
        values = {field_name(i): request.POST.get(field_name(i), "") for i in items}
        try:
            response_submit(invitation=invitation, raw=values, now=now)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {name: ValidationError(e) for name, e in exc.error_dict.items()}
            else:
                gone = LinkState.ANSWERED if exc.code == "answered" else LinkState.EXPIRED
                template, status = REFUSED[gone]
                return public_render(request, template, context, status=status, language=language)
        else:
            return redirect(reverse("surveys:thanks", args=[token]))
    with translation.override(language):
        questions = _questions(items, language, values, errors)
    context.update(questions=questions, errors=bool(errors), limit=COMMENT_LIMIT)
    status = 400 if errors else 200
    return public_render(request, "surveys/respond.html", context, status=status, language=language)


@never_cache
@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    refused = _throttled(request, missed=False)
    if refused is not None:
        return refused
    invitation = invitation_for_token(token=token)
    if invitation is None or not invitation.used:
        return _not_found(request)
    return public_render(
        request,
        "surveys/thanks.html",
        {"facility": invitation.facility},
        language=_language(request, invitation),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def optout(request: HttpRequest, token: str) -> HttpResponse:
    """A GET never records anything (mail scanners follow links); the button's POST does."""
    refused = _throttled(request, missed=False)
    if refused is not None:
        return refused
    invitation = invitation_for_optout_token(token=token)
    if invitation is None:
        return _not_found(request)
    language = _language(request, invitation)
    done = False
    if request.method == "POST":
        optout_record(invitation=invitation, now=utcnow())
        done = True
    context = {"facility": invitation.facility, "done": done}
    return public_render(request, "surveys/optout.html", context, language=language)


# --- staff (English, like the other staff screens) ---------------------------------------------


IMPORT_MAX_BYTES = 2_000_000


def _import_versions(user: User) -> list[InstrumentVersion]:
    return list(
        InstrumentVersion.objects.filter(
            instrument__organization_id=org_id_of(user), published_at__isnull=False
        )
        .select_related("instrument")
        .order_by("instrument__name", "-number")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def encounters_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of encounters; every row is checked and the report shown (all or nothing)."""
    user = request.user
    if not isinstance(user, User) or user.organization is None:
        raise PermissionDenied
    if not can_import_encounters(user, user.organization):
        raise PermissionDenied("Importing encounters is for administrators and managers.")
    versions = _import_versions(user)
    report: ImportReport | None = None
    problem = ""
    if request.method == "POST":
        chosen = {str(v.pk): v for v in versions}.get(request.POST.get("version", ""))
        upload = request.FILES.get("file")
        if chosen is None:
            raise Http404("No such survey.")
        if upload is None or upload.size is None or upload.size > IMPORT_MAX_BYTES:
            problem = "Choose a CSV file of at most 2 MB."
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                problem = "The file must be UTF-8 text (CSV)."
            else:
                report = encounters_import_csv(
                    actor=user,
                    organization=user.organization,
                    version=chosen,
                    text=text,
                    now=utcnow(),
                )
    status = 400 if problem or (report is not None and not report.ok) else 200
    context = {"versions": versions, "report": report, "problem": problem}
    return render(request, "surveys/import.html", context, status=status)
