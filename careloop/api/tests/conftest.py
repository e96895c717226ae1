"""API fixtures: tokens made through api_token_create by the organization's administrator,
and a client that sends one as a bearer token. Time is frozen a day after the cases arrive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Protocol

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from careloop.api.models import ApiToken, Scope
from careloop.api.services import api_token_create
from careloop.conftest import RECEIVED_AT
from careloop.orgs.models import Facility, Role, Unit, User

NOW = RECEIVED_AT + timedelta(days=1)
ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _rate_counts_cleared() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class TokenMaker(Protocol):
    def __call__(
        self,
        *,
        role: str = Role.ADMIN,
        scopes: list[str] | None = None,
        facility: Facility | None = None,
        unit: Unit | None = None,
        name: str = "EHR bridge",
    ) -> tuple[ApiToken, str]: ...


@pytest.fixture
def make_token(admin: User) -> TokenMaker:
    def maker(
        *,
        role: str = Role.ADMIN,
        scopes: list[str] | None = None,
        facility: Facility | None = None,
        unit: Unit | None = None,
        name: str = "EHR bridge",
    ) -> tuple[ApiToken, str]:
        made = api_token_create(
            actor=admin,
            name=name,
            scopes=ALL_SCOPES if scopes is None else scopes,
            role=role,
            facility=facility,
            unit=unit,
            now=NOW,
        )
        return made.token, made.secret

    return maker


class ApiClient:
    """The Django test client with a bearer token and JSON bodies."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, data: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(path, data or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            path,
            body if body is not None else {},
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api_admin(make_token: TokenMaker) -> ApiClient:
    """An organization-wide administrator's token with every scope."""
    _token, secret = make_token()
    return ApiClient(secret)


def problem_of(response: Any) -> dict[str, Any]:
    """The body of a problem details response, after checking its shape."""
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == response.status_code
    return body
