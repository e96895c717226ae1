"""Background tasks: each calls one service."""

from __future__ import annotations

from django_tasks import task

from careloop.core.time import utcnow
from careloop.text.learning import codebook_train
from careloop.text.models import Codebook


@task()
def codebook_retrain_task(*, codebook_id: int) -> list[str]:
    """Train the codebook's models (queued by the sweep, so training never holds up the
    sweeper's clocks and messages); returns what happened to each kind of model."""
    codebook = Codebook.objects.get(pk=codebook_id)
    return [f"{o.kind}: {o.message}" for o in codebook_train(codebook=codebook, now=utcnow())]
