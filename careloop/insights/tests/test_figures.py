"""Pure dashboard aggregation: durations, clock compliance, budgets, HCAT volumes, the newest
month's signal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from careloop.cases.models import HCAT_CATEGORIES
from careloop.insights.dashboard import newest_signal
from careloop.insights.figures import (
    budget_lines,
    category_volumes,
    clock_compliance,
    durations,
)
from careloop.insights.spc import ChartType, Point, compute_chart

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_durations_give_median_and_90th_percentile_in_hours() -> None:
    pairs = [(T0, T0 + timedelta(hours=h)) for h in (1, 2, 3, 4, 10)]
    result = durations([*pairs, (T0, None), (T0, T0 - timedelta(hours=1))])
    assert result.count == 5
    assert result.median_hours == pytest.approx(3.0)
    assert result.p90_hours == pytest.approx(4 + 0.6 * 6)  # between ranks 4 and 5


def test_no_durations_give_none() -> None:
    assert (durations([]).median_hours, durations([]).p90_hours, durations([]).count) == (
        None,
        None,
        0,
    )


def test_clock_compliance_is_met_over_ended_per_pack() -> None:
    rows = clock_compliance([("us.cms", True), ("us.cms", False), ("uk", True), ("us.cms", True)])
    assert [(r.pack_id, r.ended, r.met) for r in rows] == [("uk", 1, 1), ("us.cms", 3, 2)]
    assert rows[1].rate == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("spent", "level"),
    [("79.99", "ok"), ("80.00", "warn"), ("99.99", "warn"), ("100.00", "over"), ("150", "over")],
)
def test_budgets_warn_at_80_and_100_percent(spent: str, level: str) -> None:
    lines = budget_lines(
        spent={"USD": Decimal(spent)},
        budgets=[("USD", Decimal("60.00")), ("USD", Decimal("40.00"))],
    )
    assert [(b.currency, b.budget, b.level) for b in lines] == [("USD", Decimal("100.00"), level)]


def test_spend_without_a_budget_and_a_budget_without_spend_are_both_listed() -> None:
    lines = budget_lines(spent={"GBP": Decimal("5.00")}, budgets=[("USD", Decimal("10.00"))])
    assert [(b.currency, b.spent, b.budget, b.level) for b in lines] == [
        ("GBP", Decimal("5.00"), None, "no budget"),
        ("USD", Decimal("0.00"), Decimal("10.00"), "ok"),
    ]


def test_category_volumes_follow_the_hcat_order_with_zeros() -> None:
    volumes = category_volumes({"sev_safety": 2, "sev_respect": 1}, HCAT_CATEGORIES)
    assert volumes[0] == ("Quality", 0)
    assert volumes[1] == ("Safety", 2)
    assert volumes[-1] == ("Respect and patient rights", 1)
    assert len(volumes) == 7


def test_the_newest_month_signals_only_when_it_is_outside_the_limits() -> None:
    high = compute_chart(
        chart=ChartType.U,
        points=[Point(x=str(i), y=float(c), n=1000.0) for i, c in enumerate([1, 0, 1, 1, 0, 1, 9])],
    )
    assert newest_signal(high) == "above the upper limit"
    calm = compute_chart(
        chart=ChartType.U,
        points=[Point(x=str(i), y=float(c), n=1000.0) for i, c in enumerate([1, 0, 1, 1, 0, 1, 2])],
    )
    assert newest_signal(calm) is None


def test_too_few_months_or_a_missing_newest_month_raise_nothing() -> None:
    short = compute_chart(
        chart=ChartType.U,
        points=[Point(x=str(i), y=float(c), n=1000.0) for i, c in enumerate([0, 1, 9])],
    )
    assert newest_signal(short) is None
    missing = compute_chart(
        chart=ChartType.U,
        points=[
            *[Point(x=str(i), y=float(c), n=1000.0) for i, c in enumerate([1, 0, 1, 1, 0, 1])],
            Point(x="7", y=9.0, n=None),
        ],
    )
    assert newest_signal(missing) is None
