"""The letter templates: one per policy pack (its required elements under their own headings)
and one interim "still working on it" letter. Each composes the wording with gettext in the
active language; letters/wording.py composes them in the letter's language."""

from __future__ import annotations

from django.utils.translation import gettext

from careloop.letters.wording import (
    DECISION,
    INTERIM,
    Body,
    LetterInput,
    LetterTemplate,
    Section,
    Words,
    dated,
    optional,
    section,
)

OMBUDSMAN_NAME = "Parliamentary and Health Service Ombudsman"
OMBUDSMAN_ADDRESS = ("Millbank Tower", "Millbank", "London SW1P 4QP")
OMBUDSMAN_PHONE = "0345 015 4033"
OMBUDSMAN_WEBSITE = "www.ombudsman.org.uk"


def _confirmed_text(value: str) -> str:
    if value == "confirmed":
        return gettext("Your grievance was confirmed.")
    if value == "not_confirmed":
        return gettext("Your grievance was not confirmed.")
    return ""


# --- templates ---------------------------------------------------------------------------------


def _cms_hospital(i: LetterInput, w: Words) -> Body:
    """42 CFR 482.13(a)(2)(iii): contact person, steps taken to investigate, results, date of
    completion."""
    return Body(
        title=gettext("Written response to your grievance"),
        opening=(
            gettext(
                "Thank you for bringing your concerns to the attention of %(facility)s. This "
                "letter explains the steps we took to investigate your grievance and the results."
            )
            % {"facility": i.facility_name},
        ),
        sections=optional(
            section(gettext("Your contact person"), i.contact_person, "letter.contact_person"),
            section(
                gettext("Steps taken to investigate your grievance"),
                i.steps_taken,
                "letter.steps_taken",
            ),
            section(gettext("What we found"), i.findings),
            section(gettext("Results of the grievance process"), i.results, "letter.results"),
            section(gettext("Action taken or to be taken"), i.corrective_action),
            dated(gettext("Date of completion"), w, i.completion_on, "letter.completion_on"),
        ),
        closing=(
            gettext(
                "If you have any questions about this letter, please contact the person named "
                "above and quote your reference %(reference)s."
            )
            % {"reference": i.reference},
        ),
        valediction=w.valediction(i.addressee),
        signatory=i.signed_by or i.contact_person,
    )


def _snf(i: LetterInput, w: Words) -> Body:
    """42 CFR 483.10(j)(4)(v): the seven fields of the written grievance decision."""
    return Body(
        title=gettext("Written decision on your grievance"),
        opening=(
            gettext(
                "This letter is our written decision on the grievance you raised with %(facility)s."
            )
            % {"facility": i.facility_name},
        ),
        sections=optional(
            dated(
                gettext("Date your grievance was received"), w, i.received_on, "letter.received_on"
            ),
            section(gettext("Summary of your grievance"), i.summary, "letter.summary"),
            section(gettext("Steps taken to investigate"), i.steps_taken, "letter.steps_taken"),
            section(gettext("Summary of findings and conclusions"), i.findings, "letter.findings"),
            section(
                gettext("Whether your grievance was confirmed"),
                _confirmed_text(i.confirmed),
                "letter.confirmed",
            ),
            section(
                gettext("Corrective action taken or to be taken"),
                i.corrective_action,
                "letter.corrective_action",
            ),
            dated(gettext("Date this decision was issued"), w, i.issued_on, "letter.issued_on"),
            section(gettext("Grievance Official"), i.contact_person),
        ),
        closing=(
            gettext(
                "If you have questions about this decision, please contact the Grievance Official "
                "and quote your reference %(reference)s. You also have the right to contact the "
                "State Survey Agency or the State Long-Term Care Ombudsman."
            )
            % {"reference": i.reference},
        ),
        valediction=w.valediction(i.addressee),
        signatory=i.signed_by or i.contact_person,
    )


def _ombudsman() -> Section:
    rights = gettext(
        "If you are not satisfied with our response, you have the right to ask the %(ombudsman)s "
        "to look into your complaint. The Ombudsman is independent of the NHS and of government, "
        "and its service is free."
    ) % {"ombudsman": OMBUDSMAN_NAME}
    contact = "\n".join(
        (
            OMBUDSMAN_NAME,
            *OMBUDSMAN_ADDRESS,
            gettext("Telephone: %(phone)s") % {"phone": OMBUDSMAN_PHONE},
            gettext("Website: %(website)s") % {"website": OMBUDSMAN_WEBSITE},
        )
    )
    return Section(
        heading=gettext("Your right to go to the Ombudsman"),
        paragraphs=(rights, contact),
        element="letter.ombudsman_rights",
    )


def _conclusions(i: LetterInput) -> str:
    upheld = {
        "confirmed": gettext("We have upheld your complaint."),
        "not_confirmed": gettext("We have not upheld your complaint."),
    }.get(i.confirmed, "")
    return "\n\n".join(part for part in (i.findings, i.results, upheld) if part)


