"""What happens on a case once a message of a given template has been delivered.

A hook runs inside the transaction that records the delivery, so it commits with it or not at
all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from careloop.messaging.models import OutboundMessage
from careloop.policies.services import clocks_stop


class AfterSend(Protocol):
    def __call__(self, *, message: OutboundMessage, now: datetime) -> None: ...


AFTER_SEND: dict[str, AfterSend] = {}


def after_send(template: str) -> Callable[[AfterSend], AfterSend]:
    def register(hook: AfterSend) -> AfterSend:
        if template in AFTER_SEND:
            raise ValueError(f"An after-send hook is already registered for {template!r}")
        AFTER_SEND[template] = hook
        return hook

    return register


def after_send_run(*, message: OutboundMessage, now: datetime) -> None:
    hook = AFTER_SEND.get(message.template)
    if hook is not None:
        hook(message=message, now=now)


@after_send("intake_acknowledgement")
def acknowledgement_delivered(*, message: OutboundMessage, now: datetime) -> None:
    """Stop the clocks that an automatic acknowledgement meets. Each pack says whether it does
    ("auto_acknowledged" in stops_on): the house standard yes, NHS England no."""
    if message.case is not None:
        clocks_stop(case=message.case, actor=None, stop_event="auto_acknowledged", at=now)
