"""Small fixtures for text intelligence: HCAT-coded cases with distinct wording per category."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from careloop.cases.models import Case, Kind
from careloop.cases.services import case_code
from careloop.conftest import RECEIVED_AT, CaseOpener
from careloop.orgs.models import Organization, User
from careloop.text.models import Codebook
from careloop.text.services import codebook_create_hcat

TRAINED_AT = RECEIVED_AT + timedelta(days=1)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """Queued tasks (the retrain) run when queued, as a worker would run them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# (HCAT severity field, narratives): written for these tests.
WORDING: dict[str, list[str]] = {
    "sev_environment": [
        "The food was cold and the dinner tray was dirty.",
        "Cold food again, the soup was cold and the bread stale.",
        "The room was dirty and the bathroom floor was filthy.",
        "Dinner arrived cold and the meal tasted awful.",
        "The ward was dirty, the bins were overflowing and the food was cold.",
        "My lunch was cold and the cutlery was dirty.",
        "Filthy toilets and cold meals all week.",
        "The breakfast was cold and the room smelled dirty.",
        "Cold tea, cold toast, dirty tray.",
        "The shower room was dirty and nobody cleaned it.",
    ],
    "sev_respect": [
        "The nurse was rude and disrespectful to my mother.",
        "A rude receptionist shouted at my father and was disrespectful.",
        "Staff were rude, sarcastic and treated him without dignity.",
        "The doctor was rude and dismissive and spoke down to us.",
        "She was rude to me in front of other patients, very disrespectful.",
        "Rude porter, disrespectful comments about my weight.",
        "The aide was rude and mocked my accent.",
        "Disrespectful and rude behaviour from the night nurse.",
        "They were rude and ignored his dignity and privacy.",
        "A rude manager laughed at our complaint.",
    ],
    "sev_institutional": [
        "We waited six hours in the waiting room before anyone saw us.",
        "The appointment was delayed three times and we waited for hours.",
        "Long wait for the clinic, the waiting list is months long.",
        "Waited all day for the discharge papers, a long delay.",
        "My operation was postponed and the waiting time is unacceptable.",
        "The waiting room was full and the wait was four hours.",
        "Delayed appointment and no explanation for the long wait.",
        "We waited on hold for an hour to book an appointment.",
        "The referral was delayed for weeks and we kept waiting.",
        "Another long delay at the clinic, waited three hours.",
    ],
    "sev_safety": [
        "He was given the wrong medication by the nurse.",
        "A medication error: she got a double dose of her tablets.",
        "The pharmacy gave the wrong medication and the wrong dose.",
        "Wrong tablets were given, another patient's medication.",
        "They missed his insulin dose and gave the wrong medication.",
        "The medication chart was wrong and she got the wrong pills.",
        "Medication error with the antibiotics, given twice.",
        "Her blood thinner dose was wrong, a serious medication error.",
        "The wrong dose of morphine was given to my father.",
        "Nurse gave medication meant for another patient.",
    ],
}


@pytest.fixture
def hcat(org: Organization) -> Codebook:
    return codebook_create_hcat(organization=org, now=RECEIVED_AT)


CodedCases = Callable[..., list[Case]]


@pytest.fixture
def coded_cases(open_case: CaseOpener, advocate_x: User) -> CodedCases:
    """Open and HCAT-code the WORDING cases (severity 2 in their category, harm 1)."""

    def make(per_category: int = 10, *, rotated: bool = False) -> list[Case]:
        """`rotated` codes every case into the next category: consistently wrong."""
        cases: list[Case] = []
        fields = list(WORDING)
        for n, (right, texts) in enumerate(WORDING.items()):
            field = fields[(n + 1) % len(fields)] if rotated else right
            for i, text in enumerate(texts[:per_category]):
                at = RECEIVED_AT - timedelta(hours=n * 20 + i)
                case = open_case(kind=Kind.COMPLAINT, narrative=text, now=at)
                case_code(
                    actor=advocate_x,
                    case=case,
                    severities={field: 2},
                    stage_of_care="",
                    harm=1 if i % 2 else 2,
                    staff_involved=[],
                    units_involved=[],
                    now=at,
                )
                cases.append(case)
        return cases

    return make
