"""The letters' building blocks: what a letter may say (LetterInput), what it says once composed
(LetterDocument), the language helpers, and composing a template in a language. Pure: no
database; gettext under translation.override. The templates themselves are in
letters/catalogue.py.

A template's `id` and `version` are recorded on every issued letter; change the version whenever
the wording of a template changes. Sections carry the pack requirement (`letter.*` check) they
satisfy, so a surveyor's element is always under a heading that names it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

DECISION, INTERIM = "decision", "interim"

# Letter-size paper where the US (and Canada) use it; A4 everywhere else.
LETTER_PAPER_JURISDICTIONS = ("US", "CA")


@dataclass(frozen=True)
class LetterInput:
    """Everything a letter may say, as plain values. Text is as staff or the client typed it."""

    organization_name: str
    facility_name: str
    facility_phone: str
    jurisdiction: str
    reference: str
    addressee: str  # the reporter's name; "" when not given
    letter_on: date  # the date printed on the letter
    contact_person: str = ""
    received_on: date | None = None
    summary: str = ""
    steps_taken: str = ""
    findings: str = ""
    results: str = ""
    confirmed: str = ""  # "confirmed", "not_confirmed" or ""
    corrective_action: str = ""
    completion_on: date | None = None
    issued_on: date | None = None
    signed_by: str = ""
    follow_up_on: date | None = None  # interim letters: when the written response will come
    sender_name: str = ""  # who issues it, when no signatory is named


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]  # empty: the element is missing (a draft shows a marker)
    element: str = ""  # the pack check it satisfies ("letter.steps_taken"), "" if none
    literal: bool = False  # an address block: keep its lines as they are


@dataclass(frozen=True)
class LetterDocument:
    template_id: str
    template_version: str
    language: str
    paper: str  # "letter" or "a4"
    organization_name: str
    facility_name: str
    phone_line: str
    reference: str
    title: str
    date_line: str
    reference_line: str
    addressee: str
    salutation: str
    opening: tuple[str, ...]
    sections: tuple[Section, ...]
    closing: tuple[str, ...]
    valediction: str
    signatory: str
    signatory_role: str
    page_label: str  # with %(reference)s, %(page)d and %(pages)d
    draft: bool = False

    @property
    def elements(self) -> frozenset[str]:
        """The pack checks this letter shows with content."""
        return frozenset(s.element for s in self.sections if s.element and s.paragraphs)


@dataclass(frozen=True)
class Body:
    title: str
    opening: tuple[str, ...]
    sections: tuple[Section, ...]
    closing: tuple[str, ...]
    valediction: str
    signatory: str
    signatory_role: str = ""


@dataclass(frozen=True)
class Words:
    """Helpers bound to one letter's language and conventions (British English: day-month-year
    dates, and "Yours faithfully" to an unnamed reader)."""

    language: str
    british: bool

    def valediction(self, addressee: str) -> str:
        if not self.british:
            return gettext("Sincerely,")
        return gettext("Yours sincerely,") if addressee else gettext("Yours faithfully,")

    def date(self, on: date | None) -> str:
        if on is None:
            return ""
        if self.language == "es":
            return date_format(on, r"j \d\e F \d\e Y").lower()
        if self.language == "it":
            return date_format(on, "j F Y").lower()
        return date_format(on, "j F Y" if self.british else "F j, Y")


Compose = Callable[[LetterInput, Words], Body]


@dataclass(frozen=True)
class LetterTemplate:
    id: str
    version: str
    kind: str
    pack_id: str  # "" for a template that serves every pack
    compose: Compose = field(repr=False, compare=False)
    # The template prints the right to go to the ombudsman, whatever staff ticked.
    prints_ombudsman_rights: bool = False


def _paragraphs(text: str) -> tuple[str, ...]:
    """Typed text as paragraphs: split on blank lines, single line breaks kept inside each."""
    chunks = [chunk.strip("\n") for chunk in text.replace("\r\n", "\n").split("\n\n")]
    return tuple(chunk for chunk in chunks if chunk.strip())


def section(heading: str, text: str, element: str = "") -> Section:
    return Section(heading=heading, paragraphs=_paragraphs(text), element=element)


def dated(heading: str, words: Words, on: date | None, element: str = "") -> Section:
    return Section(heading=heading, paragraphs=(words.date(on),) if on else (), element=element)


def optional(*sections: Section) -> tuple[Section, ...]:
    """Sections with content; sections that carry a pack element are always kept."""
    return tuple(s for s in sections if s.paragraphs or s.element)


def _british(jurisdiction: str) -> bool:
    return jurisdiction.upper().startswith("GB")


def date_text(on: date, *, language: str, jurisdiction: str) -> str:
    """A date as the letters print it, in `language` (e.g. for the covering email)."""
    with translation.override(language):
        return Words(language=language, british=_british(jurisdiction)).date(on)


def paper_for(jurisdiction: str) -> str:
    return "letter" if jurisdiction.upper().startswith(LETTER_PAPER_JURISDICTIONS) else "a4"


def _shown(sections: tuple[Section, ...], *, draft: bool) -> tuple[Section, ...]:
    """A draft keeps empty element sections (marked missing); an issued letter never prints an
    empty heading."""
    return sections if draft else tuple(s for s in sections if s.paragraphs)


def letter_compose(
    *, template: LetterTemplate, data: LetterInput, language: str, draft: bool = False
) -> LetterDocument:
    """The letter's words in `language` (one of settings.LANGUAGES)."""
    with translation.override(language):
        words = Words(language=language, british=_british(data.jurisdiction))
        body = template.compose(data, words)
        phone = (
            gettext("Telephone: %(phone)s") % {"phone": data.facility_phone}
            if data.facility_phone
            else ""
        )
        salutation = (
            gettext("Dear %(addressee)s,") % {"addressee": data.addressee}
            if data.addressee
            else gettext("Dear Sir or Madam,")
        )
        return LetterDocument(
            template_id=template.id,
            template_version=template.version,
            language=language,
            paper=paper_for(data.jurisdiction),
            organization_name=data.organization_name,
            facility_name=data.facility_name,
            phone_line=phone,
            reference=data.reference,
            title=body.title,
            date_line=words.date(data.letter_on),
            reference_line=gettext("Reference: %(reference)s") % {"reference": data.reference},
            addressee=data.addressee,
            salutation=salutation,
            opening=body.opening,
            sections=_shown(body.sections, draft=draft),
            closing=body.closing,
            valediction=body.valediction,
            signatory=body.signatory,
            signatory_role=body.signatory_role,
            page_label=gettext("Reference %(reference)s · page %(page)d of %(pages)d"),
            draft=draft,
        )
