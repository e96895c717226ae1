"""The provider's webhooks (POST only, signed, no session: CSRF does not apply, the signature
does), texting a client from the case page, and the administrators' numbers screen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from careloop.cases.selectors import case_get_for
from careloop.core.time import utcnow
from careloop.messaging.services import message_provider_status_record
from careloop.orgs.models import User
from careloop.orgs.permissions import org_id_of
from careloop.sms.backends import backend_get
from careloop.sms.forms import CaseTextForm, FacilityNumberForm
from careloop.sms.models import FacilityNumber
from careloop.sms.numbers import facility_number_save, numbers_for
from careloop.sms.services import UnknownNumber, sms_case_send, sms_inbound_receive
from careloop.sms.voicemail import IncomingVoicemail, voicemail_receive

logger = logging.getLogger("careloop.sms")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

View = Callable[[HttpRequest], HttpResponse]


def signed(view: View) -> View:
    """Refuse (403) a webhook whose X-Twilio-Signature does not match this URL and its POST
    parameters under the auth token. The URL is built from CARELOOP_BASE_URL (what the provider
    was told), never from the request's Host header."""

    @wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        url = settings.CARELOOP_BASE_URL + request.get_full_path_info()
        params = [(k, v) for k, values in request.POST.lists() for v in values]
        if not settings.CARELOOP_BASE_URL or not backend_get().inbound_valid(
            url=url, params=params, signature=request.headers.get("X-Twilio-Signature", "")
        ):
            logger.warning("webhook %s refused: bad or missing signature", request.path)
            return HttpResponse("Forbidden", status=403, content_type="text/plain")
        return view(request)

    return checked


def _twiml() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


def _refused(exc: ValidationError) -> HttpResponse:
    status = 404 if isinstance(exc, UnknownNumber) else 400
    return HttpResponse("; ".join(exc.messages), status=status, content_type="text/plain")


@csrf_exempt
@require_POST
@signed
def inbound(request: HttpRequest) -> HttpResponse:
    text = backend_get().inbound_text(request.POST.dict())
    try:
        sms_inbound_receive(
            provider_id=text.provider_id,
            from_number=text.from_number,
            to_number=text.to_number,
            body=text.body,
            now=utcnow(),
        )
    except ValidationError as exc:
        return _refused(exc)
    return _twiml()


@csrf_exempt
@require_POST
@signed
def status(request: HttpRequest) -> HttpResponse:
    message_provider_status_record(
        provider_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", "").lower(),
        now=utcnow(),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@signed
def voicemail(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        duration = int(p.get("RecordingDuration", ""))
    except ValueError:
        return HttpResponse("RecordingDuration must be whole seconds.", status=400)
    call = IncomingVoicemail(
        provider_id=p.get("CallSid", ""),
        from_number=p.get("From", ""),
        to_number=p.get("To", ""),
        recording_url=p.get("RecordingUrl", ""),
        duration_seconds=duration,
        transcript=p.get("TranscriptionText", ""),
    )
    try:
        voicemail_receive(call=call, now=utcnow())
    except ValidationError as exc:
        return _refused(exc)
    return _twiml()


# --- staff ---------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


@require_POST
@login_required
def case_send(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = case_get_for(user=user, case_id=case_id, now=utcnow(), purpose="act")
    form = CaseTextForm(request.POST)
    if form.is_valid():
        try:
            sms_case_send(actor=user, case=case, body=form.cleaned_data["body"], now=utcnow())
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, f"Text not sent: {message}")
        else:
            messages.success(request, "Text message queued to the client.")
    else:
        messages.error(request, "Text not sent: write the text first (at most 1,600 characters).")
    return HttpResponseRedirect(reverse("web:case", args=[case.pk]) + "#sms")


@require_http_methods(["GET"])
@login_required
def numbers(request: HttpRequest) -> HttpResponse:
    return render(request, "sms/numbers.html", {"numbers": numbers_for(actor=_user(request))})


@require_http_methods(["GET", "POST"])
@login_required
def number_edit(request: HttpRequest, number_id: int | None = None) -> HttpResponse:
    user = _user(request)
    numbers_for(actor=user)  # administrators only
    instance = None
    if number_id is not None:
        instance = FacilityNumber.objects.filter(
            pk=number_id, organization_id=org_id_of(user)
        ).first()
        if instance is None:
            raise Http404("No such number.")
    kwargs: dict[str, Any] = {"instance": instance, "organization_id": org_id_of(user)}
    form = FacilityNumberForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            facility_number_save(actor=user, number=form.save(commit=False), now=utcnow())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Number saved.")
            return redirect("sms:numbers")
    status_code = 400 if request.method == "POST" else 200
    return render(request, "sms/number_edit.html", {"form": form}, status=status_code)
