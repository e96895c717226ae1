"""A trend as a small server-rendered SVG line chart (pure): one point per period with its 95 %
interval as a whisker and its n under the axis; suppressed periods leave a gap. The chart has a
title and a description for screen readers, and the page shows the same figures as a table."""

from __future__ import annotations

from html import escape

from careloop.surveys.trends import ItemTrend

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 52


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _describe(trend: ItemTrend) -> str:
    parts = []
    for point in trend.points:
        if point.value is None:
            parts.append(f"{point.label}: not shown (n={point.n})")
        else:
            parts.append(
                f"{point.label}: {_n(point.value)} "
                f"(95 % interval {_n(point.low or 0)} to {_n(point.high or 0)}, n={point.n})"
            )
    return f"{trend.measure} by period. " + "; ".join(parts) + "."


def trend_svg(trend: ItemTrend, *, chart_id: str) -> str:
    """The SVG markup of one trend; `chart_id` makes its title and description ids unique."""
    lowest, highest = trend.lowest, 100.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(trend.points), 1)

    def x(index: int) -> float:
        return LEFT + plot_w * (index + 0.5) / count

    def y(value: float) -> float:
        return TOP + plot_h * (highest - value) / (highest - lowest)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="trend" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(trend.measure)}: {escape(trend.text)}</title>',
        f'<desc id="{chart_id}-d">{escape(_describe(trend))}</desc>',
    ]
    step = 50.0 if lowest < 0 else 25.0
    tick = lowest
    while tick <= highest:
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y(tick))}" y2="{_n(y(tick))}" '
            'stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{_n(y(tick) + 4)}" text-anchor="end" font-size="11">'
            f"{_n(tick)}</text>"
        )
        tick += step
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, point in enumerate(trend.points):
        cx = _n(x(index))
        out.append(
            f'<text x="{cx}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11">'
            f"{escape(point.label)}</text>"
            f'<text x="{cx}" y="{HEIGHT - BOTTOM + 32}" text-anchor="middle" font-size="10">'
            f"n={point.n}</text>"
        )
        if point.value is None or point.low is None or point.high is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{cx},{_n(y(point.value))}")
        out.append(
            f'<line x1="{cx}" x2="{cx}" y1="{_n(y(point.high))}" y2="{_n(y(point.low))}" '
            'stroke="#555"/>'
            f'<circle cx="{cx}" cy="{_n(y(point.value))}" r="3.5" fill="#1f4e8c"/>'
        )
    if segment:
        segments.append(segment)
    out.extend(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="#1f4e8c" stroke-width="2"/>'
        for points in segments
        if len(points) > 1
    )
    out.append("</svg>")
    return "".join(out)
