"""Control charts as server-rendered SVG: pure, deterministic, accessible.

Draws a ChartResult from careloop.insights.spc: points joined by a line (broken where a point is
missing), the centre line (dashed when the Anhøj run rules signal), stepped control limits,
signals as diamonds (a shape, not a colour alone), phase separators and labels, and annotations.
The <title> and <desc> give a text alternative; the page shows the data table as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape

from careloop.insights.funnel import Z95, Z998, Funnel, Limits, UnitPoint, Verdict, funnel_limits
from careloop.insights.spc import ChartResult, PointResult

WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 52, 72
MIN_POINTS_FOR_LIMITS = 6  # fewer points than this: say so instead of drawing limits


@dataclass(frozen=True, kw_only=True)
class Annotation:
    x: str  # the point's label
    text: str


def _e(text: str) -> str:
    return escape(text, quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}"


def fmt(value: float | None) -> str:
    if value is None:
        return "\u2013"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _legend() -> list[str]:
    y, x = TOP - 26, LEFT
    return [
        f'<g class="legend" font-size="11" fill="#333" transform="translate({x} {y})">',
        '<line x1="0" y1="0" x2="22" y2="0" stroke="#2e7d32" stroke-width="1.5"/>',
        '<text x="27" y="4">Centre line</text>',
        '<line x1="110" y1="0" x2="132" y2="0" stroke="#c0392b" stroke-dasharray="6 3"/>',
        '<text x="137" y="4">Control limits</text>',
        '<circle cx="240" cy="0" r="3.5" fill="#1f4e79"/><text x="248" y="4">Value</text>',
        '<path d="M300,-6.5 L306.5,0 L300,6.5 L293.5,0 Z" fill="#c0392b" stroke="#000"/>',
        '<text x="311" y="4">Outside the limits</text></g>',
    ]


def _nice_step(raw: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least raw: round numbers on the axis."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _signal(point: PointResult) -> bool:
    return point.sigma_signal or bool(point.rules)


class _Frame:
    def __init__(self, result: ChartResult, *, limits: bool) -> None:
        values = [p.y for p in result.points if p.y is not None]
        values += [p.cl for p in result.points if p.cl is not None]
        if limits:
            values += [v for p in result.points for v in (p.lcl, p.ucl) if v is not None]
        self.low = min([0.0, *values])
        high = max(values, default=1.0)
        self.tick = _nice_step(((high - self.low) or 1.0) / 4)
        self.low = math.floor(self.low / self.tick) * self.tick
        self.high = math.ceil(high * 1.05 / self.tick) * self.tick
        count = max(len(result.points), 1)
        self.step = (WIDTH - LEFT - RIGHT) / count

    def x(self, index: int) -> float:
        return LEFT + self.step * (index + 0.5)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - self.low) / span)


def _stepped(frame: _Frame, points: Sequence[PointResult], attr: str) -> list[str]:
    """Path data per unbroken stretch of a limit or centre line, a flat step per point."""
    paths: list[str] = []
    current: list[str] = []
    for index, point in enumerate(points):
        value: float | None = getattr(point, attr)
        if value is None:
            if current:
                paths.append(" ".join(current))
            current = []
            continue
        left, right, y = (
            frame.x(index) - frame.step / 2,
            frame.x(index) + frame.step / 2,
            frame.y(value),
        )
        current.append(f"{'M' if not current else 'L'}{_n(left)},{_n(y)} H{_n(right)}")
    if current:
        paths.append(" ".join(current))
    return paths


def _polyline(frame: _Frame, points: Sequence[PointResult]) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    for index, point in enumerate(points):
        if point.y is None:
            if len(current) > 1:
                lines.append(" ".join(current))
            current = []
            continue
        current.append(f"{_n(frame.x(index))},{_n(frame.y(point.y))}")
    if len(current) > 1:
        lines.append(" ".join(current))
    return lines


def _axes(frame: _Frame, result: ChartResult, y_label: str) -> list[str]:
    out = ['<g class="axes" font-size="11" fill="#333">']
    ticks = round((frame.high - frame.low) / frame.tick)
    for i in range(ticks + 1):
        value = frame.low + frame.tick * i
        y = _n(frame.y(value))
        out.append(
            f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" '
            'stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{_e(fmt(value))}</text>"
        )
    base = HEIGHT - BOTTOM
    for index, point in enumerate(result.points):
        x = _n(frame.x(index))
        out.append(
            f'<text class="xlabel" x="{x}" y="{base + 14}" text-anchor="end" '
            f'transform="rotate(-40 {x} {base + 14})">{_e(point.x)}</text>'
        )
    mid = _n((TOP + base) / 2)
    out.append(
        f'<text class="ylabel" x="14" y="{mid}" text-anchor="middle" '
        f'transform="rotate(-90 14 {mid})">{_e(y_label)}</text>'
    )
    out.append(
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#666"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#666"/></g>'
    )
    return out


def _phases(frame: _Frame, result: ChartResult) -> list[str]:
    parts = sorted({p.part for p in result.points})
    if len(parts) < 2:
        return []
    out = ['<g class="phases" font-size="11" fill="#333">']
    for part in parts:
        first = next(i for i, p in enumerate(result.points) if p.part == part)
        edge = _n(frame.x(first) - frame.step / 2)
        if part != parts[0]:
            out.append(
                f'<line class="phase" x1="{edge}" y1="{TOP - 8}" x2="{edge}" '
                f'y2="{HEIGHT - BOTTOM}" stroke="#666" stroke-dasharray="2 3"/>'
            )
        out.append(
            f'<text class="phase-label" x="{_n(float(edge) + 4)}" y="{TOP - 12}">'
            f"Phase {part}</text>"
        )
    out.append("</g>")
    return out


def _marker(frame: _Frame, index: int, point: PointResult) -> str:
    assert point.y is not None  # noqa: S101 - callers skip missing points
    x, y = frame.x(index), frame.y(point.y)
    label = _e(f"{point.x}: {fmt(point.y)}{' (signal)' if _signal(point) else ''}")
    if _signal(point):
        r = 6.5
        return (
            f'<path class="point signal" d="M{_n(x)},{_n(y - r)} L{_n(x + r)},{_n(y)} '
            f'L{_n(x)},{_n(y + r)} L{_n(x - r)},{_n(y)} Z" fill="#c0392b" stroke="#000">'
            f"<title>{label}</title></path>"
        )
    fill = "#fff" if not point.included else "#1f4e79"
    return (
        f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{fill}" '
        f'stroke="#1f4e79"><title>{label}</title></circle>'
    )


def _description(result: ChartResult, *, limits: bool) -> str:
    present = [p for p in result.points if p.y is not None]
    signals = [p.x for p in present if _signal(p)]
    missing = [p.x for p in result.points if p.y is None]
    sentences = [f"{result.chart.value} chart of {len(result.points)} periods."]
    if not limits:
        sentences.append(
            f"Too few points ({len(present)}) to compute control limits; "
            f"at least {MIN_POINTS_FOR_LIMITS} are needed."
        )
    for runs in result.runs:
        cl = next((p.cl for p in result.points if p.part == runs.part and p.cl is not None), None)
        sentences.append(
            f"Phase {runs.part}: centre line {fmt(cl)}"
            + ("; the run rules signal a shift." if runs.runs_signal else ".")
        )
    sentences.append(
        f"Points outside the limits: {', '.join(signals)}."
        if signals and limits
        else "No point outside the limits."
        if limits
        else ""
    )
    if missing:
        sentences.append(f"No data for {', '.join(missing)}.")
    return " ".join(s for s in sentences if s)


def control_chart_svg(
    chart_result: ChartResult,
    *,
    title: str,
    y_label: str,
    annotations: Sequence[Annotation] = (),
) -> str:
    """The chart as a standalone <svg> element."""
    present = [p for p in chart_result.points if p.y is not None]
    limits = len(present) >= MIN_POINTS_FOR_LIMITS
    frame = _Frame(chart_result, limits=limits)
    points = chart_result.points
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="control-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        'aria-labelledby="chart-title chart-desc" font-family="sans-serif" '
        'style="max-width:100%;height:auto">',
        f'<title id="chart-title">{_e(title)}</title>',
        f'<desc id="chart-desc">{_e(_description(chart_result, limits=limits))}</desc>',
        '<rect class="background" width="100%" height="100%" fill="#fff"/>',
        *_legend(),
        *_axes(frame, chart_result, y_label),
        *_phases(frame, chart_result),
    ]
    if limits:
        for attr, css in (("ucl", "ucl"), ("lcl", "lcl")):
            out.extend(
                f'<path class="limit {css}" d="{d}" fill="none" stroke="#c0392b" '
                'stroke-width="1.2" stroke-dasharray="6 3"/>'
                for d in _stepped(frame, points, attr)
            )
    else:
        out.append(
            f'<text class="note" x="{WIDTH - RIGHT}" y="{TOP - 12}" text-anchor="end" '
            f'font-size="11" fill="#333">Too few points for control limits</text>'
        )
    for runs in chart_result.runs:
        part_points = [p if p.part == runs.part else _blank(p) for p in points]
        dash = ' stroke-dasharray="8 4"' if runs.runs_signal else ""
        css = "cl runs-signal" if runs.runs_signal else "cl"
        out.extend(
            f'<path class="{css}" d="{d}" fill="none" stroke="#2e7d32" stroke-width="1.5"{dash}/>'
            for d in _stepped(frame, part_points, "cl")
        )
    out.extend(
        f'<polyline class="series" points="{line}" fill="none" stroke="#1f4e79" '
        'stroke-width="1.5"/>'
        for line in _polyline(frame, points)
    )
    out.append('<g class="markers">')
    out.extend(_marker(frame, i, p) for i, p in enumerate(points) if p.y is not None)
    out.extend(
        f'<text class="missing" x="{_n(frame.x(i))}" y="{HEIGHT - BOTTOM - 4}" '
        f'text-anchor="middle" font-size="10" fill="#777">no data</text>'
        for i, p in enumerate(points)
        if p.y is None
    )
    out.append("</g>")
    out.extend(_annotations(frame, points, annotations))
    out.append("</svg>")
    return "".join(out)


def _blank(point: PointResult) -> PointResult:
    return replace(point, cl=None)


def _annotations(
    frame: _Frame, points: Sequence[PointResult], annotations: Sequence[Annotation]
) -> list[str]:
    index_of = {p.x: i for i, p in enumerate(points)}
    out: list[str] = []
    for note in annotations:
        index = index_of.get(note.x)
        if index is None:
            continue
        x = _n(frame.x(index))
        out.append(
            f'<g class="annotation"><line x1="{x}" y1="{TOP}" x2="{x}" y2="{HEIGHT - BOTTOM}" '
            f'stroke="#8e44ad" stroke-dasharray="1 3"/><text x="{x}" y="{TOP + 10}" '
            f'font-size="10" fill="#5b2c6f" text-anchor="start" dx="3">{_e(note.text)}</text></g>'
        )
    return out


# --- funnel plots -----------------------------------------------------------------------------

FUNNEL_STEPS = 60  # samples along each limit curve


def _funnel_marker(x: float, y: float, point: UnitPoint) -> str:
    label = _e(f"{point.label}: {fmt(point.rate)} ({point.verdict.value})")
    if point.verdict in (Verdict.ABOVE_998, Verdict.BELOW_998):
        r = 6.5
        return (
            f'<path class="unit outside998" d="M{_n(x)},{_n(y - r)} L{_n(x + r)},{_n(y)} '
            f'L{_n(x)},{_n(y + r)} L{_n(x - r)},{_n(y)} Z" fill="#c0392b" stroke="#000">'
            f"<title>{label}</title></path>"
        )
    if point.outside:
        return (
            f'<rect class="unit outside95" x="{_n(x - 4.5)}" y="{_n(y - 4.5)}" width="9" '
            f'height="9" fill="#e67e22" stroke="#000"><title>{label}</title></rect>'
        )
    return (
        f'<circle class="unit" cx="{_n(x)}" cy="{_n(y)}" r="4" fill="#1f4e79" stroke="#1f4e79">'
        f"<title>{label}</title></circle>"
    )


def _funnel_description(plot: Funnel, x_label: str) -> str:
    judged, few = plot.judged, plot.too_few
    sentences = [
        f"Funnel plot of {len(judged)} units: rate against {x_label}, with 95 % and 99.8 % "
        f"limits around the overall rate {fmt(plot.rate)}."
    ]
    outside = [f"{p.label} ({p.verdict.value})" for p in judged if p.outside]
    sentences.append(
        f"Outside the limits: {', '.join(outside)}." if outside else "No unit outside the limits."
    )
    if few:
        sentences.append(f"Too few to judge: {', '.join(p.label for p in few)}.")
    return " ".join(sentences)


def funnel_plot_svg(
    plot: Funnel,
    *,
    title: str,
    x_label: str,
    y_label: str,
    empty_note: str = "No unit has enough exposure to judge",
    chart_id: str = "funnel",
) -> str:
    """Units as points (x = exposure, y = rate) with the curved 95 % and 99.8 % limits around
    the overall rate; units outside 95 % as squares, outside 99.8 % as diamonds. Units too
    small to judge are not drawn (the page lists them). `chart_id` keeps the title and
    description ids unique when a page shows several plots."""
    judged = plot.judged
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="funnel-plot" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="sans-serif" '
        'style="max-width:100%;height:auto">',
        f'<title id="{chart_id}-title">{_e(title)}</title>',
        f'<desc id="{chart_id}-desc">{_e(_funnel_description(plot, x_label))}</desc>',
        '<rect class="background" width="100%" height="100%" fill="#fff"/>',
    ]
    if plot.rate is None or not judged:
        head.append(
            f'<text class="note" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
            f'font-size="13" fill="#333">{_e(empty_note)}</text></svg>'
        )
        return "".join(head)
    rate, per = plot.rate, plot.per
    x_max = max(p.exposure for p in judged) * 1.08
    x_min = min(p.exposure for p in judged)
    low_n = max(x_max * 0.05, 1.0)
    samples = [low_n + (x_max - low_n) * i / FUNNEL_STEPS for i in range(FUNNEL_STEPS + 1)]
    curves = {
        (z, side): [
            (n, _side(funnel_limits(rate=rate / per, exposure=n, z=z), side) * per) for n in samples
        ]
        for z in (Z95, Z998)
        for side in ("lower", "upper")
    }
    widest = funnel_limits(rate=rate / per, exposure=x_min, z=Z998).upper * per
    top = max([p.rate for p in judged] + [widest])
    tick = _nice_step((top or 1.0) / 4)
    y_high = math.ceil(top * 1.05 / tick) * tick
    x_tick = _nice_step(x_max / 5)
    base, width = HEIGHT - BOTTOM, WIDTH - LEFT - RIGHT

    def sx(n: float) -> float:
        return LEFT + width * n / x_max

    def sy(v: float) -> float:
        return base - (base - TOP) * min(v, y_high) / y_high

    out = [*head, '<g class="axes" font-size="11" fill="#333">']
    for i in range(round(y_high / tick) + 1):
        y = _n(sy(tick * i))
        out.append(
            f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" '
            f'stroke="#e5e5e5"/><text x="{LEFT - 6}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle">{_e(fmt(tick * i))}</text>'
        )
    for i in range(math.floor(x_max / x_tick) + 1):
        x = _n(sx(x_tick * i))
        out.append(
            f'<text class="xlabel" x="{x}" y="{base + 16}" text-anchor="middle">'
            f"{_e(fmt(x_tick * i))}</text>"
        )
    mid = _n((TOP + base) / 2)
    out.append(
        f'<text class="ylabel" x="14" y="{mid}" text-anchor="middle" '
        f'transform="rotate(-90 14 {mid})">{_e(y_label)}</text>'
        f'<text class="xtitle" x="{_n(LEFT + width / 2)}" y="{base + 36}" '
        f'text-anchor="middle">{_e(x_label)}</text>'
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#666"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#666"/></g>'
    )
    out.append(
        f'<line class="overall" x1="{LEFT}" y1="{_n(sy(rate))}" x2="{WIDTH - RIGHT}" '
        f'y2="{_n(sy(rate))}" stroke="#2e7d32" stroke-width="1.5"/>'
    )
    for (z, side), curve in curves.items():
        css, dash = ("limit95", "4 3") if z == Z95 else ("limit998", "8 3")
        line = " ".join(f"{_n(sx(n))},{_n(sy(v))}" for n, v in curve if v <= y_high)
        out.append(
            f'<polyline class="{css} {side}" points="{line}" fill="none" stroke="#c0392b" '
            f'stroke-width="{1 if z == Z95 else 1.5}" stroke-dasharray="{dash}"/>'
        )
    out.append('<g class="markers">')
    out.extend(_funnel_marker(sx(p.exposure), sy(p.rate), p) for p in judged)
    out.append("</g>")
    out.extend(_funnel_legend())
    out.append("</svg>")
    return "".join(out)


def _side(limits: Limits, side: str) -> float:
    return limits.lower if side == "lower" else limits.upper


def _funnel_legend() -> list[str]:
    return [
        f'<g class="legend" font-size="11" fill="#333" transform="translate({LEFT} {TOP - 26})">',
        '<line x1="0" y1="0" x2="22" y2="0" stroke="#2e7d32" stroke-width="1.5"/>',
        '<text x="27" y="4">Overall rate</text>',
        '<line x1="105" y1="0" x2="127" y2="0" stroke="#c0392b" stroke-dasharray="4 3"/>',
        '<text x="132" y="4">95 %</text>',
        '<line x1="170" y1="0" x2="192" y2="0" stroke="#c0392b" stroke-width="1.5" '
        'stroke-dasharray="8 3"/><text x="197" y="4">99.8 %</text>',
        '<rect x="250" y="-4.5" width="9" height="9" fill="#e67e22" stroke="#000"/>',
        '<text x="264" y="4">Outside 95 %</text>',
        '<path d="M350,-6.5 L356.5,0 L350,6.5 L343.5,0 Z" fill="#c0392b" stroke="#000"/>',
        '<text x="361" y="4">Outside 99.8 %</text></g>',
    ]
