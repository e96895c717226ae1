"""Background tasks: each calls one service."""

from __future__ import annotations

from django_tasks import task

from careloop.core.time import utcnow
from careloop.policies.escalation import notification_deliver
from careloop.policies.services import clocks_sweep


@task()
def notification_send(*, notification_id: int) -> bool:
    return notification_deliver(notification_id=notification_id, now=utcnow())


@task()
def clocks_sweep_task() -> list[int]:
    warned, breached = clocks_sweep(now=utcnow())
    return [warned, breached]
