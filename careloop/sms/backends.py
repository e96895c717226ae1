"""The provider: chosen by settings.CARELOOP_SMS_BACKEND ("console" or "twilio").

`send(to, body, sender)` returns the provider's id for the message, or raises SmsSendError (a
status code and a class name only: the provider's text may quote the number or the body).
`inbound_valid(url, params, signature)` checks a webhook's signature; `inbound_text(params)`
reads an incoming text. Both backends read webhooks in Twilio's form, so the embedded mode can
be tested with the same signed requests."""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.urls import reverse

from careloop.sms.signature import signature_valid

logger = logging.getLogger("careloop.sms")

TIMEOUT_SECONDS = 30


class SmsSendError(Exception):
    """The provider did not take the message; `permanent` when trying again cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:100]
        self.permanent = permanent


@dataclass(frozen=True)
class InboundText:
    provider_id: str
    from_number: str
    to_number: str
    body: str


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, sender: str) -> str: ...

    def inbound_valid(
        self, *, url: str, params: Iterable[tuple[str, str]], signature: str
    ) -> bool: ...

    def inbound_text(self, params: Mapping[str, str]) -> InboundText: ...


class TwilioWebhooks:
    """Webhooks in Twilio's form: signed with the auth token (X-Twilio-Signature)."""

    def inbound_valid(self, *, url: str, params: Iterable[tuple[str, str]], signature: str) -> bool:
        return signature_valid(
            token=settings.CARELOOP_SMS_AUTH_TOKEN, url=url, params=params, signature=signature
        )

    def inbound_text(self, params: Mapping[str, str]) -> InboundText:
        return InboundText(
            provider_id=params.get("MessageSid", ""),
            from_number=params.get("From", ""),
            to_number=params.get("To", ""),
            body=params.get("Body", ""),
        )


@dataclass(frozen=True)
class ConsoleSms:
    provider_id: str
    to: str
    body: str
    sender: str


class ConsoleBackend(TwilioWebhooks):
    """For the embedded mode and development: logs that a text was sent (its id and length,
    never its body or number) and keeps the last ones in memory (`outbox`)."""

    outbox: ClassVar[deque[ConsoleSms]] = deque(maxlen=100)

    def send(self, *, to: str, body: str, sender: str) -> str:
        provider_id = f"console-{uuid.uuid4().hex}"
        self.outbox.append(ConsoleSms(provider_id=provider_id, to=to, body=body, sender=sender))
        logger.info("text %s sent by the console backend (%s characters)", provider_id, len(body))
        return provider_id


class TwilioBackend(TwilioWebhooks):
    """Twilio's Messages API (and compatible providers, through CARELOOP_SMS_API_BASE)."""

    def send(self, *, to: str, body: str, sender: str) -> str:
        account = settings.CARELOOP_SMS_ACCOUNT_SID
        token = settings.CARELOOP_SMS_AUTH_TOKEN
        if not account or not token or not sender:
            raise SmsSendError("SmsNotConfigured", permanent=True)
        url = f"{settings.CARELOOP_SMS_API_BASE}/2010-04-01/Accounts/{account}/Messages.json"
        fields = {"To": to, "From": sender, "Body": body}
        if settings.CARELOOP_BASE_URL:
            fields["StatusCallback"] = settings.CARELOOP_BASE_URL + reverse("sms:status")
        credentials = base64.b64encode(f"{account}:{token}".encode()).decode("ascii")
        request = urllib.request.Request(  # noqa: S310  # https API base from settings
            url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Authorization": f"Basic {credentials}", "Accept": "application/json"},
            method="POST",
        )
        return twilio_post(request)


def twilio_post(request: urllib.request.Request) -> str:
    """The one HTTP call to the provider: the created message's sid."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = json.loads(response.read(65536) or b"{}")
    except urllib.error.HTTPError as exc:
        # 4xx (bad number, unsubscribed recipient...) will not get better; 429 and 5xx may.
        permanent = 400 <= exc.code < 500 and exc.code != 429
        raise SmsSendError(f"HTTPError {exc.code}", permanent=permanent) from None
    except (OSError, ValueError) as exc:
        raise SmsSendError(type(exc).__name__) from None
    sid = data.get("sid") if isinstance(data, dict) else None
    if not isinstance(sid, str) or not sid:
        raise SmsSendError("NoMessageSid")
    return sid[:64]


BACKENDS: dict[str, type[ConsoleBackend] | type[TwilioBackend]] = {
    "console": ConsoleBackend,
    "twilio": TwilioBackend,
}


def backend_get() -> SmsBackend:
    """The configured backend (read at each use, never frozen at import)."""
    name = settings.CARELOOP_SMS_BACKEND
    try:
        return BACKENDS[name]()
    except KeyError:
        raise SmsSendError(f"UnknownBackend {name}"[:100], permanent=True) from None
