"""Background tasks: each calls one service (a dry run or an import can take minutes)."""

from __future__ import annotations

from django_tasks import task

from careloop.core.time import utcnow
from careloop.imports.models import ImportBatch
from careloop.imports.services import import_batch_check, import_batch_run
from careloop.orgs.models import User


@task()
def import_check_task(*, batch_id: int, actor_id: int) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    actor = User.objects.get(pk=actor_id)
    done = import_batch_check(
        actor=actor,
        batch=batch,
        mapping_name=batch.mapping_name,
        spec=batch.mapping_spec,
        now=utcnow(),
    )
    return str(done.status)


@task()
def import_run_task(*, batch_id: int, actor_id: int) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    actor = User.objects.get(pk=actor_id)
    return str(import_batch_run(actor=actor, batch=batch, now=utcnow()).status)
