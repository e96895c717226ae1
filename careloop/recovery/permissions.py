"""Who may do what with recovery. Scope and capability come from orgs.permissions; how much
someone may give comes from the authority matrix (recovery.authority)."""

from __future__ import annotations

from dataclasses import dataclass

from careloop.cases.models import Case
from careloop.orgs.models import Facility, Unit, User
from careloop.orgs.permissions import has_capability, has_capability_anywhere


@dataclass
class Place:
    """A permission scope that is not a case: the whole organization (facility_id 0, which no
    facility-scoped membership covers), a facility, or a unit."""

    organization_id: int
    facility_id: int
    unit_id: int | None = None

    @classmethod
    def organization(cls, organization_id: int) -> Place:
        return cls(organization_id=organization_id, facility_id=0)

    @classmethod
    def of_facility(cls, facility: Facility) -> Place:
        return cls(organization_id=facility.organization_id, facility_id=facility.pk)

    @classmethod
    def of_unit(cls, unit: Unit) -> Place:
        return cls(
            organization_id=unit.facility.organization_id,
            facility_id=unit.facility_id,
            unit_id=unit.pk,
        )


def can_give_recovery(user: User, case: Case) -> bool:
    return has_capability(user, "give_recovery", case)


def can_approve_compliance(user: User, case: Case) -> bool:
    return has_capability(user, "approve_compliance", case)


def can_void_recovery(user: User, case: Case, *, given_by_id: int | None) -> bool:
    """The person who gave it, or someone who works the case."""
    if not can_give_recovery(user, case):
        return False
    return given_by_id == user.pk or has_capability(user, "work_case", case)


def can_administer_organization(user: User, organization_id: int) -> bool:
    """Organization-wide administration: item types, the authority matrix, settings."""
    return has_capability(user, "administer", Place.organization(organization_id))


def can_administer_facility(user: User, facility: Facility) -> bool:
    """Stock, reconciliation, budgets and the R11 setting of one facility."""
    return has_capability(user, "administer", Place.of_facility(facility))


def can_administer_any(user: User) -> bool:
    return has_capability_anywhere(user, "administer")
