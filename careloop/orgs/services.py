"""Write paths for the organization model (facilities, units, people, accounts, roles)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from careloop.audit.services import audit_record
from careloop.core.time import is_valid_timezone
from careloop.orgs.models import Facility, Membership, Organization, User
from careloop.orgs.permissions import has_capability_anywhere
from careloop.policies.calendars import CALENDARS
from careloop.policies.packs import shipped_packs


def _validate_overrides(overrides: object) -> None:
    """Keys are "pack:clock" of shipped packs; values whole numbers of the clock's unit."""
    if not isinstance(overrides, dict):
        raise ValidationError({"clock_overrides": 'Give an object like {"pack:clock": 2}.'})
    packs = shipped_packs()
    for key, value in overrides.items():
        pack_id, _, clock_id = str(key).partition(":")
        pack = packs.get(pack_id)
        if pack is None or clock_id not in {c.id for c in pack.clocks}:
            raise ValidationError({"clock_overrides": f"No clock {key!r} in the shipped packs."})
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError(
                {"clock_overrides": f"{key}: the duration must be a whole number, 0 or more."}
            )


def _validate(instance: models.Model) -> None:
    if isinstance(instance, Organization):
        _validate_overrides(instance.clock_overrides)
    if isinstance(instance, Facility):
        if not is_valid_timezone(instance.time_zone):
            raise ValidationError(
                {"time_zone": f"'{instance.time_zone}' is not an IANA time zone."}
            )
        if instance.holiday_calendar not in CALENDARS:
            raise ValidationError({"holiday_calendar": "Unknown holiday calendar."})
        unknown = [p for p in instance.policy_packs if p not in shipped_packs()]
        if unknown:
            raise ValidationError({"policy_packs": f"Unknown policy packs: {', '.join(unknown)}."})
    if (
        isinstance(instance, Membership)
        and instance.unit_id is not None
        and (instance.unit is None or instance.unit.facility_id != instance.facility_id)
    ):
        raise ValidationError({"unit": "The unit must belong to the chosen facility."})


def org_record_save(
    *, actor: User, instance: models.Model, fields: list[str], now: datetime
) -> models.Model:
    """Create or change one record of the organization model, with its audit event."""
    if not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Only organization administrators can change this.")
    organization_id = actor.organization_id
    _validate(instance)
    creating = instance.pk is None
    with transaction.atomic():
        instance.save()
        audit_record(
            actor=actor,
            action="C" if creating else "U",
            event_type=f"org.{instance._meta.model_name}.{'created' if creating else 'changed'}",
            at=now,
            organization_id=organization_id,
            object_type=str(instance._meta.model_name),
            object_id=str(instance.pk),
            fields=fields,
            actor_role="admin",
        )
    return instance


def user_set_password(*, actor: User, user: User, password: str, now: datetime) -> None:
    if (
        not has_capability_anywhere(actor, "administer")
        or user.organization_id != actor.organization_id
    ):
        raise PermissionDenied("Only this organization's administrators can set passwords.")
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="U",
            event_type="org.user.password_set",
            at=now,
            organization_id=actor.organization_id,
            object_type="user",
            object_id=str(user.pk),
            fields=["password"],
            actor_role="admin",
        )


def user_signin_reset(
    *, actor: User, user: User, clear_lockout: bool, reset_two_step: bool, now: datetime
) -> None:
    """An administrator unlocks an account and/or removes its two-step sign-in (a lost phone);
    the user enrols again at the next sign-in if the organization requires it."""
    if (
        not has_capability_anywhere(actor, "administer")
        or user.organization_id != actor.organization_id
    ):
        raise PermissionDenied("Only this organization's administrators can do that.")
    fields: list[str] = []
    if clear_lockout:
        user.failed_logins, user.locked_until = 0, None
        fields += ["failed_logins", "locked_until"]
    if reset_two_step:
        user.totp_secret, user.totp_last_counter, user.mfa_enabled_at = "", None, None
        fields += ["totp_secret", "totp_last_counter", "mfa_enabled_at"]
    if not fields:
        return
    with transaction.atomic():
        user.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="U",
            event_type="org.user.signin_reset",
            at=now,
            organization_id=actor.organization_id,
            object_type="user",
            object_id=str(user.pk),
            fields=fields,
            actor_role="admin",
        )


SettingsRow = TypeVar("SettingsRow", bound=models.Model)


def org_settings_save(
    *,
    model: type[SettingsRow],
    organization_id: int,
    values: dict[str, object],
    actor: User,
    event_type: str,
    now: datetime,
) -> SettingsRow:
    """Write an organization's one settings row of `model` (created on first use): lock it,
    set `values` and `updated_at`, validate, save and audit which fields changed. The caller
    checks who may do it and what the values mean. Call inside a transaction."""
    model._default_manager.get_or_create(organization_id=organization_id)
    record = model._default_manager.select_for_update().get(organization_id=organization_id)
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    for name, value in values.items():
        setattr(record, name, value)
    record.updated_at = now  # type: ignore[attr-defined]
    record.full_clean(exclude=["organization"])
    record.save(update_fields=[*values, "updated_at"])
    audit_record(
        actor=actor,
        action="U",
        event_type=event_type,
        at=now,
        organization_id=organization_id,
        object_type=model._meta.model_name or "",
        object_id=str(record.pk),
        fields=changed,
        actor_role="admin",
    )
    return record
