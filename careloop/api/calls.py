"""Every API call is audited (token, method, route name, status; never the body), and the
responses Django or ninja make outside the endpoints (405, unknown paths) are problem details
too."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver

from careloop.api.models import ApiToken
from careloop.api.problems import PROBLEM_CONTENT_TYPE, problem_response
from careloop.audit.services import audit_record
from careloop.core.time import utcnow

UNAUDITED = frozenset({"openapi-json", "openapi-view", "api-root"})

View = Callable[..., HttpResponse]


def api_call_record(*, request: HttpRequest, route: str, status: int) -> None:
    token = getattr(request, "auth", None)
    token = token if isinstance(token, ApiToken) else None
    audit_record(
        actor=token.user if token else None,
        action="E",
        event_type="api.called",
        at=utcnow(),
        organization_id=token.organization_id if token else None,
        object_type="api_token" if token else "",
        object_id=str(token.pk) if token else "",
        actor_role=token.role if token else "",
        outcome="success" if status < 400 else "refused" if status < 500 else "failed",
        detail={
            "token_id": token.pk if token else None,
            "method": request.method,
            "route": route,
            "status": status,
        },
    )


def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if response.status_code == 405 and response.get("Content-Type") != PROBLEM_CONTENT_TYPE:
        return problem_response(
            request,
            status=405,
            detail=f"Use one of: {response.get('Allow', '')}.",
            headers={"Allow": response.get("Allow", "")},
        )
    return response


def audited(view: View, route: str) -> View:
    """One transaction per call: what the call wrote and its api.called event commit together
    (one commit, one wait for the audit chain's head). The call itself runs in a savepoint, so
    a refused or failed call is still recorded."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            with transaction.atomic():
                response = _as_problem(request, view(request, *args, **kwargs))
            api_call_record(request=request, route=route, status=response.status_code)
        return response

    return wrapper


def audited_patterns(
    patterns: list[URLPattern | URLResolver],
) -> list[URLPattern | URLResolver]:
    """The API's URL patterns with every operation's view wrapped by `audited`."""
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name not in UNAUDITED:
            route = pattern.name or str(pattern.pattern)
            pattern = URLPattern(
                pattern.pattern, audited(pattern.callback, route), pattern.default_args, route
            )
        wrapped.append(pattern)
    return wrapped


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/."""
    return problem_response(request, status=404, detail="No such API endpoint.")
