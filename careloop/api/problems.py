"""Problem details (RFC 9457) for every error the API gives: application/problem+json with
type, title, status, detail and instance, and the list of errors for invalid input."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPES = {
    "validation": "Invalid request",
    "idempotency-key-reused": "Idempotency key reused with a different request",
    "rate-limited": "Too many requests",
    "unauthorized": "Missing, unknown or revoked token",
    "forbidden": "Not allowed",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "server-error": "Internal server error",
}
_TYPE_OF_STATUS = {
    400: "validation",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    422: "validation",
    429: "rate-limited",
    500: "server-error",
}


class ProblemError(Schema):
    loc: list[str | int]
    msg: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemError] | None = None


class ApiProblem(Exception):
    """Raised anywhere in an endpoint to answer with one problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str = "",
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or _TYPE_OF_STATUS.get(status, "")
        self.headers = headers or {}
        self.errors = errors


def problem_type(kind: str) -> str:
    """A URI naming the problem: the API docs page explains each one at its anchor."""
    return f"/api/v1/docs#problem-{kind}" if kind in PROBLEM_TYPES else "about:blank"


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    kind: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    kind = kind or _TYPE_OF_STATUS.get(status, "")
    body: dict[str, Any] = {
        "type": problem_type(kind),
        "title": PROBLEM_TYPES.get(kind) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _loc(parts: Any) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in (parts or [])]


def _invalid_request(request: HttpRequest, exc: object) -> HttpResponse:
    if not isinstance(exc, NinjaValidationError):
        return _server_error(request, exc)
    errors = [{"loc": _loc(e.get("loc")), "msg": str(e.get("msg", ""))} for e in exc.errors]
    return problem_response(
        request, status=422, detail="The request is not valid; see errors.", errors=errors
    )


def _refused(request: HttpRequest, exc: object) -> HttpResponse:
    """A service refused the input: its messages name fields, never client text."""
    if not isinstance(exc, DjangoValidationError):
        return _server_error(request, exc)
    if hasattr(exc, "error_dict"):
        pairs = [
            (["body", name], message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        pairs = [(["body"], message) for message in exc.messages]
    detail = " ".join(message for _loc_, message in pairs) or "The request was refused."
    errors: list[dict[str, Any]] = [{"loc": loc, "msg": message} for loc, message in pairs]
    return problem_response(request, status=422, detail=detail, errors=errors)


def _unauthorized(request: HttpRequest, exc: object) -> HttpResponse:
    return problem_response(
        request,
        status=401,
        detail="Send a valid API token: Authorization: Bearer <token>.",
        headers={"WWW-Authenticate": 'Bearer realm="careloop"'},
    )


def _http_error(request: HttpRequest, exc: object) -> HttpResponse:
    if not isinstance(exc, HttpError):
        return _server_error(request, exc)
    return problem_response(request, status=exc.status_code, detail=str(exc))


def _api_problem(request: HttpRequest, exc: object) -> HttpResponse:
    if not isinstance(exc, ApiProblem):
        return _server_error(request, exc)
    return problem_response(
        request,
        status=exc.status,
        detail=exc.detail,
        kind=exc.kind,
        headers=exc.headers,
        errors=exc.errors,
    )


def _forbidden(request: HttpRequest, exc: object) -> HttpResponse:
    return problem_response(request, status=403, detail=str(exc) or "Not allowed.")


def _not_found(request: HttpRequest, exc: object) -> HttpResponse:
    return problem_response(request, status=404, detail="No such resource, or not yours to see.")


def _server_error(request: HttpRequest, exc: object) -> HttpResponse:
    # The exception class and the route only: its message may quote client text.
    logger.error(
        "API error %s on %s %s",
        type(exc).__name__,
        request.method,
        getattr(request.resolver_match, "route", "?"),
    )
    return problem_response(request, status=500, detail="An internal error occurred.")


def problem_handlers_install(api: NinjaAPI) -> None:
    api.add_exception_handler(NinjaValidationError, _invalid_request)
    api.add_exception_handler(DjangoValidationError, _refused)
    api.add_exception_handler(AuthenticationError, _unauthorized)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(ApiProblem, _api_problem)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(Exception, _server_error)
