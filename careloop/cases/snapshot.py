"""A plain snapshot of the parts of a case that closure rules look at."""

from __future__ import annotations

from careloop.cases.models import Case, DecisionLetter
from careloop.cases.requirements import CaseSnapshot, LetterFacts, ReportFacts


def case_snapshot(case: Case) -> CaseSnapshot:
    letter = DecisionLetter.objects.filter(case=case).first()
    facts = LetterFacts()
    if letter is not None:
        facts = LetterFacts(
            contact_person=letter.contact_person,
            steps_taken=letter.steps_taken,
            results=letter.results,
            completion_on=letter.completion_on,
            received_on=letter.received_on,
            summary=letter.summary,
            findings=letter.findings,
            confirmed=letter.confirmed,
            corrective_action=letter.corrective_action,
            issued_on=letter.issued_on,
            signed_by=letter.signed_by,
            ombudsman_rights=letter.ombudsman_rights,
            issued_at=letter.issued_at,
        )
    reports = tuple(
        ReportFacts(kind=r.kind, recipients=r.recipients, confirmation_ref=r.confirmation_ref)
        for r in case.external_reports.all()
    )
    return CaseSnapshot(acknowledged_at=case.acknowledged_at, letter=facts, reports=reports)
