"""Correcting and redeeming what was given: a void is a reversing entry (counted at the issue's
time, so limits and budgets are corrected where the mistake was made); a redemption records that
a serialized item was used. Locks: the client, then the stock item."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.cases.models import Case
from careloop.core.text import clean_text
from careloop.orgs.models import User
from careloop.recovery.ledger import entry_on_case, money, person
from careloop.recovery.models import EntryKind, LedgerEntry, StockItem, StockStatus
from careloop.recovery.permissions import (
    can_administer_facility,
    can_give_recovery,
    can_void_recovery,
)
from careloop.recovery.services import REASON_MAX_CHARS, client_locked, stock_locked


def _locked_issue(issue: LedgerEntry) -> tuple[LedgerEntry, Case, StockItem | None]:
    client_locked(issue.client_id)
    issue = LedgerEntry.objects.select_related("case__facility", "item_type").get(
        pk=issue.pk, kind=EntryKind.ISSUE
    )
    stock = stock_locked(issue.stock_item_id) if issue.stock_item_id else None
    case = issue.case
    assert case is not None  # noqa: S101  # issues always belong to a case
    later = LedgerEntry.objects.filter(target_id=issue.pk).first()
    if later is not None:
        done = "voided" if later.kind == EntryKind.VOID else "redeemed"
        raise ValidationError(f"This item was already {done}.", code="done")
    return issue, case, stock


@transaction.atomic
def recovery_void(*, actor: User, issue: LedgerEntry, reason: str, now: datetime) -> LedgerEntry:
    """Reverse an issue: a negative entry for the same value, counted at the issue's time, so
    limits and budgets are corrected where the mistake was made. A voided serial leaves stock."""
    issue, case, stock = _locked_issue(issue)
    if not can_void_recovery(actor, case, given_by_id=issue.given_by_id):
        raise PermissionDenied(
            "Only the person who gave it, or someone who works the case, can void it."
        )
    reason = clean_text(reason, field="Reason", max_chars=REASON_MAX_CHARS, required=True)
    void = entry_on_case(
        case=case,
        actor=actor,
        now=now,
        summary=f"Recovery voided by {person(actor)}: {issue.item_type.name} "
        f"({money(issue.currency, -issue.amount)} reversed)",
        effective_at=issue.effective_at,
        client_id=issue.client_id,
        item_type=issue.item_type,
        stock_item=stock,
        kind=EntryKind.VOID,
        request_id=issue.request_id,
        target=issue,
        quantity=-issue.quantity,
        unit_value=issue.unit_value,
        amount=-issue.amount,
        currency=issue.currency,
        given_by_id=issue.given_by_id,
        reason=reason,
    )
    if stock is not None:
        stock.status = StockStatus.VOIDED
        stock.save(update_fields=["status"])
    return void


@transaction.atomic
def recovery_redeem(*, actor: User, issue: LedgerEntry, now: datetime) -> LedgerEntry:
    """Record that a serialized item given out was used (from the vendor's report)."""
    issue, case, stock = _locked_issue(issue)
    if not (can_give_recovery(actor, case) or can_administer_facility(actor, case.facility)):
        raise PermissionDenied("Your role cannot record redemptions on this case.")
    if stock is None:
        raise ValidationError("Only serialized items are redeemed.", code="serial")
    redemption = entry_on_case(
        case=case,
        actor=actor,
        now=now,
        summary=f"Recovery item redeemed: {issue.item_type.name}",
        effective_at=issue.effective_at,
        client_id=issue.client_id,
        item_type=issue.item_type,
        stock_item=stock,
        kind=EntryKind.REDEEM,
        request_id=issue.request_id,
        target=issue,
        currency=issue.currency,
        given_by_id=issue.given_by_id,
    )
    stock.status = StockStatus.REDEEMED
    stock.save(update_fields=["status"])
    return redemption
