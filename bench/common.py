"""Shared set-up for benchmark scripts: a PostgreSQL database of their own."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/careloop_bench"
)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CARELOOP_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CARELOOP_DEBUG", "false")  # as in production: cached templates
    import django

    django.setup()


def ensure_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    admin = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return (
        f"n={len(ordered)} p50={q[49]:.1f} ms p95={q[94]:.1f} ms p99={q[98]:.1f} ms "
        f"max={ordered[-1]:.1f} ms"
    )
