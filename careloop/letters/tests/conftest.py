"""Letter fixtures: complete letters for each pack, PDF text extraction, and the real SMTP
server on loopback from the messaging tests."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from careloop.cases.models import Case
from careloop.cases.records import letter_update
from careloop.conftest import RECEIVED_AT, CaseOpener, make_user
from careloop.letters.testing import issued_letters_empty
from careloop.letters.tests.catalogues import proposed_translations
from careloop.messaging.tests.conftest import (  # noqa: F401  # fixtures used by the tests here
    dummy_tasks,
    inbox,
    smtp_port,
    smtp_server,
)
from careloop.orgs.models import Facility, Organization, Role, Unit, User

# Friday 6 March 2026, 10:00 in Chicago: four days after RECEIVED_AT.
ISSUED_AT = RECEIVED_AT + timedelta(days=4, hours=1)
CLIENT_EMAIL = "maria.lopez@example.org"

CMS_LETTER: dict[str, Any] = {
    "contact_person": "Priya Raman, Patient Advocate, (312) 555-0142",
    "steps_taken": "Interviewed the night nurses.\nReviewed the call-bell log.",
    "findings": "Pain relief was given two hours late.",
    "results": "Night staffing was raised by one nurse.",
    "corrective_action": "Weekly call-bell audit for three months.",
    "completion_on": date(2026, 3, 5),
    "signed_by": "Dana Whitfield, Chief Nursing Officer",
}
SNF_LETTER: dict[str, Any] = {
    "contact_person": "Sam Ortiz, Grievance Official",
    "received_on": date(2026, 3, 2),
    "summary": "Missed evening medication on Oak Wing.",
    "steps_taken": "Reviewed the medication record and interviewed the aide.",
    "findings": "The evening dose was charted but not given.",
    "confirmed": "confirmed",
    "corrective_action": "Medication pass retraining for the evening shift.",
    "signed_by": "Sam Ortiz, Grievance Official",
}
NHS_LETTER: dict[str, Any] = {
    "summary": "Delay in a follow-up appointment.",
    "steps_taken": "We read your records and spoke to the clinic team.",
    "findings": "The referral was not sent on time.",
    "confirmed": "confirmed",
    "corrective_action": "Referrals are now checked daily.",
    "signed_by": "Alex Morgan, Chief Executive",
}


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace runs (line and page breaks) as single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def cms_case(open_case: CaseOpener, advocate_x: User) -> Case:
    case = open_case(reporter_name="María López", reporter_email=CLIENT_EMAIL)
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=ISSUED_AT)
    return case


@pytest.fixture
def snf_case(open_case: CaseOpener, unit_c: Unit, advocate_y: User) -> Case:
    case = open_case(unit=unit_c, reporter_name="Ruth Baker")
    letter_update(actor=advocate_y, case=case, values=SNF_LETTER, now=ISSUED_AT)
    return case


@pytest.fixture
def frontline_b(org: Organization, facility_x: Facility, unit_b: Unit) -> User:
    """Frontline aide of unit B (ICU), in the same facility as unit A's cases."""
    return make_user(
        "frontline_b", organization=org, role=Role.FRONTLINE, facility=facility_x, unit=unit_b
    )


@pytest.fixture
def advocate_uk(org: Organization, facility_uk: Facility) -> User:
    return make_user("advocate_uk", organization=org, role=Role.ADVOCATE, facility=facility_uk)


@pytest.fixture
def nhs_case(open_case: CaseOpener, facility_uk: Facility, advocate_uk: User) -> Case:
    case = open_case(facility=facility_uk, kind="complaint", resolved_at_time=False)
    letter_update(actor=advocate_uk, case=case, values=NHS_LETTER, now=ISSUED_AT)
    return case


@pytest.fixture
def proposed_wording() -> Iterator[None]:
    """Spanish and Italian letter wording from the proposed translations, under the project's."""
    with proposed_translations():
        yield


@pytest.fixture
def letters_cleared_after(audit_log_cleared_after: None) -> Iterator[None]:
    """For tests that commit: empty the issued letters around their triggers before the flush
    (which the triggers refuse on SQLite), as audit_log_cleared_after does for the audit log."""
    yield
    issued_letters_empty()
