"""The pure recovery arithmetic: limits, periods, the R11 guard, budget levels and amounts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from careloop.recovery.rules import (
    Limit,
    budget_level,
    budget_share,
    checked_money,
    highest_limit,
    limit_covers,
    r11_problems,
    r11_remaining,
    window_start,
)

D = Decimal


def test_the_highest_limit_is_taken_field_by_field() -> None:
    limit = highest_limit(
        [
            Limit(per_case=D("100"), per_client=D("150"), period="rolling_365"),
            Limit(per_case=D("20"), per_client=D("300"), period="calendar_year"),
        ]
    )

    assert limit == Limit(per_case=D("100"), per_client=D("300"), period="calendar_year")


def test_no_limit_rows_means_no_authority() -> None:
    assert highest_limit([]) is None
    assert not limit_covers(None, value=D("1"), on_case=D("0"), for_client=D("0"))


@pytest.mark.parametrize(
    ("value", "on_case", "for_client", "covered"),
    [
        (D("20"), D("0"), D("0"), True),
        (D("10"), D("10"), D("20"), True),  # exactly at both limits
        (D("10.01"), D("10"), D("0"), False),  # the case limit
        (D("10"), D("0"), D("20.01"), False),  # the client limit
    ],
)
def test_a_limit_covers_what_stays_within_it(
    value: Decimal, on_case: Decimal, for_client: Decimal, covered: bool
) -> None:
    limit = Limit(per_case=D("20"), per_client=D("30"), period="calendar_year")

    assert limit_covers(limit, value=value, on_case=on_case, for_client=for_client) is covered


def test_the_calendar_year_starts_at_local_midnight_on_1_january() -> None:
    # 1 January 2026 03:00 UTC is still 31 December 2025 in Chicago.
    now = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)

    start = window_start(period="calendar_year", now=now, tz_name="America/Chicago")

    assert start.astimezone(UTC) == datetime(2025, 1, 1, 6, 0, tzinfo=UTC)


def test_the_rolling_year_is_365_days_back() -> None:
    now = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)

    assert window_start(period="rolling_365", now=now, tz_name="UTC") == datetime(
        2025, 3, 3, 15, 0, tzinfo=UTC
    )


def test_an_unknown_period_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unknown period"):
        window_start(period="monthly", now=datetime(2026, 1, 1, tzinfo=UTC), tz_name="UTC")


def test_r11_allows_a_nominal_gift() -> None:
    assert (
        r11_problems(
            cash=False,
            unit_value=D("15.00"),
            value=D("15.00"),
            currency="USD",
            year_given=D("60.00"),
        )
        == []
    )


def test_r11_lists_every_problem() -> None:
    problems = r11_problems(
        cash=True, unit_value=D("15.01"), value=D("15.01"), currency="USD", year_given=D("60.00")
    )

    assert problems == [
        "it is cash or a cash equivalent",
        "USD 15.01 per item is above the USD 15.00 limit",
        "it brings this client's year to USD 75.01, above the USD 75.00 limit",
    ]


def test_r11_cannot_check_another_currency() -> None:
    problems = r11_problems(
        cash=False, unit_value=D("5"), value=D("5"), currency="EUR", year_given=D("0")
    )

    assert problems == ["its value is in EUR, so the US$15/US$75 limits cannot be checked"]


def test_r11_remaining_never_goes_below_zero() -> None:
    assert r11_remaining(D("80")) == D("0.00")
    assert r11_remaining(D("60")) == D("15.00")


@pytest.mark.parametrize(
    ("spent", "level"),
    [
        ("79.99", ""),
        ("80", "warning"),
        ("99.99", "warning"),
        ("100", "reached"),
        ("100.01", "over"),
    ],
)
def test_budget_levels_warn_at_80_and_100_percent(spent: str, level: str) -> None:
    assert budget_level(spent=D(spent), budget=D("100")) == level


def test_budget_share_is_a_percentage_to_one_decimal() -> None:
    assert budget_share(spent=D("85"), budget=D("120")) == D("70.8")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "must be more than zero"),
        ("0", "must be more than zero"),
        ("10.001", "more than two decimals"),
        ("NaN", "not an amount of money"),
        ("Infinity", "not an amount of money"),
        ("ten", "not an amount of money"),
        ("1000.01", "above the ceiling of 1000"),
    ],
)
def test_bad_amounts_are_refused(value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        checked_money(value, field="Value", ceiling=D("1000"), allow_zero=False)


def test_a_good_amount_is_returned_with_two_decimals() -> None:
    assert checked_money(D("12.5"), field="Value", ceiling=D("1000"), allow_zero=False) == D(
        "12.50"
    )
    assert checked_money("0", field="Value", ceiling=D("1"), allow_zero=True) == D("0.00")
