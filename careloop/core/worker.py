"""Background work: django-tasks' database worker plus the clock sweep, in threads or processes.

Embedded (`careloop run`): one process serves the web and runs a worker thread.
Production (`careloop worker --processes N`): N processes, each polling the task table (rows are
claimed under a lock, so no job runs twice) and sweeping clocks (breaches are claimed by a
conditional UPDATE, so no breach is recorded twice)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from careloop.core.time import utcnow
from careloop.followups.checkbacks import followups_sweep_summary
from careloop.insights.alerts import insights_sweep_summary
from careloop.mail.fetch import mail_sweep_summary
from careloop.messaging.services import messages_deliver_due
from careloop.policies.services import clocks_sweep
from careloop.safety.services import safety_pages_escalate
from careloop.surveys.distribution import surveys_sweep_summary
from careloop.text.suggestions import text_sweep_summary
from careloop.webhooks.delivery import webhooks_sweep_summary

logger = logging.getLogger("careloop.worker")


def _clock_sweep() -> str:
    warned, breached = clocks_sweep(now=utcnow())
    return f"{warned} clock warnings, {breached} breaches recorded" if warned or breached else ""


def _safety_sweep() -> str:
    escalated = safety_pages_escalate(now=utcnow())
    return f"{escalated} safety flags escalated" if escalated else ""


def _message_sweep() -> str:
    sent = messages_deliver_due(now=utcnow())
    return f"{sent} sent" if sent else ""


# Each sweep claims its rows with conditional UPDATEs, so any number of sweepers may run.
SWEEPS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("clock sweep", _clock_sweep),
    ("safety page sweep", _safety_sweep),
    ("message delivery", _message_sweep),
    ("follow-up check-backs", followups_sweep_summary),
    ("insights rollups and special-cause alerts", insights_sweep_summary),
    ("survey invitations and reminders", surveys_sweep_summary),
    ("inbound email", mail_sweep_summary),
    ("text suggestions and retraining", text_sweep_summary),
    ("outbound webhooks", webhooks_sweep_summary),
)


def sweep_once() -> None:
    """Run every sweep; one failing does not stop the others. Logs hold counts and exception
    class names only (a mail server's or database's text may quote an address)."""
    for name, sweep in SWEEPS:
        try:
            done = sweep()
            if done:
                logger.info("%s: %s", name, done)
        except Exception as exc:
            logger.error("%s failed (%s); retrying", name, type(exc).__name__)
        finally:
            close_old_connections()


def sweep_forever(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        sweep_once()
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
