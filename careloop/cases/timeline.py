"""Recording one thing that happened to a case: a timeline event and its audit event together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from careloop.audit.services import audit_record
from careloop.cases.models import Case, CaseEvent
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def case_event_record(
    *,
    case: Case,
    actor: User | None,
    at: datetime,
    kind: str,
    summary: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    action: str = "U",
    fields: Sequence[str] = (),
    object_type: str = "case",
    object_id: str = "",
) -> CaseEvent:
    """Must run inside the caller's transaction. `summary` is staff-facing, never client text;
    `changes` hold old and new values of structured fields only."""
    plain = {name: [_plain(old), _plain(new)] for name, (old, new) in (changes or {}).items()}
    event = CaseEvent.objects.create(
        case=case, at=at, actor=actor, kind=kind, summary=summary[:300], changes=plain
    )
    audit_record(
        actor=actor,
        action=action,
        event_type=f"case.{kind}",
        at=at,
        organization_id=case.organization_id,
        case_id=case.pk,
        object_type=object_type,
        object_id=object_id or str(case.pk),
        fields=list(fields) or list(plain),
        actor_role=role_label(actor, case) if actor is not None else "",
    )
    return event
