"""Deadline maths: worked regulatory cases, DST, holidays, near-midnight local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from careloop.policies.calendars import holiday_check
from careloop.policies.clocks import (
    ClockState,
    ClockUnit,
    HolidayCheck,
    add_months,
    clock_state,
    deadline,
    is_working_day,
    resume_due_at,
    warning_at,
    working_days_between,
)

CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
US_FEDERAL = holiday_check(calendar_id="us_federal")
ENGLAND = holiday_check(calendar_id="england_wales")
NO_HOLIDAYS = holiday_check(calendar_id="none")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def due(
    start_at: datetime,
    duration: int,
    unit: ClockUnit,
    *,
    tz: ZoneInfo = CHICAGO,
    is_holiday: HolidayCheck = NO_HOLIDAYS,
) -> datetime:
    return deadline(start_at=start_at, duration=duration, unit=unit, tz=tz, is_holiday=is_holiday)


# --- hours: absolute wall clock, 24/7 ------------------------------------------------------------


def test_a_3am_saturday_abuse_allegation_is_due_5am_saturday() -> None:
    known_at = datetime(2026, 11, 21, 3, 0, tzinfo=CHICAGO)
    assert due(known_at, 2, ClockUnit.HOURS) == utc(2026, 11, 21, 11, 0)
    assert due(known_at, 2, ClockUnit.HOURS).astimezone(CHICAGO).hour == 5


def test_a_3am_saturday_allegation_with_24_hours_is_due_3am_sunday() -> None:
    known_at = datetime(2026, 11, 21, 3, 0, tzinfo=CHICAGO)
    assert due(known_at, 24, ClockUnit.HOURS) == utc(2026, 11, 22, 9, 0)


def test_24_hours_across_chicago_spring_forward_is_24_real_hours() -> None:
    start_at = datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO)  # CST, 18:00 UTC
    due_at = due(start_at, 24, ClockUnit.HOURS)
    assert due_at == utc(2026, 3, 8, 18, 0)
    assert due_at - start_at == timedelta(hours=24)
    assert due_at.astimezone(CHICAGO).hour == 13  # CDT: the wall clock moved an hour


def test_24_hours_across_chicago_fall_back_is_24_real_hours() -> None:
    start_at = datetime(2026, 10, 31, 12, 0, tzinfo=CHICAGO)  # CDT, 17:00 UTC
    due_at = due(start_at, 24, ClockUnit.HOURS)
    assert due_at == utc(2026, 11, 1, 17, 0)
    assert due_at.astimezone(CHICAGO).hour == 11


def test_24_hours_across_london_spring_forward_is_24_real_hours() -> None:
    start_at = datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)  # GMT
    assert due(start_at, 24, ClockUnit.HOURS, tz=LONDON) == utc(2026, 3, 29, 12, 0)


def test_zero_hours_is_the_start_itself_in_utc() -> None:
    start_at = datetime(2026, 11, 20, 17, 55, tzinfo=CHICAGO)
    due_at = due(start_at, 0, ClockUnit.HOURS)
    assert due_at == utc(2026, 11, 20, 23, 55)
    assert due_at.tzinfo is UTC


# --- calendar days: end of the local day ---------------------------------------------------------


def test_calendar_days_end_at_local_midnight() -> None:
    start_at = datetime(2026, 11, 20, 17, 55, tzinfo=CHICAGO)
    assert due(start_at, 7, ClockUnit.CALENDAR_DAYS) == utc(2026, 11, 28, 6, 0)


def test_calendar_days_ending_on_chicago_spring_forward_day() -> None:
    start_at = datetime(2026, 3, 6, 10, 0, tzinfo=CHICAGO)
    # End of Sunday 8 March = Monday 00:00 CDT (UTC-5).
    assert due(start_at, 2, ClockUnit.CALENDAR_DAYS) == utc(2026, 3, 9, 5, 0)
    # End of Saturday 7 March = Sunday 00:00 CST (UTC-6), before the change.
    assert due(start_at, 1, ClockUnit.CALENDAR_DAYS) == utc(2026, 3, 8, 6, 0)


def test_calendar_days_ending_on_chicago_fall_back_day() -> None:
    start_at = datetime(2026, 10, 30, 9, 0, tzinfo=CHICAGO)
    # End of Sunday 1 November = Monday 00:00 CST (UTC-6); that day lasted 25 hours.
    assert due(start_at, 2, ClockUnit.CALENDAR_DAYS) == utc(2026, 11, 2, 6, 0)
    assert due(start_at, 1, ClockUnit.CALENDAR_DAYS) == utc(2026, 11, 1, 5, 0)


def test_calendar_days_ending_on_london_spring_forward_day() -> None:
    start_at = datetime(2026, 3, 27, 9, 0, tzinfo=LONDON)
    # End of Sunday 29 March = Monday 00:00 BST = 23:00 UTC on the 29th.
    assert due(start_at, 2, ClockUnit.CALENDAR_DAYS, tz=LONDON) == utc(2026, 3, 29, 23, 0)


def test_calendar_days_ending_on_london_fall_back_day() -> None:
    start_at = datetime(2026, 10, 23, 9, 0, tzinfo=LONDON)
    assert due(start_at, 2, ClockUnit.CALENDAR_DAYS, tz=LONDON) == utc(2026, 10, 26, 0, 0)
    assert due(start_at, 1, ClockUnit.CALENDAR_DAYS, tz=LONDON) == utc(2026, 10, 24, 23, 0)


def test_zero_calendar_days_is_the_end_of_the_start_day() -> None:
    start_at = datetime(2026, 11, 20, 23, 30, tzinfo=CHICAGO)
    assert due(start_at, 0, ClockUnit.CALENDAR_DAYS) == utc(2026, 11, 21, 6, 0)


def test_near_midnight_in_chicago_counts_from_the_local_date_not_the_utc_date() -> None:
    start_at = datetime(2026, 11, 20, 23, 30, tzinfo=CHICAGO)
    assert start_at.astimezone(UTC) == utc(2026, 11, 21, 5, 30)
    # One day after local Friday 20th is Saturday 21st (not Sunday 22nd).
    assert due(start_at.astimezone(UTC), 1, ClockUnit.CALENDAR_DAYS) == utc(2026, 11, 22, 6, 0)


def test_near_midnight_thursday_in_chicago_counts_working_days_from_thursday() -> None:
    start_at = datetime(2026, 11, 19, 23, 30, tzinfo=CHICAGO)  # Friday 05:30 UTC
    due_at = due(start_at.astimezone(UTC), 1, ClockUnit.WORKING_DAYS, is_holiday=US_FEDERAL)
    assert due_at == utc(2026, 11, 21, 6, 0)  # end of Friday 20th, not of Monday 23rd


# --- working days --------------------------------------------------------------------------------


def test_friday_evening_start_with_one_working_day_is_due_end_of_monday() -> None:
    start_at = datetime(2026, 11, 20, 17, 55, tzinfo=CHICAGO)
    due_at = due(start_at, 1, ClockUnit.WORKING_DAYS, is_holiday=US_FEDERAL)
    assert due_at == utc(2026, 11, 24, 6, 0)


def test_friday_evening_start_skips_a_monday_bank_holiday() -> None:
    start_at = datetime(2026, 5, 22, 17, 55, tzinfo=LONDON)  # Monday 25 May is a bank holiday
    due_at = due(start_at, 1, ClockUnit.WORKING_DAYS, tz=LONDON, is_holiday=ENGLAND)
    assert due_at == utc(2026, 5, 26, 23, 0)  # end of Tuesday 26 May (BST)


def test_nhs_acknowledgement_is_3_working_days_after_the_day_of_receipt() -> None:
    received_at = datetime(2026, 11, 20, 17, 55, tzinfo=LONDON)  # Friday
    due_at = due(received_at, 3, ClockUnit.WORKING_DAYS, tz=LONDON, is_holiday=ENGLAND)
    assert due_at == utc(2026, 11, 26, 0, 0)  # end of Wednesday 25 November (GMT)


def test_nhs_acknowledgement_skips_good_friday_and_easter_monday() -> None:
    received_at = datetime(2026, 4, 2, 10, 0, tzinfo=LONDON)  # Thursday before Good Friday
    due_at = due(received_at, 3, ClockUnit.WORKING_DAYS, tz=LONDON, is_holiday=ENGLAND)
    assert due_at == utc(2026, 4, 9, 23, 0)  # end of Thursday 9 April (BST)


def test_nhs_acknowledgement_skips_christmas_and_the_boxing_day_substitute() -> None:
    received_at = datetime(2026, 12, 24, 12, 0, tzinfo=LONDON)
    one = due(received_at, 1, ClockUnit.WORKING_DAYS, tz=LONDON, is_holiday=ENGLAND)
    three = due(received_at, 3, ClockUnit.WORKING_DAYS, tz=LONDON, is_holiday=ENGLAND)
    assert one == utc(2026, 12, 30, 0, 0)  # Monday 28 December is the substitute day
    assert three == utc(2027, 1, 1, 0, 0)


def test_five_working_days_skip_thanksgiving() -> None:
    start_at = datetime(2026, 11, 20, 17, 55, tzinfo=CHICAGO)
    due_at = due(start_at, 5, ClockUnit.WORKING_DAYS, is_holiday=US_FEDERAL)
    assert due_at == utc(2026, 12, 1, 6, 0)  # end of Monday 30 November


def test_five_working_days_skip_christmas() -> None:
    start_at = datetime(2026, 12, 21, 9, 0, tzinfo=CHICAGO)
    due_at = due(start_at, 5, ClockUnit.WORKING_DAYS, is_holiday=US_FEDERAL)
    assert due_at == utc(2026, 12, 30, 6, 0)  # end of Tuesday 29 December


def test_zero_working_days_is_the_end_of_the_start_day() -> None:
    start_at = datetime(2026, 11, 21, 3, 0, tzinfo=CHICAGO)  # a Saturday
    due_at = due(start_at, 0, ClockUnit.WORKING_DAYS, is_holiday=US_FEDERAL)
    assert due_at == utc(2026, 11, 22, 6, 0)


def test_a_calendar_where_every_day_is_a_holiday_is_rejected() -> None:
    start_at = datetime(2026, 11, 20, 9, 0, tzinfo=CHICAGO)
    with pytest.raises(ValueError, match="no working day"):
        due(start_at, 1, ClockUnit.WORKING_DAYS, is_holiday=lambda _on: True)


@pytest.mark.parametrize(
    ("tz", "is_holiday"),
    [(CHICAGO, US_FEDERAL), (LONDON, ENGLAND)],
    ids=["us_federal", "england_wales"],
)
def test_working_day_deadlines_land_on_working_days_and_count_back_exactly(
    tz: ZoneInfo, is_holiday: HolidayCheck
) -> None:
    first = datetime(2026, 1, 1, 17, 55, tzinfo=tz)
    for offset in range(0, 731, 3):
        start_at = first + timedelta(days=offset)
        start_on = start_at.date()
        for duration in range(1, 11):
            due_at = due(start_at, duration, ClockUnit.WORKING_DAYS, tz=tz, is_holiday=is_holiday)
            due_local = due_at.astimezone(tz) - timedelta(microseconds=1)
            due_on = due_local.date()
            assert is_working_day(on=due_on, is_holiday=is_holiday), (start_on, duration)
            counted = working_days_between(start_on=start_on, end_on=due_on, is_holiday=is_holiday)
            assert counted == duration, (start_on, duration)


# --- months ------------------------------------------------------------------------------------


def test_nhs_response_is_due_at_the_end_of_the_same_day_six_months_later() -> None:
    received_at = datetime(2026, 11, 20, 17, 55, tzinfo=LONDON)
    assert due(received_at, 6, ClockUnit.MONTHS, tz=LONDON) == utc(2027, 5, 20, 23, 0)


def test_six_months_from_31_august_clamps_to_the_end_of_february() -> None:
    received_at = datetime(2026, 8, 31, 14, 0, tzinfo=LONDON)
    assert due(received_at, 6, ClockUnit.MONTHS, tz=LONDON) == utc(2027, 3, 1, 0, 0)
    leap = datetime(2027, 8, 31, 14, 0, tzinfo=LONDON)
    assert due(leap, 6, ClockUnit.MONTHS, tz=LONDON) == utc(2028, 3, 1, 0, 0)


def test_add_months_crosses_year_ends() -> None:
    assert add_months(start_on=date(2026, 11, 30), count=3) == date(2027, 2, 28)
    assert add_months(start_on=date(2026, 1, 15), count=24) == date(2028, 1, 15)
    assert add_months(start_on=date(2026, 5, 31), count=0) == date(2026, 5, 31)


def test_zero_months_is_the_end_of_the_start_day() -> None:
    start_at = datetime(2026, 11, 20, 17, 55, tzinfo=CHICAGO)
    assert due(start_at, 0, ClockUnit.MONTHS) == utc(2026, 11, 21, 6, 0)


# --- input validation ----------------------------------------------------------------------------


def test_deadline_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="start_at must be an aware datetime"):
        due(datetime(2026, 11, 20, 9, 0), 1, ClockUnit.HOURS)  # noqa: DTZ001


def test_deadline_rejects_negative_durations() -> None:
    with pytest.raises(ValueError, match="duration must be >= 0"):
        due(utc(2026, 11, 20, 9, 0), -1, ClockUnit.CALENDAR_DAYS)


def test_deadline_accepts_the_unit_as_its_string_value() -> None:
    start_at = utc(2026, 11, 20, 9, 0)
    assert due(start_at, 2, ClockUnit("hours")) == utc(2026, 11, 20, 11, 0)
    with pytest.raises(ValueError, match="hourz"):
        due(start_at, 2, "hourz")  # type: ignore[arg-type]  # deliberately wrong


# --- warning, state, pause -----------------------------------------------------------------------


def test_warning_at_is_a_fraction_of_real_elapsed_time() -> None:
    start_at = datetime(2026, 11, 21, 3, 0, tzinfo=CHICAGO)
    due_at = utc(2026, 11, 21, 11, 0)
    assert warning_at(start_at=start_at, due_at=due_at, fraction=0.5) == utc(2026, 11, 21, 10, 0)


def test_warning_at_measures_real_hours_across_a_dst_change() -> None:
    start_at = datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO)
    due_at = datetime(2026, 3, 8, 13, 0, tzinfo=CHICAGO)  # 24 real hours later
    warn_at = warning_at(start_at=start_at, due_at=due_at, fraction=0.75)
    assert warn_at == utc(2026, 3, 8, 12, 0)
    assert warn_at.tzinfo is UTC


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_warning_at_rejects_fractions_outside_zero_to_one(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        warning_at(start_at=utc(2026, 1, 1), due_at=utc(2026, 1, 2), fraction=fraction)


def test_warning_at_rejects_a_due_before_the_start() -> None:
    with pytest.raises(ValueError, match="before start_at"):
        warning_at(start_at=utc(2026, 1, 2), due_at=utc(2026, 1, 1), fraction=0.5)


DUE = utc(2026, 11, 21, 11, 0)
WARN = utc(2026, 11, 21, 10, 0)


@pytest.mark.parametrize(
    ("now", "met_at", "paused_at", "expected"),
    [
        (utc(2026, 11, 21, 9, 0), None, None, ClockState.RUNNING),
        (WARN, None, None, ClockState.AT_RISK),
        (DUE, None, None, ClockState.BREACHED),
        (utc(2026, 11, 22), utc(2026, 11, 21, 12, 0), None, ClockState.MET),
        (utc(2026, 11, 22), None, utc(2026, 11, 21, 9, 30), ClockState.PAUSED),
        (utc(2026, 11, 22), utc(2026, 11, 21, 9), utc(2026, 11, 21, 8), ClockState.MET),
    ],
    ids=["running", "at_risk", "breached", "met_wins", "paused_wins", "met_beats_paused"],
)
def test_clock_state(
    now: datetime, met_at: datetime | None, paused_at: datetime | None, expected: ClockState
) -> None:
    state = clock_state(now=now, due_at=DUE, warn_at=WARN, met_at=met_at, paused_at=paused_at)
    assert state is expected


def test_clock_state_without_a_warning_stays_running_until_due() -> None:
    now = DUE - timedelta(seconds=1)
    state = clock_state(now=now, due_at=DUE, warn_at=None, met_at=None, paused_at=None)
    assert state is ClockState.RUNNING


def test_clock_state_compares_instants_not_wall_clocks() -> None:
    # 01:30 CDT precedes 01:10 CST on the fall-back night (same tzinfo, different folds).
    due_at = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=CHICAGO)
    now = datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=CHICAGO)
    state = clock_state(now=now, due_at=due_at, warn_at=None, met_at=None, paused_at=None)
    assert state is ClockState.RUNNING


def test_clock_state_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        clock_state(
            now=datetime(2026, 11, 21, 9, 0),  # noqa: DTZ001
            due_at=DUE,
            warn_at=None,
            met_at=None,
            paused_at=None,
        )


def test_resume_pushes_the_due_time_by_the_paused_span() -> None:
    paused_at = utc(2026, 11, 21, 9, 0)
    resumed_at = utc(2026, 11, 21, 9, 45)
    assert resume_due_at(due_at=DUE, paused_at=paused_at, resumed_at=resumed_at) == utc(
        2026, 11, 21, 11, 45
    )


def test_resume_counts_real_time_across_a_dst_change() -> None:
    paused_at = datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO)
    resumed_at = datetime(2026, 3, 8, 12, 0, tzinfo=CHICAGO)  # 23 real hours
    due_at = datetime(2026, 3, 9, 0, 0, tzinfo=CHICAGO)
    pushed = resume_due_at(due_at=due_at, paused_at=paused_at, resumed_at=resumed_at)
    assert pushed == utc(2026, 3, 10, 4, 0)  # 05:00 UTC + 23 h


def test_resume_rejects_a_resume_before_the_pause() -> None:
    with pytest.raises(ValueError, match="before paused_at"):
        resume_due_at(due_at=DUE, paused_at=utc(2026, 11, 21), resumed_at=utc(2026, 11, 20))


# --- working_days_between ------------------------------------------------------------------------


def test_working_days_between_excludes_the_start_and_includes_the_end() -> None:
    friday, next_friday = date(2026, 11, 20), date(2026, 11, 27)
    assert working_days_between(start_on=friday, end_on=next_friday, is_holiday=US_FEDERAL) == 4
    assert working_days_between(start_on=friday, end_on=friday, is_holiday=US_FEDERAL) == 0


def test_working_days_between_rejects_a_reversed_range() -> None:
    with pytest.raises(ValueError, match="before start_on"):
        working_days_between(
            start_on=date(2026, 11, 20), end_on=date(2026, 11, 19), is_holiday=US_FEDERAL
        )
