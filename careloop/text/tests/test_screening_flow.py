"""The safety screen through the case flow, in English, Spanish and Italian: a narrative about
abuse or a fall flags the case for a person (and in a nursing facility files it as a safety
concern); an ordinary complaint does not."""

from __future__ import annotations

import pytest

from careloop.cases.models import Kind
from careloop.conftest import CaseOpener
from careloop.orgs.models import Facility, Unit
from careloop.safety.models import FlagStatus, SafetyFlag

FLAGGED = [
    ("en", "A carer slapped my mother and shouted at her in the lounge.", "abuse"),
    ("en", "Dad fell out of bed at night and was found on the floor.", "fall"),
    ("es", "Vi cómo un cuidador le dio una bofetada a mi madre.", "abuse"),
    ("es", "Mi madre se cayó en el baño y nadie vino a ayudarla.", "fall"),
    ("it", "Un operatore ha dato uno schiaffo a mio padre.", "abuse"),
    ("it", "Mia madre è caduta dal letto durante la notte.", "fall"),
]
ORDINARY = [
    ("en", "The parking machine did not take cards."),
    ("es", "El aparcamiento es muy caro y no hay sitio."),
    ("it", "Il parcheggio è troppo caro e non c'è posto."),
]


@pytest.mark.parametrize(("language", "narrative", "risk"), FLAGGED)
def test_abuse_and_falls_flag_the_case_in_each_language(
    open_case: CaseOpener,
    facility_y: Facility,
    unit_c: Unit,
    language: str,
    narrative: str,
    risk: str,
) -> None:
    case = open_case(
        facility=facility_y,
        unit=unit_c,
        kind=Kind.GRIEVANCE,
        narrative=narrative,
        language=language,
    )
    flag = SafetyFlag.objects.get(case=case)
    assert flag.status == FlagStatus.PENDING  # for a person to decide, never auto-dismissed
    assert risk in flag.risks
    assert case.kind == Kind.SAFETY_CONCERN


@pytest.mark.parametrize(("language", "narrative"), ORDINARY)
def test_an_ordinary_complaint_is_not_flagged(
    open_case: CaseOpener, facility_y: Facility, unit_c: Unit, language: str, narrative: str
) -> None:
    case = open_case(
        facility=facility_y,
        unit=unit_c,
        kind=Kind.GRIEVANCE,
        narrative=narrative,
        language=language,
    )
    assert not SafetyFlag.objects.filter(case=case).exists()
    assert case.kind == Kind.GRIEVANCE
