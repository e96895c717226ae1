"""/api/tokens/: administrators create tokens (the secret shown once, only its SHA-256 kept)
and revoke them; nobody else may."""

from __future__ import annotations

import hashlib

from django.test import Client

from careloop.api.models import ApiToken
from careloop.api.tests.conftest import TokenMaker
from careloop.audit.models import AuditEvent
from careloop.orgs.models import Facility, Membership, Unit, User


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_creates_a_token_and_sees_its_secret_once(
    admin: User, facility_x: Facility, unit_a: Unit
) -> None:
    client = signed_in(admin)
    response = client.post(
        "/api/tokens/",
        {
            "name": "EHR bridge",
            "scopes": ["cases:read", "cases:write"],
            "role": "manager",
            "facility": facility_x.pk,
            "unit": unit_a.pk,
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert token.scopes == ["cases:read", "cases:write"]
    membership = Membership.objects.get(user=token.user)
    assert (membership.role, membership.unit_id) == ("manager", unit_a.pk)
    assert not token.user.has_usable_password()
    assert secret.encode() in response.content
    assert secret.encode() not in client.get("/api/tokens/").content
    assert AuditEvent.objects.filter(event_type="api.token_created").exists()


def test_a_unit_of_another_facility_is_refused(
    admin: User, facility_x: Facility, facility_y: Facility, unit_c: Unit
) -> None:
    response = signed_in(admin).post(
        "/api/tokens/",
        {
            "name": "X",
            "scopes": ["cases:read"],
            "role": "manager",
            "facility": facility_x.pk,
            "unit": unit_c.pk,
        },
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_an_administrator_revokes_a_token(admin: User, make_token: TokenMaker) -> None:
    token, _secret = make_token()
    response = signed_in(admin).post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by_id == admin.pk
    assert not User.objects.get(pk=token.user_id).is_active


def test_revoking_by_get_is_not_allowed(admin: User, make_token: TokenMaker) -> None:
    token, _secret = make_token()
    assert signed_in(admin).get(f"/api/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_people_who_do_not_administer_cannot_see_or_revoke_tokens(
    manager_a: User, outsider: User, make_token: TokenMaker
) -> None:
    token, _secret = make_token()
    assert signed_in(manager_a).get("/api/tokens/").status_code == 403
    assert signed_in(outsider).post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_signed_out_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get("/api/tokens/")
    assert response.status_code == 302
