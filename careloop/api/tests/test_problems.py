"""Every error is a problem detail, including unexpected ones; bearer calls need no CSRF
token."""

from __future__ import annotations

import pytest
from django.test import Client

from careloop.api import endpoints_cases
from careloop.api.tests.conftest import ApiClient, TokenMaker, problem_of
from careloop.audit.models import AuditEvent
from careloop.conftest import CaseOpener


def test_an_unexpected_error_is_a_500_problem_that_quotes_nothing(
    api_admin: ApiClient, open_case: CaseOpener, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = open_case()

    def broken(**_kwargs: object) -> None:
        raise RuntimeError("the client's words")

    monkeypatch.setattr(endpoints_cases, "case_for_reference", broken)
    response = api_admin.get(f"/api/v1/cases/{case.reference}")
    assert response.status_code == 500
    problem = problem_of(response)
    assert "client's words" not in response.content.decode()
    assert problem["type"] == "/api/v1/docs#problem-server-error"
    event = AuditEvent.objects.filter(event_type="api.called").latest("seq")
    assert (event.outcome, event.detail["status"]) == ("failed", 500)


def test_a_body_that_is_not_json_is_a_400_problem(api_admin: ApiClient) -> None:
    response = api_admin.client.post(
        "/api/v1/cases", b"{not json", content_type="application/json", headers=api_admin.headers
    )
    assert response.status_code == 400
    problem_of(response)


def test_bearer_calls_need_no_csrf_token(make_token: TokenMaker, open_case: CaseOpener) -> None:
    case = open_case()
    _token, secret = make_token()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/cases/{case.reference}/notes",
        {"body": "Called back."},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201
