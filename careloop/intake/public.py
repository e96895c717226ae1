"""What a client sees of their case, in their language, and small helpers for public pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from careloop.cases.models import Case, Note, Status, Visibility
from careloop.followups.models import FollowUpAnswer
from careloop.orgs.models import Facility

# The number to call in an emergency, by the country part of the facility's jurisdiction.
EMERGENCY_NUMBERS = {"US": "911", "CA": "911", "GB": "999", "IE": "112", "ES": "112", "IT": "112"}


def emergency_number(facility: Facility | None) -> str:
    if facility is None:
        return ""
    return EMERGENCY_NUMBERS.get(facility.jurisdiction.split("-")[0].upper(), "112")


@dataclass(frozen=True)
class Stage:
    number: int  # 1..4
    title: str
    explanation: str


def client_stage(case: Case) -> Stage:
    if case.status == Status.CLOSED:
        return Stage(4, _("Closed"), _("We have finished with this and closed it."))
    if case.status == Status.RESOLVED:
        return Stage(
            3,
            _("Answered"),
            _("We have finished looking into this. If it has not been put right, tell us below."),
        )
    if case.status in (Status.ACKNOWLEDGED, Status.INVESTIGATING):
        return Stage(2, _("Being looked into"), _("A member of staff is looking into this."))
    return Stage(1, _("Received"), _("We have received it. A member of staff will read it soon."))


@dataclass(frozen=True)
class ClientEvent:
    at: datetime
    text: str
    body: str = ""
    from_client: bool = False


def client_timeline(case: Case) -> list[ClientEvent]:
    """Steps and client-visible messages, oldest first. Internal notes never appear."""
    events = [ClientEvent(at=case.received_at, text=_("We received your message."))]
    for at, text in (
        (case.acknowledged_at, _("A member of staff acknowledged it.")),
        (case.resolved_at, _("We finished looking into it.")),
        (case.closed_at, _("It was closed.")),
    ):
        if at is not None:
            events.append(ClientEvent(at=at, text=text))
    notes = Note.objects.filter(case=case, visibility=Visibility.CLIENT).order_by("at", "id")
    events.extend(
        ClientEvent(
            at=answer.answered_at,
            text=_("You answered our question."),
            body=answer.comment,
            from_client=True,
        )
        for answer in FollowUpAnswer.objects.filter(case=case)
    )
    events.extend(
        ClientEvent(
            at=note.at,
            text=_("You added:") if note.from_client else _("Message from our staff:"),
            body=note.body,
            from_client=note.from_client,
        )
        for note in notes
    )
    return sorted(events, key=lambda e: e.at)


def error_message(exc: ValidationError) -> str:
    """A translated sentence for a refusal from the services (their own text is English)."""
    codes = (
        {getattr(e, "code", None) for e in exc.error_list} if hasattr(exc, "error_list") else set()
    )
    if "too_long" in codes:
        return _("Your text is too long. Please shorten it, or send it in two parts.")
    if codes & {"invalid_unicode", "control_char"}:
        return _(
            "Some characters in your text could not be read. "
            "Please retype it without special symbols."
        )
    if "required" in codes:
        return _("Please write something before sending.")
    if "answer" in codes:
        return _("Please choose yes, partly or no.")
    if "answered" in codes:
        return _("You have already answered this question.")
    return _("We could not accept this form. Please check your answers and try again.")


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code (segno writes only its own markup; the URL is data)."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return mark_safe(svg)  # noqa: S308  # segno's own SVG; the URL is encoded as modules


def public_render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    language: str | None = None,
) -> HttpResponse:
    """Render a page clients see without signing in (intake, follow-up links, surveys): the
    footer's phones, display preferences, kiosk settings; in `language` (default: the
    request's); never cached or indexed."""
    facility: Facility | None = context.get("facility")
    context.setdefault("emergency_number", emergency_number(facility))
    context.setdefault("help_phone", facility.after_hours_phone if facility else "")
    context.setdefault("office_phone", facility.phone if facility else "")
    context.setdefault("large_text", request.COOKIES.get("careloop_text") == "large")
    context.setdefault("high_contrast", request.COOKIES.get("careloop_contrast") == "high")
    context.setdefault("kiosk", False)
    context.setdefault("idle_seconds", settings.CARELOOP_KIOSK_IDLE_SECONDS)
    language = language or translation.get_language()
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return no_store(response)


def kiosk_reset(request: HttpRequest, url: str) -> HttpResponse:
    """Clear a lobby tablet for the next person (a POST with `reset`): the previous person's
    session (their reference, their answers) and chosen language go with them."""
    request.session.flush()
    response = redirect(url)
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return no_store(response)


def no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
