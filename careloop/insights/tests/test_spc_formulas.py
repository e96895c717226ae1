"""Each SPC formula on tiny hand-computed series, plus the Anhøj limit table (DOMAIN.md App. A)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from careloop.insights.spc import (
    ChartOptions,
    ChartType,
    Point,
    Subgroup,
    compute_chart,
    subgroups_from_pairs,
    summarize,
)
from careloop.insights.spc_limits import a3, b3, b4, c4
from careloop.insights.spc_runs import (
    binomial_quantile,
    crossings_minimum,
    longest_run_limit,
    run_statistics,
    western_electric,
)


def pts(ys: Sequence[float | None], ns: Sequence[float] | None = None) -> list[Point]:
    return [Point(x=str(i + 1), y=y, n=None if ns is None else ns[i]) for i, y in enumerate(ys)]


# --- Anhøj limits -----------------------------------------------------------------------------

# DOMAIN.md Appendix A: useful n -> (longest run >, crossings <)
ANHOJ_TABLE = {
    10: (6, 2),
    12: (7, 3),
    14: (7, 4),
    16: (7, 4),
    18: (7, 5),
    20: (7, 6),
    22: (7, 7),
    24: (8, 8),
    26: (8, 8),
    28: (8, 9),
    30: (8, 10),
    40: (8, 14),
    50: (9, 19),
    100: (10, 41),
}


@pytest.mark.parametrize(("n", "limits"), sorted(ANHOJ_TABLE.items()))
def test_anhoj_table(n: int, limits: tuple[int, int]) -> None:
    assert (longest_run_limit(n), crossings_minimum(n)) == limits


def test_binomial_quantile_by_hand() -> None:
    # Bin(9, 1/2): P(X<=1) = 10/512 < 0.05 <= P(X<=2) = 56/512
    assert binomial_quantile(probability=0.05, trials=9) == 2
    # Bin(3, 1/2): P(X=0) = 1/8 >= 0.05
    assert binomial_quantile(probability=0.05, trials=3) == 0
    assert binomial_quantile(probability=0.05, trials=0) == 0
    assert binomial_quantile(probability=0.5, trials=2) == 1  # P(X<=1) = 3/4
    assert binomial_quantile(probability=1.0, trials=5) == 5
    # p = 1/4: P(X=0) for 10 trials = 0.0563 >= 0.05
    assert binomial_quantile(probability=0.05, trials=10, p_numerator=1, p_denominator=4) == 0
    # big n stays exact (no float overflow of 2**n)
    assert binomial_quantile(probability=0.05, trials=2000) == 963


def test_binomial_quantile_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        binomial_quantile(probability=1.5, trials=3)
    with pytest.raises(ValueError):
        binomial_quantile(probability=0.05, trials=-1)
    with pytest.raises(ValueError):
        longest_run_limit(0)


def test_run_limit_for_24_points() -> None:
    assert longest_run_limit(24) == 8  # DOMAIN.md S8 example


def test_run_statistics_ignores_points_on_centre_and_missing() -> None:
    stats = run_statistics(
        part=1, values=[1.0, 5.0, 3.0, None, 2.0, 6.0], centre=[3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    )
    assert stats.n_obs == 6
    assert stats.n_useful == 4  # 3.0 lies on the centre, None is missing
    assert stats.longest_run == 1
    assert stats.n_crossings == 3
    assert stats.longest_run_max == 5  # round(log2 4) + 3
    assert stats.n_crossings_min == 0
    assert stats.runs_signal is False


def test_run_statistics_without_useful_points() -> None:
    stats = run_statistics(part=2, values=[2.0, None], centre=[2.0, 2.0])
    assert stats.n_useful == 0
    assert stats.longest_run is None
    assert stats.runs_signal is False


def test_run_chart_shift_signals() -> None:
    result = compute_chart(chart=ChartType.RUN, points=pts([float(v) for v in range(1, 13)]))
    assert result.points[0].cl == 6.5
    assert result.points[0].lcl is None
    assert result.points[0].ucl is None
    runs = result.runs_for(1)
    assert (runs.n_useful, runs.longest_run, runs.n_crossings) == (12, 6, 1)
    assert (runs.longest_run_max, runs.n_crossings_min) == (7, 3)
    assert runs.runs_signal is True  # 1 crossing < 3


def test_run_chart_long_run_signal_and_parts() -> None:
    ys = [float(v) for v in [*range(1, 9), *range(20, 28)]] + [5.0, 5.0, 5.0]
    result = compute_chart(chart=ChartType.RUN, points=pts(ys), options=ChartOptions(parts=(16,)))
    first, second = result.runs
    assert result.points[0].cl == 14.0  # median of part 1: (8 + 20) / 2
    assert result.points[16].cl == 5.0
    assert result.points[16].part == 2
    # part 1: 8 below, then 8 above; 16 useful, run limit round(log2 16) + 3 = 7
    assert (first.n_useful, first.longest_run, first.longest_run_max) == (16, 8, 7)
    assert (first.n_crossings, first.n_crossings_min) == (1, 4)
    assert first.runs_signal is True
    assert second.n_useful == 0
    assert second.runs_signal is False


def test_run_chart_freeze_uses_baseline_median() -> None:
    result = compute_chart(
        chart=ChartType.RUN, points=pts([1.0, 2.0, 3.0, 10.0, 20.0]), options=ChartOptions(freeze=3)
    )
    assert {p.cl for p in result.points} == {2.0}
    assert [p.baseline for p in result.points] == [True, True, True, False, False]


# --- constants --------------------------------------------------------------------------------


def test_c4_and_derived_constants() -> None:
    assert c4(2) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-12)
    assert c4(5) == pytest.approx(0.9399856, rel=1e-6)
    assert a3(5) == pytest.approx(1.427, abs=5e-4)
    assert a3(10) == pytest.approx(0.975, abs=5e-4)
    assert b3(5) == 0.0
    assert b3(6) == pytest.approx(0.030, abs=5e-4)
    assert b4(5) == pytest.approx(2.089, abs=5e-4)
    assert b4(25) == pytest.approx(1.435, abs=5e-4)
    with pytest.raises(ValueError):
        c4(1)


# --- control charts on hand-computed series ----------------------------------------------------


def test_i_chart() -> None:
    result = compute_chart(chart=ChartType.I, points=pts([1.0, 3.0, 2.0, 4.0]))
    mr_bar = 5.0 / 3.0
    point = result.points[0]
    assert point.cl == pytest.approx(2.5)
    assert point.ucl == pytest.approx(2.5 + 3 * mr_bar / 1.128)
    assert point.lcl == pytest.approx(2.5 - 3 * mr_bar / 1.128)


def test_i_chart_screens_large_moving_ranges() -> None:
    ys = [10.0, 12.0, 10.0, 12.0, 40.0]  # MRs 2, 2, 2, 28; MR-bar 8.5; 28 > 3.267 * 8.5
    screened = compute_chart(chart=ChartType.I, points=pts(ys))
    raw = compute_chart(
        chart=ChartType.I, points=pts(ys), options=ChartOptions(screen_moving_ranges=False)
    )
    assert screened.points[0].ucl == pytest.approx(16.8 + 3 * 2.0 / 1.128)
    assert raw.points[0].ucl == pytest.approx(16.8 + 3 * 8.5 / 1.128)
    assert screened.points[4].sigma_signal is True


def test_i_chart_negative_lcl_can_be_truncated() -> None:
    ys = [1.0, 5.0, 1.0, 5.0]
    assert compute_chart(chart=ChartType.I, points=pts(ys)).points[0].lcl is not None
    truncated = compute_chart(
        chart=ChartType.I, points=pts(ys), options=ChartOptions(allow_negative_lcl=False)
    )
    assert truncated.points[0].lcl == 0.0


def test_mr_chart() -> None:
    result = compute_chart(chart=ChartType.MR, points=pts([1.0, 3.0, 2.0, 4.0]))
    assert [p.y for p in result.points] == [None, 2.0, 1.0, 2.0]
    assert result.points[0].cl == pytest.approx(5.0 / 3.0)
    assert result.points[0].ucl == pytest.approx(3.267 * 5.0 / 3.0)
    assert result.points[0].lcl == 0.0
    assert result.runs_for(1).n_useful == 3


def test_p_chart_variable_limits_and_clipping() -> None:
    result = compute_chart(chart=ChartType.P, points=pts([1.0, 2.0, 3.0], [10.0, 10.0, 20.0]))
    p_bar = 6.0 / 40.0
    first, _, third = result.points
    assert first.y == pytest.approx(0.1)
    assert first.cl == pytest.approx(p_bar)
    assert first.ucl == pytest.approx(p_bar + 3 * math.sqrt(p_bar * (1 - p_bar) / 10))
    assert first.lcl == 0.0  # p-bar - 3 sigma < 0
    assert third.ucl == pytest.approx(p_bar + 3 * math.sqrt(p_bar * (1 - p_bar) / 20))
    tiny = compute_chart(chart=ChartType.P, points=pts([1.0, 1.0], [2.0, 2.0]))
    assert tiny.points[0].ucl == 1.0  # 0.5 + 3 * 0.354 > 1


def test_p_chart_missing_value() -> None:
    result = compute_chart(chart=ChartType.P, points=pts([1.0, None, 3.0], [10.0, 10.0, 10.0]))
    assert result.points[0].cl == pytest.approx(0.2)  # 4 / 20: the missing point is left out
    assert result.points[1].y is None
    assert result.points[1].sigma_signal is False
    assert result.runs_for(1).n_obs == 3
    assert result.runs_for(1).n_useful == 2


def test_u_chart_with_multiplier() -> None:
    result = compute_chart(
        chart=ChartType.U,
        points=pts([2.0, 4.0], [1000.0, 1000.0]),
        options=ChartOptions(multiply=1000.0),
    )
    point = result.points[0]
    assert point.y == pytest.approx(2.0)
    assert point.cl == pytest.approx(3.0)
    assert point.ucl == pytest.approx(3.0 + 3 * math.sqrt(0.003 / 1000) * 1000)
    assert point.lcl == 0.0


def test_c_chart_with_exclusion() -> None:
    result = compute_chart(
        chart=ChartType.C,
        points=pts([4.0, 9.0, 5.0, 100.0]),
        options=ChartOptions(exclude=frozenset({3})),
    )
    point = result.points[0]
    assert point.cl == pytest.approx(6.0)
    assert point.ucl == pytest.approx(6.0 + 3 * math.sqrt(6.0))
    assert point.lcl == 0.0
    excluded = result.points[3]
    assert excluded.included is False
    assert excluded.sigma_signal is True  # excluded points still get a sigma signal
    assert result.runs_for(1).n_obs == 3


def test_freeze_extends_baseline_limits() -> None:
    result = compute_chart(
        chart=ChartType.I,
        points=pts([1.0, 3.0, 1.0, 3.0, 10.0, 10.0]),
        options=ChartOptions(freeze=4),
    )
    assert {p.cl for p in result.points} == {2.0}
    assert result.points[4].ucl == pytest.approx(2.0 + 3 * 2.0 / 1.128)
    assert result.points[4].sigma_signal is True
    assert result.points[4].baseline is False


def test_parts_get_their_own_limits() -> None:
    result = compute_chart(
        chart=ChartType.C, points=pts([4.0, 4.0, 9.0, 9.0]), options=ChartOptions(parts=(2,))
    )
    assert [p.part for p in result.points] == [1, 1, 2, 2]
    assert [p.cl for p in result.points] == [4.0, 4.0, 9.0, 9.0]
    assert len(result.runs) == 2


def test_xbar_and_s_equal_sizes() -> None:
    groups = [Subgroup(x="a", values=(1.0, 2.0, 3.0)), Subgroup(x="b", values=(2.0, 3.0, 4.0))]
    xbar = compute_chart(chart=ChartType.XBAR, points=groups)
    assert [p.y for p in xbar.points] == [2.0, 3.0]
    assert xbar.points[0].cl == pytest.approx(2.5)
    assert xbar.points[0].ucl == pytest.approx(2.5 + a3(3) * 1.0)
    s = compute_chart(chart=ChartType.S, points=groups)
    assert [p.y for p in s.points] == [1.0, 1.0]
    assert s.points[0].cl == pytest.approx(1.0)
    assert s.points[0].ucl == pytest.approx(b4(3))
    assert s.points[0].lcl == 0.0


def test_xbar_unequal_sizes_pool_the_variance() -> None:
    groups = subgroups_from_pairs(
        [("a", 1.0), ("a", 2.0), ("a", 3.0), ("b", 1.0), ("b", 3.0), (None, 99.0), ("c", 5.0)]
    )
    assert [g.x for g in groups] == ["a", "b", "c"]  # the unlabelled value is dropped
    xbar = compute_chart(chart=ChartType.XBAR, points=groups)
    pooled = math.sqrt((2 * 1.0 + 1 * 2.0) / 3)
    grand_mean = (6.0 + 4.0 + 5.0) / 6
    assert xbar.points[0].cl == pytest.approx(grand_mean)
    assert xbar.points[1].ucl == pytest.approx(grand_mean + a3(2) * pooled)
    assert xbar.points[2].ucl is None  # a single value has no limits
    s = compute_chart(chart=ChartType.S, points=groups)
    assert s.points[0].cl == pytest.approx(pooled)
    assert s.points[2].y is None


def test_empty_subgroup_quirk() -> None:
    groups = [
        Subgroup(x="a", values=(1.0, 2.0, 3.0)),
        Subgroup(x="b", values=(1.0, 3.0)),
        Subgroup(x="c", values=(None, None)),
    ]
    plain = compute_chart(chart=ChartType.S, points=groups)
    quirk = compute_chart(
        chart=ChartType.S, points=groups, options=ChartOptions(empty_subgroup_quirk=True)
    )
    assert plain.points[0].cl == pytest.approx(math.sqrt(4.0 / 3.0))
    assert quirk.points[0].cl == pytest.approx(math.sqrt(4.0 / 2.0))
    assert plain.points[2].y is None
    assert plain.points[2].cl is not None


def test_laney_p_prime() -> None:
    ys, ns = [10.0, 20.0, 30.0], [100.0, 100.0, 100.0]
    sigma = math.sqrt(0.2 * 0.8 / 100)  # 0.04; z = -2.5, 0, 2.5
    mr = compute_chart(chart=ChartType.PP, points=pts(ys, ns))
    assert mr.points[0].cl == pytest.approx(0.2)
    assert mr.points[0].ucl == pytest.approx(0.2 + 3 * sigma * 2.5 / 1.128)
    sd = compute_chart(
        chart=ChartType.PP, points=pts(ys, ns), options=ChartOptions(laney_sigma_z="sd")
    )
    assert sd.points[0].ucl == pytest.approx(0.2 + 3 * sigma * 2.5)
    assert sd.points[0].lcl == 0.0


def test_laney_u_prime() -> None:
    ys, ns = [5.0, 10.0, 15.0], [1000.0, 1000.0, 1000.0]
    u_bar = 0.01
    sigma = math.sqrt(u_bar / 1000)
    z = 0.005 / sigma
    result = compute_chart(
        chart=ChartType.UP, points=pts(ys, ns), options=ChartOptions(multiply=1000.0)
    )
    assert result.points[0].cl == pytest.approx(10.0)
    assert result.points[0].ucl == pytest.approx((u_bar + 3 * sigma * z / 1.128) * 1000)


def test_t_chart_transforms_and_back_transforms() -> None:
    e = 3.6
    result = compute_chart(chart=ChartType.T, points=pts([2.0**e, 3.0**e, 4.0**e]))
    half = 3 * 1.0 / 1.128
    point = result.points[0]
    assert point.y == pytest.approx(2.0**e)
    assert point.cl == pytest.approx(3.0**e)
    assert point.ucl == pytest.approx((3.0 + half) ** e)
    assert point.lcl == pytest.approx((3.0 - half) ** e)
    wide = compute_chart(chart=ChartType.T, points=pts([1.0, 1000.0, 1.0]))
    assert wide.points[0].lcl == 0.0  # negative transformed LCL
    with pytest.raises(ValueError):
        compute_chart(chart=ChartType.T, points=pts([1.0, -1.0]))


def test_summary_averages_limits() -> None:
    result = compute_chart(chart=ChartType.P, points=pts([1.0, 2.0, 3.0], [10.0, 10.0, 20.0]))
    (summary,) = summarize(result)
    assert summary.cl == pytest.approx(0.15)
    assert summary.average_ucl == pytest.approx(sum(p.ucl or 0.0 for p in result.points) / 3)
    assert summary.sigma_signal is False
    assert summary.runs.part == 1


def test_bad_input_is_rejected() -> None:
    with pytest.raises(TypeError):
        compute_chart(chart=ChartType.P, points=[Subgroup(x="a", values=(1.0,))])
    with pytest.raises(TypeError):
        compute_chart(chart=ChartType.XBAR, points=pts([1.0]))
    with pytest.raises(ValueError):
        compute_chart(chart=ChartType.C, points=pts([1.0, 2.0]), options=ChartOptions(parts=(2,)))
    with pytest.raises(ValueError):
        compute_chart(
            chart=ChartType.C, points=pts([1.0]), options=ChartOptions(exclude=frozenset({1}))
        )
    with pytest.raises(ValueError):
        compute_chart(chart=ChartType.C, points=pts([1.0]), options=ChartOptions(freeze=2))
    with pytest.raises(ValueError):
        compute_chart(chart=ChartType.I, points=pts([math.inf]))


# --- Western Electric sensitizing rules ---------------------------------------------------------


def we(values: Sequence[float | None]) -> list[tuple[int, ...]]:
    size = len(values)
    return western_electric(values=values, centre=[0.0] * size, upper=[3.0] * size)


def test_we_rule_1() -> None:
    assert we([0.5, 3.5, -3.2]) == [(), (1,), (1,)]


def test_we_rule_2() -> None:
    assert we([2.5, 0.0, 2.5]) == [(), (), (2,)]
    assert we([0.0, -2.5, -2.5]) == [(), (), (2,)]
    assert we([2.5, 0.0, -2.5]) == [(), (), ()]  # opposite sides


def test_we_rule_3() -> None:
    assert we([1.5, 1.5, 0.0, 1.5, 1.5]) == [(), (), (), (), (3,)]
    assert we([1.5, 1.5, 0.0, 0.0, 1.5]) == [(), (), (), (), ()]


def test_we_rule_4() -> None:
    flags = we([0.5] * 9)
    assert flags[6] == ()
    assert flags[7] == (4,)
    assert flags[8] == (4,)
    assert we([-0.5] * 7 + [0.5]) == [()] * 8


def test_we_skips_missing_points() -> None:
    assert we([0.0, 2.5, None, 2.5]) == [(), (), (), (2,)]


def test_sensitizing_rules_are_off_by_default() -> None:
    ys = [10.0, 12.0, 10.0, 12.0, 10.0, 12.0, 10.0, 12.0, 10.0, 30.0]
    default = compute_chart(chart=ChartType.I, points=pts(ys))
    assert all(p.rules == () for p in default.points)
    flagged = compute_chart(
        chart=ChartType.I, points=pts(ys), options=ChartOptions(western_electric=True)
    )
    assert flagged.points[9].sigma_signal is True
    assert 1 in flagged.points[9].rules
