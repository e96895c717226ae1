"""Background tasks: each calls one service."""

from __future__ import annotations

from django_tasks import task

from careloop.core.time import utcnow
from careloop.messaging.services import message_deliver


@task()
def message_send(*, message_id: int) -> bool:
    return message_deliver(message_id=message_id, now=utcnow())
