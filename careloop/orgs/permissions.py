"""Who may do what, where. Scope comes from memberships; capability from the role held there."""

from __future__ import annotations

from typing import Protocol

from django.db.models import Q

from careloop.orgs.models import Membership, Role, User

CAPABILITIES: dict[str, frozenset[str]] = {
    "view_case": frozenset(Role.values),
    "open_case": frozenset({Role.FRONTLINE, Role.ADVOCATE, Role.MANAGER, Role.ADMIN}),
    "note_case": frozenset({Role.FRONTLINE, Role.ADVOCATE, Role.MANAGER, Role.ADMIN}),
    "work_case": frozenset({Role.ADVOCATE, Role.MANAGER, Role.ADMIN}),
    "close_case": frozenset({Role.ADVOCATE, Role.MANAGER, Role.ADMIN}),
    "hold_case": frozenset({Role.ADVOCATE, Role.ADMIN}),
    "view_audit": frozenset({Role.ADMIN}),
    "administer": frozenset({Role.ADMIN}),
    "give_recovery": frozenset({Role.FRONTLINE, Role.ADVOCATE, Role.MANAGER, Role.ADMIN}),
    "approve_compliance": frozenset({Role.EXECUTIVE, Role.ADMIN}),
    # per-person complaint rates and outlier status (peer review work product; insights)
    "view_peer_review": frozenset({Role.EXECUTIVE, Role.ADMIN}),
}


class Scoped(Protocol):
    organization_id: int
    facility_id: int
    unit_id: int | None


def org_id_of(user: User) -> int:
    """The user's organization; a user outside every organization can do nothing here."""
    if user.organization_id is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("This account belongs to no organization.")
    return user.organization_id


def user_memberships(user: User) -> list[Membership]:
    """Memberships, read once per user object (a request) and kept on it."""
    cached: list[Membership] | None = getattr(user, "_careloop_memberships", None)
    if cached is None:
        cached = (
            list(Membership.objects.filter(user_id=user.pk).select_related("facility"))
            if user.is_active
            else []
        )
        user._careloop_memberships = cached  # type: ignore[attr-defined]  # per-request cache
    return cached


def covers(membership: Membership, obj: Scoped) -> bool:
    if membership.unit_id is not None:
        return obj.unit_id == membership.unit_id
    if membership.facility_id is not None:
        return obj.facility_id == membership.facility_id
    return True


def roles_for(user: User, obj: Scoped) -> set[str]:
    if user.organization_id is None or user.organization_id != obj.organization_id:
        return set()
    return {m.role for m in user_memberships(user) if covers(m, obj)}


def has_capability(user: User, capability: str, obj: Scoped) -> bool:
    return bool(roles_for(user, obj) & CAPABILITIES[capability])


def has_capability_anywhere(user: User, capability: str) -> bool:
    if user.organization_id is None:
        return False
    return any(m.role in CAPABILITIES[capability] for m in user_memberships(user))


def scope_q(user: User, capability: str = "view_case", prefix: str = "") -> Q:
    """A filter matching the objects (cases by default) the user may see. Empty scope matches
    nothing."""
    if user.organization_id is None:
        return Q(pk__in=[])
    allowed = CAPABILITIES[capability]
    q = Q(pk__in=[])
    for m in user_memberships(user):
        if m.role not in allowed:
            continue
        if m.unit_id is not None:
            q |= Q(**{f"{prefix}unit_id": m.unit_id})
        elif m.facility_id is not None:
            q |= Q(**{f"{prefix}facility_id": m.facility_id})
        else:
            q |= Q(**{f"{prefix}organization_id": user.organization_id})
    return q & Q(**{f"{prefix}organization_id": user.organization_id})


def role_label(user: User, obj: Scoped | None = None) -> str:
    roles = roles_for(user, obj) if obj is not None else {m.role for m in user_memberships(user)}
    return ",".join(sorted(roles))


def facility_ids_for(user: User, capability: str) -> set[int] | None:
    """Facilities where the user holds the capability; None means every facility."""
    ids: set[int] = set()
    for m in user_memberships(user):
        if m.role not in CAPABILITIES[capability]:
            continue
        if m.facility_id is None:
            return None
        ids.add(m.facility_id)
    return ids
