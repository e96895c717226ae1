"""The retry delay: pure, doubling from a minute, capped at six hours, never random."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careloop.messaging.backoff import retry_delay


def test_the_delay_doubles_from_one_minute_and_stops_at_six_hours() -> None:
    minutes = [retry_delay(attempt) / timedelta(minutes=1) for attempt in range(1, 12)]

    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]


def test_the_delay_is_the_same_every_time() -> None:
    assert {retry_delay(5) for _ in range(20)} == {timedelta(minutes=16)}


def test_a_very_late_attempt_waits_six_hours() -> None:
    assert retry_delay(10_000) == timedelta(hours=6)


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempts_count_from_one(attempt: int) -> None:
    with pytest.raises(ValueError, match="counts from 1"):
        retry_delay(attempt)
