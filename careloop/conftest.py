"""Shared fixtures: the Riverside Health organization, its personas and a case opener.

The personas encode the permission matrix:

- frontline_a: frontline aide of unit A ("4 West") in facility X ("Riverside General");
- manager_a: manager of unit A;
- advocate_x: grievance advocate for all of facility X;
- advocate_y: advocate of the nursing facility Y ("Maple Grove");
- executive and admin: organization-wide;
- outsider: administrator of another organization.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

import pytest

from careloop.audit.testing import append_only_set, audit_log_empty
from careloop.cases.models import Case, Channel, Kind, ReporterType
from careloop.cases.services import NewCase, case_open
from careloop.orgs.models import Facility, Membership, Organization, Person, Role, Unit, User
from careloop.policies.models import CaseClock

# Monday 2 March 2026, 09:00 in Chicago (CST, UTC-6): the week US daylight time starts (Sun 8th).
RECEIVED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NARRATIVE = "My father waited four hours for pain relief on 4 West."


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Test on a SQLite file, as Careloop runs, not the shared-cache in-memory database: there
    a second writer gets "table is locked" at once instead of waiting its turn (busy timeout)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("db") / "careloop-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- organization model ----------------------------------------------------------------------


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(
        name="Riverside Health", slug="riverside", reference_prefix="RH"
    )


@pytest.fixture
def facility_x(org: Organization) -> Facility:
    return Facility.objects.create(
        organization=org,
        name="Riverside General",
        setting="hospital",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        holiday_calendar="us_federal",
        policy_packs=["us.hospital.grievance", "house.standard"],
    )


@pytest.fixture
def facility_y(org: Organization) -> Facility:
    return Facility.objects.create(
        organization=org,
        name="Maple Grove",
        setting="nursing_facility",
        jurisdiction="US-NY",
        time_zone="America/New_York",
        holiday_calendar="us_federal",
        policy_packs=["us.snf.grievance", "us.snf.abuse_allegation", "house.standard"],
    )


@pytest.fixture
def facility_uk(org: Organization) -> Facility:
    return Facility.objects.create(
        organization=org,
        name="Thames Community",
        setting="hospital",
        jurisdiction="GB-ENG",
        time_zone="Europe/London",
        holiday_calendar="england_wales",
        policy_packs=["uk.eng.nhs_2009"],
    )


@pytest.fixture
def unit_a(facility_x: Facility) -> Unit:
    return Unit.objects.create(facility=facility_x, name="4 West")


@pytest.fixture
def unit_b(facility_x: Facility) -> Unit:
    return Unit.objects.create(facility=facility_x, name="ICU")


@pytest.fixture
def unit_c(facility_y: Facility) -> Unit:
    return Unit.objects.create(facility=facility_y, name="Oak Wing", kind="wing")


@pytest.fixture
def nurse_a(org: Organization, facility_x: Facility, unit_a: Unit) -> Person:
    return Person.objects.create(
        organization=org, facility=facility_x, unit=unit_a, full_name="Dana Reyes", job_title="RN"
    )


@pytest.fixture
def nurse_b(org: Organization, facility_x: Facility, unit_b: Unit) -> Person:
    return Person.objects.create(
        organization=org, facility=facility_x, unit=unit_b, full_name="Sam Okafor", job_title="RN"
    )


@pytest.fixture
def other_org(db: None) -> Organization:
    return Organization.objects.create(name="Other Org", slug="other", reference_prefix="OO")


@pytest.fixture
def other_facility(other_org: Organization) -> Facility:
    return Facility.objects.create(
        organization=other_org,
        name="Elsewhere Hospital",
        setting="hospital",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        holiday_calendar="us_federal",
        policy_packs=["us.hospital.grievance"],
    )


@pytest.fixture
def other_unit(other_facility: Facility) -> Unit:
    return Unit.objects.create(facility=other_facility, name="2 North")


# --- users -----------------------------------------------------------------------------------


def make_user(
    username: str,
    *,
    organization: Organization,
    role: str,
    facility: Facility | None = None,
    unit: Unit | None = None,
) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery staple",
        organization=organization,
        first_name=username.split("_")[0].title(),
        last_name="Tester",
    )
    Membership.objects.create(user=user, role=role, facility=facility, unit=unit)
    return user


@pytest.fixture
def frontline_a(org: Organization, facility_x: Facility, unit_a: Unit) -> User:
    return make_user(
        "frontline_a", organization=org, role=Role.FRONTLINE, facility=facility_x, unit=unit_a
    )


@pytest.fixture
def manager_a(org: Organization, facility_x: Facility, unit_a: Unit) -> User:
    return make_user(
        "manager_a", organization=org, role=Role.MANAGER, facility=facility_x, unit=unit_a
    )


@pytest.fixture
def advocate_x(org: Organization, facility_x: Facility) -> User:
    return make_user("advocate_x", organization=org, role=Role.ADVOCATE, facility=facility_x)


@pytest.fixture
def advocate_y(org: Organization, facility_y: Facility) -> User:
    return make_user("advocate_y", organization=org, role=Role.ADVOCATE, facility=facility_y)


@pytest.fixture
def executive(org: Organization) -> User:
    return make_user("executive", organization=org, role=Role.EXECUTIVE)


@pytest.fixture
def admin(org: Organization) -> User:
    return make_user("admin", organization=org, role=Role.ADMIN)


@pytest.fixture
def outsider(other_org: Organization, other_facility: Facility) -> User:
    return make_user("outsider", organization=other_org, role=Role.ADMIN)


@pytest.fixture
def personas(
    frontline_a: User,
    manager_a: User,
    advocate_x: User,
    advocate_y: User,
    executive: User,
    admin: User,
    outsider: User,
) -> dict[str, User]:
    return {
        u.username: u
        for u in (frontline_a, manager_a, advocate_x, advocate_y, executive, admin, outsider)
    }


# --- cases -----------------------------------------------------------------------------------


class CaseOpener(Protocol):
    def __call__(
        self,
        *,
        facility: Facility | None = None,
        unit: Unit | None = None,
        actor: User | None = None,
        kind: str = Kind.GRIEVANCE,
        now: datetime = RECEIVED_AT,
        **fields: Any,
    ) -> Case: ...


@pytest.fixture
def open_case(facility_x: Facility, unit_a: Unit) -> CaseOpener:
    """Open a case through case_open (the one write path). Defaults: a grievance from a patient
    on unit A, received by phone at RECEIVED_AT, filed by the client (no staff actor). A
    complaint defaults to one the staff present put right at the time, so that the hospital
    pack does not file it as a grievance (test_classification covers that rule)."""

    def opener(
        *,
        facility: Facility | None = None,
        unit: Unit | None = None,
        actor: User | None = None,
        kind: str = Kind.GRIEVANCE,
        now: datetime = RECEIVED_AT,
        **fields: Any,
    ) -> Case:
        where = facility or (unit.facility if unit is not None else facility_x)
        if unit is None and facility is None:
            unit = unit_a
        values: dict[str, Any] = {
            "reporter_type": ReporterType.PATIENT,
            "channel": Channel.PHONE,
            "narrative": NARRATIVE,
            "received_at": now,
        }
        if kind == Kind.COMPLAINT:
            values["resolved_at_time"] = True
        values.update(fields)
        data = NewCase(facility=where, unit=unit, kind=kind, **values)
        return case_open(actor=actor, data=data, now=now)

    return opener


def clock_of(case: Case, clock_id: str) -> CaseClock:
    return CaseClock.objects.get(case=case, clock_id=clock_id)


def clocks_by_id(case: Case) -> dict[str, CaseClock]:
    return {c.clock_id: c for c in CaseClock.objects.filter(case=case)}


# --- audit chain tampering -------------------------------------------------------------------


@pytest.fixture
def triggers_off(db: None) -> Iterator[None]:
    """Go around the append-only triggers, as an attacker with database access would; they are
    restored afterwards."""
    append_only_set(enabled=False)
    yield
    append_only_set(enabled=True)


@pytest.fixture
def audit_log_cleared_after(transactional_db: None) -> Iterator[None]:
    """For tests that commit: after the test, empty the audit log around the triggers, because
    the flush that resets the database deletes rows and the triggers refuse that on SQLite."""
    yield
    audit_log_empty()


def row_counts() -> dict[str, int]:
    """Rows a failed write must not leave behind."""
    from careloop.audit.models import AuditEvent
    from careloop.cases.models import CaseEvent

    return {
        "cases": Case.objects.count(),
        "case_events": CaseEvent.objects.count(),
        "clocks": CaseClock.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
