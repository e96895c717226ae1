"""Kill a real worker process at any moment of a batch, start again: every message becomes
exactly one case, none is lost, none is doubled, and every one ends flagged on the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from careloop.cases.models import Case
from careloop.mail.imap import PROCESSED_KEYWORD
from careloop.mail.models import InboundMessage, Outcome
from careloop.mail.tests.conftest import Inbox, Sweep, sample

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("audit_log_cleared_after"),
]
BATCH = 6
ROOT = Path(__file__).resolve().parents[3]


def deliver_batch(inbox: Inbox) -> list[int]:
    return [
        inbox.deliver(
            sample("plain_complaint.eml")
            .replace(b"plain.complaint.0001", f"batch.{n}".encode())
            .replace(b"Subject: My father", f"Subject: Message {n}: my father".encode())
        )
        for n in range(BATCH)
    ]


def database_url() -> str:
    """The test database, for the child process (SQLite file or PostgreSQL)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker(moment: str, n: int) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CARELOOP_TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "CARELOOP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    done = subprocess.run(  # fixed arguments
        [sys.executable, "-m", "careloop.mail.tests.kill_worker", moment, str(n)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    return done.returncode


def assert_exactly_once(inbox: Inbox, uids: list[int]) -> None:
    subjects = sorted(c.narrative.split("\n", 1)[0] for c in Case.objects.all())
    assert subjects == sorted(
        f"Message {n}: my father waited hours for pain relief" for n in range(BATCH)
    )
    assert InboundMessage.objects.filter(outcome=Outcome.CASE).count() == BATCH
    assert sorted(InboundMessage.objects.values_list("uid", flat=True)) == sorted(uids)
    flags = inbox.flags()
    assert all(PROCESSED_KEYWORD in flags[uid] for uid in uids)


@pytest.mark.parametrize(
    ("moment", "committed"),
    [("mid-transaction", 2), ("after-commit", 3), ("after-flag", 3)],
)
def test_killing_the_worker_mid_batch_loses_and_duplicates_nothing(
    inbox: Inbox, sweep: Sweep, moment: str, committed: int
) -> None:
    uids = deliver_batch(inbox)

    assert run_worker(moment, 3) == -signal.SIGKILL

    assert Case.objects.count() == committed
    flags = inbox.flags()
    flagged = [uid for uid in uids if PROCESSED_KEYWORD in flags[uid]]
    assert len(flagged) == (3 if moment == "after-flag" else 2)

    outcomes = sweep()

    assert outcomes == {"case": BATCH - committed}
    assert_exactly_once(inbox, uids)


def test_a_worker_killed_twice_in_a_row_still_ends_exactly_once(inbox: Inbox, sweep: Sweep) -> None:
    uids = deliver_batch(inbox)

    assert run_worker("after-commit", 1) == -signal.SIGKILL
    assert run_worker("mid-transaction", 2) == -signal.SIGKILL
    assert Case.objects.count() == 2
    sweep()

    assert_exactly_once(inbox, uids)
