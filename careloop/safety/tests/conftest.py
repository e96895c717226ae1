"""Safety fixtures: frozen time, a nursing-facility manager, on-call rotas and flagged cases.

Narratives are written out in each case (never the shared NARRATIVE) so that what screening
finds is visible in the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any

import pytest
import time_machine

from careloop.cases.models import Case, Kind
from careloop.conftest import RECEIVED_AT, CaseOpener, make_user
from careloop.orgs.models import Facility, Organization, Role, Unit, User
from careloop.safety.models import OnCallEntry, SafetyFlag
from careloop.safety.services import on_call_entry_add

# Monday 2 March 2026: 10:00 in New York (Maple Grove), 09:00 in Chicago (Riverside General).
NOW = RECEIVED_AT
ABUSE = "The aide slapped my mother when she asked for water."
NO_RISK = "The fall menu was lovely and the garden is well kept."
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def manager_y(org: Organization, facility_y: Facility) -> User:
    return make_user("manager_y", organization=org, role=Role.MANAGER, facility=facility_y)


@pytest.fixture
def nurse_lead_y(org: Organization, facility_y: Facility) -> User:
    return make_user("nurselead_y", organization=org, role=Role.ADVOCATE, facility=facility_y)


def on_call(
    facility: Facility,
    user: User,
    *,
    admin: User,
    position: int = 0,
    weekdays: tuple[int, ...] = (),
    start: time | None = None,
    end: time | None = None,
) -> OnCallEntry:
    return on_call_entry_add(
        actor=admin,
        facility=facility,
        user=user,
        position=position,
        weekdays=list(weekdays),
        start_time=start,
        end_time=end,
        now=NOW - timedelta(days=1),
    )


@pytest.fixture
def rota_y(
    facility_y: Facility, admin: User, advocate_y: User, manager_y: User
) -> list[OnCallEntry]:
    """Maple Grove, all day, every day: advocate_y first, then manager_y."""
    return [
        on_call(facility_y, advocate_y, admin=admin, position=0),
        on_call(facility_y, manager_y, admin=admin, position=1),
    ]


@pytest.fixture
def allegation_y(open_case: CaseOpener, unit_c: Unit, rota_y: list[OnCallEntry]) -> Case:
    """A grievance at the nursing facility that alleges abuse: filed as a safety concern."""
    return open_case(unit=unit_c, kind=Kind.GRIEVANCE, narrative=ABUSE)


@pytest.fixture
def flag_y(allegation_y: Case) -> SafetyFlag:
    return SafetyFlag.objects.get(case=allegation_y)


@pytest.fixture
def flagged_a(open_case: CaseOpener) -> Case:
    """A hospital grievance on unit A alleging abuse: flagged, kind unchanged."""
    return open_case(narrative=ABUSE)


@pytest.fixture
def flag_a(flagged_a: Case) -> SafetyFlag:
    return SafetyFlag.objects.get(case=flagged_a)
