"""Fixtures: one real Dovecot per test session, a fresh IMAP account and facility mailbox per
test, sample messages from tests/messages/, and the sweep."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from careloop.conftest import RECEIVED_AT
from careloop.mail.fetch import mail_sweep
from careloop.mail.models import AuthMethod, Mailbox, TlsMode
from careloop.mail.tests.dovecot import LOOPBACK, MISSING, Dovecot
from careloop.orgs.models import Facility

MESSAGES = Path(__file__).parent / "messages"
MAILBOX_ADDRESS = "concerns@riverside.test"


def sample(name: str, **values: str) -> bytes:
    """A sample message, with {{NAME}} placeholders filled in."""
    data = (MESSAGES / name).read_bytes()
    for key, value in values.items():
        data = data.replace(f"{{{{{key}}}}}".encode(), value.encode())
    return data


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    try:
        server = Dovecot()
    except RuntimeError as exc:
        pytest.fail(str(exc) if str(exc) else MISSING)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _trust_test_certificate(monkeypatch: pytest.MonkeyPatch, dovecot: Dovecot) -> None:
    """Certificates are verified as in production; the test CA is the one trusted."""
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.CARELOOP_BASE_URL = "https://care.example.org"
    settings.CARELOOP_MAIL_MAX_ATTACHMENT_BYTES = 10_000_000
    settings.CARELOOP_MAIL_PER_SENDER_PER_HOUR = 20
    settings.DEFAULT_FROM_EMAIL = "Riverside <careloop@riverside.test>"


@dataclass
class Inbox:
    """A facility's mailbox and the IMAP account behind it."""

    server: Dovecot
    mailbox: Mailbox
    username: str
    password: str

    def deliver(self, data: bytes) -> int:
        return self.server.append(self.username, self.password, data)

    def flags(self) -> dict[int, str]:
        return self.server.keywords(self.username, self.password)


def mailbox_for(
    facility: Facility, server: Dovecot, username: str, password: str, **fields: Any
) -> Mailbox:
    values: dict[str, Any] = {
        "address": MAILBOX_ADDRESS,
        "host": LOOPBACK,
        "port": server.imaps_port,
        "tls_mode": TlsMode.IMPLICIT,
        "username": username,
        "auth_method": AuthMethod.PASSWORD,
        "password": password,
        "created_at": RECEIVED_AT,
        "updated_at": RECEIVED_AT,
    }
    values.update(fields)
    return Mailbox.objects.create(facility=facility, **values)


@pytest.fixture
def inbox(dovecot: Dovecot, facility_x: Facility) -> Inbox:
    username, password = dovecot.account()
    mailbox = mailbox_for(facility_x, dovecot, username, password)
    return Inbox(dovecot, mailbox, username, password)


Sweep = Callable[..., Counter[str]]


@pytest.fixture
def sweep() -> Sweep:
    """Run the sweep at a frozen time (RECEIVED_AT unless told)."""

    def run(at: datetime = RECEIVED_AT) -> Counter[str]:
        with time_machine.travel(at, tick=False):
            return mail_sweep()

    return run
