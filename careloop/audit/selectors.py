"""Reads of the audit log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from careloop.audit.chain import HASHED_FIELDS, ChainProblem, audit_key, verify_chain
from careloop.audit.models import AuditEvent, ChainHead


def audit_events_for_organization(*, organization_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organization_id=organization_id).order_by("-seq")


def audit_chain_verify(*, batch: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Check the whole chain in stored order, streaming in batches. Returns (events, problems)."""
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "0" * 64)
    count = 0

    def rows() -> Any:
        nonlocal count
        values = AuditEvent.objects.order_by("seq").values(*HASHED_FIELDS, "prev_hash", "hash")
        for row in values.iterator(chunk_size=batch):
            count += 1
            yield {**row, "recorded_at": row["recorded_at"].isoformat()}

    problems = verify_chain(rows(), head_seq=head_seq, head_hash=head_hash, key=audit_key())
    return count, problems
