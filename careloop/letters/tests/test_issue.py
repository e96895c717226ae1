"""Issuing letters: refused while a pack's element is missing, stored once as the PDF that was
sent (append-only), emailed to the client with the PDF attached, interim letters likewise."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from pytest_django import DjangoCaptureOnCommitCallbacks

from careloop.cases.models import Case, DecisionLetter, InterimNotice
from careloop.cases.records import interim_notice_record, letter_issue, letter_update
from careloop.cases.services import case_requirements_missing
from careloop.letters.catalogue import TEMPLATE_VERSION
from careloop.letters.elements import LetterIncomplete
from careloop.letters.models import IssuedLetter, LetterKind
from careloop.letters.services import decision_letter_preview
from careloop.letters.tests.conftest import (
    CLIENT_EMAIL,
    CMS_LETTER,
    ISSUED_AT,
    NHS_LETTER,
    SNF_LETTER,
    flat,
    pdf_text,
)
from careloop.messaging.models import MessageStatus, OutboundMessage
from careloop.messaging.services import messages_deliver_due
from careloop.messaging.tests.conftest import IMMEDIATE, Inbox
from careloop.orgs.models import User
from careloop.policies.models import ClockStatus

FOLLOW_UP_ON = date(2026, 3, 20)


@pytest.fixture
def frozen_at_issue() -> Iterator[None]:
    with time_machine.travel(ISSUED_AT, tick=False):
        yield


def issue(case: Case, actor: User, delivery: str = "letter") -> IssuedLetter:
    letter_issue(actor=actor, case=case, delivery=delivery, now=ISSUED_AT)
    return IssuedLetter.objects.get(case=case, kind=LetterKind.DECISION)


def plain_body(received: EmailMessage) -> str:
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    text: str = body.get_content()
    return text


def missing_labels(exc: pytest.ExceptionInfo[LetterIncomplete]) -> list[str]:
    return [r.label for r in exc.value.missing]


# --- each pack's letter carries its elements ----------------------------------------------------


def test_a_cms_hospital_letter_carries_the_four_elements(cms_case: Case, advocate_x: User) -> None:
    issued = issue(cms_case, advocate_x)
    text = pdf_text(bytes(issued.pdf))

    assert f"Your contact person {CMS_LETTER['contact_person']}" in text
    assert f"Steps taken to investigate your grievance {flat(CMS_LETTER['steps_taken'])}" in text
    assert f"Results of the grievance process {CMS_LETTER['results']}" in text
    assert "Date of completion March 5, 2026" in text
    assert "Riverside Health Riverside General" in text
    assert "March 6, 2026 Reference: " + cms_case.reference in text
    assert "Dear María López," in text
    assert "Sincerely, Dana Whitfield, Chief Nursing Officer" in text
    assert (issued.template_id, issued.template_version) == (
        "us.hospital.grievance.decision",
        TEMPLATE_VERSION,
    )
    assert (issued.language, issued.delivery, issued.issued_at, issued.issued_by) == (
        "en",
        "letter",
        ISSUED_AT,
        advocate_x,
    )


def test_an_snf_decision_carries_the_seven_fields(snf_case: Case, advocate_y: User) -> None:
    issued = issue(snf_case, advocate_y)
    text = pdf_text(bytes(issued.pdf))

    assert "Date your grievance was received March 2, 2026" in text
    assert f"Summary of your grievance {SNF_LETTER['summary']}" in text
    assert f"Steps taken to investigate {SNF_LETTER['steps_taken']}" in text
    assert f"Summary of findings and conclusions {SNF_LETTER['findings']}" in text
    assert "Whether your grievance was confirmed Your grievance was confirmed." in text
    assert f"Corrective action taken or to be taken {SNF_LETTER['corrective_action']}" in text
    # The date of issue is filled in by issuing: the facility's local date (New York).
    assert "Date this decision was issued March 6, 2026" in text
    assert issued.template_id == "us.snf.grievance.decision"
    assert DecisionLetter.objects.get(case=snf_case).issued_on == date(2026, 3, 6)


def test_an_nhs_response_is_signed_and_meets_the_ombudsman_element_by_printing_it(
    nhs_case: Case, advocate_uk: User
) -> None:
    issued = issue(nhs_case, advocate_uk)
    text = pdf_text(bytes(issued.pdf))

    assert "Yours faithfully, Alex Morgan, Chief Executive" in text
    assert "Responsible person for complaints, Riverside Health" in text
    assert f"How we considered your complaint {NHS_LETTER['steps_taken']}" in text
    assert f"Our conclusions {NHS_LETTER['findings']}" in text
    assert f"Action taken or to be taken {NHS_LETTER['corrective_action']}" in text
    assert (
        "Parliamentary and Health Service Ombudsman Millbank Tower Millbank London SW1P 4QP "
        "Telephone: 0345 015 4033 Website: www.ombudsman.org.uk"
    ) in text
    assert "6 March 2026" in text
    letter = DecisionLetter.objects.get(case=nhs_case)
    assert letter.ombudsman_rights is True
    labels = [r.label for r in case_requirements_missing(nhs_case)]
    assert (
        "Response explains the right to go to the Parliamentary and Health Service Ombudsman"
        not in labels
    )
    assert "A written response was sent" not in labels


# --- refusals -----------------------------------------------------------------------------------


def test_issuing_is_refused_while_an_element_is_missing_and_names_it(
    open_case: Any, advocate_x: User
) -> None:
    case = open_case()
    letter_update(
        actor=advocate_x,
        case=case,
        values={**CMS_LETTER, "contact_person": "", "completion_on": None},
        now=ISSUED_AT,
    )

    with pytest.raises(LetterIncomplete) as refused:
        letter_issue(actor=advocate_x, case=case, delivery="letter", now=ISSUED_AT)

    assert missing_labels(refused) == [
        "Decision letter names the hospital contact person",
        "Decision letter gives the date of completion",
    ]
    assert "Decision letter names the hospital contact person (H6)" in refused.value.messages[0]
    assert "Decision letter gives the date of completion (H6)" in refused.value.messages[0]
    letter = DecisionLetter.objects.get(case=case)
    assert (letter.issued_at, letter.issued_on) == (None, None)
    assert not IssuedLetter.objects.filter(case=case).exists()
    assert not case.events.filter(kind="letter_issued").exists()


def test_an_snf_decision_missing_whether_it_was_confirmed_is_refused(
    snf_case: Case, advocate_y: User
) -> None:
    letter_update(actor=advocate_y, case=snf_case, values={"confirmed": ""}, now=ISSUED_AT)

    with pytest.raises(LetterIncomplete) as refused:
        letter_issue(actor=advocate_y, case=snf_case, delivery="letter", now=ISSUED_AT)

    assert missing_labels(refused) == ["Written decision says whether the grievance was confirmed"]


def test_an_nhs_response_without_a_signatory_is_refused(nhs_case: Case, advocate_uk: User) -> None:
    letter_update(actor=advocate_uk, case=nhs_case, values={"signed_by": ""}, now=ISSUED_AT)

    with pytest.raises(LetterIncomplete) as refused:
        letter_issue(actor=advocate_uk, case=nhs_case, delivery="letter", now=ISSUED_AT)

    assert missing_labels(refused) == ["Response signed by the responsible person"]


def test_a_letter_by_email_needs_the_clients_address(open_case: Any, advocate_x: User) -> None:
    case = open_case()
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=ISSUED_AT)

    with pytest.raises(ValidationError, match="no email address"):
        letter_issue(actor=advocate_x, case=case, delivery="email", now=ISSUED_AT)

    assert not IssuedLetter.objects.exists()


# --- storage ------------------------------------------------------------------------------------


def test_the_stored_pdf_matches_its_sha256_and_the_timeline(
    cms_case: Case, advocate_x: User
) -> None:
    issued = issue(cms_case, advocate_x)

    assert hashlib.sha256(bytes(issued.pdf)).hexdigest() == issued.sha256
    event = cms_case.events.get(kind="letter_issued")
    assert event.changes["issued_letter"] == [None, issued.pk]
    assert event.changes["template"] == [None, f"us.hospital.grievance.decision {TEMPLATE_VERSION}"]


def test_the_stored_pdf_is_the_letter_as_it_stood_at_issue(
    cms_case: Case, advocate_x: User
) -> None:
    preview = pdf_text(decision_letter_preview(case=cms_case, now=ISSUED_AT))
    issued = issue(cms_case, advocate_x)
    text = pdf_text(bytes(issued.pdf))

    assert "DRAFT, NOT ISSUED" in preview
    assert "DRAFT" not in text
    assert preview.replace("DRAFT, NOT ISSUED ", "") == text


def test_a_draft_shows_the_date_issuing_will_give_it(snf_case: Case) -> None:
    text = pdf_text(decision_letter_preview(case=snf_case, now=ISSUED_AT))

    assert "Date this decision was issued March 6, 2026" in text
    assert "[missing" not in text


def test_issued_letters_refuse_update_and_delete_in_the_database(
    cms_case: Case, advocate_x: User
) -> None:
    issued = issue(cms_case, advocate_x)

    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        IssuedLetter.objects.filter(pk=issued.pk).update(pdf=b"%PDF-forged")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        IssuedLetter.objects.filter(pk=issued.pk).delete()

    issued.refresh_from_db()
    assert hashlib.sha256(bytes(issued.pdf)).hexdigest() == issued.sha256


@pytest.mark.django_db(transaction=True)
def test_committed_letters_stay_append_only_and_tests_clear_them_around_the_triggers(
    letters_cleared_after: None, open_case: Any, advocate_x: User
) -> None:
    case = open_case()
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=ISSUED_AT)
    issued = issue(case, advocate_x)  # committed: no test transaction here

    with pytest.raises((IntegrityError, DatabaseError)):
        IssuedLetter.objects.filter(pk=issued.pk).delete()
    assert IssuedLetter.objects.filter(pk=issued.pk).exists()


def test_a_decision_letter_is_issued_once(cms_case: Case, advocate_x: User) -> None:
    issue(cms_case, advocate_x)

    with pytest.raises(ValidationError, match="already issued"):
        letter_issue(actor=advocate_x, case=cms_case, delivery="letter", now=ISSUED_AT)
    assert IssuedLetter.objects.filter(case=cms_case).count() == 1


# --- language -----------------------------------------------------------------------------------


def test_a_spanish_speaking_clients_letter_is_written_in_spanish(
    open_case: Any, advocate_x: User, proposed_wording: None
) -> None:
    case = open_case(language="es", reporter_name="María López")
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=ISSUED_AT)

    issued = issue(case, advocate_x)
    text = pdf_text(bytes(issued.pdf))

    assert issued.language == "es"
    with translation.override("es"):
        expected = [
            gettext("Written response to your grievance"),
            f"{gettext('Your contact person')} {CMS_LETTER['contact_person']}",
            gettext("Steps taken to investigate your grievance"),
            f"{gettext('Results of the grievance process')} {CMS_LETTER['results']}",
            f"{gettext('Date of completion')} 5 de marzo de 2026",
            gettext("Reference: %(reference)s") % {"reference": case.reference},
            f"{gettext('Sincerely,')} {CMS_LETTER['signed_by']}",
        ]
    for words in expected:
        assert words in text
    assert "Estimado/a María López:" in text
    assert "6 de marzo de 2026" in text
    for english in ("Dear", "March", "Your contact person", "Results of the grievance", "page 1"):
        assert english not in text


def test_an_unknown_language_falls_back_to_english(open_case: Any, advocate_x: User) -> None:
    case = open_case(language="tlh")
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=ISSUED_AT)

    assert issue(case, advocate_x).language == "en"


# --- email --------------------------------------------------------------------------------------


def test_a_letter_by_email_reaches_the_client_with_the_pdf_attached(
    cms_case: Case,
    advocate_x: User,
    inbox: Inbox,
    settings: Any,
    frozen_at_issue: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.TASKS = IMMEDIATE

    with django_capture_on_commit_callbacks(execute=True):
        letter_issue(actor=advocate_x, case=cms_case, delivery="email", now=ISSUED_AT)

    issued = IssuedLetter.objects.get(case=cms_case)
    [received] = inbox.messages()
    assert received["To"] == CLIENT_EMAIL
    assert cms_case.reference in received["Subject"]
    assert "Our written response" in received["Subject"]
    assert "Dear María López," in plain_body(received)
    [attachment] = list(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{cms_case.reference}-decision.pdf"
    content = attachment.get_content()
    assert content == bytes(issued.pdf)
    assert hashlib.sha256(content).hexdigest() == issued.sha256
    assert "Results of the grievance process" in pdf_text(content)
    message = OutboundMessage.objects.get(case=cms_case, template="decision_letter")
    assert message.status == MessageStatus.SENT
    assert (message.attachment_name, message.attachment_sha256) == (
        f"{cms_case.reference}-decision.pdf",
        issued.sha256,
    )
    assert message.attachment_content is None  # the letter itself is kept by IssuedLetter


def test_a_spanish_email_carries_the_spanish_letter(
    open_case: Any, advocate_x: User, inbox: Inbox, proposed_wording: None
) -> None:
    case = open_case(language="es", reporter_name="María López", reporter_email=CLIENT_EMAIL)
    letter_update(actor=advocate_x, case=case, values=CMS_LETTER, now=ISSUED_AT)
    letter_issue(actor=advocate_x, case=case, delivery="email", now=ISSUED_AT)

    assert messages_deliver_due(now=ISSUED_AT) == 1

    [received] = inbox.messages()
    assert received["Content-Language"] == "es"
    assert "Nuestra respuesta por escrito" in received["Subject"]
    [attachment] = list(received.iter_attachments())
    assert "Estimado/a María López:" in pdf_text(attachment.get_content())


# --- interim letters ----------------------------------------------------------------------------


def test_an_interim_letter_by_post_is_stored_for_printing_and_meets_the_7_day_clock(
    cms_case: Case, advocate_x: User
) -> None:
    notice = interim_notice_record(
        actor=advocate_x,
        case=cms_case,
        channel="letter",
        sent_at=ISSUED_AT - timedelta(hours=1),
        follow_up_on=FOLLOW_UP_ON,
        now=ISSUED_AT,
    )

    issued = IssuedLetter.objects.get(case=cms_case, kind=LetterKind.INTERIM)
    text = pdf_text(bytes(issued.pdf))
    assert "We will send you our written response by March 20, 2026." in text
    assert "still looking into the concern you raised with Riverside General on March 2" in text
    assert f"Your contact person {CMS_LETTER['contact_person']}" in text
    assert (issued.template_id, issued.delivery) == ("interim.still_working", "letter")
    assert hashlib.sha256(bytes(issued.pdf)).hexdigest() == issued.sha256
    assert notice.sent_at == ISSUED_AT - timedelta(hours=1)
    clock = cms_case.clocks.get(clock_id="respond_or_interim_7d")
    assert clock.status == ClockStatus.MET
    assert not OutboundMessage.objects.filter(case=cms_case, template="decision_letter").exists()


def test_an_interim_letter_by_email_is_sent_now_with_the_pdf(
    cms_case: Case, advocate_x: User, inbox: Inbox
) -> None:
    notice = interim_notice_record(
        actor=advocate_x,
        case=cms_case,
        channel="email",
        sent_at=ISSUED_AT - timedelta(days=1),
        follow_up_on=FOLLOW_UP_ON,
        now=ISSUED_AT,
    )
    messages_deliver_due(now=ISSUED_AT)

    assert notice.sent_at == ISSUED_AT  # Careloop sends it now
    issued = IssuedLetter.objects.get(case=cms_case, kind=LetterKind.INTERIM)
    [received] = inbox.messages()
    assert "An update on your concern" in received["Subject"]
    body = plain_body(received)
    assert "You will receive our written response by March 20, 2026." in flat(body)
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == f"{cms_case.reference}-interim.pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == issued.sha256


def test_an_interim_notice_by_phone_writes_no_letter(cms_case: Case, advocate_x: User) -> None:
    interim_notice_record(
        actor=advocate_x,
        case=cms_case,
        channel="phone",
        sent_at=ISSUED_AT,
        follow_up_on=FOLLOW_UP_ON,
        now=ISSUED_AT,
    )

    assert InterimNotice.objects.filter(case=cms_case).count() == 1
    assert not IssuedLetter.objects.filter(case=cms_case).exists()


def test_an_interim_notice_cannot_promise_a_date_already_past(
    cms_case: Case, advocate_x: User
) -> None:
    with pytest.raises(ValidationError, match="has passed"):
        interim_notice_record(
            actor=advocate_x,
            case=cms_case,
            channel="letter",
            sent_at=ISSUED_AT,
            follow_up_on=date(2026, 3, 5),
            now=ISSUED_AT,
        )

    assert not IssuedLetter.objects.exists()
