"""Request-scoped time zone: views activate the facility's zone; it must not leak into the next
request that the same server thread handles. Two-step sign-in, when the organization requires it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from careloop.orgs.models import User
from careloop.orgs.signin import signin_mfa_required


class TimeZoneResetMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class TwoStepRequiredMiddleware:
    """When the organization requires two-step sign-in, a signed-in user who has not set it up
    reaches only the set-up page (and signing out) until they do. Checked on every request, so
    it holds for sessions that began before an administrator turned the requirement on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and request.path_info not in _open_paths()
            and signin_mfa_required(user=user)
        ):
            return redirect("two_step")
        return self.get_response(request)


def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in ("two_step", "logout", "login", "login_code"))
