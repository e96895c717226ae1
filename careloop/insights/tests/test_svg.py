"""The SVG control chart: valid XML, one marker per point, signals as a distinct shape, escaped
text, deterministic output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from careloop.insights.spc import ChartOptions, ChartType, Point, compute_chart
from careloop.insights.svg import Annotation, control_chart_svg

NS = "{http://www.w3.org/2000/svg}"

# Source: /work/shared/data/spc/input_tbl_07.04.csv (count, size), all 25 samples; the
# reference output expected_tbl_7.4_1.csv (p chart) has one sigma signal, at sample 11.
TBL_07_04 = [
    (12, 100), (8, 80), (6, 80), (9, 100), (10, 110), (12, 110), (11, 100), (16, 100), (10, 90),
    (6, 90), (20, 110), (15, 120), (9, 120), (8, 120), (6, 110), (8, 80), (10, 80), (7, 80),
    (5, 90), (8, 100), (5, 100), (8, 100), (10, 100), (6, 90), (9, 90),
]  # fmt: skip


def p_chart_svg(title: str = "Defectives", annotations: Sequence[Annotation] = ()) -> str:
    points = [Point(x=str(i), y=float(c), n=float(n)) for i, (c, n) in enumerate(TBL_07_04, 1)]
    result = compute_chart(chart=ChartType.P, points=points)
    return control_chart_svg(result, title=title, y_label="Proportion", annotations=annotations)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  # our own output, not untrusted input


def markers(root: ET.Element) -> list[ET.Element]:
    group = root.find(f"{NS}g[@class='markers']")
    assert group is not None
    return [e for e in group if e.get("class", "").startswith("point")]


def test_it_draws_valid_svg_with_one_marker_per_point() -> None:
    root = parse(p_chart_svg())
    assert root.tag == f"{NS}svg"
    assert len(markers(root)) == len(TBL_07_04)
    assert root.find(f"{NS}title") is not None
    assert root.find(f"{NS}desc") is not None


def test_it_marks_the_reference_signal_with_a_diamond_not_a_circle() -> None:
    root = parse(p_chart_svg())
    signals = [e for e in markers(root) if "signal" in e.get("class", "").split()]
    assert [e.tag for e in signals] == [f"{NS}path"]
    title = signals[0].find(f"{NS}title")
    assert title is not None
    assert title.text is not None
    assert title.text.startswith("11:")
    desc = root.find(f"{NS}desc")
    assert desc is not None
    assert desc.text is not None
    assert "Points outside the limits: 11." in desc.text


def test_it_draws_variable_limits_as_steps() -> None:
    root = parse(p_chart_svg())
    ucl = [e for e in root.iter(f"{NS}path") if "ucl" in e.get("class", "").split()]
    assert len(ucl) == 1
    assert ucl[0].get("d", "").count("H") == len(TBL_07_04)
    assert len({seg.split(",")[1].split(" ")[0] for seg in ucl[0].get("d", "").split("L")}) > 1


def test_it_escapes_a_hostile_title_annotation_and_label() -> None:
    hostile = '</title><script>alert("x")</script>&'
    svg = p_chart_svg(title=hostile, annotations=[Annotation(x="3", text="<b>new rota</b>")])
    root = parse(svg)
    assert "<script>" not in svg
    assert "<b>" not in svg
    title = root.find(f"{NS}title")
    assert title is not None
    assert title.text == hostile
    notes = [e for e in root.iter(f"{NS}g") if e.get("class") == "annotation"]
    assert len(notes) == 1


def test_it_is_deterministic() -> None:
    assert p_chart_svg() == p_chart_svg()


def test_it_labels_phases() -> None:
    points = [Point(x=str(i), y=float(c), n=float(n)) for i, (c, n) in enumerate(TBL_07_04, 1)]
    result = compute_chart(chart=ChartType.P, points=points, options=ChartOptions(parts=(12,)))
    root = parse(control_chart_svg(result, title="t", y_label="y"))
    labels = [e.text for e in root.iter(f"{NS}text") if e.get("class") == "phase-label"]
    assert labels == ["Phase 1", "Phase 2"]


def test_it_says_when_there_are_too_few_points_for_limits() -> None:
    points = [Point(x=m, y=2.0, n=1000.0) for m in ("2026-01", "2026-02", "2026-03")]
    result = compute_chart(chart=ChartType.U, points=points, options=ChartOptions(multiply=1000))
    root = parse(control_chart_svg(result, title="t", y_label="y"))
    assert not [e for e in root.iter(f"{NS}path") if "limit" in e.get("class", "")]
    desc = root.find(f"{NS}desc")
    assert desc is not None
    assert desc.text is not None
    assert "Too few points" in desc.text


def test_it_shows_missing_points_as_no_data() -> None:
    points = [Point(x=f"2026-{m:02}", y=2.0, n=None if m == 4 else 900.0) for m in range(1, 9)]
    result = compute_chart(chart=ChartType.U, points=points, options=ChartOptions(multiply=1000))
    root = parse(control_chart_svg(result, title="t", y_label="y"))
    assert len(markers(root)) == 7
    missing = [e for e in root.iter(f"{NS}text") if e.get("class") == "missing"]
    assert len(missing) == 1
    assert len(list(root.iter(f"{NS}polyline"))) == 2
