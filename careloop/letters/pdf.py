"""A composed letter as a PDF (reportlab). Pure apart from fonts: a LetterDocument in, bytes out.

Text is drawn in Bitstream Vera (shipped inside reportlab and embedded as a subset, so every
printer shows the same glyphs; it covers Latin-1, which holds every Spanish and Italian accent,
and the usual typographic quotes and dashes). Every string, the template's wording included, is
made printable and escaped for reportlab's Paragraph markup, so "<b>", "&" or "<script>" typed
by anyone prints as typed. Output is invariant: the same letter gives the same bytes."""

from __future__ import annotations

import io
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from careloop.intake.posters import printable
from careloop.letters.wording import LetterDocument, Section

SANS, BOLD, ITALIC = "CareloopLetter", "CareloopLetter-Bold", "CareloopLetter-Italic"
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
MARGIN_X = 22 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 22 * mm
BODY_SIZE = 10.5
DRAFT_MARK = "DRAFT, NOT ISSUED"
MISSING_MARK = "[missing: {element}]"


@cache
def _fonts() -> None:
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in ((SANS, "Vera.ttf"), (BOLD, "VeraBd.ttf"), (ITALIC, "VeraIt.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def _style(name: str, **overrides: Any) -> ParagraphStyle:
    values: dict[str, Any] = {
        "fontName": SANS,
        "fontSize": BODY_SIZE,
        "leading": BODY_SIZE * 1.35,
        "textColor": colors.black,
        "spaceAfter": 5,
        "splitLongWords": True,
    }
    values.update(overrides)
    return ParagraphStyle(name, **values)


STYLES = {
    "organization": _style("organization", fontName=BOLD, fontSize=15, leading=18, spaceAfter=2),
    "facility": _style("facility", fontSize=11, leading=14, spaceAfter=1),
    "phone": _style("phone", fontSize=9, leading=12, textColor=colors.HexColor("#444444")),
    "body": _style("body"),
    "title": _style("title", fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=6),
    "heading": _style("heading", fontName=BOLD, spaceBefore=7, spaceAfter=2),
    "missing": _style("missing", fontName=ITALIC, textColor=colors.HexColor("#b00020")),
    "signatory": _style("signatory", fontName=BOLD, spaceAfter=1),
}


def _markup(text: str) -> str:
    """Paragraph markup that prints `text` literally, its line breaks kept."""
    return "<br/>".join(escape(printable(line), quote=False) for line in text.split("\n"))


def _para(text: str, style: str) -> Paragraph:
    return Paragraph(_markup(text), STYLES[style])


def _section(section: Section) -> list[Flowable]:
    heading = _para(section.heading, "heading")
    if not section.paragraphs:
        missing = MISSING_MARK.format(element=section.element or section.heading)
        return [KeepTogether([heading, _para(missing, "missing")])]
    first, *rest = (_para(text, "body") for text in section.paragraphs)
    return [KeepTogether([heading, first]), *rest]


def _story(doc: LetterDocument) -> list[Flowable]:
    story: list[Flowable] = [_para(doc.organization_name, "organization")]
    if doc.facility_name and doc.facility_name != doc.organization_name:
        story.append(_para(doc.facility_name, "facility"))
    if doc.phone_line:
        story.append(_para(doc.phone_line, "phone"))
    story += [
        HRFlowable(width="100%", thickness=0.7, color=colors.HexColor("#666666"), spaceBefore=4),
        Spacer(1, 6 * mm),
        _para(doc.date_line, "body"),
        _para(doc.reference_line, "body"),
        Spacer(1, 5 * mm),
    ]
    if doc.addressee:
        story.append(_para(doc.addressee, "body"))
    story += [_para(doc.salutation, "body"), _para(doc.title, "title")]
    story += [_para(text, "body") for text in doc.opening]
    for section in doc.sections:
        story += _section(section)
    # The closing words go with the signature, so a signature never stands alone on a page.
    ending: list[Flowable] = [Spacer(1, 2 * mm)]
    ending += [_para(text, "body") for text in doc.closing]
    ending += [_para(doc.valediction, "body"), Spacer(1, 10 * mm)]
    if doc.signatory:
        ending.append(_para(doc.signatory, "signatory"))
    elif doc.draft:
        ending.append(_para(MISSING_MARK.format(element="signatory"), "missing"))
    if doc.signatory_role:
        ending.append(_para(doc.signatory_role, "body"))
    story.append(KeepTogether(ending))
    return story


def _page_decoration(doc: LetterDocument, total: int) -> Any:
    """Draws "page n of N" (and the draft mark) on each page."""

    def decorate(canvas: Canvas, template: SimpleDocTemplate) -> None:
        width, height = template.pagesize
        label = doc.page_label % {
            "reference": doc.reference,
            "page": canvas.getPageNumber(),
            "pages": total,
        }
        canvas.saveState()
        canvas.setFont(SANS, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawCentredString(width / 2, MARGIN_BOTTOM / 2, printable(label))
        if doc.draft:
            canvas.setFont(BOLD, 44)
            canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.18))
            canvas.translate(width / 2, height / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, DRAFT_MARK)
        canvas.restoreState()

    return decorate


def _build(doc: LetterDocument, *, total: int) -> tuple[bytes, int]:
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZES[doc.paper],
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=printable(f"{doc.reference}: {doc.title}"),
        author=printable(doc.organization_name),
        subject=f"{doc.template_id} {doc.template_version} ({doc.language})",
        creator="Careloop",
        lang=doc.language,
        invariant=True,
    )
    decorate = _page_decoration(doc, total)
    template.build(_story(doc), onFirstPage=decorate, onLaterPages=decorate)
    pages: int = template.page
    return out.getvalue(), pages


def letter_pdf(doc: LetterDocument) -> bytes:
    """The letter as PDF bytes. The footer does not move the text, so a first pass that assumes
    one page gives the page count; a longer letter is drawn again with the right total."""
    _fonts()
    content, pages = _build(doc, total=1)
    if pages > 1:
        content, _ = _build(doc, total=pages)
    return content
