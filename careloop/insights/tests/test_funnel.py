"""Funnel limits (normal approximation to the Poisson) against hand-computed values, verdicts,
minimum-n suppression, and the SVG funnel plot."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from careloop.insights.funnel import Z95, Z998, UnitInput, Verdict, funnel, funnel_limits
from careloop.insights.svg import funnel_plot_svg

NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("rate", "exposure", "z", "lower", "upper"),
    [
        # 0.004 +/- 1.959964 * sqrt(0.004 / 1000) = 0.004 +/- 1.959964 * 0.002
        (0.004, 1000, Z95, 0.004 - 0.003919928, 0.004 + 0.003919928),
        # 3.090232 * 0.002 = 0.006180465 > 0.004: the lower limit is cut to zero
        (0.004, 1000, Z998, 0.0, 0.004 + 0.006180465),
        # sqrt(0.004 / 10000) = 0.000632456; * 1.959964 = 0.001239591
        (0.004, 10000, Z95, 0.004 - 0.001239591, 0.004 + 0.001239591),
        (0.0, 500, Z95, 0.0, 0.0),
    ],
)
def test_the_limits_match_hand_computed_values(
    rate: float, exposure: int, z: float, lower: float, upper: float
) -> None:
    limits = funnel_limits(rate=rate, exposure=exposure, z=z)
    assert limits.lower == pytest.approx(lower, abs=1e-9)
    assert limits.upper == pytest.approx(upper, abs=1e-9)


def test_the_limits_refuse_no_exposure_and_negative_rates() -> None:
    with pytest.raises(ValueError, match="exposure"):
        funnel_limits(rate=0.1, exposure=0, z=Z95)
    with pytest.raises(ValueError, match="rate"):
        funnel_limits(rate=-0.1, exposure=10, z=Z95)


def test_each_unit_is_judged_against_the_pooled_rate() -> None:
    # 40 complaints over 10,000 days: 4 per 1,000. A: 16 expected, 7.5 per 1,000 is above the
    # 99.8 % upper limit 4 + 3.09 * 1 = 7.09; B: 2.5 is within 95 % (2.04 to 5.96); C: none
    # in 2,000 days (8 expected) is below the 95 % lower limit 4 - 2.77 = 1.23.
    plot = funnel(
        [
            UnitInput(label="A", events=30, exposure=4000),
            UnitInput(label="B", events=10, exposure=4000),
            UnitInput(label="C", events=0, exposure=2000),
        ]
    )
    assert plot.rate == pytest.approx(4.0)
    verdicts = {p.label: p.verdict for p in plot.points}
    assert verdicts == {"A": Verdict.ABOVE_998, "B": Verdict.WITHIN, "C": Verdict.BELOW_95}
    a = plot.points[0]
    assert a.expected == pytest.approx(16.0)
    assert a.rate == pytest.approx(7.5)
    assert a.upper998 == pytest.approx(4 + Z998 * 1.0)
    assert a.lower95 == pytest.approx(4 - Z95 * 1.0)
    assert [p.label for p in plot.judged if p.outside] == ["A", "C"]


def test_units_with_too_few_expected_events_are_not_judged() -> None:
    plot = funnel(
        [
            UnitInput(label="Big", events=40, exposure=10000),
            UnitInput(label="Small", events=3, exposure=500),  # 2.1 expected
            UnitInput(label="None recorded", events=2, exposure=0),
        ]
    )
    small = next(p for p in plot.points if p.label == "Small")
    assert small.verdict == Verdict.TOO_FEW
    assert (small.lower95, small.upper998) == (None, None)
    assert [p.label for p in plot.points] == ["Big", "Small"]
    assert [p.label for p in plot.too_few] == ["Small"]


def test_no_exposure_gives_no_rate() -> None:
    plot = funnel([UnitInput(label="A", events=3, exposure=0)])
    assert (plot.rate, plot.points) == (None, [])


def test_the_svg_draws_limits_marks_outliers_with_shapes_and_describes_itself() -> None:
    plot = funnel(
        [
            UnitInput(label="A", events=30, exposure=4000),
            UnitInput(label="B", events=10, exposure=4000),
            UnitInput(label="C", events=0, exposure=2000),
            UnitInput(label="D <small>", events=1, exposure=300),
        ]
    )
    svg = funnel_plot_svg(plot, title="Rates & units", x_label="Patient days", y_label="Rate")
    root = ET.fromstring(svg)  # noqa: S314  # our own output
    assert root.find(f"{NS}title").text == "Rates & units"  # type: ignore[union-attr]
    desc = root.find(f"{NS}desc").text or ""  # type: ignore[union-attr]
    assert "A (above 99.8 %)" in desc
    assert "Too few to judge: D <small>." in desc
    polylines = [p.get("class", "") for p in root.iter(f"{NS}polyline")]
    assert sorted(polylines) == [
        "limit95 lower",
        "limit95 upper",
        "limit998 lower",
        "limit998 upper",
    ]
    markers = root.find(f"{NS}g[@class='markers']")
    assert markers is not None
    classes = [m.get("class", "") for m in markers]
    assert sorted(classes) == ["unit", "unit outside95", "unit outside998"]
    assert svg == funnel_plot_svg(
        plot, title="Rates & units", x_label="Patient days", y_label="Rate"
    )


def test_the_svg_says_so_when_no_unit_can_be_judged() -> None:
    plot = funnel([UnitInput(label="A", events=1, exposure=100)])
    svg = funnel_plot_svg(plot, title="t", x_label="x", y_label="y")
    assert "No unit has enough exposure to judge" in svg
    staff = funnel_plot_svg(
        plot, title="t", x_label="x", y_label="y", empty_note="No one <here>", chart_id="f2"
    )
    assert "No one &lt;here&gt;" in staff
    assert 'aria-labelledby="f2-title f2-desc"' in staff
    ET.fromstring(svg)  # noqa: S314  # our own output
