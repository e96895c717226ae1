"""Screening decisions at case opening: what flags, what files a nursing-facility case as a safety
concern, and what never changes the kind. No database: facilities are unsaved objects."""

from __future__ import annotations

import json

import pytest

from careloop.cases.models import Kind, SafetyType
from careloop.orgs.models import Facility
from careloop.safety.screening import SafetyDecision, screening_decide

NURSING = Facility(
    name="Maple Grove",
    setting="nursing_facility",
    time_zone="America/New_York",
    policy_packs=["us.snf.grievance", "us.snf.abuse_allegation", "house.standard"],
)
HOSPITAL = Facility(
    name="Riverside General",
    setting="hospital",
    time_zone="America/Chicago",
    policy_packs=["us.hospital.grievance", "house.standard"],
)


def decide(
    narrative: str,
    *,
    facility: Facility = NURSING,
    kind: str = Kind.GRIEVANCE,
    safety_type: str = "",
    language: str = "en",
    desired_outcome: str = "",
) -> SafetyDecision:
    return screening_decide(
        narrative=narrative,
        desired_outcome=desired_outcome,
        language=language,
        facility=facility,
        kind=kind,
        safety_type=safety_type,
    )


@pytest.mark.parametrize(
    ("narrative", "language", "risk", "safety_type"),
    [
        ("The aide slapped my mother.", "en", "abuse", SafetyType.ABUSE),
        ("La enfermera le pegó a mi madre.", "es", "abuse", SafetyType.ABUSE),
        ("L'infermiere ha picchiato mia madre.", "it", "abuse", SafetyType.ABUSE),
        ("He was left in soiled sheets for hours.", "en", "neglect", SafetyType.NEGLECT),
        ("Mum fell in the bathroom and broke her hip.", "en", "fall", SafetyType.INJURY_UNKNOWN),
        ("Mi madre se cayó y se rompió la cadera.", "es", "fall", SafetyType.INJURY_UNKNOWN),
        ("Mia madre è caduta dal letto.", "it", "fall", SafetyType.INJURY_UNKNOWN),
    ],
)
def test_a_nursing_facility_allegation_is_filed_as_a_safety_concern(
    narrative: str, language: str, risk: str, safety_type: str
) -> None:
    decision = decide(narrative, language=language)

    assert decision.flagged
    assert risk in decision.risks
    assert (decision.kind, decision.safety_type) == (Kind.SAFETY_CONCERN, safety_type)
    assert decision.original_kind == Kind.GRIEVANCE
    assert decision.filed_as_safety_concern
    assert "F609" in decision.reason


def test_abuse_wins_over_a_fall_when_both_are_alleged() -> None:
    decision = decide("She fell after the aide pushed her.")

    assert set(decision.risks) >= {"abuse", "fall"}
    assert decision.safety_type == SafetyType.ABUSE


@pytest.mark.parametrize(
    ("narrative", "risk"),
    [
        ("They gave her the wrong medication twice.", "medication_error"),
        ("Hanno dato a mia madre il farmaco sbagliato.", "medication_error"),
        ("I want to kill myself.", "self_harm"),
        ("Me quiero morir.", "self_harm"),
        ("Voglio morire.", "self_harm"),
    ],
)
def test_medication_errors_and_self_harm_flag_but_never_change_the_kind(
    narrative: str, risk: str
) -> None:
    decision = decide(narrative)

    assert decision.flagged
    assert decision.risks == (risk,)
    assert (decision.kind, decision.safety_type) == (Kind.GRIEVANCE, "")
    assert not decision.filed_as_safety_concern
    assert decision.reason == ""


def test_a_hospital_allegation_is_flagged_but_keeps_its_kind() -> None:
    decision = decide("The aide slapped my mother.", facility=HOSPITAL)

    assert decision.flagged
    assert decision.risks == ("abuse",)
    assert (decision.kind, decision.safety_type) == (Kind.GRIEVANCE, "")


@pytest.mark.parametrize(
    ("narrative", "language"),
    [
        ("The fall menu was lovely.", "en"),
        ("She fell asleep during the film.", "en"),
        ("El menú de otoño estaba rico.", "es"),
        ("Se me cayó el teléfono en el pasillo.", "es"),
        ("Il menù autunnale era buono.", "it"),
        ("C'è un parcheggio abusivo davanti all'ingresso.", "it"),
    ],
)
def test_harmless_phrasing_does_not_flag(narrative: str, language: str) -> None:
    decision = decide(narrative, language=language)

    assert not decision.flagged
    assert decision.risks == ()
    assert decision.kind == Kind.GRIEVANCE


def test_a_listed_false_positive_is_kept_as_ignored_for_the_record() -> None:
    decision = decide("The fall menu was lovely.")

    assert [(h["rule_id"], h["certainty"], h["false_positive"]) for h in decision.hits] == [
        ("en.fall.verb", "dismissed", "en.fp.autumn")
    ]


def test_a_negated_cue_flags_as_possible_but_does_not_file_the_case() -> None:
    decision = decide("There were no bruises on her arms.")

    assert decision.flagged
    assert decision.risks == ("injury",)
    assert decision.likely_risks == ()
    assert [h["certainty"] for h in decision.hits] == ["possible"]
    assert decision.kind == Kind.GRIEVANCE


def test_the_desired_outcome_is_screened_too() -> None:
    decision = decide(
        "The food is always cold.", desired_outcome="I want the nurse who hit her fired."
    )

    assert decision.flagged
    assert {h["field"] for h in decision.hits} == {"desired_outcome"}
    assert decision.kind == Kind.SAFETY_CONCERN


def test_a_spanish_fall_is_found_even_when_the_case_language_says_english() -> None:
    # Too short for language detection; the case's language is the default "en".
    decision = decide("Mamá se cayó", language="en")

    assert decision.risks == ("fall",)


def test_an_existing_safety_concern_keeps_its_type() -> None:
    decision = decide(
        "The aide slapped my mother.", kind=Kind.SAFETY_CONCERN, safety_type=SafetyType.NEGLECT
    )

    assert decision.flagged
    assert (decision.kind, decision.safety_type) == (Kind.SAFETY_CONCERN, SafetyType.NEGLECT)
    assert not decision.filed_as_safety_concern


def test_a_safety_type_given_by_staff_is_kept_when_screening_files_the_case() -> None:
    decision = decide(
        "He was left in soiled sheets for hours.",
        kind=Kind.COMPLAINT,
        safety_type=SafetyType.EXPLOITATION,
    )

    assert (decision.kind, decision.safety_type) == (Kind.SAFETY_CONCERN, SafetyType.EXPLOITATION)


def test_hits_name_rules_and_spans_but_never_the_words() -> None:
    narrative = "The aide slapped my mother."
    decision = decide(narrative)

    [hit] = decision.hits
    assert hit == {
        "rule_id": "en.abuse.assault",
        "risk": "abuse",
        "certainty": "likely",
        "negated": False,
        "false_positive": "",
        "language": "en",
        "field": "narrative",
        "start": narrative.index("slapped"),
        "end": narrative.index("slapped") + len("slapped"),
    }
    assert "slapped" not in json.dumps(decision.hits)
