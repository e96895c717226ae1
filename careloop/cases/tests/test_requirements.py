"""Closure requirement checks over plain snapshots (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from careloop.cases.requirements import (
    CHECKS,
    CaseSnapshot,
    LetterFacts,
    ReportFacts,
    missing_requirements,
)
from careloop.policies.packs import REQUIREMENT_CHECKS, shipped_packs

SENT_AT = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def snapshot(
    letter: LetterFacts | None = None, reports: tuple[ReportFacts, ...] = ()
) -> CaseSnapshot:
    return CaseSnapshot(acknowledged_at=None, letter=letter or LetterFacts(), reports=reports)


def test_every_check_a_pack_may_name_is_implemented() -> None:
    assert set(CHECKS) == set(REQUIREMENT_CHECKS)


def test_an_empty_case_misses_every_requirement_of_every_pack() -> None:
    for pack in shipped_packs().values():
        assert missing_requirements(snapshot=snapshot(), requirements=pack.requirements) == list(
            pack.requirements
        )


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_whitespace_does_not_count_as_a_letter_element(blank: str) -> None:
    letter = LetterFacts(contact_person=blank, steps_taken=blank, results=blank)

    assert not CHECKS["letter.contact_person"](snapshot(letter))
    assert not CHECKS["letter.steps_taken"](snapshot(letter))


def test_the_cms_letter_is_complete_with_four_elements_and_an_issue_time() -> None:
    pack = shipped_packs()["us.hospital.grievance"]
    letter = LetterFacts(
        contact_person="Pat",
        steps_taken="Interviews",
        results="Apology",
        completion_on=date(2026, 3, 6),
        issued_at=SENT_AT,
    )

    assert missing_requirements(snapshot=snapshot(letter), requirements=pack.requirements) == []


def test_confirmed_must_be_a_decision() -> None:
    assert not CHECKS["letter.confirmed"](snapshot(LetterFacts(confirmed="maybe")))
    assert CHECKS["letter.confirmed"](snapshot(LetterFacts(confirmed="not_confirmed")))


def test_a_results_report_counts_only_with_recipients_and_a_confirmation() -> None:
    check = CHECKS["report.results.sent"]

    assert not check(snapshot(reports=(ReportFacts("results", "Agency", ""),)))
    assert not check(snapshot(reports=(ReportFacts("results", " ", "REF"),)))
    assert not check(snapshot(reports=(ReportFacts("initial", "Agency", "REF"),)))
    assert check(snapshot(reports=(ReportFacts("results", "Agency", "REF"),)))


def test_an_initial_report_needs_recipients_but_no_confirmation() -> None:
    check = CHECKS["report.initial.sent"]

    assert check(snapshot(reports=(ReportFacts("initial", "Administrator", ""),)))
    assert not check(snapshot(reports=(ReportFacts("initial", "", ""),)))


def test_the_nhs_response_needs_the_ombudsman_rights_and_an_acknowledgement() -> None:
    pack = shipped_packs()["uk.eng.nhs_2009"]
    letter = LetterFacts(signed_by="Chief Executive", issued_at=SENT_AT)
    acked = CaseSnapshot(acknowledged_at=SENT_AT, letter=letter, reports=())

    missing = missing_requirements(snapshot=acked, requirements=pack.requirements)

    assert [r.id for r in missing] == ["letter_ombudsman_rights"]
