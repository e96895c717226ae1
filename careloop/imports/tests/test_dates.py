"""Reading dates: accepted formats, ambiguity, local time and daylight-time gaps (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from careloop.imports.dates import DateProblem, moment_read

CHICAGO = ZoneInfo("America/Chicago")
BOTH = ("iso", "dmy", "mdy")


def test_it_reads_iso_dates_and_times_in_the_facility_zone() -> None:
    moment = moment_read("2025-04-03 14:30", formats=("iso",), tz=CHICAGO)
    assert moment is not None
    assert moment.at == datetime(2025, 4, 3, 19, 30, tzinfo=UTC)
    assert not moment.date_only


def test_it_keeps_an_explicit_offset() -> None:
    moment = moment_read("2025-09-01 14:05:00.5+00:00", formats=("iso",), tz=CHICAGO)
    assert moment is not None
    assert moment.at == datetime(2025, 9, 1, 14, 5, 0, 500000, tzinfo=UTC)
    zulu = moment_read("2025-09-01T14:05:00Z", formats=("iso",), tz=CHICAGO)
    assert zulu is not None
    assert zulu.at == datetime(2025, 9, 1, 14, 5, tzinfo=UTC)


def test_a_date_alone_is_the_start_of_the_local_day() -> None:
    moment = moment_read("2025-04-03", formats=("iso",), tz=CHICAGO)
    assert moment is not None
    assert moment.date_only
    assert moment.at == datetime(2025, 4, 3, 5, 0, tzinfo=UTC)


def test_day_first_and_month_first_read_as_the_mapping_says() -> None:
    dmy = moment_read("03/04/2025", formats=("dmy",), tz=CHICAGO)
    mdy = moment_read("03/04/2025 2:30 PM", formats=("mdy",), tz=CHICAGO)
    assert dmy is not None
    assert dmy.at.astimezone(CHICAGO).date() == date(2025, 4, 3)
    assert mdy is not None
    assert mdy.at.astimezone(CHICAGO) == datetime(2025, 3, 4, 14, 30, tzinfo=CHICAGO)


def test_an_ambiguous_date_is_refused_when_both_orders_are_accepted() -> None:
    with pytest.raises(DateProblem, match="ambiguous"):
        moment_read("03/04/2025", formats=BOTH, tz=CHICAGO)


def test_a_date_only_one_order_can_read_is_accepted_with_both() -> None:
    moment = moment_read("13/04/2025", formats=BOTH, tz=CHICAGO)
    assert moment is not None
    assert moment.at.astimezone(CHICAGO).date() == date(2025, 4, 13)
    same = moment_read("04/04/2025", formats=BOTH, tz=CHICAGO)
    assert same is not None
    assert same.at.astimezone(CHICAGO).date() == date(2025, 4, 4)


@pytest.mark.parametrize(
    ("text", "formats", "problem"),
    [
        ("2025-02-30", ("iso",), "not a valid date"),
        ("31/04/2025", ("dmy",), "not a valid date"),
        ("03/04/2025", ("iso",), "does not accept"),
        ("2025-04-03", ("dmy",), "does not accept"),
        ("yesterday", BOTH, "not a date"),
        ("2025-04-03 25:00", ("iso",), "not a valid date"),
        ("13/04/2025 13:00 PM", ("dmy",), "1 to 12"),
    ],
)
def test_it_names_what_is_wrong_with_a_bad_date(
    text: str, formats: tuple[str, ...], problem: str
) -> None:
    with pytest.raises(DateProblem, match=problem):
        moment_read(text, formats=formats, tz=CHICAGO)


def test_a_local_time_skipped_by_daylight_time_is_refused() -> None:
    with pytest.raises(DateProblem, match="does not exist"):
        moment_read("2025-03-09 02:30", formats=("iso",), tz=CHICAGO)


def test_spreadsheet_dates_are_local_and_numbers_are_not_dates() -> None:
    naive = datetime(2025, 7, 1, 8, 0)  # noqa: DTZ001  # spreadsheet cells carry no zone
    moment = moment_read(naive, formats=("iso",), tz=CHICAGO)
    assert moment is not None
    assert moment.at == datetime(2025, 7, 1, 13, 0, tzinfo=UTC)
    day = moment_read(date(2025, 7, 1), formats=("iso",), tz=CHICAGO)
    assert day is not None
    assert day.date_only
    with pytest.raises(DateProblem, match="number"):
        moment_read(45000, formats=("iso",), tz=CHICAGO)
    assert moment_read("  ", formats=("iso",), tz=CHICAGO) is None
