"""Rate limits per token: a sliding window counted in the Django cache (local memory in
embedded mode, Redis when CARELOOP_CACHE_URL points at one). The estimate weighs the previous
fixed window by how much of it still overlaps the sliding one, so a burst at a window's edge
cannot double the limit."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMIT = (600, 60)  # calls per seconds, per token


@dataclass(frozen=True)
class RateLimit:
    count: int
    window_seconds: int


def rate_limit() -> RateLimit:
    count, window = getattr(settings, "CARELOOP_API_RATE_LIMIT", DEFAULT_LIMIT)
    return RateLimit(count=int(count), window_seconds=int(window))


def sliding_wait(*, previous: int, current: int, elapsed: float, limit: RateLimit) -> int:
    """Seconds to wait before the next call is allowed (0: allowed now). `current` counts the
    calls in this fixed window including this one, `previous` those of the window before,
    `elapsed` the seconds since this window began. Pure."""
    window = limit.window_seconds
    overlap = (window - elapsed) / window
    if previous * overlap + current <= limit.count:
        return 0
    if current > limit.count or previous == 0:
        return max(1, math.ceil(window - elapsed))
    # The previous window's weight falls linearly; wait until it leaves room.
    until = (window - elapsed) - (limit.count - current) * window / previous
    return max(1, math.ceil(until))


def rate_limit_hit(*, token_id: int, now_epoch: float) -> int:
    """Count one call of the token; return 0 if allowed, else the seconds to wait."""
    limit = rate_limit()
    window = int(now_epoch // limit.window_seconds)
    key = f"careloop:api-rate:{token_id}:{{}}"
    ttl = 2 * limit.window_seconds + 5
    cache.add(key.format(window), 0, timeout=ttl)
    try:
        current = cache.incr(key.format(window))
    except ValueError:  # evicted between add and incr
        cache.set(key.format(window), 1, timeout=ttl)
        current = 1
    previous = int(cache.get(key.format(window - 1), 0))
    elapsed = now_epoch - window * limit.window_seconds
    return sliding_wait(previous=previous, current=current, elapsed=elapsed, limit=limit)
