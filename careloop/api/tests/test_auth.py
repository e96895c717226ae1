"""Who may call: missing, unknown and revoked tokens get 401, a missing scope 403, a case
outside the token's scope 404 (like a missing one); every call is audited without its body."""

from __future__ import annotations

import pytest

from careloop.api.services import api_token_revoke
from careloop.api.tests.conftest import NOW, ApiClient, TokenMaker, problem_of
from careloop.audit.models import AuditEvent
from careloop.conftest import NARRATIVE, CaseOpener
from careloop.orgs.models import Facility, Role, Unit, User


def test_it_refuses_a_call_without_a_token(db: None) -> None:
    response = ApiClient(None).get("/api/v1/cases")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert problem_of(response)["instance"] == "/api/v1/cases"


def test_it_refuses_an_unknown_token(api_admin: ApiClient) -> None:
    response = ApiClient("clk_not-a-token").get("/api/v1/cases")
    assert response.status_code == 401
    assert problem_of(response)["type"] == "/api/v1/docs#problem-unauthorized"


def test_it_refuses_a_revoked_token(make_token: TokenMaker, admin: User) -> None:
    token, secret = make_token()
    assert ApiClient(secret).get("/api/v1/cases").status_code == 200
    api_token_revoke(actor=admin, token=token, now=NOW)
    response = ApiClient(secret).get("/api/v1/cases")
    assert response.status_code == 401
    problem_of(response)


def test_it_forbids_an_endpoint_outside_the_tokens_scopes(make_token: TokenMaker) -> None:
    _token, secret = make_token(scopes=["cases:read"])
    response = ApiClient(secret).post("/api/v1/cases", {})
    assert response.status_code == 403
    assert "cases:write" in problem_of(response)["detail"]


def test_a_case_outside_the_tokens_unit_is_not_found_like_a_missing_one(
    make_token: TokenMaker,
    open_case: CaseOpener,
    facility_x: Facility,
    unit_a: Unit,
    unit_b: Unit,
) -> None:
    other = open_case(unit=unit_b)
    _token, secret = make_token(role=Role.MANAGER, facility=facility_x, unit=unit_a)
    client = ApiClient(secret)
    hidden = client.get(f"/api/v1/cases/{other.reference}")
    missing = client.get("/api/v1/cases/RH-2026-999999")
    assert hidden.status_code == missing.status_code == 404
    assert problem_of(hidden)["detail"] == problem_of(missing)["detail"]
    assert client.get("/api/v1/cases").json()["items"] == []


def test_another_organizations_token_sees_nothing(
    open_case: CaseOpener, outsider: User, other_facility: Facility
) -> None:
    from careloop.api.services import api_token_create

    case = open_case()
    secret = api_token_create(
        actor=outsider,
        name="Other",
        scopes=["cases:read", "cases:write"],
        role=Role.ADMIN,
        facility=None,
        unit=None,
        now=NOW,
    ).secret
    client = ApiClient(secret)
    assert client.get(f"/api/v1/cases/{case.reference}").status_code == 404
    assert client.post(f"/api/v1/cases/{case.reference}/resolve").status_code == 404


def test_a_role_that_may_read_but_not_act_gets_403(
    make_token: TokenMaker, open_case: CaseOpener, facility_x: Facility, unit_a: Unit
) -> None:
    case = open_case()
    _token, secret = make_token(role=Role.FRONTLINE, facility=facility_x, unit=unit_a)
    client = ApiClient(secret)
    assert client.get(f"/api/v1/cases/{case.reference}").status_code == 200
    response = client.post(f"/api/v1/cases/{case.reference}/acknowledge", {"channel": "phone"})
    assert response.status_code == 403
    problem_of(response)


def test_every_call_is_audited_with_token_method_route_and_status(
    make_token: TokenMaker, open_case: CaseOpener
) -> None:
    case = open_case()
    token, secret = make_token()
    ApiClient(secret).get(f"/api/v1/cases/{case.reference}")
    ApiClient(secret).post("/api/v1/cases", {"narrative": NARRATIVE})
    calls = list(AuditEvent.objects.filter(event_type="api.called").order_by("seq"))
    assert [c.detail for c in calls] == [
        {"token_id": token.pk, "method": "GET", "route": "case", "status": 200},
        {"token_id": token.pk, "method": "POST", "route": "cases", "status": 422},
    ]
    assert calls[0].actor_id == token.user_id
    assert [c.outcome for c in calls] == ["success", "refused"]
    assert all(NARRATIVE not in str(c.detail) for c in calls)


def test_a_call_without_a_token_is_audited_with_no_actor(db: None) -> None:
    ApiClient(None).get("/api/v1/cases")
    event = AuditEvent.objects.get(event_type="api.called")
    assert event.actor_id is None
    assert event.detail == {"token_id": None, "method": "GET", "route": "cases", "status": 401}


def test_last_use_is_recorded(make_token: TokenMaker) -> None:
    token, secret = make_token()
    ApiClient(secret).get("/api/v1/cases")
    token.refresh_from_db()
    assert token.last_used_at == NOW


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_a_wrong_method_is_a_405_problem(api_admin: ApiClient, method: str) -> None:
    response = getattr(api_admin.client, method)("/api/v1/cases", headers=api_admin.headers)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    problem_of(response)


def test_an_unknown_path_is_a_404_problem(api_admin: ApiClient) -> None:
    response = api_admin.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    problem_of(response)
