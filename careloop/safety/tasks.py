"""Background tasks: each calls one service."""

from __future__ import annotations

from django_tasks import task

from careloop.core.time import utcnow
from careloop.safety.paging import safety_page_deliver


@task()
def safety_page_send(*, page_id: int) -> bool:
    return safety_page_deliver(page_id=page_id, now=utcnow())
