"""Sign-in protection services: lockout counted atomically, codes accepted once, two-step
sign-in turned on and off, and an audit event for every step without secrets or codes."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.audit.models import AuditEvent
from careloop.conftest import RECEIVED_AT
from careloop.orgs.models import Organization, User
from careloop.orgs.signin import (
    CodeResult,
    locked_message,
    mfa_disable,
    mfa_enable,
    signin_code_submit,
    signin_failure_record,
    signin_is_locked,
    signin_locked_user,
    signin_mfa_required,
    signin_success_record,
)
from careloop.orgs.totp import new_secret, totp_at

NOW = RECEIVED_AT
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def fail(user: User, times: int, reason: str = "password") -> list[bool]:
    return [
        signin_failure_record(username=user.username, now=NOW, reason=reason) for _ in range(times)
    ]


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def enrolled(user: User) -> User:
    assert mfa_enable(user=user, secret=SECRET, code=totp_at(SECRET, NOW), now=NOW)
    return fresh(user)


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type))


# --- lockout -----------------------------------------------------------------------------------


def test_five_failed_passwords_lock_the_account_for_fifteen_minutes(advocate_x: User) -> None:
    assert fail(advocate_x, 5) == [False, False, False, False, True]

    user = fresh(advocate_x)
    assert (user.locked_until, user.failed_logins) == (NOW + timedelta(minutes=15), 0)
    assert signin_is_locked(user=user, now=NOW + timedelta(minutes=14, seconds=59))
    assert not signin_is_locked(user=user, now=NOW + timedelta(minutes=15))
    assert signin_locked_user(username="advocate_x", now=NOW) == user
    assert len(events("auth.login_failed")) == 5
    [locked] = events("auth.locked")
    assert (locked.actor_id, locked.outcome, locked.detail) == (
        advocate_x.pk,
        "failure",
        {"attempts": 5, "minutes": 15},
    )


def test_the_limit_and_duration_come_from_settings(advocate_x: User, settings: Any) -> None:
    settings.CARELOOP_LOCKOUT_ATTEMPTS = 3
    settings.CARELOOP_LOCKOUT_MINUTES = 60

    assert fail(advocate_x, 3) == [False, False, True]
    assert fresh(advocate_x).locked_until == NOW + timedelta(hours=1)
    assert locked_message() == (
        "Too many failed attempts. Try again in 60 minutes or ask an administrator."
    )


def test_a_successful_sign_in_starts_the_count_again(advocate_x: User) -> None:
    fail(advocate_x, 4)

    signin_success_record(user=advocate_x, now=NOW, mfa=False)

    assert fresh(advocate_x).failed_logins == 0
    assert fail(advocate_x, 4) == [False] * 4
    assert fresh(advocate_x).locked_until is None
    [login] = events("auth.login")
    assert (login.outcome, login.detail) == ("success", {"mfa": False})


def test_attempts_refused_while_locked_are_audited_but_not_counted(advocate_x: User) -> None:
    fail(advocate_x, 5)

    assert fail(advocate_x, 3, reason="locked") == [False] * 3

    user = fresh(advocate_x)
    assert (user.failed_logins, user.locked_until) == (0, NOW + timedelta(minutes=15))
    reasons = [e.detail["reason"] for e in events("auth.login_failed")]
    assert reasons == ["password"] * 5 + ["locked"] * 3


def test_an_unknown_user_name_is_audited_without_an_actor(db: None) -> None:
    assert signin_failure_record(username="nobody", now=NOW, reason="password") is False

    [event] = events("auth.login_failed")
    assert (event.actor_id, event.actor_label, event.outcome) == (None, "system", "failure")


def test_the_counter_is_incremented_in_the_database_not_from_a_stale_copy(
    advocate_x: User,
) -> None:
    stale = fresh(advocate_x)
    User.objects.filter(pk=advocate_x.pk).update(failed_logins=3)  # another request's failures

    with CaptureQueriesContext(connection) as queries:
        signin_failure_record(username=stale.username, now=NOW, reason="password")

    assert fresh(advocate_x).failed_logins == 4
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    user_updates = [sql for sql in updates if '"orgs_user"' in sql]
    assert '"failed_logins" = ("orgs_user"."failed_logins" + 1)' in user_updates[0]
    assert '"failed_logins" >= 5' in user_updates[1]  # the lock is a conditional UPDATE


def _fail_in_thread(username: str, barrier: threading.Barrier, results: list[Any]) -> None:
    try:
        barrier.wait(timeout=10)
        results.append(signin_failure_record(username=username, now=NOW, reason="password"))
    except Exception as exc:  # reported to the test thread
        results.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted_and_lock_the_account_once(
    audit_log_cleared_after: None, advocate_x: User
) -> None:
    barrier = threading.Barrier(7)
    results: list[Any] = []
    threads = [
        threading.Thread(target=_fail_in_thread, args=("advocate_x", barrier, results))
        for _ in range(7)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [False] * 6 + [True]
    user = fresh(advocate_x)
    assert (user.failed_logins, user.locked_until) == (2, NOW + timedelta(minutes=15))
    assert (len(events("auth.login_failed")), len(events("auth.locked"))) == (7, 1)


# --- the code step -----------------------------------------------------------------------------


def test_a_right_code_signs_in_and_resets_the_counter(advocate_x: User) -> None:
    user = enrolled(advocate_x)
    fail(user, 2)
    later = NOW + timedelta(minutes=1)

    result = signin_code_submit(user=user, code=totp_at(SECRET, later), now=later)

    assert result is CodeResult.ACCEPTED
    assert fresh(user).failed_logins == 0
    [login] = events("auth.login")
    assert login.detail == {"mfa": True}


def test_a_code_cannot_be_used_twice(advocate_x: User) -> None:
    user = enrolled(advocate_x)
    later = NOW + timedelta(minutes=1)
    code = totp_at(SECRET, later)

    first = signin_code_submit(user=user, code=code, now=later)
    replay = signin_code_submit(user=user, code=code, now=later + timedelta(seconds=5))

    assert (first, replay) == (CodeResult.ACCEPTED, CodeResult.WRONG)
    assert fresh(user).failed_logins == 1


def test_the_code_used_to_turn_it_on_cannot_sign_in(advocate_x: User) -> None:
    user = enrolled(advocate_x)

    assert signin_code_submit(user=user, code=totp_at(SECRET, NOW), now=NOW) is CodeResult.WRONG


def test_an_earlier_code_is_refused_after_a_later_one_was_used(advocate_x: User) -> None:
    user = enrolled(advocate_x)
    later = NOW + timedelta(minutes=1)
    ahead = totp_at(SECRET, later + timedelta(seconds=30))  # the phone's clock runs fast
    behind = totp_at(SECRET, later)

    assert signin_code_submit(user=user, code=ahead, now=later) is CodeResult.ACCEPTED
    assert signin_code_submit(user=user, code=behind, now=later) is CodeResult.WRONG


def test_wrong_codes_count_towards_the_same_lock_as_passwords(advocate_x: User) -> None:
    user = enrolled(advocate_x)
    fail(user, 3)

    results = [signin_code_submit(user=user, code="000000", now=NOW) for _ in range(2)]

    assert results == [CodeResult.WRONG, CodeResult.LOCKED]
    assert signin_is_locked(user=fresh(user), now=NOW)
    assert signin_code_submit(user=user, code=totp_at(SECRET, NOW), now=NOW) is CodeResult.LOCKED
    reasons = [e.detail["reason"] for e in events("auth.login_failed")]
    assert reasons == ["password"] * 3 + ["code", "code", "locked"]


# --- turning two-step sign-in on and off -------------------------------------------------------


def test_turning_it_on_needs_a_current_code_from_the_new_secret(advocate_x: User) -> None:
    secret = new_secret()

    assert not mfa_enable(user=advocate_x, secret=secret, code="123456", now=NOW)
    assert fresh(advocate_x).mfa_enabled_at is None
    assert mfa_enable(user=advocate_x, secret=secret, code=totp_at(secret, NOW), now=NOW)

    user = fresh(advocate_x)
    assert (user.totp_secret, user.mfa_enabled_at) == (secret, NOW)
    assert advocate_x.mfa_enabled_at == NOW
    assert [e.outcome for e in events("auth.mfa_enrol_failed")] == ["failure"]
    assert len(events("auth.mfa_enabled")) == 1
    with pytest.raises(ValidationError, match="already on"):
        mfa_enable(user=user, secret=secret, code=totp_at(secret, NOW), now=NOW)


def test_turning_it_off_needs_a_current_unused_code(advocate_x: User) -> None:
    user = enrolled(advocate_x)
    later = NOW + timedelta(minutes=1)

    assert mfa_disable(user=user, code="000000", now=later) is CodeResult.WRONG
    assert mfa_disable(user=user, code=totp_at(SECRET, later), now=later) is CodeResult.ACCEPTED

    user = fresh(user)
    assert (user.totp_secret, user.mfa_enabled_at, user.totp_last_counter) == ("", None, None)
    assert user.failed_logins == 1
    assert len(events("auth.mfa_disabled")) == 1
    with pytest.raises(ValidationError, match="not on"):
        mfa_disable(user=user, code=totp_at(SECRET, later), now=later)


def test_it_cannot_be_turned_off_where_the_organization_requires_it(
    advocate_x: User, org: Organization
) -> None:
    user = enrolled(advocate_x)
    Organization.objects.filter(pk=org.pk).update(mfa_required=True)
    later = NOW + timedelta(minutes=1)

    with pytest.raises(ValidationError, match="requires"):
        mfa_disable(user=user, code=totp_at(SECRET, later), now=later)
    assert fresh(user).mfa_enabled_at == NOW


def test_wrong_codes_to_turn_it_off_lock_the_account(advocate_x: User) -> None:
    user = enrolled(advocate_x)
    fail(user, 4)

    assert mfa_disable(user=user, code="000000", now=NOW) is CodeResult.LOCKED
    later = NOW + timedelta(minutes=1)
    assert mfa_disable(user=user, code=totp_at(SECRET, later), now=later) is CodeResult.LOCKED
    assert fresh(user).mfa_enabled_at == NOW


def test_the_organization_requirement_applies_to_users_without_two_step_sign_in(
    advocate_x: User, outsider: User, org: Organization
) -> None:
    assert not signin_mfa_required(user=advocate_x)

    Organization.objects.filter(pk=org.pk).update(mfa_required=True)
    advocate_x.refresh_from_db()  # each request loads the user with its organization

    assert signin_mfa_required(user=advocate_x)
    assert not signin_mfa_required(user=outsider)
    assert not signin_mfa_required(user=enrolled(advocate_x))


def test_no_secret_or_code_reaches_the_audit_log(advocate_x: User) -> None:
    user = enrolled(advocate_x)
    later = NOW + timedelta(minutes=1)
    code = totp_at(SECRET, later)
    signin_code_submit(user=user, code="000000", now=later)
    signin_code_submit(user=user, code=code, now=later)

    logged = repr(list(AuditEvent.objects.values_list("detail", "fields", "object_id")))

    assert [e.event_type for e in AuditEvent.objects.all()] == [
        "auth.mfa_enabled",
        "auth.login_failed",
        "auth.login",
    ]
    assert SECRET not in logged
    assert code not in logged
    assert "000000" not in logged
