"""Scopes and capabilities: what each persona may do where."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied

from careloop.cases.models import Case
from careloop.conftest import CaseOpener
from careloop.orgs.models import Facility, Membership, Organization, Role, Unit, User
from careloop.orgs.permissions import (
    CAPABILITIES,
    facility_ids_for,
    has_capability,
    has_capability_anywhere,
    org_id_of,
    role_label,
    roles_for,
    scope_q,
    user_memberships,
)


@dataclass
class Place:
    organization_id: int
    facility_id: int
    unit_id: int | None


@pytest.fixture
def places(unit_a: Unit, unit_b: Unit, unit_c: Unit) -> dict[str, Place]:
    def at(unit: Unit) -> Place:
        return Place(unit.facility.organization_id, unit.facility_id, unit.pk)

    return {"unit_a": at(unit_a), "unit_b": at(unit_b), "unit_c": at(unit_c)}


ROLES_BY_PLACE = {
    "frontline_a": ({"frontline"}, set(), set()),
    "manager_a": ({"manager"}, set(), set()),
    "advocate_x": ({"advocate"}, {"advocate"}, set()),
    "advocate_y": (set(), set(), {"advocate"}),
    "executive": ({"executive"}, {"executive"}, {"executive"}),
    "admin": ({"admin"}, {"admin"}, {"admin"}),
    "outsider": (set(), set(), set()),
}


@pytest.mark.parametrize(("persona", "expected"), ROLES_BY_PLACE.items())
def test_each_persona_holds_its_role_only_within_its_scope(
    personas: dict[str, User],
    places: dict[str, Place],
    persona: str,
    expected: tuple[set[str], set[str], set[str]],
) -> None:
    user = personas[persona]

    found = tuple(roles_for(user, places[p]) for p in ("unit_a", "unit_b", "unit_c"))

    assert found == expected


@pytest.mark.parametrize(
    ("persona", "capable"),
    [
        ("frontline_a", {"view_case", "open_case", "note_case", "give_recovery"}),
        (
            "manager_a",
            {"view_case", "open_case", "note_case", "work_case", "close_case", "give_recovery"},
        ),
        (
            "advocate_x",
            set(CAPABILITIES)
            - {"view_audit", "administer", "approve_compliance", "view_peer_review"},
        ),
        ("executive", {"view_case", "approve_compliance", "view_peer_review"}),
        ("admin", set(CAPABILITIES)),
        ("outsider", set()),
    ],
)
def test_capabilities_on_a_unit_a_case_follow_the_role(
    personas: dict[str, User], places: dict[str, Place], persona: str, capable: set[str]
) -> None:
    user = personas[persona]

    assert {c for c in CAPABILITIES if has_capability(user, c, places["unit_a"])} == capable


def test_the_executive_can_open_cases_nowhere_and_the_admin_administers(
    executive: User, admin: User
) -> None:
    assert not has_capability_anywhere(executive, "open_case")
    assert has_capability_anywhere(executive, "view_case")
    assert has_capability_anywhere(admin, "administer")


def test_an_inactive_user_can_do_nothing(advocate_x: User, places: dict[str, Place]) -> None:
    advocate_x.is_active = False
    advocate_x.save()
    fresh = User.objects.get(pk=advocate_x.pk)

    assert user_memberships(fresh) == []
    assert not has_capability(fresh, "view_case", places["unit_a"])


def test_a_user_outside_every_organization_can_do_nothing(
    db: None, places: dict[str, Place]
) -> None:
    stray = User.objects.create_user(username="stray")

    assert roles_for(stray, places["unit_a"]) == set()
    assert not has_capability_anywhere(stray, "view_case")
    assert not Case.objects.filter(scope_q(stray)).exists()
    with pytest.raises(PermissionDenied):
        org_id_of(stray)


def test_the_queue_scope_matches_the_cases_each_persona_may_see(
    open_case: CaseOpener, personas: dict[str, User], unit_b: Unit, unit_c: Unit
) -> None:
    a, b, c = open_case(), open_case(unit=unit_b), open_case(unit=unit_c)
    names = {a.pk: "a", b.pk: "b", c.pk: "c"}

    visible = {
        persona: {names[pk] for pk in Case.objects.filter(scope_q(u)).values_list("pk", flat=True)}
        for persona, u in personas.items()
    }

    assert visible == {
        "frontline_a": {"a"},
        "manager_a": {"a"},
        "advocate_x": {"a", "b"},
        "advocate_y": {"c"},
        "executive": {"a", "b", "c"},
        "admin": {"a", "b", "c"},
        "outsider": set(),
    }


def test_the_work_scope_leaves_out_view_only_roles(
    open_case: CaseOpener, executive: User, frontline_a: User
) -> None:
    open_case()

    assert not Case.objects.filter(scope_q(executive, "work_case")).exists()
    assert not Case.objects.filter(scope_q(frontline_a, "work_case")).exists()
    assert Case.objects.filter(scope_q(frontline_a, "note_case")).count() == 1


def test_facilities_for_a_capability(
    advocate_x: User, executive: User, frontline_a: User, facility_x: Facility
) -> None:
    assert facility_ids_for(advocate_x, "work_case") == {facility_x.pk}
    assert facility_ids_for(frontline_a, "view_case") == {facility_x.pk}
    assert facility_ids_for(frontline_a, "work_case") == set()
    assert facility_ids_for(executive, "view_case") is None


def test_someone_with_two_roles_is_labelled_with_both(
    manager_a: User, facility_x: Facility, places: dict[str, Place]
) -> None:
    Membership.objects.create(user=manager_a, role=Role.ADVOCATE, facility=facility_x)
    fresh = User.objects.get(pk=manager_a.pk)

    assert role_label(fresh, places["unit_a"]) == "advocate,manager"
    assert role_label(fresh, places["unit_b"]) == "advocate"
    assert role_label(fresh) == "advocate,manager"


def test_another_organization_with_the_same_ids_is_still_out_of_scope(
    outsider: User, other_org: Organization, places: dict[str, Place]
) -> None:
    spoofed = Place(other_org.pk + 1000, places["unit_a"].facility_id, None)

    assert roles_for(outsider, spoofed) == set()
