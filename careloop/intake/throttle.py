"""Rate limits for the public pages, counted in the cache (local memory in embedded mode,
Redis when CARELOOP_CACHE_URL points at one). Fixed windows of a few minutes: a burst from one
address is slowed, and nobody is locked out for longer than a window."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


def _limit(name: str) -> Limit:
    count, window = settings.CARELOOP_INTAKE_LIMITS[name]
    return Limit(name=name, count=count, window_seconds=window)


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind a trusted proxy, the last hop it added."""
    if settings.CARELOOP_TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return str(hops[-1])[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def throttle_hit(*, name: str, key: str, now_epoch: float) -> int:
    """Count one hit; return 0 if allowed, else the seconds until the window ends."""
    limit = _limit(name)
    window = int(now_epoch // limit.window_seconds)
    cache_key = f"careloop:throttle:{name}:{window}:{key}"
    cache.add(cache_key, 0, timeout=limit.window_seconds + 5)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=limit.window_seconds + 5)
        hits = 1
    if hits <= limit.count:
        return 0
    return int((window + 1) * limit.window_seconds - now_epoch) + 1
