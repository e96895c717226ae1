"""The pack decides when a complaint is a grievance (us.hospital.grievance, SOM A-0118, H8)."""

from __future__ import annotations

import pytest

from careloop.cases.models import CaseEvent, Channel, Kind
from careloop.conftest import CaseOpener, clock_of
from careloop.policies.applicability import IntakeFacts, classify
from careloop.policies.packs import shipped_packs

HOSPITAL_PACKS = ["us.hospital.grievance", "house.standard"]


def _facts(**changes: object) -> IntakeFacts:
    values: dict[str, object] = {
        "kind": "complaint",
        "setting": "hospital",
        "written": False,
        "resolved_at_time": True,
        "asks_for_response": False,
    }
    values.update(changes)
    return IntakeFacts(**values)  # type: ignore[arg-type]  # test builder of a frozen dataclass


@pytest.mark.parametrize(
    ("changes", "rule_id"),
    [
        ({"written": True}, "written_complaint"),
        ({"resolved_at_time": False}, "not_resolved_by_staff_present"),
        ({"asks_for_response": True}, "response_requested"),
    ],
)
def test_each_hospital_rule_files_a_complaint_as_a_grievance(
    changes: dict[str, object], rule_id: str
) -> None:
    rule = classify(facts=_facts(**changes), enabled=HOSPITAL_PACKS, packs=shipped_packs())
    assert rule is not None
    assert (rule.id, rule.to_kind, rule.rule) == (rule_id, "grievance", "H8")


def test_a_verbal_complaint_put_right_at_the_time_stays_a_complaint() -> None:
    assert classify(facts=_facts(), enabled=HOSPITAL_PACKS, packs=shipped_packs()) is None


def test_the_rules_apply_only_where_the_hospital_pack_is_enabled() -> None:
    facts = _facts(written=True)
    assert classify(facts=facts, enabled=["house.standard"], packs=shipped_packs()) is None
    nursing = _facts(written=True, setting="nursing_facility")
    assert classify(facts=nursing, enabled=HOSPITAL_PACKS, packs=shipped_packs()) is None


def test_compliments_are_never_reclassified() -> None:
    facts = _facts(kind="compliment", written=True, resolved_at_time=False)
    assert classify(facts=facts, enabled=HOSPITAL_PACKS, packs=shipped_packs()) is None


@pytest.mark.django_db
def test_a_written_complaint_at_the_hospital_opens_as_a_grievance_with_its_reason(
    open_case: CaseOpener,
) -> None:
    case = open_case(kind=Kind.COMPLAINT, channel=Channel.LETTER)
    assert case.kind == Kind.GRIEVANCE
    assert "written complaint is always a grievance" in case.classification_reason
    event = CaseEvent.objects.get(case=case, kind="classified")
    assert event.changes == {"kind": ["complaint", "grievance"]}
    assert "H8" in event.summary
    # The grievance pack's clocks run, not only the house standard's.
    assert clock_of(case, "respond_or_interim_7d").status == "running"


@pytest.mark.django_db
def test_a_complaint_left_for_later_opens_as_a_grievance(open_case: CaseOpener) -> None:
    case = open_case(kind=Kind.COMPLAINT, resolved_at_time=False)
    assert case.kind == Kind.GRIEVANCE
    assert case.resolved_at_time is False


@pytest.mark.django_db
def test_a_complaint_put_right_on_the_spot_stays_a_complaint(open_case: CaseOpener) -> None:
    case = open_case(kind=Kind.COMPLAINT, resolved_at_time=True, channel=Channel.IN_PERSON)
    assert case.kind == Kind.COMPLAINT
    assert not CaseEvent.objects.filter(case=case, kind="classified").exists()


@pytest.mark.django_db
def test_a_survey_comment_stays_a_complaint_unless_the_client_asks_for_a_response(
    open_case: CaseOpener,
) -> None:
    # CMS SOM A-0118: survey comments are not grievances unless the patient asks for resolution.
    plain = open_case(kind=Kind.COMPLAINT, channel=Channel.SURVEY, resolved_at_time=False)
    asked = open_case(
        kind=Kind.COMPLAINT, channel=Channel.SURVEY, resolved_at_time=False, response_requested=True
    )
    assert plain.kind == Kind.COMPLAINT
    assert asked.kind == Kind.GRIEVANCE
