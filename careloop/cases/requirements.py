"""Closure requirements: what a pack demands, checked against a plain snapshot of the case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from careloop.policies.packs import Requirement


@dataclass(frozen=True)
class LetterFacts:
    contact_person: str = ""
    steps_taken: str = ""
    results: str = ""
    completion_on: date | None = None
    received_on: date | None = None
    summary: str = ""
    findings: str = ""
    confirmed: str = ""
    corrective_action: str = ""
    issued_on: date | None = None
    signed_by: str = ""
    ombudsman_rights: bool = False
    issued_at: datetime | None = None


@dataclass(frozen=True)
class ReportFacts:
    kind: str
    recipients: str
    confirmation_ref: str


@dataclass(frozen=True)
class CaseSnapshot:
    acknowledged_at: datetime | None
    letter: LetterFacts
    reports: tuple[ReportFacts, ...]


def _report_sent(kind: str, *, needs_confirmation: bool) -> Callable[[CaseSnapshot], bool]:
    def check(s: CaseSnapshot) -> bool:
        return any(
            r.kind == kind
            and r.recipients.strip()
            and (r.confirmation_ref.strip() or not needs_confirmation)
            for r in s.reports
        )

    return check


CHECKS: dict[str, Callable[[CaseSnapshot], bool]] = {
    "letter.contact_person": lambda s: bool(s.letter.contact_person.strip()),
    "letter.steps_taken": lambda s: bool(s.letter.steps_taken.strip()),
    "letter.results": lambda s: bool(s.letter.results.strip()),
    "letter.completion_on": lambda s: s.letter.completion_on is not None,
    "letter.received_on": lambda s: s.letter.received_on is not None,
    "letter.summary": lambda s: bool(s.letter.summary.strip()),
    "letter.findings": lambda s: bool(s.letter.findings.strip()),
    "letter.confirmed": lambda s: s.letter.confirmed in {"confirmed", "not_confirmed"},
    "letter.corrective_action": lambda s: bool(s.letter.corrective_action.strip()),
    "letter.issued_on": lambda s: s.letter.issued_on is not None,
    "letter.signed_by": lambda s: bool(s.letter.signed_by.strip()),
    "letter.ombudsman_rights": lambda s: s.letter.ombudsman_rights,
    "letter.issued": lambda s: s.letter.issued_at is not None,
    "ack.sent": lambda s: s.acknowledged_at is not None,
    "report.initial.sent": _report_sent("initial", needs_confirmation=False),
    "report.results.sent": _report_sent("results", needs_confirmation=True),
}


def missing_requirements(
    *, snapshot: CaseSnapshot, requirements: Iterable[Requirement]
) -> list[Requirement]:
    return [r for r in requirements if not CHECKS[r.check](snapshot)]
