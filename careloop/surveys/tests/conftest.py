"""Instruments from the built-in templates and invitations to them, at named times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

import pytest

from careloop.followups.tests.conftest import base_url, emailed_case, resolve  # noqa: F401
from careloop.messaging.tests.conftest import dummy_tasks, inbox, smtp_port, smtp_server  # noqa: F401
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.surveys.models import Instrument, Invitation
from careloop.surveys.services import instrument_from_template, invitation_create, version_latest

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CLIENT_ADDRESS = "maria.lopez@example.org"


class InstrumentMaker(Protocol):
    def __call__(self, template: str) -> Instrument: ...


class Inviter(Protocol):
    def __call__(
        self, instrument: Instrument, *, at: datetime = NOW, **fields: Any
    ) -> tuple[Invitation, str]: ...


@pytest.fixture
def make_instrument(admin: User, org: Organization) -> InstrumentMaker:
    def maker(template: str) -> Instrument:
        return instrument_from_template(actor=admin, organization=org, template=template, now=NOW)

    return maker


@pytest.fixture
def invite(facility_x: Facility, unit_a: Unit) -> Inviter:
    def inviter(
        instrument: Instrument, *, at: datetime = NOW, **fields: Any
    ) -> tuple[Invitation, str]:
        values: dict[str, Any] = {"facility": facility_x, "unit": unit_a, "email": CLIENT_ADDRESS}
        values.update(fields)
        return invitation_create(actor=None, version=version_latest(instrument), now=at, **values)

    return inviter
