"""Letters: composing them from a case, storing the issued PDF once, and emailing it.

The issue paths themselves are cases.records.letter_issue and interim_notice_record: they lock
the case, validate, and call `issued_letter_record` (and `issued_letter_email`) inside their own
transaction, so the stored PDF, the timeline event and the audit event commit together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError

from careloop.cases.models import Case, DecisionLetter
from careloop.core.time import local_date
from careloop.letters.catalogue import template_for
from careloop.letters.elements import case_packs, letter_missing
from careloop.letters.models import IssuedLetter, LetterKind
from careloop.letters.pdf import letter_pdf
from careloop.letters.wording import (
    LetterDocument,
    LetterInput,
    LetterTemplate,
    date_text,
    letter_compose,
)
from careloop.messaging.models import OutboundMessage
from careloop.messaging.services import Attachment, language_pick, message_queue
from careloop.orgs.models import User
from careloop.policies.packs import Requirement

PDF_TYPE = "application/pdf"


def letter_language(case: Case) -> str:
    """The client's language if Careloop offers it, else its base language, else English."""
    return language_pick(case.language)


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def letter_input(
    *,
    case: Case,
    letter: DecisionLetter | None,
    letter_on: date,
    sender: User | None = None,
    follow_up_on: date | None = None,
) -> LetterInput:
    """Plain values for a letter on `case`: the decision letter's fields when there is one."""
    facility = case.facility
    values = {}
    if letter is not None:
        values = {
            name: getattr(letter, name)
            for name in (
                "contact_person",
                "received_on",
                "summary",
                "steps_taken",
                "findings",
                "results",
                "confirmed",
                "corrective_action",
                "completion_on",
                "issued_on",
                "signed_by",
            )
        }
    if follow_up_on is not None:  # an interim letter: received is the case's own date
        values["received_on"] = local_date(at=case.received_at, tz_name=facility.time_zone)
    else:  # a decision is issued on the letter's date (issuing fills it in; a draft shows it)
        values["issued_on"] = values.get("issued_on") or letter_on
    return LetterInput(
        organization_name=case.organization.name,
        facility_name=facility.name,
        facility_phone=facility.phone,
        jurisdiction=facility.jurisdiction,
        reference=case.reference,
        addressee=case.reporter_name,
        letter_on=letter_on,
        follow_up_on=follow_up_on,
        sender_name=_person(sender),
        **values,
    )


@dataclass(frozen=True)
class DecisionPlan:
    """Which template writes a case's decision letter, and what it still lacks."""

    template: LetterTemplate
    missing: list[Requirement]


def decision_letter_plan(*, case: Case, issued_on: date) -> DecisionPlan:
    packs = case_packs(case)
    template = template_for(kind=LetterKind.DECISION, pack_ids=[p.id for p in packs])
    missing = letter_missing(
        case=case,
        packs=packs,
        issued_on=issued_on,
        prints_ombudsman_rights=template.prints_ombudsman_rights,
    )
    return DecisionPlan(template=template, missing=missing)


def decision_letter_document(
    *, case: Case, letter: DecisionLetter | None, template: LetterTemplate, on: date, draft: bool
) -> LetterDocument:
    return letter_compose(
        template=template,
        data=letter_input(case=case, letter=letter, letter_on=on),
        language=letter_language(case),
        draft=draft,
    )


def decision_letter_preview(*, case: Case, now: datetime) -> bytes:
    """The decision letter as it stands, as a draft PDF (marked, never stored)."""
    letter = DecisionLetter.objects.filter(case=case).first()
    on = (letter.issued_on if letter else None) or local_date(
        at=now, tz_name=case.facility.time_zone
    )
    template = decision_letter_plan(case=case, issued_on=on).template
    return letter_pdf(
        decision_letter_document(case=case, letter=letter, template=template, on=on, draft=True)
    )


def interim_letter_document(
    *, case: Case, sender: User, on: date, follow_up_on: date
) -> LetterDocument:
    template = template_for(kind=LetterKind.INTERIM, pack_ids=[])
    letter = DecisionLetter.objects.filter(case=case).first()
    data = letter_input(
        case=case, letter=letter, letter_on=on, sender=sender, follow_up_on=follow_up_on
    )
    return letter_compose(template=template, data=data, language=letter_language(case))


def issued_letter_record(
    *, actor: User, case: Case, kind: str, document: LetterDocument, delivery: str, now: datetime
) -> IssuedLetter:
    """Render `document` and keep the PDF, once. Runs inside the issuing transaction (the
    caller holds the case's lock and records the timeline and audit events)."""
    pdf = letter_pdf(document)
    return IssuedLetter.objects.create(
        case=case,
        kind=kind,
        template_id=document.template_id,
        template_version=document.template_version,
        language=document.language,
        delivery=delivery,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        issued_at=now,
        issued_by=actor,
    )


def client_email_required(case: Case) -> str:
    address = case.reporter_email.strip()
    if not address:
        raise ValidationError(
            "The client gave no email address: choose another way to deliver the letter."
        )
    return address


def issued_letter_email(
    *, actor: User, case: Case, issued: IssuedLetter, now: datetime, reply_by: date | None = None
) -> OutboundMessage:
    """Queue the issued letter to the client by email, the PDF attached, in their language.
    Runs inside the issuing transaction; the email goes after it commits."""
    language = letter_language(case)
    context = {
        "reference": case.reference,
        "facility_name": case.facility.name,
        "kind": issued.kind,
        "addressee": case.reporter_name,
        "phone": case.facility.phone,
    }
    if reply_by is not None:
        context["reply_by"] = date_text(
            reply_by, language=language, jurisdiction=case.facility.jurisdiction
        )
    return message_queue(
        case=case,
        to=client_email_required(case),
        template="decision_letter",
        language=language,
        context=context,
        now=now,
        actor=actor,
        attachment=Attachment(
            name=f"{case.reference}-{issued.kind}.pdf",
            content_type=PDF_TYPE,
            content=bytes(issued.pdf),
        ),
    )
