"""Who may see insights. A facility dashboard shows the whole facility, so it needs case
viewing over the whole facility (a facility or organization membership), not one unit."""

from __future__ import annotations

from dataclasses import dataclass

from careloop.orgs.models import Facility, Role, Unit, User
from careloop.orgs.permissions import CAPABILITIES, has_capability, roles_for, user_memberships


@dataclass
class _Place:
    organization_id: int
    facility_id: int
    unit_id: int | None = None


def can_view_facility_insights(user: User, facility: Facility) -> bool:
    place = _Place(organization_id=facility.organization_id, facility_id=facility.pk)
    return has_capability(user, "view_case", place)


def can_view_unit_insights(user: User, unit: Unit) -> bool:
    """Any case access covering the unit: unit members as well as facility and organization
    ones."""
    place = _Place(unit.facility.organization_id, facility_id=unit.facility_id, unit_id=unit.pk)
    return has_capability(user, "view_case", place)


NARRATIVE_ROLES = frozenset({Role.ADVOCATE, Role.ADMIN})


def can_read_narratives(user: User, facility: Facility) -> bool:
    """Whether exports of this facility may carry the client's own words: patient advocates
    and administrators covering the facility (minimum necessary for everyone else)."""
    place = _Place(organization_id=facility.organization_id, facility_id=facility.pk)
    return bool(roles_for(user, place) & NARRATIVE_ROLES)


def can_view_any_insights(user: User) -> bool:
    return user.organization_id is not None and any(
        m.unit_id is None for m in user_memberships(user)
    )


def can_import_exposure(user: User) -> bool:
    if user.organization_id is None:
        return False
    return has_capability(user, "administer", _Place(user.organization_id, facility_id=0))


def can_view_organization_insights(user: User) -> bool:
    """Organization-wide case access: the organization dashboard."""
    return user.organization_id is not None and any(
        m.facility_id is None and m.unit_id is None and m.role in CAPABILITIES["view_case"]
        for m in user_memberships(user)
    )


QUALITY_LEAD_ROLES = frozenset({Role.EXECUTIVE, Role.ADMIN})


def is_quality_lead(user: User, facility: Facility) -> bool:
    """An executive or administrator whose membership covers the facility."""
    place = _Place(organization_id=facility.organization_id, facility_id=facility.pk)
    return bool(roles_for(user, place) & QUALITY_LEAD_ROLES)


def can_acknowledge_alerts(user: User, facility: Facility) -> bool:
    return is_quality_lead(user, facility)


def is_organization_quality_lead(user: User) -> bool:
    return user.organization_id is not None and any(
        m.facility_id is None and m.role in QUALITY_LEAD_ROLES for m in user_memberships(user)
    )


def can_view_peer_review(user: User, facility: Facility) -> bool:
    """Per-person complaint rates and outlier status (peer review work product): executives
    and administrators covering the facility (the view_peer_review capability)."""
    place = _Place(organization_id=facility.organization_id, facility_id=facility.pk)
    return has_capability(user, "view_peer_review", place)
