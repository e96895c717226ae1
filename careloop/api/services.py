"""Write paths of the API app: creating and revoking tokens (administrators only)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.api.models import ApiToken, Scope
from careloop.api.tokens import PREFIX_SHOWN, token_hash, token_new
from careloop.audit.services import audit_record
from careloop.core.text import clean_text
from careloop.orgs.models import Facility, Membership, Role, Unit, User
from careloop.orgs.permissions import has_capability_anywhere

TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _require_admin(actor: User) -> int:
    if actor.organization_id is None or not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Only organization administrators can manage API tokens.")
    return actor.organization_id


def _checked_place(organization_id: int, facility: Facility | None, unit: Unit | None) -> None:
    if facility is not None and facility.organization_id != organization_id:
        raise ValidationError("That facility belongs to another organization.")
    if unit is not None and (facility is None or unit.facility_id != facility.pk):
        raise ValidationError("The unit must belong to the chosen facility.")


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    role: str,
    facility: Facility | None,
    unit: Unit | None,
    now: datetime,
) -> NewToken:
    """A token acting through a new service user holding one membership (role over the
    organization, a facility or a unit). The secret is returned once."""
    organization_id = _require_admin(actor)
    name = clean_text(name, field="Name", max_chars=100, required=True)
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise ValidationError(f"Choose scopes from: {', '.join(Scope.values)}.")
    if role not in Role.values:
        raise ValidationError(f"Role '{role}' is not one of: {', '.join(Role.values)}.")
    _checked_place(organization_id, facility, unit)
    secret = token_new()
    user = User.objects.create(
        username=f"api-{secrets.token_hex(8)}",
        first_name="API",
        last_name=name[:150],
        organization_id=organization_id,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Membership.objects.create(user=user, role=role, facility=facility, unit=unit)
    token = ApiToken.objects.create(
        organization_id=organization_id,
        name=name,
        prefix=secret[:PREFIX_SHOWN],
        token_hash=token_hash(secret),
        scopes=sorted(set(scopes)),
        role=role,
        facility=facility,
        unit=unit,
        user=user,
        created_by=actor,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="C",
        event_type="api.token_created",
        at=now,
        organization_id=organization_id,
        object_type="api_token",
        object_id=str(token.pk),
        fields=["name", "scopes", "role", "facility", "unit"],
        actor_role="admin",
        detail={"scopes": token.scopes, "role": role},
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, now: datetime) -> ApiToken:
    """Stop the token at once: it is refused from the next call, and its service user holds
    no scope any more."""
    organization_id = _require_admin(actor)
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.organization_id != organization_id:
        raise PermissionDenied("That token belongs to another organization.")
    if locked.revoked_at is not None:
        raise ValidationError("This token was already revoked.")
    locked.revoked_at, locked.revoked_by = now, actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    User.objects.filter(pk=locked.user_id).update(is_active=False)
    audit_record(
        actor=actor,
        action="U",
        event_type="api.token_revoked",
        at=now,
        organization_id=organization_id,
        object_type="api_token",
        object_id=str(locked.pk),
        fields=["revoked_at"],
        actor_role="admin",
    )
    return locked


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    """Record when the token was last used, at most once a minute (a conditional UPDATE, so
    busy tokens do not write on every call)."""
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(last_used_at=now)
    token.last_used_at = now
