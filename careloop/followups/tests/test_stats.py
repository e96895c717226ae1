"""The percentile behind the resolution-time median and 90th percentile (pure)."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from careloop.followups.stats import percentile


def test_the_50th_percentile_is_the_median() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5


def test_it_interpolates_between_closest_ranks() -> None:
    # Sorted 10, 24, 48, 72, 100: the 90th is at rank 3.6, between 72 and 100.
    assert percentile([48.0, 10.0, 100.0, 24.0, 72.0], 90) == pytest.approx(88.8)


def test_the_ends_are_the_minimum_and_maximum() -> None:
    values = [5.0, -1.0, 7.5, 2.0]
    assert percentile(values, 0) == -1.0
    assert percentile(values, 100) == 7.5


def test_one_value_is_every_percentile() -> None:
    assert {percentile([42.0], q) for q in (0, 10, 50, 90, 100)} == {42.0}


def test_it_does_not_change_its_input() -> None:
    values = [3.0, 1.0, 2.0]
    percentile(values, 90)
    assert values == [3.0, 1.0, 2.0]


def test_it_agrees_with_the_standard_librarys_inclusive_quantiles() -> None:
    rng = random.Random(20260304)  # noqa: S311  # test data, not security
    for size in (2, 3, 7, 10, 101):
        values = [rng.uniform(0, 500) for _ in range(size)]
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        for k, expected in enumerate(deciles, start=1):
            assert math.isclose(percentile(values, k * 10), expected, rel_tol=1e-12)


@pytest.mark.parametrize("q", [-1, 100.5, math.nan])
def test_a_percentile_outside_0_to_100_is_refused(q: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0, 2.0], q)


def test_no_values_have_no_percentile() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
