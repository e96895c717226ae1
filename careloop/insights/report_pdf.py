"""The monthly facility report as a PDF (reportlab). Pure apart from fonts: a MonthlyReport in,
bytes out, the same bytes for the same report.

Text is drawn in Bitstream Vera (shipped inside reportlab, embedded as a subset), as the
letters are. The u-chart is drawn natively with reportlab graphics from the same ChartResult
the dashboard's SVG draws: centre line, stepped limits, points, and signals as diamonds (a
shape, not a colour alone), with the data table under it. The report holds figures, pack ids
and unit names only; names are escaped, so any markup in them prints as typed."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import reportlab
from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from careloop.insights.figures import BudgetLine, Durations, PackCompliance
from careloop.insights.report import Headline, MonthlyReport
from careloop.insights.selectors import Period
from careloop.insights.spc import ChartResult, PointResult
from careloop.insights.svg import MIN_POINTS_FOR_LIMITS

SANS, BOLD = "CareloopReport", "CareloopReport-Bold"
MARGIN = 16 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
CHART_HEIGHT = 185.0
LEFT, RIGHT, TOP, BOTTOM = 40.0, 8.0, 30.0, 22.0
BLUE, RED, GREEN = (
    colors.HexColor("#1f4e79"),
    colors.HexColor("#c0392b"),
    colors.HexColor("#2e7d32"),
)
GREY, LIGHT = colors.HexColor("#555555"), colors.HexColor("#e6e6e6")
DASH = "\u2013"


@cache
def _fonts() -> None:
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in ((SANS, "Vera.ttf"), (BOLD, "VeraBd.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=BOLD, italic=SANS, boldItalic=BOLD)


def plain(text: str) -> str:
    """Printable in the embedded font: control characters dropped, anything outside Latin-1
    (and the dash) shown as "?"."""
    out = [
        ch if ch == DASH or ord(ch) < 256 else "?"
        for ch in text
        if ch in "\t\n\r" or ch.isprintable()
    ]
    return "".join(out).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _style(name: str, **overrides: Any) -> ParagraphStyle:
    values: dict[str, Any] = {"fontName": SANS, "fontSize": 9, "leading": 11.5, "spaceAfter": 3}
    values.update(overrides)
    return ParagraphStyle(name, **values)


STYLES = {
    "title": _style("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=4),
    "subtitle": _style("subtitle", fontSize=10, leading=13, textColor=GREY, spaceAfter=8),
    "heading": _style("heading", fontName=BOLD, fontSize=11.5, leading=14, spaceBefore=8),
    "body": _style("body"),
    "note": _style("note", fontSize=7.5, leading=9.5, textColor=GREY),
    "cell": _style("cell", fontSize=8, leading=10, spaceAfter=0),
    "cell_bold": _style("cell_bold", fontName=BOLD, fontSize=8, leading=10, spaceAfter=0),
    "head": _style("head", fontName=BOLD, fontSize=8, leading=10, spaceAfter=0, alignment=2),
}


def _para(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(plain(text), quote=False), STYLES[style])


def month_name(month_on: date) -> str:
    return f"{month_on:%B %Y}"


def span(period: Period) -> str:
    if period.first_on == period.last_on:
        return month_name(period.first_on)
    return f"{period.first_on:%b %Y} {DASH} {period.last_on:%b %Y}"


def num(value: float | None, places: int = 2) -> str:
    return DASH if value is None else f"{value:,.{places}f}"


def _hours(d: Durations, attr: str) -> str:
    value: float | None = getattr(d, attr)
    return DASH if value is None else f"{value:,.1f} h"


def _share(part: int, whole: int) -> str:
    return DASH if not whole else f"{part} of {whole} ({round(100 * part / whole)} %)"


def _compliance(lines: Sequence[PackCompliance], pack_id: str) -> str:
    line = next((c for c in lines if c.pack_id == pack_id), None)
    return DASH if line is None else _share(line.met, line.ended)


def _spend(lines: Sequence[BudgetLine], currency: str) -> str:
    line = next((b for b in lines if b.currency == currency), None)
    if line is None:
        return DASH
    if line.budget is None:
        return f"{line.spent:,.2f} (no budget)"
    share = line.share or 0
    return f"{line.spent:,.2f} of {line.budget:,.2f} ({round(100 * share)} %)"


def _success(h: Headline) -> str:
    s = h.figures.success
    if s is None or not s.answered:
        return "no answers"
    return f"{s.yes} of {s.answered} yes ({s.partly} partly, {s.no} no)"


def headline_rows(report: MonthlyReport) -> list[tuple[str, str, str]]:
    """(figure, the month, the 12 months before) for the headline table."""
    m, p = report.month, report.prior
    rows = [
        ("Complaints, counted once per person and issue", str(m.counted), str(p.counted)),
        ("Complaint and grievance cases", str(m.cases), str(p.cases)),
        ("Issues raised (issue-level count)", str(m.issues), str(p.issues)),
        (
            report.measure_label,
            DASH if m.exposure is None else f"{m.exposure:,}",
            DASH if p.exposure is None else f"{p.exposure:,}",
        ),
        (f"Complaint rate {report.unit_label}", num(m.rate), num(p.rate)),
    ]
    for label, attr in (("acknowledge", "acknowledge"), ("resolve", "resolve")):
        dm: Durations = getattr(m.figures, attr)
        dp: Durations = getattr(p.figures, attr)
        rows += [
            (f"Time to {label}, median", _hours(dm, "median_hours"), _hours(dp, "median_hours")),
            (f"Time to {label}, 90th percentile", _hours(dm, "p90_hours"), _hours(dp, "p90_hours")),
        ]
    packs = sorted({c.pack_id for c in (*m.figures.compliance, *p.figures.compliance)})
    rows += [
        (
            f"Clocks met on time: {pack}",
            _compliance(m.figures.compliance, pack),
            _compliance(p.figures.compliance, pack),
        )
        for pack in packs
    ] or [("Clocks met on time", "no clock ended", "no clock ended")]
    rows.append(("Compliments", str(m.figures.compliments), str(p.figures.compliments)))
    currencies = sorted({b.currency for b in (*m.figures.budget, *p.figures.budget)})
    rows += [
        (
            f"Recovery spend against budget ({currency})",
            _spend(m.figures.budget, currency),
            _spend(p.figures.budget, currency),
        )
        for currency in currencies
    ] or [("Recovery spend against budget", "none", "none")]
    rows.append(("Recovery success (was this put right?)", _success(m), _success(p)))
    return rows


def _grid(data: list[list[Any]], widths: list[float], *, right_from: int = 1) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), SANS, 8),
                ("FONT", (0, 0), (-1, 0), BOLD, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, LIGHT),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _headline_table(report: MonthlyReport) -> Table:
    header = [
        "Figure",
        _para(month_name(report.month_on), "head"),
        _para(f"12 months before ({span(report.prior.period)})", "head"),
    ]
    data: list[list[Any]] = [header]
    data += [[_para(label, "cell"), a, b] for label, a, b in headline_rows(report)]
    return _grid(data, [FRAME_WIDTH * 0.46, FRAME_WIDTH * 0.24, FRAME_WIDTH * 0.30])


# --- the u-chart ------------------------------------------------------------------------------


def _nice_step(raw: float) -> float:
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _signal(point: PointResult) -> bool:
    return point.sigma_signal or bool(point.rules)


def chart_drawing(result: ChartResult, *, width: float = FRAME_WIDTH) -> Drawing:
    """The control chart as a reportlab Drawing."""
    points = result.points
    present = [p for p in points if p.y is not None]
    limits = len(present) >= MIN_POINTS_FOR_LIMITS
    values = [p.y for p in present if p.y is not None] + [p.cl for p in points if p.cl is not None]
    if limits:
        values += [v for p in points for v in (p.lcl, p.ucl) if v is not None]
    low = min([0.0, *values])
    high = max(values, default=1.0)
    tick = _nice_step(((high - low) or 1.0) / 4)
    low = math.floor(low / tick) * tick
    high = max(math.ceil(high * 1.05 / tick) * tick, low + tick)
    plot_w, plot_h = width - LEFT - RIGHT, CHART_HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points), 1)

    def x_of(i: int) -> float:
        return LEFT + (i + 0.5) * step

    def y_of(v: float) -> float:
        return BOTTOM + (v - low) / (high - low) * plot_h

    d = Drawing(width, CHART_HEIGHT)
    value = low
    while value <= high + tick / 1000:
        y = y_of(value)
        d.add(Line(LEFT, y, width - RIGHT, y, strokeColor=LIGHT, strokeWidth=0.5))
        label = f"{value:g}" if abs(value) < 1000 else f"{value:,.0f}"
        d.add(String(LEFT - 4, y - 2.5, label, fontName=SANS, fontSize=7, textAnchor="end"))
        value += tick
    d.add(Line(LEFT, BOTTOM, width - RIGHT, BOTTOM, strokeColor=colors.black, strokeWidth=0.8))
    d.add(Line(LEFT, BOTTOM, LEFT, CHART_HEIGHT - TOP, strokeColor=colors.black, strokeWidth=0.8))
    label_every = 1 if step >= 30 else 2
    for i, p in enumerate(points):
        if i % label_every == 0:
            d.add(
                String(
                    x_of(i),
                    BOTTOM - 10,
                    plain(p.x),
                    fontName=SANS,
                    fontSize=6.5,
                    textAnchor="middle",
                )
            )
        if p.y is None:
            d.add(
                String(
                    x_of(i),
                    BOTTOM + 3,
                    "no data",
                    fontName=SANS,
                    fontSize=5.5,
                    fillColor=GREY,
                    textAnchor="middle",
                )
            )
    # centre line and limits, one level per point's slot (limits vary with exposure)
    for i, p in enumerate(points):
        x0, x1 = LEFT + i * step, LEFT + (i + 1) * step
        if p.cl is not None:
            d.add(Line(x0, y_of(p.cl), x1, y_of(p.cl), strokeColor=GREEN, strokeWidth=1.2))
        if limits and p.y is not None:
            for level in (p.lcl, p.ucl):
                if level is not None:
                    d.add(
                        Line(
                            x0,
                            y_of(level),
                            x1,
                            y_of(level),
                            strokeColor=RED,
                            strokeWidth=0.9,
                            strokeDashArray=[4, 2],
                        )
                    )
    # the values, joined where consecutive months both have data
    run: list[float] = []
    ys: list[float | None] = [p.y for p in points]
    for i, y_value in enumerate([*ys, None]):
        if y_value is not None:
            run += [x_of(i), y_of(y_value)]
            continue
        if len(run) >= 4:
            d.add(PolyLine(run, strokeColor=BLUE, strokeWidth=1.1))
        run = []
    for i, p in enumerate(points):
        if p.y is None:
            continue
        x, y = x_of(i), y_of(p.y)
        if limits and _signal(p):
            s = 4.5
            d.add(
                Polygon(
                    [x, y + s, x + s, y, x, y - s, x - s, y],
                    fillColor=RED,
                    strokeColor=colors.black,
                    strokeWidth=0.6,
                )
            )
        else:
            d.add(Circle(x, y, 2.3, fillColor=BLUE, strokeColor=BLUE))
    _legend(d, limits=limits, present=len(present), width=width)
    return d


def _legend(d: Drawing, *, limits: bool, present: int, width: float) -> None:
    y = CHART_HEIGHT - 12
    x = LEFT
    d.add(Line(x, y + 2.5, x + 16, y + 2.5, strokeColor=GREEN, strokeWidth=1.2))
    d.add(String(x + 20, y, "Centre line", fontName=SANS, fontSize=7))
    x += 70
    d.add(Line(x, y + 2.5, x + 16, y + 2.5, strokeColor=RED, strokeDashArray=[4, 2]))
    d.add(String(x + 20, y, "Control limits (3 sigma)", fontName=SANS, fontSize=7))
    x += 110
    d.add(Circle(x + 4, y + 2.5, 2.3, fillColor=BLUE, strokeColor=BLUE))
    d.add(String(x + 10, y, "Rate", fontName=SANS, fontSize=7))
    x += 40
    s = 4
    d.add(
        Polygon(
            [x + 4, y + 2.5 + s, x + 4 + s, y + 2.5, x + 4, y + 2.5 - s, x + 4 - s, y + 2.5],
            fillColor=RED,
            strokeColor=colors.black,
            strokeWidth=0.6,
        )
    )
    d.add(String(x + 12, y, "Outside the limits", fontName=SANS, fontSize=7))
    if not limits:
        note = (
            f"Too few months with data ({present}) for control limits; "
            f"at least {MIN_POINTS_FOR_LIMITS} are needed."
        )
        d.add(
            String(
                width - RIGHT,
                y - 12,
                note,
                fontName=SANS,
                fontSize=7,
                fillColor=GREY,
                textAnchor="end",
            )
        )


def _rate_table(report: MonthlyReport) -> Table:
    header = [
        "Month",
        "Counted",
        "Cases",
        report.measure_label,
        "Rate",
        "Lower",
        "Centre",
        "Upper",
        "Signal",
    ]
    data: list[list[Any]] = [header]
    data.extend(
        [
            f"{r.month_on:%Y-%m}",
            str(r.complaints),
            str(r.cases),
            "missing" if r.exposure is None else f"{r.exposure:,}",
            num(r.rate),
            num(r.lcl),
            num(r.cl),
            num(r.ucl),
            "outside limits" if r.signal else DASH,
        ]
        for r in report.rows
    )
    w = FRAME_WIDTH / 100
    return _grid(data, [w * 11, w * 9, w * 8, w * 14, w * 10, w * 10, w * 10, w * 10, w * 18])


def _hotspot_table(report: MonthlyReport) -> Flowable:
    points = report.hotspots.points
    if not points:
        return _para(
            f"No unit has {report.measure_label.lower()} recorded for "
            f"{span(report.hotspots_period)}."
        )
    header = [
        "Unit",
        "Complaints",
        report.measure_label,
        "Expected",
        "Rate",
        "95 % limits",
        "99.8 % limits",
        "Verdict",
    ]
    data: list[list[Any]] = [[_para(title, "head") for title in header]]
    data.extend(
        [
            _para(p.label, "cell"),
            str(p.events),
            f"{p.exposure:,}",
            num(p.expected, 1),
            num(p.rate),
            DASH if p.lower95 is None else f"{num(p.lower95)} {DASH} {num(p.upper95)}",
            DASH if p.lower998 is None else f"{num(p.lower998)} {DASH} {num(p.upper998)}",
            _para(str(p.verdict), "cell_bold" if p.outside else "cell"),
        ]
        for p in points
    )
    w = FRAME_WIDTH / 100
    table = _grid(data, [w * 16, w * 13, w * 12, w * 11, w * 8, w * 12, w * 12, w * 16])
    table.setStyle(
        [("FONT", (7, i), (7, i), BOLD, 8) for i, p in enumerate(points, start=1) if p.outside]
    )
    return table


def _themes_table(report: MonthlyReport) -> Flowable:
    if not report.themes:
        return _para("No case was coded with an HCAT category in these 13 months.")
    month_total = sum(t.month for t in report.themes)
    header = ["Theme (HCAT category)", month_name(report.month_on), "Share", "12 months before"]
    data: list[list[Any]] = [[_para(title, "head") for title in header]]
    data.extend(
        [
            _para(t.label, "cell"),
            str(t.month),
            DASH if not month_total else f"{round(100 * t.month / month_total)} %",
            str(t.prior),
        ]
        for t in report.themes
    )
    w = FRAME_WIDTH / 100
    return _grid(data, [w * 40, w * 20, w * 15, w * 25])


def _actions_table(report: MonthlyReport) -> list[Flowable]:
    a = report.actions
    summary = _para(
        f"{a.recorded} corrective action{'' if a.recorded == 1 else 's'} recorded and "
        f"{a.completed} completed in {month_name(report.month_on)}; {a.overdue} open past "
        "their due date at the month's end. Descriptions stay on the cases.",
    )
    if not a.lines:
        return [summary]
    header = ["Case", "Unit", "Theme", "Recorded", "Due", "Done"]
    data: list[list[Any]] = [[_para(title, "head") for title in header]]
    data.extend(
        [
            _para(line.reference, "cell"),
            _para(line.unit or DASH, "cell"),
            _para(line.category, "cell"),
            f"{line.recorded_on:%Y-%m-%d}",
            DASH if line.due_on is None else f"{line.due_on:%Y-%m-%d}",
            DASH if line.done_on is None else f"{line.done_on:%Y-%m-%d}",
        ]
        for line in a.lines
    )
    w = FRAME_WIDTH / 100
    return [
        summary,
        _grid(data, [w * 18, w * 18, w * 28, w * 12, w * 12, w * 12], right_from=3),
        *([_para(f"Only the first {len(a.lines)} actions are listed.", "note")] if a.more else []),
    ]


def _story(report: MonthlyReport) -> list[Flowable]:
    rate = report.month.rate
    return [
        _para(f"Monthly complaints report: {month_name(report.month_on)}", "title"),
        _para(
            f"{report.organization_name} \u00b7 {report.facility_name} \u00b7 "
            f"{month_name(report.month_on)} (months in {report.time_zone}) \u00b7 "
            f"generated {report.generated_on:%Y-%m-%d}",
            "subtitle",
        ),
        _para("Headline figures", "heading"),
        _headline_table(report),
        _para(
            "A repeat on the same issue from the same person within 90 days counts once; "
            "anonymous and uncoded cases always count. Rates use the counted complaints over "
            "the months with exposure data. Times run from receipt, for cases acknowledged or "
            "resolved in the period. A clock met late counts as breached.",
            "note",
        ),
        KeepTogether(
            [
                _para(f"Complaint rate {report.unit_label} (u-chart)", "heading"),
                _para(
                    f"{span(report.hotspots_period)}; this month's rate: {num(rate)}. "
                    "Signals (outside the limits) are drawn as diamonds.",
                    "note",
                ),
                chart_drawing(report.chart),
                Spacer(1, 2 * mm),
                _rate_table(report),
            ]
        ),
        KeepTogether(
            [
                _para(f"Hotspots: complaint rate {report.unit_label} by unit", "heading"),
                _para(
                    f"{span(report.hotspots_period)}, against the facility's overall rate"
                    + (
                        f" of {num(report.hotspots.rate)}"
                        if report.hotspots.rate is not None
                        else ""
                    )
                    + ", with 95 % and 99.8 % funnel limits. Units expected to have fewer "
                    "than 5 complaints are too few to judge.",
                    "note",
                ),
                _hotspot_table(report),
            ]
        ),
        KeepTogether(
            [
                _para("Top themes", "heading"),
                _para(
                    "Cases rated in each HCAT category (a case can count in several), most "
                    "raised this month first.",
                    "note",
                ),
                _themes_table(report),
            ]
        ),
        _para("Actions taken", "heading"),
        *_actions_table(report),
    ]


def _footer(report: MonthlyReport) -> Any:
    text = plain(
        f"{report.facility_name} \u00b7 monthly report {report.month_on:%Y-%m} \u00b7 page "
    )

    def decorate(canvas: Canvas, template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(
            template.pagesize[0] / 2, MARGIN / 2, f"{text}{canvas.getPageNumber()}"
        )
        canvas.restoreState()

    return decorate


def report_pdf(report: MonthlyReport) -> bytes:
    _fonts()
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=plain(f"{report.facility_name}: monthly report {report.month_on:%Y-%m}"),
        author=plain(report.organization_name),
        creator="Careloop",
        invariant=True,
    )
    decorate = _footer(report)
    template.build(_story(report), onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
