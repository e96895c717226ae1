"""Printable intake posters: a large QR code to the public form (or, for a survey poster, to a
unit's anonymous survey link), one page per language.

Pure apart from fonts: text in, PDF bytes out. The QR code is drawn as vector squares from segno's
module matrix (no raster image), so it prints sharp at any size. Names are drawn as plain text:
reportlab Paragraph markup is escaped and invisible or direction-changing characters are
dropped."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import reportlab
import segno
from django.utils import translation
from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

Paper = Literal["a4", "letter"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
POSTER_LANGUAGES = ("en", "es", "it")

MARGIN = 15 * mm
QR_MIN_SYMBOL = 80 * mm  # the dark modules alone; the quiet zone comes on top
QR_MAX_SIDE = 125 * mm  # quiet zone included
QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks
GAP = 4 * mm
NO_BREAK_SPACE = "\u00a0"

SANS, SANS_BOLD, MONO = "CareloopSans", "CareloopSans-Bold", "Courier-Bold"


@cache
def _fonts() -> frozenset[int]:
    """Register Bitstream Vera (shipped inside reportlab, so present wherever it is installed;
    embedded as a subset, so every printer shows the same glyphs). Returns the code points it
    covers (Latin-1 and a little more)."""
    folder = Path(reportlab.__file__).parent / "fonts"
    regular = TTFont(SANS, str(folder / "Vera.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(SANS_BOLD, str(folder / "VeraBd.ttf")))
    return frozenset(regular.face.charToGlyph)


@dataclass(frozen=True)
class PosterText:
    headline: str
    invitation: str
    anonymous: str
    scan_hint: str
    urgent: str
    private: str


def poster_text(*, phone: str, survey: bool = False) -> PosterText:
    """The poster's words in the active language; a `survey` poster invites to a short
    anonymous survey instead of the feedback form."""
    urgent = gettext("For urgent help at any hour call %(phone)s") % {"phone": phone}
    if survey:
        headline = gettext("How did we do? A one-minute survey")
        invitation = gettext("A few quick questions about your visit help us improve.")
        anonymous = gettext("The survey is anonymous: we do not ask your name.")
    else:
        headline = gettext("Tell us how we did")
        invitation = gettext("Something wrong? Want to thank someone? Tell us.")
        anonymous = gettext("You can stay anonymous. It takes a few minutes.")
    return PosterText(
        headline=headline,
        invitation=invitation,
        anonymous=anonymous,
        scan_hint=gettext("Scan the code with your phone camera, or type this address:"),
        urgent=urgent if phone else "",
        private=gettext(
            "The form is private: what you write goes only to the staff who follow up on feedback."
        ),
    )


def poster_languages_untranslated(languages: Sequence[str], *, survey: bool = False) -> list[str]:
    """Languages whose poster words are not all translated yet (they would print in English)."""
    with translation.override("en"):
        english = astuple(poster_text(phone="0", survey=survey))
    missing = []
    for lang in languages:
        if lang == "en":
            continue
        with translation.override(lang):
            words = astuple(poster_text(phone="0", survey=survey))
        if any(a == b for a, b in zip(words, english, strict=True)):
            missing.append(lang)
    return missing


def short_url(url: str) -> str:
    """The address to type by hand: no scheme, no trailing slash ("example.org/u/K7M2QXA")."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return f"{parts.netloc}{path}" + (f"?{parts.query}" if parts.query else "")


def printable(text: str) -> str:
    """Text safe to draw: NFC, no control, format (bidi overrides, zero-width) or private-use
    characters, single spaces (a no-break space is kept); a character the font lacks becomes its
    unaccented base letter, or "?" when it has none."""
    covered = _fonts()
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch == NO_BREAK_SPACE:
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        elif ord(ch) in covered:
            out.append(ch)
        else:
            base = [c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)]
            out.append("".join(base) if base and all(ord(c) in covered for c in base) else "?")
    return re.sub(" {2,}", " ", "".join(out)).strip(" ")


@dataclass(frozen=True)
class Block:
    paragraph: Paragraph
    x: float
    y: float  # bottom edge
    width: float
    height: float


@dataclass(frozen=True)
class QrPlacement:
    matrix: tuple[tuple[bool, ...], ...]  # dark modules, quiet zone not included
    x: float  # bottom-left corner of the quiet zone
    y: float
    module: float

    @property
    def side(self) -> float:
        return self.module * (len(self.matrix) + 2 * QUIET_ZONE)

    def runs(self) -> list[tuple[float, float, float, float]]:
        """Rectangles (x, y, width, height) covering the dark modules, one per horizontal run."""
        rects = []
        for r, row in enumerate(self.matrix):
            y = self.y + (len(self.matrix) + QUIET_ZONE - 1 - r) * self.module
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                x = self.x + (QUIET_ZONE + start) * self.module
                rects.append((x, y, (c - start) * self.module, self.module))
        return rects


@dataclass(frozen=True)
class PagePlan:
    width: float
    height: float
    blocks: tuple[Block, ...]
    qr: QrPlacement


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    min_size: float
    max_lines: int


