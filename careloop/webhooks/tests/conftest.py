"""A real HTTP receiver on loopback that answers with scripted statuses (or too slowly), and a
subscription pointing at it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from careloop.conftest import RECEIVED_AT
from careloop.orgs.models import Organization
from careloop.webhooks.models import EventType, WebhookSubscription

SLOW = -1  # a scripted "status": answer after the client has given up
SLOW_SECONDS = 1.5
CLIENT_TIMEOUT = 0.5


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            status = state.script.pop(0) if state.script else 200
            if status == SLOW:
                time.sleep(SLOW_SECONDS)
                status = 200
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                return  # the client gave up

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/careloop"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def subscription(org: Organization, receiver: Receiver) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        organization=org,
        target_url=receiver.url,
        event_types=list(EventType.values),
        created_at=RECEIVED_AT,
    )
