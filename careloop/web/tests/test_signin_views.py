"""Signing in through the pages: the lock after repeated failures, the code step of two-step
sign-in, setting it up and turning it off, and the organization's requirement."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.orgs.models import Organization, User
from careloop.orgs.signin import mfa_enable
from careloop.orgs.totp import totp_at
from careloop.web.tests.conftest import NOW

PASSWORD = "correct horse battery staple"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LOCKED = "Too many failed attempts. Try again in 15 minutes or ask an administrator."
INVALID = "Please enter a correct username and password."


def enrolled(user: User) -> User:
    earlier = NOW - timedelta(minutes=5)
    assert mfa_enable(user=user, secret=SECRET, code=totp_at(SECRET, earlier), now=earlier)
    return user


def password_step(client: Client, username: str, password: str = PASSWORD, **extra: str) -> str:
    response = client.post(reverse("login"), {"username": username, "password": password, **extra})
    return response["Location"] if response.status_code == 302 else response.text


def signed_in(client: Client) -> bool:
    return client.get(reverse("web:queue")).status_code == 200


def event_types() -> list[str]:
    return list(AuditEvent.objects.values_list("event_type", flat=True))


# --- lockout -----------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client: Client, advocate_x: User
) -> None:
    pages = [password_step(client, "advocate_x", "guess") for _ in range(5)]

    assert [INVALID in page for page in pages] == [True] * 4 + [False]
    assert LOCKED in pages[4]
    assert LOCKED in password_step(client, "advocate_x")
    assert not signed_in(client)
    assert event_types().count("auth.locked") == 1
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        assert password_step(client, "advocate_x") == "/"
    assert signed_in(client)


def test_an_unknown_user_name_always_gets_the_usual_message(client: Client, db: None) -> None:
    pages = [password_step(client, "nobody", "guess") for _ in range(7)]

    assert all(INVALID in page and LOCKED not in page for page in pages)


def test_signing_in_clears_earlier_failures(client: Client, advocate_x: User) -> None:
    for _ in range(4):
        password_step(client, "advocate_x", "guess")

    assert password_step(client, "advocate_x") == "/"

    assert User.objects.get(pk=advocate_x.pk).failed_logins == 0


# --- the code step -----------------------------------------------------------------------------


def test_two_step_sign_in_logs_in_only_after_the_right_code(
    client: Client, advocate_x: User
) -> None:
    enrolled(advocate_x)

    assert password_step(client, "advocate_x", next="/cases/?scope=all") == "/login/code/"
    assert not signed_in(client)
    page = client.get(reverse("login_code"))
    assert 'autocomplete="one-time-code"' in page.text
    assert 'inputmode="numeric"' in page.text
    assert '<label for="id_code">6-digit code</label>' in page.text
    wrong = client.post(reverse("login_code"), {"code": "000000"})
    assert (wrong.status_code, "That code is not right" in wrong.text) == (400, True)
    assert not signed_in(client)
    right = client.post(reverse("login_code"), {"code": totp_at(SECRET, NOW)})

    assert (right.status_code, right["Location"]) == (302, "/cases/?scope=all")
    assert signed_in(client)
    assert event_types() == [
        "auth.mfa_enabled",
        "auth.mfa_challenged",
        "auth.login_failed",
        "auth.login",
    ]
    login = AuditEvent.objects.get(event_type="auth.login")
    assert (login.actor_id, login.detail) == (advocate_x.pk, {"mfa": True})


def test_after_the_code_it_goes_nowhere_off_site(client: Client, advocate_x: User) -> None:
    enrolled(advocate_x)
    password_step(client, "advocate_x", next="https://evil.example/")

    response = client.post(reverse("login_code"), {"code": totp_at(SECRET, NOW)})

    assert response["Location"] == "/"


def test_the_code_step_expires_after_five_minutes(client: Client, advocate_x: User) -> None:
    enrolled(advocate_x)
    password_step(client, "advocate_x")

    with time_machine.travel(NOW + timedelta(minutes=5, seconds=1), tick=False):
        response = client.post(reverse("login_code"), {"code": totp_at(SECRET, NOW)})

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert not signed_in(client)


def test_the_code_step_needs_a_password_first(client: Client, db: None) -> None:
    response = client.get(reverse("login_code"))

    assert (response.status_code, response["Location"]) == (302, "/login/")


def test_wrong_codes_lock_the_account_and_end_the_attempt(client: Client, advocate_x: User) -> None:
    enrolled(advocate_x)
    password_step(client, "advocate_x")

    statuses = [client.post(reverse("login_code"), {"code": "12"}).status_code for _ in range(5)]

    assert statuses == [400] * 4 + [302]
    assert LOCKED in client.get(reverse("login")).text
    assert client.get(reverse("login_code"))["Location"] == "/login/"
    assert LOCKED in password_step(client, "advocate_x")


def test_the_code_step_is_csrf_protected(advocate_x: User) -> None:
    client = Client(enforce_csrf_checks=True)
    enrolled(advocate_x)
    page = client.get(reverse("login"))
    token = page.context["csrf_token"]
    client.post(
        reverse("login"),
        {"username": "advocate_x", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    response = client.post(reverse("login_code"), {"code": totp_at(SECRET, NOW)})

    assert response.status_code == 403
    assert not signed_in(client)


# --- setting up and turning off ----------------------------------------------------------------


def test_a_user_sets_up_two_step_sign_in_with_a_code_from_the_shown_key(
    client: Client, advocate_x: User
) -> None:
    client.force_login(advocate_x)
    page = client.get(reverse("two_step"))
    secret = client.session["careloop_mfa_enrolment"]

    grouped = " ".join(secret[i : i + 4] for i in range(0, 32, 4))
    assert grouped in page.text
    assert f"otpauth://totp/Careloop:advocate_x?secret={secret}" in page.text
    assert grouped in client.get(reverse("two_step")).text  # the same key on reload
    wrong = client.post(reverse("two_step"), {"code": "000000"})
    assert wrong.status_code == 400
    done = client.post(reverse("two_step"), {"code": totp_at(secret, NOW)})

    assert (done.status_code, done["Location"]) == (302, "/account/two-step/")
    user = User.objects.get(pk=advocate_x.pk)
    assert (user.totp_secret, user.mfa_enabled_at) == (secret, NOW)
    assert "Two-step sign-in is on" in client.get(reverse("two_step")).text
    assert secret not in repr(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_user_turns_it_off_with_a_current_code(client: Client, advocate_x: User) -> None:
    client.force_login(enrolled(advocate_x))

    wrong = client.post(reverse("two_step_off"), {"code": "000000"})
    right = client.post(reverse("two_step_off"), {"code": totp_at(SECRET, NOW)})

    assert (wrong.status_code, right.status_code) == (400, 302)
    assert User.objects.get(pk=advocate_x.pk).mfa_enabled_at is None
    assert event_types()[-1] == "auth.mfa_disabled"


def test_the_pages_are_linked_from_the_menu_and_refuse_the_wrong_method(
    client: Client, advocate_x: User
) -> None:
    client.force_login(advocate_x)

    home = client.get(reverse("web:queue"))

    assert '<a href="/account/two-step/">Two-step sign-in</a>' in home.text
    assert client.get(reverse("two_step_off")).status_code == 405
    assert client.put(reverse("two_step")).status_code == 405
    assert client.put(reverse("login_code")).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in_first(client: Client, db: None) -> None:
    response = client.get(reverse("two_step"))

    assert response["Location"] == "/login/?next=/account/two-step/"
    assert client.post(reverse("two_step_off"))["Location"].startswith("/login/")


# --- the organization requires it ------------------------------------------------------------


@pytest.fixture
def mfa_required(org: Organization) -> None:
    Organization.objects.filter(pk=org.pk).update(mfa_required=True)


def test_where_required_a_user_without_it_can_only_set_it_up(
    client: Client, advocate_x: User, mfa_required: None
) -> None:
    assert password_step(client, "advocate_x") == "/"

    for url in [reverse("web:home"), reverse("web:queue"), reverse("web:audit")]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/account/two-step/")
    page = client.get(reverse("two_step"))
    assert "Your organization requires two-step sign-in" in page.text
    secret = client.session["careloop_mfa_enrolment"]
    client.post(reverse("two_step"), {"code": totp_at(secret, NOW)})

    assert signed_in(client)
    assert "cannot be turned off" in client.get(reverse("two_step")).text
    refused = client.post(reverse("two_step_off"), {"code": totp_at(secret, NOW)})
    assert refused.status_code == 400
    assert client.post(reverse("logout")).status_code == 302


def test_the_requirement_does_not_reach_other_organizations(
    client: Client, outsider: User, mfa_required: None
) -> None:
    client.force_login(outsider)

    assert signed_in(client)


def test_an_administrator_requires_it_on_the_organization_settings_screen(
    client: Client, admin: User, org: Organization
) -> None:
    client.force_login(admin)
    url = reverse("web:manage_edit", args=["organization", org.pk])
    data = {
        "name": org.name,
        "reference_prefix": org.reference_prefix,
        "clock_overrides": "{}",
        "mfa_required": "on",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).mfa_required
    assert client.get(reverse("web:queue"))["Location"] == "/account/two-step/"
    changed = AuditEvent.objects.get(event_type="org.organization.changed")
    assert "mfa_required" in changed.fields


def test_an_administrator_unlocks_an_account_and_resets_its_two_step_sign_in(
    client: Client, advocate_x: User, admin: User
) -> None:
    enrolled(advocate_x)
    for _ in range(5):
        password_step(client, "advocate_x", "guess")
    admin_client = Client()
    admin_client.force_login(admin)
    url = reverse("web:manage_edit", args=["users", advocate_x.pk])
    form = {
        "username": "advocate_x",
        "email": advocate_x.email,
        "language": "en",
        "is_active": "on",
        "clear_lockout": "on",
        "reset_two_step": "on",
    }

    assert admin_client.post(url, form).status_code == 302

    advocate_x.refresh_from_db()
    assert (advocate_x.failed_logins, advocate_x.locked_until) == (0, None)
    assert advocate_x.totp_secret == ""
    assert advocate_x.mfa_enabled_at is None
    assert password_step(Client(), "advocate_x") == "/"  # signed in with the password alone
    assert "org.user.signin_reset" in event_types()
