"""Writing ledger entries: each case entry goes on the case timeline (which audits it) in the
caller's transaction; entries without a case (stock) are audited directly. Summaries name item
types, amounts and staff, never the client."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.cases.timeline import case_event_record
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label
from careloop.recovery.models import LedgerEntry, StockItem
from careloop.recovery.permissions import Place

ENTRY_FIELDS = ["kind", "item_type", "quantity", "unit_value", "amount", "currency", "client"]


def money(currency: str, amount: Decimal) -> str:
    return f"{currency} {amount:,.2f}"


def person(user: User | None) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


def entry_on_case(
    *, case: Case, actor: User, now: datetime, summary: str, **fields: Any
) -> LedgerEntry:
    """Append an entry about a case and record it on the case's timeline."""
    entry = LedgerEntry.objects.create(
        organization_id=case.organization_id,
        facility_id=case.facility_id,
        unit_id=case.unit_id,
        case=case,
        actor=actor,
        at=now,
        effective_at=fields.pop("effective_at", now),
        **fields,
    )
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        action="C",
        kind=f"recovery_{entry.kind}",
        summary=summary,
        changes={
            "recovery_entry": (None, entry.pk),
            "amount": (None, str(entry.amount)),
            "currency": (None, entry.currency),
        },
        fields=ENTRY_FIELDS,
        object_type="recovery_entry",
        object_id=str(entry.pk),
    )
    return entry


def entry_on_stock(
    *, stock_item: StockItem, kind: str, actor: User, now: datetime, reason: str = ""
) -> LedgerEntry:
    """Append a stock entry (receipt or write-off) that belongs to no case. Audited by the
    caller, once per batch."""
    facility = stock_item.facility
    return LedgerEntry.objects.create(
        organization_id=facility.organization_id,
        facility=facility,
        item_type=stock_item.item_type,
        stock_item=stock_item,
        kind=kind,
        unit_value=stock_item.item_type.retail_value,
        currency=stock_item.item_type.currency,
        actor=actor,
        at=now,
        effective_at=now,
        reason=reason,
    )


def stock_audit(
    *,
    actor: User,
    place: Place,
    now: datetime,
    event: str,
    entries: list[LedgerEntry],
    detail: dict[str, Any],
) -> None:
    audit_record(
        actor=actor,
        action="C",
        event_type=f"recovery.stock_{event}",
        at=now,
        organization_id=place.organization_id,
        object_type="recovery_entry",
        object_id=str(entries[0].pk) if len(entries) == 1 else "",
        fields=["serial", "status"],
        actor_role=role_label(actor, place),
        detail={**detail, "entry_ids": [e.pk for e in entries]},
    )
