"""Fixtures for imports: a clinic that runs only the house pack (closing needs no letter), its
units named like the sample files' queues, and helpers to upload and dry-run a file."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest

from careloop.imports.builtins import BUILTIN_SPECS, HELPDESK
from careloop.imports.models import ImportBatch
from careloop.imports.services import import_batch_check, import_batch_upload
from careloop.orgs.models import Facility, Organization, Unit, User

# Monday 2 February 2026, 09:00 in Chicago: after every date in the sample files.
NOW = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture
def clinic(org: Organization) -> Facility:
    return Facility.objects.create(
        organization=org,
        name="Riverside Home Care",
        setting="home_health",
        jurisdiction="US-IL",
        time_zone="America/Chicago",
        holiday_calendar="us_federal",
        policy_packs=["house.standard"],
    )


@pytest.fixture
def outpatients(clinic: Facility) -> Unit:
    return Unit.objects.create(facility=clinic, name="North Route")


@pytest.fixture
def pharmacy(clinic: Facility) -> Unit:
    return Unit.objects.create(facility=clinic, name="South Route")


@pytest.fixture
def places(clinic: Facility, outpatients: Unit, pharmacy: Unit) -> Facility:
    return clinic


def builtin(name: str, **fields: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(BUILTIN_SPECS[name])
    spec["fields"].update(fields)
    return spec


def helpdesk_spec() -> dict[str, Any]:
    return builtin(HELPDESK, facility={"fixed": "Riverside Home Care"})


class Checker(Protocol):
    def __call__(
        self, content: bytes, spec: dict[str, Any], *, name: str = ..., now: datetime = ...
    ) -> ImportBatch: ...


@pytest.fixture
def check(admin: User) -> Checker:
    """Upload bytes and run the dry run as the organization's administrator."""

    def run(
        content: bytes, spec: dict[str, Any], *, name: str = "upload.csv", now: datetime = NOW
    ) -> ImportBatch:
        batch = import_batch_upload(
            actor=admin, file_name=name, content=content, mapping_name="test", spec=spec, now=now
        )
        return import_batch_check(actor=admin, batch=batch, mapping_name="test", spec=spec, now=now)

    return run
