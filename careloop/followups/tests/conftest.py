"""Cases resolved for a check-back, at named times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

import pytest

from careloop.cases.models import Case, ContactPreference, Status
from careloop.cases.services import case_assign, case_move
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.followups.models import CheckBack
from careloop.orgs.models import User

RESOLVED_AT = RECEIVED_AT + timedelta(days=2)  # Wednesday 4 March 2026, 09:00 in Chicago
DUE_AT = RESOLVED_AT + timedelta(days=3)  # the default wait
CLIENT_ADDRESS = "maria.lopez@example.org"
BASE_URL = "https://care.example.org"
OFFICE_PHONE = "+1 312 555 0142"


class Resolver(Protocol):
    def __call__(self, case: Case, *, at: datetime = RESOLVED_AT) -> Case: ...


class EmailedCaseMaker(Protocol):
    def __call__(self, *, language: str = "en", at: datetime = RESOLVED_AT, **fields: Any) -> Case:
        """A case whose client asked for email, owned by advocate_x, resolved at `at`."""
        ...


@pytest.fixture
def base_url(settings: Any) -> str:
    settings.CARELOOP_BASE_URL = BASE_URL
    return BASE_URL


@pytest.fixture
def resolve(advocate_x: User) -> Resolver:
    def resolver(case: Case, *, at: datetime = RESOLVED_AT) -> Case:
        return case_move(actor=advocate_x, case=case, status=Status.RESOLVED, now=at)

    return resolver


@pytest.fixture
def reopen(advocate_x: User) -> Resolver:
    def reopener(case: Case, *, at: datetime = RESOLVED_AT) -> Case:
        return case_move(
            actor=advocate_x,
            case=case,
            status=Status.INVESTIGATING,
            reason="The family called back",
            now=at,
        )

    return reopener


@pytest.fixture
def emailed_case(
    open_case: CaseOpener, advocate_x: User, resolve: Resolver, base_url: str
) -> EmailedCaseMaker:
    def maker(*, language: str = "en", at: datetime = RESOLVED_AT, **fields: Any) -> Case:
        values: dict[str, Any] = {
            "contact_preference": ContactPreference.EMAIL,
            "reporter_email": CLIENT_ADDRESS,
            "language": language,
            **fields,
        }
        case = open_case(**values)
        case = case_assign(actor=advocate_x, case=case, owner=advocate_x, now=RECEIVED_AT)
        return resolve(case, at=at)

    return maker


def check_back_of(case: Case) -> CheckBack:
    """The check-back for the case's current resolution."""
    assert case.resolved_at is not None
    return CheckBack.objects.get(case=case, resolution_at=case.resolved_at)
