"""What a case's packs require a letter to contain, checked with the closure machinery
(cases.requirements) against the letter as it would stand once issued."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.core.exceptions import ValidationError

from careloop.cases.models import Case
from careloop.cases.requirements import missing_requirements
from careloop.cases.snapshot import case_snapshot
from careloop.policies.applicability import packs_for
from careloop.policies.packs import Pack, Requirement, shipped_packs
from careloop.policies.services import case_facts

LETTER_CHECK_PREFIX = "letter."
# Met by issuing the letter itself, so never a reason to refuse issuing it.
MET_BY_ISSUING = frozenset({"letter.issued"})


class LetterIncomplete(ValidationError):
    """The letter lacks elements the case's packs require; `missing` lists them."""

    def __init__(self, missing: list[Requirement]) -> None:
        self.missing = missing
        labels = "; ".join(f"{r.label} ({r.rule})" for r in missing)
        super().__init__(f"The letter cannot be issued yet. Missing: {labels}.", code="incomplete")


def case_packs(case: Case) -> list[Pack]:
    return packs_for(
        facts=case_facts(case), enabled=case.facility.policy_packs, packs=shipped_packs()
    )


def letter_requirements(packs: list[Pack]) -> list[Requirement]:
    """The packs' letter requirements that must hold before the letter is issued."""
    seen: set[str] = set()
    required = []
    for requirement in (r for p in packs for r in p.requirements):
        check = requirement.check
        if check.startswith(LETTER_CHECK_PREFIX) and check not in MET_BY_ISSUING:
            if check not in seen:
                required.append(requirement)
            seen.add(check)
    return required


def letter_missing(
    *, case: Case, packs: list[Pack], issued_on: date, prints_ombudsman_rights: bool
) -> list[Requirement]:
    """The requirements the letter would still miss if issued now, dated `issued_on` (issuing
    fills in the date of issue, and a template that prints the ombudsman paragraph meets that
    element itself)."""
    snapshot = case_snapshot(case)
    letter = replace(
        snapshot.letter,
        issued_on=snapshot.letter.issued_on or issued_on,
        ombudsman_rights=snapshot.letter.ombudsman_rights or prints_ombudsman_rights,
    )
    return missing_requirements(
        snapshot=replace(snapshot, letter=letter), requirements=letter_requirements(packs)
    )
