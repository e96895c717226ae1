"""A unit's public survey link /q/u/<unit code>/<instrument>/ (the QR poster's) and its kiosk
variant /q/k/<unit code>/<instrument>/: no sign-in, anonymous, the newest version of the
instrument, in the visitor's language. The kiosk turns autocomplete off, and resets after a
submission or a spell without a touch, like the intake kiosk."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from careloop.core.time import utcnow
from careloop.intake.public import kiosk_reset, public_render
from careloop.intake.throttle import client_address, throttle_hit
from careloop.orgs.models import Unit
from careloop.surveys.instruments import LANGUAGES
from careloop.surveys.models import InstrumentVersion
from careloop.surveys.public_responses import (
    public_nonce_check,
    public_nonce_new,
    public_version_for,
    response_submit_public,
)
from careloop.surveys.services import COMMENT_LIMIT, field_name
from careloop.surveys.views import _not_found, _questions, _throttled


def _unit(code: str) -> Unit | None:
    return (
        Unit.objects.select_related("facility")
        .filter(intake_code=code.upper()[:12], active=True, facility__active=True)
        .first()
    )


def _language() -> str:
    language = (translation.get_language() or "en").split("-")[0]
    return language if language in LANGUAGES else "en"


def _urls(unit: Unit, instrument_id: int, *, kiosk: bool) -> dict[str, str]:
    prefix = "surveys:kiosk" if kiosk else "surveys:unit"
    args = [unit.intake_code, instrument_id]
    form_url = reverse(prefix, args=args)
    return {
        "form_url": form_url,
        "thanks_url": reverse(f"{prefix}_thanks", args=args),
        "reset_url": form_url,
    }


def _base(unit: Unit, instrument_id: int, *, kiosk: bool) -> dict[str, Any]:
    return {
        "facility": unit.facility,
        "unit": unit,
        "kiosk": kiosk,
        "idle_seconds": settings.CARELOOP_KIOSK_IDLE_SECONDS,
        **_urls(unit, instrument_id, kiosk=kiosk),
    }


def _form(
    request: HttpRequest,
    *,
    version: InstrumentVersion,
    base: dict[str, Any],
    nonce: str,
    values: dict[str, str],
    errors: dict[str, ValidationError],
    form_error: str = "",
) -> HttpResponse:
    language = _language()
    items = list(version.items.select_related("show_if_item").order_by("position"))
    questions = _questions(items, language, values, errors)
    context = {
        **base,
        "questions": questions,
        "errors": bool(errors) or bool(form_error),
        "form_error": form_error,
        "form_nonce": nonce,
        "limit": COMMENT_LIMIT,
    }
    status = 400 if context["errors"] else 200
    return public_render(request, "surveys/respond.html", context, status=status, language=language)


def _survey(request: HttpRequest, code: str, instrument_id: int, *, kiosk: bool) -> HttpResponse:
    refused = _throttled(request, missed=False)
    if refused is not None:
        return refused
    unit = _unit(code)
    version = None if unit is None else public_version_for(unit=unit, instrument_id=instrument_id)
    if unit is None or version is None:
        return _not_found(request)
    base = _base(unit, instrument_id, kiosk=kiosk)
    if kiosk and request.method == "POST" and "reset" in request.POST:
        return kiosk_reset(request, base["form_url"])
    if request.method != "POST":
        return _form(
            request, version=version, base=base, nonce=public_nonce_new(), values={}, errors={}
        )
    wait = throttle_hit(name="submit_address", key=client_address(request), now_epoch=time.time())
    if wait:
        context = {**base, "minutes": max(1, wait // 60)}
        return public_render(request, "intake/too_many.html", context, status=429)
    items = list(version.items.order_by("position"))
    values = {field_name(i): request.POST.get(field_name(i), "") for i in items}
    signed = request.POST.get("form_nonce", "")
    nonce = public_nonce_check(signed)
    if nonce is None:
        expired = _("This form has expired. Please check your answers and send it again.")
        return _form(
            request,
            version=version,
            base=base,
            nonce=public_nonce_new(),
            values=values,
            errors={},
            form_error=expired,
        )
    try:
        response_submit_public(
            version=version, unit=unit, raw=values, nonce=nonce, language=_language(), now=utcnow()
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors = {name: ValidationError(e) for name, e in exc.error_dict.items()}
            return _form(
                request, version=version, base=base, nonce=signed, values=values, errors=errors
            )
        return public_render(request, "surveys/public_already_sent.html", base, status=409)
    return redirect(base["thanks_url"])


def _thanks(request: HttpRequest, code: str, instrument_id: int, *, kiosk: bool) -> HttpResponse:
    refused = _throttled(request, missed=False)
    if refused is not None:
        return refused
    unit = _unit(code)
    if unit is None:
        return _not_found(request)
    return public_render(request, "surveys/thanks.html", _base(unit, instrument_id, kiosk=kiosk))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unit_survey(request: HttpRequest, code: str, instrument_id: int) -> HttpResponse:
    return _survey(request, code, instrument_id, kiosk=False)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_survey(request: HttpRequest, code: str, instrument_id: int) -> HttpResponse:
    return _survey(request, code, instrument_id, kiosk=True)


@never_cache
@require_GET
def unit_survey_thanks(request: HttpRequest, code: str, instrument_id: int) -> HttpResponse:
    return _thanks(request, code, instrument_id, kiosk=False)


@never_cache
@require_GET
def kiosk_survey_thanks(request: HttpRequest, code: str, instrument_id: int) -> HttpResponse:
    return _thanks(request, code, instrument_id, kiosk=True)
