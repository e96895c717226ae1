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
