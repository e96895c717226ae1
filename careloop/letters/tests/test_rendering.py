"""Composing and drawing letters, without a database: each template puts every element its pack
requires under a heading, user text prints literally, accents survive, long letters paginate."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from careloop.letters.catalogue import (
    OMBUDSMAN_ADDRESS,
    OMBUDSMAN_NAME,
    OMBUDSMAN_PHONE,
    OMBUDSMAN_WEBSITE,
    TEMPLATES,
    template_for,
)
from careloop.letters.pdf import letter_pdf
from careloop.letters.tests.conftest import flat, pdf_text
from careloop.letters.wording import LetterDocument, LetterInput, date_text, letter_compose
from careloop.policies.packs import shipped_packs

FULL = LetterInput(
    organization_name="Riverside Health",
    facility_name="Riverside General",
    facility_phone="(312) 555-0100",
    jurisdiction="US-IL",
    reference="RH-2026-0007",
    addressee="María López",
    letter_on=date(2026, 3, 6),
    contact_person="Priya Raman, Patient Advocate",
    received_on=date(2026, 3, 2),
    summary="Pain relief was late on 4 West.",
    steps_taken="Interviewed the night nurses.",
    findings="The dose was two hours late.",
    results="Night staffing was raised.",
    confirmed="confirmed",
    corrective_action="Weekly call-bell audit.",
    completion_on=date(2026, 3, 5),
    issued_on=date(2026, 3, 6),
    signed_by="Dana Whitfield, Chief Nursing Officer",
)
HOSTILE = "<script>alert('x')</script> Smith & Sons <b>not bold</b> &amp; <para>"
# Spanish and Italian letters, and the typographic marks people paste in (dash, quotes, euro).
ACCENTS = "á é í ó ú ñ Ñ ü ¿ ¡ à è ì ò ù À È Ì Ò Ù ç « » \u2013 \u201c \u201d \u2019 €"


def document_text(template_id: str, data: LetterInput = FULL, language: str = "en") -> str:
    doc = letter_compose(template=TEMPLATES[template_id], data=data, language=language)
    return pdf_text(letter_pdf(doc))


@pytest.mark.parametrize(
    ("template_id", "pack_id"),
    [
        ("us.hospital.grievance.decision", "us.hospital.grievance"),
        ("us.snf.grievance.decision", "us.snf.grievance"),
        ("uk.eng.nhs_2009.response", "uk.eng.nhs_2009"),
    ],
)
def test_every_letter_requirement_of_a_pack_is_a_section_of_its_template(
    template_id: str, pack_id: str
) -> None:
    required = {
        r.check
        for r in shipped_packs()[pack_id].requirements
        if r.check.startswith("letter.") and r.check != "letter.issued"
    }
    doc = letter_compose(template=TEMPLATES[template_id], data=FULL, language="en")

    # The signatory is the signature block, not a section.
    assert required - {"letter.signed_by"} <= doc.elements
    assert doc.signatory == FULL.signed_by


def test_the_cms_letter_shows_the_four_elements_under_their_headings() -> None:
    text = document_text("us.hospital.grievance.decision")

    for heading, value in [
        ("Your contact person", FULL.contact_person),
        ("Steps taken to investigate your grievance", FULL.steps_taken),
        ("Results of the grievance process", FULL.results),
        ("Date of completion", "March 5, 2026"),
    ]:
        assert f"{heading} {value}" in text
    assert "Riverside Health Riverside General Telephone: (312) 555-0100 March 6, 2026" in text
    assert "Reference: RH-2026-0007 María López Dear María López," in text
    assert "Sincerely, Dana Whitfield, Chief Nursing Officer" in text
    assert "Reference RH-2026-0007 · page 1 of 1" in text


def test_the_snf_decision_shows_the_seven_fields_under_their_headings() -> None:
    text = document_text("us.snf.grievance.decision")

    for heading, value in [
        ("Date your grievance was received", "March 2, 2026"),
        ("Summary of your grievance", FULL.summary),
        ("Steps taken to investigate", FULL.steps_taken),
        ("Summary of findings and conclusions", FULL.findings),
        ("Whether your grievance was confirmed", "Your grievance was confirmed."),
        ("Corrective action taken or to be taken", FULL.corrective_action),
        ("Date this decision was issued", "March 6, 2026"),
    ]:
        assert f"{heading} {value}" in text


def test_the_nhs_response_is_signed_and_gives_the_ombudsman_with_contact_details() -> None:
    data = replace(FULL, jurisdiction="GB-ENG", addressee="")
    text = document_text("uk.eng.nhs_2009.response", data)

    assert "How we considered your complaint Interviewed the night nurses." in text
    assert "Our conclusions The dose was two hours late." in text
    assert "We have upheld your complaint." in text
    assert "Action taken or to be taken Weekly call-bell audit." in text
    contact = " ".join(
        (
            OMBUDSMAN_NAME,
            *OMBUDSMAN_ADDRESS,
            f"Telephone: {OMBUDSMAN_PHONE}",
            f"Website: {OMBUDSMAN_WEBSITE}",
        )
    )
    assert "Your right to go to the Ombudsman If you are not satisfied" in text
    assert contact in text
    assert "London SW1P 4QP Telephone: 0345 015 4033 Website: www.ombudsman.org.uk" in text
    # British conventions: day-month-year, and "faithfully" to an unnamed reader.
    assert "6 March 2026" in text
    assert "Dear Sir or Madam," in text
    assert "Yours faithfully, Dana Whitfield, Chief Nursing Officer" in text
    assert "Responsible person for complaints, Riverside Health" in text


def test_the_house_reply_is_plain_and_skips_what_was_not_written() -> None:
    data = replace(FULL, findings="", corrective_action="", addressee="")
    text = document_text("house.standard.reply", data)

    assert "Dear Sir or Madam," in text
    assert "What we did Interviewed the night nurses." in text
    assert "What we found" not in text
    assert "What we are doing about it" not in text


def test_the_interim_letter_gives_the_date_the_written_response_will_follow() -> None:
    data = replace(FULL, follow_up_on=date(2026, 3, 20), signed_by="")
    text = document_text("interim.still_working", data)

    assert "still looking into the concern you raised with Riverside General on March 2" in text
    assert "When you will hear from us We will send you our written response by March 20" in text


@pytest.mark.parametrize(
    ("packs", "expected"),
    [
        (["us.hospital.grievance", "house.standard"], "us.hospital.grievance.decision"),
        (["house.standard", "us.snf.grievance"], "us.snf.grievance.decision"),
        (["uk.eng.nhs_2009"], "uk.eng.nhs_2009.response"),
        (["house.standard"], "house.standard.reply"),
        ([], "house.standard.reply"),
    ],
)
def test_the_most_specific_pack_chooses_the_template(packs: list[str], expected: str) -> None:
    assert template_for(kind="decision", pack_ids=packs).id == expected
    assert template_for(kind="interim", pack_ids=packs).id == "interim.still_working"


def test_every_template_has_an_id_and_a_version() -> None:
    for template_id, template in TEMPLATES.items():
        assert template.id == template_id
        assert template.version


def test_hostile_text_prints_literally_everywhere_it_can_appear() -> None:
    data = replace(
        FULL,
        organization_name=HOSTILE,
        facility_name=HOSTILE,
        addressee=HOSTILE,
        contact_person=HOSTILE,
        steps_taken=HOSTILE,
        results=HOSTILE,
        signed_by=HOSTILE,
        reference="RH-2026-%(page)s",
    )
    text = document_text("us.hospital.grievance.decision", data)

    assert text.count(HOSTILE) >= 7
    assert "Reference RH-2026-%(page)s · page 1 of 1" in text


def test_spanish_and_italian_accents_survive_the_font() -> None:
    text = document_text("house.standard.reply", replace(FULL, summary=ACCENTS))

    assert ACCENTS in text


def test_a_long_letter_runs_over_pages_and_numbers_them() -> None:
    long_steps = "\n\n".join(f"Step {n}: spoke with the person on duty." for n in range(1, 90))
    data = replace(FULL, steps_taken=long_steps)
    doc = letter_compose(
        template=TEMPLATES["us.hospital.grievance.decision"], data=data, language="en"
    )
    pdf = letter_pdf(doc)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    text = pdf_text(pdf)

    assert pages > 1
    assert "Step 89: spoke with the person on duty." in text
    for page in range(1, pages + 1):
        assert f"page {page} of {pages}" in text


def test_an_unbroken_string_wraps_inside_the_margins() -> None:
    word = "x" * 400
    text = document_text("house.standard.reply", replace(FULL, summary=word))

    assert text.replace(" ", "").count(word) == 1


def test_the_same_letter_gives_the_same_bytes() -> None:
    doc = letter_compose(template=TEMPLATES["house.standard.reply"], data=FULL, language="en")

    first, second = letter_pdf(doc), letter_pdf(doc)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_a_draft_is_marked_and_shows_missing_elements() -> None:
    data = replace(FULL, contact_person="", completion_on=None)
    doc = letter_compose(
        template=TEMPLATES["us.hospital.grievance.decision"], data=data, language="en", draft=True
    )
    text = pdf_text(letter_pdf(doc))

    assert "DRAFT, NOT ISSUED" in text
    assert "Your contact person [missing: letter.contact_person]" in text
    assert "Date of completion [missing: letter.completion_on]" in text


def test_an_issued_letter_never_prints_an_empty_heading() -> None:
    data = replace(FULL, contact_person="")
    doc = letter_compose(
        template=TEMPLATES["us.hospital.grievance.decision"], data=data, language="en"
    )

    assert "Your contact person" not in pdf_text(letter_pdf(doc))


@pytest.mark.parametrize(
    ("language", "jurisdiction", "expected"),
    [
        ("en", "US-IL", "March 2, 2026"),
        ("en", "GB-ENG", "2 March 2026"),
        ("es", "US-IL", "2 de marzo de 2026"),
        ("it", "US-IL", "2 marzo 2026"),
    ],
)
def test_dates_read_as_each_language_writes_them(
    language: str, jurisdiction: str, expected: str
) -> None:
    assert date_text(date(2026, 3, 2), language=language, jurisdiction=jurisdiction) == expected


def test_us_letters_are_on_letter_paper_and_others_on_a4() -> None:
    us = letter_compose(template=TEMPLATES["house.standard.reply"], data=FULL, language="en")
    uk = letter_compose(
        template=TEMPLATES["house.standard.reply"],
        data=replace(FULL, jurisdiction="GB-ENG"),
        language="en",
    )

    assert (us.paper, uk.paper) == ("letter", "a4")
    assert flat(us.title) == "Our reply to your feedback"


def _wording(doc: LetterDocument) -> list[str]:
    """Every string of a letter that comes from the template, not from the case."""
    return [
        doc.title,
        doc.salutation,
        doc.reference_line,
        doc.phone_line,
        doc.valediction,
        doc.page_label,
        *doc.opening,
        *doc.closing,
        *(s.heading for s in doc.sections),
        doc.signatory_role,
    ]


@pytest.mark.parametrize("language", ["es", "it"])
@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_word_of_every_template_is_translated(
    template_id: str, language: str, proposed_wording: None
) -> None:
    data = replace(FULL, follow_up_on=date(2026, 3, 20), confirmed="not_confirmed")
    english = letter_compose(template=TEMPLATES[template_id], data=data, language="en")
    translated = letter_compose(template=TEMPLATES[template_id], data=data, language=language)

    same = [
        text
        for text, other in zip(_wording(english), _wording(translated), strict=True)
        if text and text == other
    ]
    assert same == []
    assert translated.language == language
