"""Who may see insights. A facility dashboard shows the whole facility, so it needs case
viewing over the whole facility (a facility or organization membership), not one unit."""

from __future__ import annotations

from dataclasses import dataclass

from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import has_capability, user_memberships


@dataclass
class _Place:
    organization_id: int
    facility_id: int
    unit_id: int | None = None


def can_view_facility_insights(user: User, facility: Facility) -> bool:
    place = _Place(organization_id=facility.organization_id, facility_id=facility.pk)
    return has_capability(user, "view_case", place)


def can_view_any_insights(user: User) -> bool:
    return user.organization_id is not None and any(
        m.unit_id is None for m in user_memberships(user)
    )


def can_import_exposure(user: User) -> bool:
    if user.organization_id is None:
        return False
    return has_capability(user, "administer", _Place(user.organization_id, facility_id=0))
