"""Where the current request came from, for audit events (set by middleware, read by services)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

_source: ContextVar[str] = ContextVar("careloop_audit_source", default="system")


def current_source() -> str:
    return _source.get()


def set_source(value: str) -> None:
    _source.set(value[:64])


class AuditSourceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _source.set(str(request.META.get("REMOTE_ADDR", "unknown"))[:64])
        try:
            return self.get_response(request)
        finally:
            _source.reset(token)


PUBLIC_SOURCE = "public"


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages clients use without signing in: their audit events say "public", never the
    address, which could tie an anonymous concern or answer back to a person."""

    @wraps(view)
    def hidden(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = _source.set(PUBLIC_SOURCE)
        try:
            return view(request, *args, **kwargs)
        finally:
            _source.reset(token)

    return hidden