def _nhs_england(i: LetterInput, w: Words) -> Body:
    """SI 2009/309 reg 14: signed by the responsible person; how the complaint was considered;
    the conclusions; the action taken or proposed; the right to go to the Ombudsman."""
    return Body(
        title=gettext("Response to your complaint"),
        opening=(
            gettext(
                "Thank you for your complaint to %(facility)s. This letter explains how we "
                "considered your complaint, the conclusions we reached and the action we are "
                "taking."
            )
            % {"facility": i.facility_name},
        ),
        sections=optional(
            section(gettext("Your complaint"), i.summary),
            section(gettext("How we considered your complaint"), i.steps_taken),
            section(gettext("Our conclusions"), _conclusions(i)),
            section(gettext("Action taken or to be taken"), i.corrective_action),
            section(gettext("Who to contact"), i.contact_person),
            _ombudsman(),
        ),
        closing=(
            gettext("Please quote your reference %(reference)s if you contact us about this.")
            % {"reference": i.reference},
        ),
        valediction=w.valediction(i.addressee),
        signatory=i.signed_by,
        signatory_role=gettext("Responsible person for complaints, %(organization)s")
        % {"organization": i.organization_name},
    )


def _house(i: LetterInput, w: Words) -> Body:
    """The organization's own standard: a plain reply."""
    contact = (
        gettext(
            "If you would like to talk about this reply, please contact %(contact)s and quote "
            "your reference %(reference)s."
        )
        % {"contact": i.contact_person, "reference": i.reference}
        if i.contact_person
        else gettext(
            "If you would like to talk about this reply, please contact us and quote your "
            "reference %(reference)s."
        )
        % {"reference": i.reference}
    )
    return Body(
        title=gettext("Our reply to your feedback"),
        opening=(
            gettext("Thank you for contacting %(facility)s. We have looked into what you told us.")
            % {"facility": i.facility_name},
        ),
        sections=optional(
            section(gettext("What you told us"), i.summary),
            section(gettext("What we did"), i.steps_taken),
            section(gettext("What we found"), i.findings),
            section(gettext("The outcome"), i.results),
            section(gettext("What we are doing about it"), i.corrective_action),
        ),
        closing=(contact,),
        valediction=gettext("Kind regards,"),
        signatory=i.signed_by or i.contact_person or i.sender_name,
    )


def _interim(i: LetterInput, w: Words) -> Body:
    """A 'still working on it' letter with the date the written response will follow (CMS
    SOM A-0122)."""
    opening = (
        gettext(
            "We are writing to let you know that we are still looking into the concern you raised "
            "with %(facility)s on %(received)s."
        )
        % {"facility": i.facility_name, "received": w.date(i.received_on)}
        if i.received_on
        else gettext(
            "We are writing to let you know that we are still looking into the concern you raised "
            "with %(facility)s."
        )
        % {"facility": i.facility_name}
    )
    when = (
        gettext("We will send you our written response by %(date)s.")
        % {"date": w.date(i.follow_up_on)}
        if i.follow_up_on
        else ""
    )
    return Body(
        title=gettext("An update on your concern"),
        opening=(opening,),
        sections=optional(
            section(gettext("When you will hear from us"), when),
            section(gettext("Your contact person"), i.contact_person),
        ),
        closing=(
            gettext(
                "Thank you for your patience. If you have any questions in the meantime, please "
                "contact us and quote your reference %(reference)s."
            )
            % {"reference": i.reference},
        ),
        valediction=w.valediction(i.addressee),
        signatory=i.contact_person or i.sender_name,
    )


TEMPLATE_VERSION = "2026.1"
TEMPLATES: dict[str, LetterTemplate] = {
    t.id: t
    for t in (
        LetterTemplate(
            "us.hospital.grievance.decision",
            TEMPLATE_VERSION,
            DECISION,
            "us.hospital.grievance",
            _cms_hospital,
        ),
        LetterTemplate(
            "us.snf.grievance.decision", TEMPLATE_VERSION, DECISION, "us.snf.grievance", _snf
        ),
        LetterTemplate(
            "uk.eng.nhs_2009.response",
            TEMPLATE_VERSION,
            DECISION,
            "uk.eng.nhs_2009",
            _nhs_england,
            prints_ombudsman_rights=True,
        ),
        LetterTemplate(
            "house.standard.reply", TEMPLATE_VERSION, DECISION, "house.standard", _house
        ),
        LetterTemplate("interim.still_working", TEMPLATE_VERSION, INTERIM, "", _interim),
    )
}
# When several packs apply to a case, the most specific one's template writes the letter (every
# pack's requirements are still checked before it is issued).
PACK_PRIORITY = ("uk.eng.nhs_2009", "us.snf.grievance", "us.hospital.grievance", "house.standard")
FALLBACK_DECISION = "house.standard.reply"
INTERIM_TEMPLATE = "interim.still_working"


def template_for(*, kind: str, pack_ids: tuple[str, ...] | list[str]) -> LetterTemplate:
    """The template for a letter of `kind` on a case the named packs apply to."""
    if kind == INTERIM:
        return TEMPLATES[INTERIM_TEMPLATE]
    by_pack = {t.pack_id: t for t in TEMPLATES.values() if t.kind == DECISION}
    for pack_id in PACK_PRIORITY:
        if pack_id in pack_ids:
            return by_pack[pack_id]
    return TEMPLATES[FALLBACK_DECISION]
