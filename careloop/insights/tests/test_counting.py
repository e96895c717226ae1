"""M13 counting groups on a hand-built fixture, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from careloop.insights.counting import (
    CaseFacts,
    counted_firsts,
    counting_groups,
    issue_of,
    person_key,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
QUALITY = {"sev_quality": 2, "sev_safety": 0, "sev_communication": 1}
COMMUNICATION = {"sev_quality": 1, "sev_safety": 0, "sev_communication": 3}
UNCODED = {"sev_quality": 0, "sev_safety": 0, "sev_communication": 0}


def fact(case_id: int, days: int, person: str | None, severities: dict[str, int]) -> CaseFacts:
    return CaseFacts(
        case_id=case_id,
        received_at=T0 + timedelta(days=days),
        person=person,
        severities=severities,
    )


def test_person_key_prefers_the_recovery_client_then_email_then_phone() -> None:
    assert person_key(client_id=7, email="a@b.org", phone="", anonymous=False) == "client:7"
    assert person_key(client_id=None, email=" Ann@B.org ", phone="1", anonymous=False) == (
        "email:ann@b.org"
    )
    assert person_key(client_id=None, email="", phone="+1 (312) 555-0100", anonymous=False) == (
        "phone:13125550100"
    )
    assert person_key(client_id=None, email="", phone="12", anonymous=False) is None
    assert person_key(client_id=7, email="a@b.org", phone="", anonymous=True) is None


def test_the_issue_is_the_most_severe_category_and_ties_go_to_hcat_order() -> None:
    assert issue_of(QUALITY) == "sev_quality"
    assert issue_of(COMMUNICATION) == "sev_communication"
    assert issue_of({"sev_quality": 2, "sev_safety": 2}) == "sev_quality"
    assert issue_of(UNCODED) is None


def test_a_repeat_on_the_same_issue_from_the_same_person_counts_once() -> None:
    facts = [
        fact(1, 0, "email:ann@b.org", QUALITY),
        fact(2, 30, "email:ann@b.org", QUALITY),  # repeat: same person, issue, in 90 days
        fact(3, 31, "email:ann@b.org", COMMUNICATION),  # another issue: counts
        fact(4, 40, "email:bob@b.org", QUALITY),  # another person: counts
        fact(5, 91, "email:ann@b.org", QUALITY),  # 91 days after the first: counts again
        fact(6, 10, None, QUALITY),  # anonymous: never matched
        fact(7, 11, None, QUALITY),
        fact(8, 12, "email:ann@b.org", UNCODED),  # no issue yet: never matched
        fact(9, 13, "email:ann@b.org", UNCODED),
    ]
    groups = counting_groups(facts)
    assert [g.case_ids for g in groups] == [[1, 2], [6], [7], [8], [9], [3], [4], [5]]
    assert len(counted_firsts(groups)) == 8


def test_the_window_does_not_slide_and_order_of_input_does_not_matter() -> None:
    facts = [fact(3, 120, "client:1", QUALITY), fact(2, 60, "client:1", QUALITY)]
    facts.append(fact(1, 0, "client:1", QUALITY))
    assert [g.case_ids for g in counting_groups(facts)] == [[1, 2], [3]]
    assert counting_groups([]) == []
