"""How long to wait before trying a message again (pure; no randomness, so tests are exact)."""

from __future__ import annotations

from datetime import timedelta

FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)


def retry_delay(attempt: int) -> timedelta:
    """The wait after the `attempt`-th failed attempt (counting from 1): 1, 2, 4, 8... minutes,
    never more than six hours."""
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    # 2**9 minutes already passes the cap; stop doubling there (no huge integers).
    delay = FIRST_DELAY * (1 << min(attempt - 1, 9))
    return min(delay, MAX_DELAY)
