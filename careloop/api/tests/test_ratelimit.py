"""Rate limits per token: a sliding window in the cache; past it, 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from careloop.api.ratelimit import RateLimit, sliding_wait
from careloop.api.tests.conftest import ApiClient, TokenMaker, problem_of

LIMIT = RateLimit(count=10, window_seconds=60)


def test_calls_within_the_limit_wait_for_nothing() -> None:
    assert sliding_wait(previous=0, current=10, elapsed=5, limit=LIMIT) == 0
    assert sliding_wait(previous=10, current=5, elapsed=30, limit=LIMIT) == 0


def test_the_previous_window_still_counts_for_its_overlap() -> None:
    # 10 calls in the last window, 3 now, a sixth of the way in: 10 * 5/6 + 3 > 10.
    wait = sliding_wait(previous=10, current=3, elapsed=10, limit=LIMIT)
    # Allowed once 10 * (50 - t) / 60 + 3 <= 10, i.e. after 8 seconds.
    assert wait == 8


def test_over_the_limit_in_this_window_waits_for_its_end() -> None:
    assert sliding_wait(previous=0, current=11, elapsed=45.5, limit=LIMIT) == 15


def test_a_token_past_its_limit_gets_429_with_retry_after(
    settings: Any, make_token: TokenMaker
) -> None:
    settings.CARELOOP_API_RATE_LIMIT = (3, 60)
    _token_a, secret_a = make_token()
    _token_b, secret_b = make_token(name="Other")
    client = ApiClient(secret_a)
    assert [client.get("/api/v1/cases").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/cases")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert problem_of(refused)["type"] == "/api/v1/docs#problem-rate-limited"
    assert ApiClient(secret_b).get("/api/v1/cases").status_code == 200  # per token
