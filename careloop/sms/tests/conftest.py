"""Signed webhooks as the provider sends them, a facility number, and a stand-in for the
provider's REST API on loopback (a real HTTP server: only the provider itself is replaced)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.test import Client

from careloop.orgs.models import Facility
from careloop.sms.models import FacilityNumber
from careloop.sms.signature import signature_compute

BASE_URL = "https://careloop.example.org"
AUTH_TOKEN = "test-auth-token-0123456789"
FACILITY_NUMBER = "+13125550100"
NURSING_NUMBER = "+12125550100"
CLIENT_NUMBER = "+13125550199"
ACCOUNT_SID = "ACtest0000000000000000000000000000"


@pytest.fixture(autouse=True)
def sms_settings(settings: Any) -> None:
    settings.CARELOOP_BASE_URL = BASE_URL
    settings.CARELOOP_SMS_AUTH_TOKEN = AUTH_TOKEN
    settings.CARELOOP_SMS_BACKEND = "console"
    settings.CARELOOP_SMS_ACCOUNT_SID = ACCOUNT_SID
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def number_x(facility_x: Facility) -> FacilityNumber:
    return FacilityNumber.objects.create(
        organization=facility_x.organization,
        facility=facility_x,
        phone_number=FACILITY_NUMBER,
        opens_at=time(8, 0),
        closes_at=time(18, 0),
    )


@pytest.fixture
def number_y(facility_y: Facility) -> FacilityNumber:
    return FacilityNumber.objects.create(
        organization=facility_y.organization, facility=facility_y, phone_number=NURSING_NUMBER
    )


def signed_post(
    client: Client,
    path: str,
    params: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    signature: str | None = None,
) -> Any:
    """POST as the provider does: form fields, signed over BASE_URL + path."""
    if signature is None:
        signature = signature_compute(token=token, url=BASE_URL + path, params=params.items())
    return client.post(path, params, headers={"X-Twilio-Signature": signature})


def text_params(body: str, *, sid: str = "SM0001", sender: str = CLIENT_NUMBER) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": FACILITY_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


@dataclass
class FakeProvider:
    """Answers POST .../Messages.json with the next scripted status (201 once the script is
    spent) and keeps every request's path, headers and form."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], dict[str, list[str]]]] = field(default_factory=list)
    sent: int = 0


@pytest.fixture
def provider(settings: Any) -> Iterator[FakeProvider]:
    fake = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            fake.requests.append((self.path, dict(self.headers.items()), form))
            status = fake.script.pop(0) if fake.script else 201
            body: dict[str, Any] = {"message": "scripted failure"}
            if status == 201:
                fake.sent += 1
                body = {"sid": f"SMfake{fake.sent:04d}", "status": "queued"}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CARELOOP_SMS_BACKEND = "twilio"
    settings.CARELOOP_SMS_API_BASE = fake.url
    settings.CARELOOP_SMS_FROM = "+13125550111"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
