"""Sign-in with an audit event for every attempt (AU-2: log-in monitoring), account lockout
and two-step sign-in (IA-2(1)) through careloop.orgs.signin.

With two-step sign-in on, the password step does not log the user in: it keeps a pending user
id and time in the session and sends them to /login/code/, which logs them in on a good code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.orgs.signin import (
    CodeResult,
    locked_message,
    mfa_disable,
    mfa_enable,
    org_requires_mfa,
    signin_code_submit,
    signin_failure_record,
    signin_locked_user,
    signin_mfa_challenge_record,
    signin_success_record,
)
from careloop.orgs.totp import new_secret, otpauth_uri, secret_grouped

PENDING_KEY = "careloop_signin_pending"
PENDING_SECONDS = 5 * 60
ENROL_SESSION_KEY = "careloop_mfa_enrolment"


class SignInForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username and signin_locked_user(username=username, now=utcnow()) is not None:
            raise ValidationError(locked_message(), code="locked")
        return super().clean()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).replace(" ", "")
        if len(code) != 6 or not code.isdigit():
            raise ValidationError("Enter the 6 digits your authenticator app shows.")
        return code


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        assert isinstance(user, User)  # noqa: S101  # our user model
        now = utcnow()
        if user.mfa_enabled_at is not None:
            signin_mfa_challenge_record(user=user, now=now)
            self.request.session[PENDING_KEY] = {
                "user_id": user.pk,
                "at": now.timestamp(),
                "next": self.get_success_url(),
            }
            return redirect("login_code")
        signin_success_record(user=user, now=now, mfa=False)
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        name = str(self.request.POST.get("username", ""))[:150]
        now = utcnow()
        if form.has_error(NON_FIELD_ERRORS, "locked"):
            signin_failure_record(username=name, now=now, reason="locked")
        elif signin_failure_record(username=name, now=now, reason="password"):
            form.errors[NON_FIELD_ERRORS] = form.error_class([locked_message()])
        return super().form_invalid(form)


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    """The user waiting at the code step and where to go next, while the wait is fresh."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    age = utcnow().timestamp() - float(pending.get("at", 0))
    if not 0 <= age <= PENDING_SECONDS:
        return None
    user_id = pending.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.mfa_enabled_at is None:
        return None
    return user, str(pending.get("next", ""))


def _safe_next(request: HttpRequest, url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if allowed else resolve_url("web:home")


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, "Your sign-in timed out. Enter your password again.")
        return redirect("login")
    user, next_url = pending
    form = CodeForm(request.POST or None)
    if request.method != "POST":
        return render(request, "registration/login_code.html", {"form": form})
    # A code that is not six digits is still a failed attempt.
    code = form.cleaned_data["code"] if form.is_valid() else ""
    result = signin_code_submit(user=user, code=code, now=utcnow())
    if result is CodeResult.ACCEPTED:
        request.session.pop(PENDING_KEY, None)
        auth_login(request, user, backend="careloop.orgs.backends.CareloopBackend")
        return redirect(_safe_next(request, next_url))
    if result is CodeResult.LOCKED:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, locked_message())
        return redirect("login")
    if not form.errors:
        form.add_error("code", "That code is not right. Check your app and try again.")
    return render(request, "registration/login_code.html", {"form": form}, status=400)


def _new_secret_for(request: HttpRequest) -> str:
    """The secret offered for setting up, kept in the session until it is confirmed."""
    secret = request.session.get(ENROL_SESSION_KEY)
    if not isinstance(secret, str):
        secret = new_secret()
        request.session[ENROL_SESSION_KEY] = secret
    return secret


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@login_required
def two_step(request: HttpRequest) -> HttpResponse:
    """Set up two-step sign-in, or see that it is on and turn it off."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required
    if user.mfa_enabled_at is not None:
        if request.method == "POST":
            return redirect("two_step")
        context = {"form": CodeForm(), "org_requires": org_requires_mfa(user=user)}
        return render(request, "registration/two_step.html", context)
    secret = _new_secret_for(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa_enable(user=user, secret=secret, code=form.cleaned_data["code"], now=utcnow()):
            request.session.pop(ENROL_SESSION_KEY, None)
            messages.success(request, "Two-step sign-in is on.")
            return redirect("two_step")
        form.add_error("code", "That code is not right. Check the clock on your phone.")
    context = {
        "form": form,
        "required": org_requires_mfa(user=user),
        "secret_grouped": secret_grouped(secret),
        "uri": otpauth_uri(secret, user.get_username()),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/two_step_enrol.html", context, status=status)


@sensitive_post_parameters("code")
@require_POST
@login_required
def two_step_off(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required
    if user.mfa_enabled_at is None:
        return redirect("two_step")
    form = CodeForm(request.POST)
    code = form.cleaned_data["code"] if form.is_valid() else ""
    try:
        result = mfa_disable(user=user, code=code, now=utcnow())
    except ValidationError as exc:
        form.add_error(None, exc.messages)
    else:
        if result is CodeResult.ACCEPTED:
            messages.success(request, "Two-step sign-in is off.")
            return redirect("two_step")
        if result is CodeResult.LOCKED:
            form.add_error(None, locked_message())
        elif not form.errors:
            form.add_error("code", "That code is not right. Check your app and try again.")
    context = {"form": form, "org_requires": org_requires_mfa(user=user)}
    return render(request, "registration/two_step.html", context, status=400)
