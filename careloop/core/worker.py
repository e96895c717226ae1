"""Background work: django-tasks' database worker plus the clock sweep, in threads or processes.

Embedded (`careloop run`): one process serves the web and runs a worker thread.
Production (`careloop worker --processes N`): N processes, each polling the task table (rows are
claimed under a lock, so no job runs twice) and sweeping clocks (breaches are claimed by a
conditional UPDATE, so no breach is recorded twice)."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from careloop.core.time import utcnow
from careloop.policies.services import clocks_sweep

logger = logging.getLogger("careloop.worker")


def sweep_forever(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            warned, breached = clocks_sweep(now=utcnow())
            if warned or breached:
                logger.info("clock sweep: %s warnings, %s breaches recorded", warned, breached)
        except Exception:
            logger.exception("clock sweep failed; retrying")
        finally:
            close_old_connections()
        stop.wait(interval)
    connection.close()


def task_worker(*, interval: float = 1.0) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def start_sweeper(stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=sweep_forever,
        args=(stop, float(settings.CARELOOP_SWEEP_SECONDS)),
        name="careloop-sweeper",
        daemon=True,
    )
    thread.start()
    return thread
