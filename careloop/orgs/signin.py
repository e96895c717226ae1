"""Sign-in protection: account lockout after repeated failures and two-step sign-in (TOTP).

Counters change only through conditional UPDATEs with F() expressions, so concurrent attempts
neither lose a failure nor lock an account twice. Every step writes an audit event; neither
secrets nor codes ever go into its detail."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from careloop.audit.services import audit_record
from careloop.orgs.models import User
from careloop.orgs.totp import totp_verify


class CodeResult(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"


def lockout_attempts() -> int:
    return int(settings.CARELOOP_LOCKOUT_ATTEMPTS)


def lockout_minutes() -> int:
    return int(settings.CARELOOP_LOCKOUT_MINUTES)


def locked_message() -> str:
    return (
        f"Too many failed attempts. Try again in {lockout_minutes()} minutes "
        "or ask an administrator."
    )


def signin_is_locked(*, user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def signin_locked_user(*, username: str, now: datetime) -> User | None:
    """The account of that name if it is locked at `now`."""
    return User.objects.filter(username=username, locked_until__gt=now).first()


def org_requires_mfa(*, user: User) -> bool:
    return user.organization is not None and user.organization.mfa_required


def signin_mfa_required(*, user: User) -> bool:
    """True when the user's organization requires two-step sign-in and the user has none."""
    return user.mfa_enabled_at is None and org_requires_mfa(user=user)


def _audit(user: User | None, event_type: str, now: datetime, **extra: object) -> None:
    outcome = "success" if event_type in _SUCCESSES else "failure"
    audit_record(
        actor=user,
        action="L",
        event_type=event_type,
        at=now,
        organization_id=user.organization_id if user is not None else None,
        object_type="user" if user is not None else "",
        object_id=str(user.pk) if user is not None else "",
        outcome=outcome,
        detail=dict(extra),
    )


_SUCCESSES = frozenset(
    {"auth.login", "auth.mfa_challenged", "auth.mfa_enabled", "auth.mfa_disabled"}
)


def _failure_count(*, user: User, now: datetime) -> bool:
    """Count one failure; lock the account when it reaches the limit. True if this call locked
    it: the lock is a conditional UPDATE that resets the counter, so only one caller wins."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    locked = (
        User.objects.filter(pk=user.pk, failed_logins__gte=lockout_attempts()).update(
            failed_logins=0, locked_until=now + timedelta(minutes=lockout_minutes())
        )
        == 1
    )
    if locked:
        _audit(user, "auth.locked", now, attempts=lockout_attempts(), minutes=lockout_minutes())
    return locked


@transaction.atomic
def signin_failure_record(*, username: str, now: datetime, reason: str) -> bool:
    """A refused sign-in. `reason` is "password" or "code" (both count towards the lock) or
    "locked" (refused unchecked; not counted). True if this failure locked the account."""
    user = User.objects.filter(username=username).first()
    _audit(user, "auth.login_failed", now, reason=reason)
    if user is None or reason == "locked":
        return False
    return _failure_count(user=user, now=now)


@transaction.atomic
def signin_success_record(*, user: User, now: datetime, mfa: bool) -> None:
    """A completed sign-in: the failure counter starts again."""
    User.objects.filter(pk=user.pk).filter(
        Q(failed_logins__gt=0) | Q(locked_until__isnull=False)
    ).update(failed_logins=0, locked_until=None)
    _audit(user, "auth.login", now, mfa=mfa)


def signin_mfa_challenge_record(*, user: User, now: datetime) -> None:
    """The password was right; the sign-in waits for a code. The counter is not reset here, or
    an attacker who knows the password could guess codes without ever being locked out."""
    _audit(user, "auth.mfa_challenged", now)


def _code_consume(*, user: User, secret: str, code: str, now: datetime) -> bool:
    """Accept a code once: its time step must be later than the last one used."""
    counter = totp_verify(secret, code, now)
    if counter is None:
        return False
    fresh = Q(totp_last_counter__isnull=True) | Q(totp_last_counter__lt=counter)
    return User.objects.filter(fresh, pk=user.pk).update(totp_last_counter=counter) == 1


@transaction.atomic
def signin_code_submit(*, user: User, code: str, now: datetime) -> CodeResult:
    """The second step of signing in. A wrong code counts towards the same lock as passwords."""
    current = User.objects.select_for_update().get(pk=user.pk)
    if signin_is_locked(user=current, now=now):
        _audit(current, "auth.login_failed", now, reason="locked")
        return CodeResult.LOCKED
    if current.totp_secret and _code_consume(
        user=current, secret=current.totp_secret, code=code, now=now
    ):
        signin_success_record(user=current, now=now, mfa=True)
        return CodeResult.ACCEPTED
    _audit(current, "auth.login_failed", now, reason="code")
    if _failure_count(user=current, now=now):
        return CodeResult.LOCKED
    return CodeResult.WRONG


@transaction.atomic
def mfa_enable(*, user: User, secret: str, code: str, now: datetime) -> bool:
    """Turn on two-step sign-in once the user proves their app has `secret`."""
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.mfa_enabled_at is not None:
        raise ValidationError("Two-step sign-in is already on.")
    counter = totp_verify(secret, code, now)
    if counter is None:
        _audit(current, "auth.mfa_enrol_failed", now)
        return False
    current.totp_secret = secret
    current.totp_last_counter = counter
    current.mfa_enabled_at = now
    current.save(update_fields=["totp_secret", "totp_last_counter", "mfa_enabled_at"])
    _audit(current, "auth.mfa_enabled", now)
    user.totp_secret, user.totp_last_counter, user.mfa_enabled_at = secret, counter, now
    return True


@transaction.atomic
def mfa_disable(*, user: User, code: str, now: datetime) -> CodeResult:
    """Turn off two-step sign-in with a current code; wrong codes count towards the lock."""
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.mfa_enabled_at is None:
        raise ValidationError("Two-step sign-in is not on.")
    if org_requires_mfa(user=current):
        raise ValidationError("Your organization requires two-step sign-in.")
    if signin_is_locked(user=current, now=now):
        _audit(current, "auth.mfa_disable_failed", now, reason="locked")
        return CodeResult.LOCKED
    if not _code_consume(user=current, secret=current.totp_secret, code=code, now=now):
        _audit(current, "auth.mfa_disable_failed", now, reason="code")
        locked = _failure_count(user=current, now=now)
        return CodeResult.LOCKED if locked else CodeResult.WRONG
    User.objects.filter(pk=current.pk).update(
        totp_secret="", totp_last_counter=None, mfa_enabled_at=None
    )
    _audit(current, "auth.mfa_disabled", now)
    user.totp_secret, user.totp_last_counter, user.mfa_enabled_at = "", None, None
    return CodeResult.ACCEPTED
