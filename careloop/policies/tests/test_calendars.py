"""Holiday calendars: observed substitutes, UK nations, facility closures and overrides."""

from __future__ import annotations

from datetime import date

import pytest

from careloop.policies.calendars import CALENDARS, holiday_check, holiday_dates


def test_every_calendar_id_has_a_label_and_builds() -> None:
    for calendar_id, label in CALENDARS.items():
        assert label
        assert isinstance(holiday_check(calendar_id=calendar_id)(date(2026, 1, 1)), bool)


def test_the_none_calendar_has_no_holidays() -> None:
    is_holiday = holiday_check(calendar_id="none")
    assert not is_holiday(date(2026, 12, 25))
    assert holiday_dates(calendar_id="none", year=2026) == frozenset()


def test_us_federal_includes_thanksgiving_and_christmas_2026() -> None:
    is_holiday = holiday_check(calendar_id="us_federal")
    assert is_holiday(date(2026, 11, 26))
    assert is_holiday(date(2026, 12, 25))
    assert not is_holiday(date(2026, 11, 27))


def test_us_independence_day_on_a_saturday_is_observed_on_friday() -> None:
    is_holiday = holiday_check(calendar_id="us_federal")
    assert date(2026, 7, 4).weekday() == 5
    assert is_holiday(date(2026, 7, 3))


def test_england_has_good_friday_and_easter_monday_2026() -> None:
    is_holiday = holiday_check(calendar_id="england_wales")
    assert is_holiday(date(2026, 4, 3))
    assert is_holiday(date(2026, 4, 6))


def test_england_substitutes_boxing_day_2026_on_monday_28_december() -> None:
    is_holiday = holiday_check(calendar_id="england_wales")
    assert date(2026, 12, 26).weekday() == 5
    assert is_holiday(date(2026, 12, 28))


def test_scotland_has_2_january_and_england_does_not() -> None:
    assert holiday_check(calendar_id="scotland")(date(2026, 1, 2))
    assert not holiday_check(calendar_id="england_wales")(date(2026, 1, 2))


def test_scotland_has_no_easter_monday() -> None:
    assert not holiday_check(calendar_id="scotland")(date(2026, 4, 6))


def test_northern_ireland_has_saint_patricks_day() -> None:
    assert holiday_check(calendar_id="northern_ireland")(date(2026, 3, 17))


def test_italy_and_spain_have_national_holidays() -> None:
    assert holiday_check(calendar_id="italy")(date(2026, 4, 25))
    assert holiday_check(calendar_id="spain")(date(2026, 10, 12))


def test_a_facility_closure_day_is_a_holiday() -> None:
    closure = date(2026, 11, 27)  # the Friday after Thanksgiving
    is_holiday = holiday_check(calendar_id="us_federal", extra_dates=frozenset({closure}))
    assert is_holiday(closure)
    assert is_holiday(date(2026, 11, 26))


def test_a_removed_date_is_a_working_day_even_on_a_public_holiday() -> None:
    columbus_day = date(2026, 10, 12)
    is_holiday = holiday_check(calendar_id="us_federal", removed_dates=frozenset({columbus_day}))
    assert not is_holiday(columbus_day)


def test_removed_dates_override_extra_dates() -> None:
    day = date(2026, 11, 27)
    is_holiday = holiday_check(
        calendar_id="none", extra_dates=frozenset({day}), removed_dates=frozenset({day})
    )
    assert not is_holiday(day)


def test_holiday_dates_are_cached_per_calendar_and_year() -> None:
    first = holiday_dates(calendar_id="england_wales", year=2031)
    assert holiday_dates(calendar_id="england_wales", year=2031) is first


def test_an_unknown_calendar_id_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="unknown holiday calendar 'narnia'"):
        holiday_check(calendar_id="narnia")
