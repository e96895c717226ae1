"""Every expected file of the shared SPC reference data is reproduced, column by column.

Fixtures: careloop/insights/tests/fixtures (trimmed copies, see README.md there).
Floats must agree within 1e-6 relative; integers and booleans exactly.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from careloop.insights.spc import (
    ChartOptions,
    ChartResult,
    ChartType,
    PartSummary,
    Point,
    Subgroup,
    compute_chart,
    subgroups_from_pairs,
    summarize,
)

FIXTURES = Path(__file__).parent / "fixtures"
REL = 1e-6


def read_csv(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def number(text: str) -> float | None:
    return None if text in ("", "NA") else float(text)


def points(name: str, *, y: str, n: str | None = None, n_divisor: float = 1.0) -> list[Point]:
    result = []
    for index, row in enumerate(read_csv(name), start=1):
        denominator = None if n is None else number(row[n])
        if denominator is not None:
            denominator /= n_divisor
        result.append(Point(x=str(index), y=number(row[y]), n=denominator))
    return result


def subgroups(name: str) -> list[Subgroup]:
    rows = read_csv(name)
    return subgroups_from_pairs((row["sample"] or None, number(row["obs"])) for row in rows)


@dataclass(frozen=True)
class Case:
    chart: ChartType
    build: Callable[[], Sequence[Point] | Sequence[Subgroup]]
    options: ChartOptions


CASES: dict[str, Case] = {
    "ex_6.3_1": Case(ChartType.XBAR, lambda: subgroups("input_tbl_06.03.csv"), ChartOptions()),
    "ex_6.3_2": Case(ChartType.S, lambda: subgroups("input_tbl_06.03.csv"), ChartOptions()),
    "ex_6.4_1": Case(ChartType.XBAR, lambda: subgroups("input_tbl_06.04.csv"), ChartOptions()),
    "ex_6.4_2": Case(ChartType.S, lambda: subgroups("input_tbl_06.04.csv"), ChartOptions()),
    "NA_test": Case(
        ChartType.XBAR,
        lambda: subgroups("input_NA_test.csv"),
        ChartOptions(empty_subgroup_quirk=True),
    ),
    "ex_6.5_3": Case(
        ChartType.I, lambda: points("input_tbl_06.07.csv", y="cost"), ChartOptions(freeze=20)
    ),
    "ex_6.5_4": Case(
        ChartType.MR, lambda: points("input_tbl_06.07.csv", y="cost"), ChartOptions(freeze=20)
    ),
    "ex_7.1_5": Case(
        ChartType.P,
        lambda: points("input_tbl_07.03.csv", y="count", n="size"),
        ChartOptions(parts=(30,), exclude=frozenset({14, 22})),
    ),
    "tbl_7.4_1": Case(
        ChartType.P, lambda: points("input_tbl_07.04.csv", y="count", n="size"), ChartOptions()
    ),
    "ex_7.3_3": Case(
        ChartType.C,
        lambda: points("input_tbl_07.08.csv", y="count"),
        ChartOptions(exclude=frozenset({5, 19}), freeze=26),
    ),
    "ex_7.4_1": Case(
        ChartType.U, lambda: points("input_tbl_07.10.csv", y="count", n="size"), ChartOptions()
    ),
    "ex_7.5_1": Case(
        ChartType.U,
        lambda: points("input_tbl_07.11.csv", y="count", n="meters", n_divisor=50.0),
        ChartOptions(),
    ),
    "ex_7.6_1": Case(ChartType.T, lambda: points("input_tbl_07.14.csv", y="hours"), ChartOptions()),
}

POINT_COLUMNS = {
    "y": "y",
    "cl": "cl",
    "lcl": "lcl",
    "ucl": "ucl",
    "part": "part",
    "include": "included",
    "baseline": "baseline",
    "sigma.signal": "sigma_signal",
}
RUN_COLUMNS = {
    "n.obs": "n_obs",
    "n.useful": "n_useful",
    "longest.run": "longest_run",
    "longest.run.max": "longest_run_max",
    "n.crossings": "n_crossings",
    "n.crossings.min": "n_crossings_min",
    "runs.signal": "runs_signal",
}
FLOAT_COLUMNS = {"y", "cl", "lcl", "ucl", "aLCL", "CL", "aUCL"}


def assert_matches(column: str, expected: str, actual: object, where: str) -> None:
    if expected in ("", "NA"):
        assert actual is None, f"{where} {column}: expected missing, got {actual!r}"
    elif expected in ("True", "False"):
        assert actual is (expected == "True"), f"{where} {column}: {expected} != {actual!r}"
    elif column in FLOAT_COLUMNS:
        assert isinstance(actual, float), f"{where} {column}: got {actual!r}"
        assert math.isclose(actual, float(expected), rel_tol=REL, abs_tol=1e-15), (
            f"{where} {column}: {expected} != {actual!r}"
        )
    else:  # integers and 0/1 flags: exact
        value = float(expected)
        assert value == int(value)
        if isinstance(actual, bool):
            actual = int(actual)
        assert actual == int(value), f"{where} {column}: {expected} != {actual!r}"


@cache
def chart_result(name: str) -> ChartResult:
    case = CASES[name]
    return compute_chart(chart=case.chart, points=case.build(), options=case.options)


@pytest.mark.parametrize(
    ("name", "column"),
    [(name, column) for name in CASES for column in [*POINT_COLUMNS, *RUN_COLUMNS]],
)
def test_chart_matches_reference(name: str, column: str) -> None:
    expected_rows = read_csv(f"expected_{name}.csv")
    result = chart_result(name)
    assert len(result.points) == len(expected_rows)
    for index, (row, point) in enumerate(zip(expected_rows, result.points, strict=True), 1):
        if column in POINT_COLUMNS:
            actual: object = getattr(point, POINT_COLUMNS[column])
        else:
            actual = getattr(result.runs_for(point.part), RUN_COLUMNS[column])
        assert_matches(column, row[column], actual, f"{name} point {index}")


# --- hospital infections: u-chart summaries -------------------------------------------------


def infections(
    *, hospital: str | None = None, infection: str | None = None, since: str = ""
) -> list[dict[str, str]]:
    return [
        row
        for row in read_csv("data_hospital_infections.csv")
        if (hospital is None or row["hospital"] == hospital)
        and (infection is None or row["infection"] == infection)
        and row["month"] >= since
    ]


def summed_by(rows: list[dict[str, str]], key: str) -> list[Point]:
    sums: dict[str, list[float]] = {}
    for row in rows:
        total = sums.setdefault(row[key], [0.0, 0.0])
        total[0] += float(row["n"])
        total[1] += float(row["days"])
    return [Point(x=x, y=y, n=n) for x, (y, n) in sums.items()]


def hai_summary(name: str, facet1: str, facet2: str) -> PartSummary:
    options = ChartOptions()
    if name == "hai_1":
        chart_points = sorted(summed_by(infections(), "month"), key=lambda p: p.x)
    elif name == "hai_2":
        chart_points = sorted(summed_by(infections(infection=facet1), "month"), key=lambda p: p.x)
    elif name == "hai_3":
        rows = infections(hospital=facet1, infection=facet2)
        chart_points = sorted(summed_by(rows, "month"), key=lambda p: p.x)
    else:  # hai_4: hospitals ordered by patient-days, last six months, per 10,000 days
        rows = infections(infection=facet1, since="2016-07-01")
        chart_points = sorted(summed_by(rows, "hospital"), key=lambda p: p.n or 0.0)
        options = ChartOptions(multiply=10_000.0)
    result = compute_chart(chart=ChartType.U, points=chart_points, options=options)
    (summary,) = summarize(result)
    return summary


HAI_COLUMNS = {
    **RUN_COLUMNS,
    "aLCL": "average_lcl",
    "CL": "cl",
    "aUCL": "average_ucl",
    "sigma.signal": "sigma_signal",
}


@pytest.mark.parametrize(
    ("name", "column"),
    [(f"hai_{i}", column) for i in range(1, 5) for column in HAI_COLUMNS],
)
def test_hai_summary_matches_reference(name: str, column: str) -> None:
    expected_rows = read_csv(f"expected_{name}.csv")
    assert expected_rows
    for row in expected_rows:
        summary = hai_summary(name, row["facet1"], row["facet2"])
        source = summary.runs if column in RUN_COLUMNS else summary
        actual = getattr(source, HAI_COLUMNS[column])
        assert_matches(column, row[column], actual, f"{name} {row['facet1']}/{row['facet2']}")
