"""A real SMTP server on loopback (aiosmtpd), a port where none listens, and frozen time."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from careloop.cases.models import Case
from careloop.conftest import RECEIVED_AT
from careloop.messaging.models import OutboundMessage
from careloop.messaging.services import message_queue

LOOPBACK = "127.0.0.1"
QUEUED_AT = RECEIVED_AT + timedelta(minutes=5)
REFUSED_RECIPIENT = "nobody@example.org"

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class Inbox:
    """An aiosmtpd handler that keeps what it receives; it refuses REFUSED_RECIPIENT."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address == REFUSED_RECIPIENT:
            return f"550 5.1.1 <{address}>: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for envelope in self.envelopes:
            assert envelope.original_content is not None
            message = email.message_from_bytes(envelope.original_content, policy=default_policy)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def smtp_point_at(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = LOOPBACK
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


class SmtpServer:
    """Starts and stops an aiosmtpd server on a fixed loopback port (so a test can start it
    after a failed delivery, on the port the settings already name)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname=LOOPBACK, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_port(settings: Any) -> int:
    """Careloop's settings point at this loopback port; nothing listens until a server starts."""
    port = free_port()
    smtp_point_at(settings, port)
    return port


@pytest.fixture
def smtp_server(smtp_port: int) -> Iterator[SmtpServer]:
    """A server on smtp_port, not yet started."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def inbox(smtp_server: SmtpServer) -> Inbox:
    """A running server on loopback that Careloop's settings point at; what it received."""
    smtp_server.start()
    return smtp_server.inbox


@pytest.fixture
def locmem_email(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def dummy_tasks(settings: Any) -> None:
    settings.TASKS = DUMMY


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(QUEUED_AT, tick=False):
        yield


STATUS_URL = "https://care.example.org/status/k3Y-private-token?lang=es&v=1"
CLIENT_ADDRESS = "maria.lopez@example.org"
AFTER_HOURS_PHONE = "+1 312 555 0100"


def ack_context(case: Case, **extra: str) -> dict[str, str]:
    return {
        "reference": case.reference,
        "facility_name": case.facility.name,
        "status_url": STATUS_URL,
        "kind": case.kind,
        "phone": AFTER_HOURS_PHONE,
        **extra,
    }


def ack_queue(
    case: Case,
    *,
    to: str = CLIENT_ADDRESS,
    language: str = "en",
    now: datetime = QUEUED_AT,
    redact_after_send: bool = False,
    **extra: str,
) -> OutboundMessage:
    return message_queue(
        case=case,
        to=to,
        template="intake_acknowledgement",
        language=language,
        context=ack_context(case, **extra),
        now=now,
        redact_after_send=redact_after_send,
    )