def _paragraph(text: str, font: str, size: float) -> Paragraph:
    style = ParagraphStyle(
        "poster",
        fontName=font,
        fontSize=size,
        leading=size * 1.2,
        alignment=TA_CENTER,
        textColor=colors.black,
        splitLongWords=True,
        spaceShrinkage=0,  # centred lines are drawn as measured: never wider than the column
    )
    return Paragraph(escape(text, quote=False), style)


def _fit(line: _Line, width: float, scale: float) -> tuple[Paragraph, float]:
    """The paragraph at the largest size (down to its minimum) that keeps to its line limit;
    text that still does not fit at the minimum is cut short with an ellipsis."""
    low = line.min_size * min(scale, 1.0)
    size = max(line.size * scale, low)
    text = line.text
    while True:
        paragraph = _paragraph(text, line.font, size)
        _, height = paragraph.wrap(width, 10_000)
        if round(height / (size * 1.2)) <= line.max_lines:
            return paragraph, height
        if size > low:
            size = max(low, size - 1)
        else:
            text = text[: max(1, len(text) - 4)].rstrip() + "…"


def poster_page_plan(
    *, words: PosterText, place_lines: Sequence[str], short: str, url: str, paper: Paper
) -> PagePlan:
    """Where everything goes on one page: text stacked from the top and from the bottom, the
    QR code as large as the space between allows (never below QR_MIN_SYMBOL), the text shrunk
    when it has to be."""
    width, height = PAGE_SIZES[paper]
    qr = segno.make_qr(url, error="m")
    matrix = tuple(tuple(bool(v) for v in row) for row in qr.matrix)
    needed = QR_MIN_SYMBOL * (len(matrix) + 2 * QUIET_ZONE) / len(matrix)
    mono_size = min(30.0, (width - 2 * MARGIN) / (max(len(short), 1) * 0.6))
    top = [
        _Line(words.headline, SANS_BOLD, 46, 26, 2),
        _Line(words.invitation, SANS_BOLD, 24, 14, 3),
        _Line(words.anonymous, SANS, 18, 12, 2),
    ]
    bottom = [
        _Line(words.scan_hint, SANS, 14, 10, 2),
        _Line(short, MONO, mono_size, min(mono_size, 10), 2),
        *(_Line(p, SANS_BOLD if i == 0 else SANS, 22, 10, 3) for i, p in enumerate(place_lines)),
        *([_Line(words.urgent, SANS_BOLD, 16, 10, 2)] if words.urgent else []),
        _Line(words.private, SANS, 11, 8, 3),
    ]
    text_width = width - 2 * MARGIN
    scale = 1.0
    while True:
        top_fit = [_fit(line, text_width, scale) for line in top]
        bottom_fit = [_fit(line, text_width, scale) for line in bottom]
        used = sum(h for _, h in top_fit + bottom_fit) + GAP * (len(top) + len(bottom))
        room = height - 2 * MARGIN - used - GAP
        if room >= needed or scale < 0.3:
            break
        scale *= 0.9
    if room < needed:
        raise ValueError("The poster text leaves no room for a readable QR code.")
    blocks = []
    y = height - MARGIN
    for paragraph, h in top_fit:
        y -= h
        blocks.append(Block(paragraph, MARGIN, y, text_width, h))
        y -= GAP
    qr_top = y
    y = MARGIN
    for paragraph, h in reversed(bottom_fit):
        blocks.append(Block(paragraph, MARGIN, y, text_width, h))
        y += h + GAP
    side = max(min(room, QR_MAX_SIDE), needed)
    module = side / (len(matrix) + 2 * QUIET_ZONE)
    qr_y = y + (qr_top - y - side) / 2
    placement = QrPlacement(matrix, (width - side) / 2, qr_y, module)
    return PagePlan(width, height, tuple(blocks), placement)


def _draw(canvas: Canvas, plan: PagePlan) -> None:
    canvas.setFillColorRGB(0, 0, 0)
    for block in plan.blocks:
        block.paragraph.drawOn(canvas, block.x, block.y)
    path = canvas.beginPath()
    for x, y, w, h in plan.qr.runs():
        path.rect(x, y, w, h)
    canvas.drawPath(path, stroke=0, fill=1)


def poster_pdf(
    *,
    place: str,
    facility_name: str,
    url: str,
    short_url: str,
    phone: str,
    languages: Sequence[str],
    paper: Paper,
    survey: bool = False,
) -> bytes:
    """A PDF with one page per language. `place` is the unit's name on a unit poster (empty, or
    the facility's name, on a facility poster); `phone` is printed for urgent help when given;
    `survey` words it as an invitation to a short survey (`url` then being the survey link)."""
    if not languages:
        raise ValueError("A poster needs at least one language.")
    _fonts()
    place_lines = [printable(facility_name)]
    if printable(place) and printable(place) != place_lines[0]:
        place_lines.append(printable(place))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE_SIZES[paper], invariant=True)
    canvas.setTitle("Careloop feedback poster")
    for lang in languages:
        with translation.override(lang):
            words = poster_text(phone=printable(phone).replace(" ", NO_BREAK_SPACE), survey=survey)
        words = PosterText(*(printable(w) for w in astuple(words)))
        plan = poster_page_plan(
            words=words,
            place_lines=place_lines,
            short=printable(short_url),
            url=url,
            paper=paper,
        )
        _draw(canvas, plan)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
