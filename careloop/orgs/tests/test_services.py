"""Changing the organization model: administrators only, validated, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.audit.models import AuditEvent
from careloop.conftest import RECEIVED_AT
from careloop.orgs.models import Facility, Membership, Organization, Role, Unit, User
from careloop.orgs.services import org_record_save, user_set_password

NOW = RECEIVED_AT + timedelta(days=1)


def lakeside(org: Organization, **changes: object) -> Facility:
    values: dict[str, object] = {
        "organization": org,
        "name": "Lakeside Clinic",
        "setting": "clinic",
        "jurisdiction": "US-IL",
        "time_zone": "America/Chicago",
        "holiday_calendar": "us_federal",
        "policy_packs": ["house.standard"],
    }
    return Facility(**(values | changes))


def test_an_administrator_adds_a_facility_and_it_is_audited(admin: User, org: Organization) -> None:
    facility = org_record_save(actor=admin, instance=lakeside(org), fields=["name"], now=NOW)

    assert Facility.objects.filter(name="Lakeside Clinic").exists()
    event = AuditEvent.objects.get(event_type="org.facility.created")
    assert (event.action, event.object_id, event.fields) == ("C", str(facility.pk), ["name"])
    assert (event.actor_id, event.organization_id, event.recorded_at) == (admin.pk, org.pk, NOW)


def test_changing_a_record_is_audited_as_an_update(admin: User, facility_x: Facility) -> None:
    facility_x.phone = "555-0100"

    org_record_save(actor=admin, instance=facility_x, fields=["phone"], now=NOW)

    assert AuditEvent.objects.get(event_type="org.facility.changed").action == "U"


@pytest.mark.parametrize("persona", ["frontline_a", "manager_a", "advocate_x", "executive"])
def test_only_administrators_change_the_organization(
    personas: dict[str, User], org: Organization, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        org_record_save(actor=personas[persona], instance=lakeside(org), fields=[], now=NOW)

    assert not Facility.objects.filter(name="Lakeside Clinic").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "is not an IANA time zone"),
        ({"holiday_calendar": "klingon"}, "Unknown holiday calendar"),
        ({"policy_packs": ["us.hospital.grievance", "made.up"]}, "Unknown policy packs: made.up"),
    ],
)
def test_a_facility_with_unknown_settings_is_refused(
    admin: User, org: Organization, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        org_record_save(actor=admin, instance=lakeside(org, **change), fields=[], now=NOW)

    assert not AuditEvent.objects.exists()


def test_a_role_on_a_unit_must_be_within_the_chosen_facility(
    admin: User, frontline_a: User, facility_y: Facility, unit_a: Unit
) -> None:
    membership = Membership(user=frontline_a, role=Role.MANAGER, facility=facility_y, unit=unit_a)

    with pytest.raises(ValidationError, match="must belong to the chosen facility"):
        org_record_save(actor=admin, instance=membership, fields=[], now=NOW)


def test_an_administrator_sets_a_password_without_it_reaching_the_log(
    admin: User, frontline_a: User
) -> None:
    user_set_password(actor=admin, user=frontline_a, password="Willow-lantern-93", now=NOW)

    frontline_a.refresh_from_db()
    assert frontline_a.check_password("Willow-lantern-93")
    event = AuditEvent.objects.get(event_type="org.user.password_set")
    assert (event.fields, event.object_id) == (["password"], str(frontline_a.pk))
    assert "Willow" not in str(event.detail)


def test_a_weak_password_is_refused(admin: User, frontline_a: User) -> None:
    with pytest.raises(ValidationError):
        user_set_password(actor=admin, user=frontline_a, password="password", now=NOW)


@pytest.mark.parametrize("actor", ["outsider", "manager_a"])
def test_passwords_are_set_only_by_this_organizations_administrators(
    personas: dict[str, User], frontline_a: User, actor: str
) -> None:
    with pytest.raises(PermissionDenied):
        user_set_password(
            actor=personas[actor], user=frontline_a, password="Willow-lantern-93", now=NOW
        )
