"""Deciding recovery requests: approving what the approver's authority covers (and, for a
compliance approver, an R11 exception), or declining. When nothing is left outstanding the item
is issued in the same transaction. Locks: the client, then the budget, then the stock item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.cases.models import Case
from careloop.core.text import clean_text
from careloop.orgs.models import User
from careloop.orgs.permissions import roles_for
from careloop.recovery.authority import COMPLIANCE_APPROVERS, Standing, limit_for, standing_for
from careloop.recovery.ledger import entry_on_case, money, person
from careloop.recovery.models import ApprovalScope, EntryKind, LedgerEntry, RecoveryClient
from careloop.recovery.permissions import can_approve_compliance
from careloop.recovery.selectors import recovery_action_for
from careloop.recovery.services import (
    AUTHORITY,
    COMPLIANCE,
    REASON_MAX_CHARS,
    RecoveryOutcome,
    budget_locked,
    budget_warnings,
    check_in_stock,
    client_locked,
    issue_write,
    stock_locked,
    waiting_for_text,
)


@dataclass(frozen=True)
class Review:
    """Where a request stands for one reviewer: what it still needs and what they may grant."""

    request: LedgerEntry
    case: Case
    status: str
    standing: Standing
    outstanding: set[str]
    grantable: set[str]  # what the reviewer may grant of what is outstanding

    @property
    def waiting_for(self) -> str:
        return waiting_for_text(
            self.outstanding,
            item_type=self.request.item_type,
            standing=self.standing,
            value=self.request.value,
        )

    def may_approve(self, actor: User) -> bool:
        return (
            self.status == "pending" and actor.pk != self.request.actor_id and bool(self.grantable)
        )

    def may_decline(self, actor: User) -> bool:
        return self.status == "pending" and (
            actor.pk == self.request.actor_id or bool(self.grantable)
        )


def recovery_review(
    *, actor: User, request: LedgerEntry, now: datetime, client: RecoveryClient | None = None
) -> Review:
    """Re-read a request and work out what it still needs and what `actor` may grant. Needs are
    those recorded on the request plus any the ledger adds now. Locks nothing (the services call
    it with the client locked)."""
    client = client or RecoveryClient.objects.get(pk=request.client_id or 0)
    request = LedgerEntry.objects.select_related(
        "case__facility", "case__organization", "item_type", "actor", "stock_item"
    ).get(pk=request.pk, kind=EntryKind.REQUEST)
    case = request.case
    assert case is not None  # noqa: S101  # requests always belong to a case
    action = recovery_action_for(request)
    item_type, value = request.item_type, request.value
    standing = standing_for(case=case, client=client, item_type=item_type, now=now)
    needed = set()
    if request.needs_authority or not standing.covers(
        limit_for(user=request.actor, case=case, item_type=item_type), value
    ):
        needed.add(AUTHORITY)
    if request.needs_compliance or standing.r11_problems(
        item_type=item_type, unit_value=request.unit_value, value=value
    ):
        needed.add(COMPLIANCE)
    outstanding = needed - action.approved_scopes
    grantable = set()
    if AUTHORITY in outstanding and standing.covers(
        limit_for(user=actor, case=case, item_type=item_type), value
    ):
        grantable.add(AUTHORITY)
    if COMPLIANCE in outstanding and can_approve_compliance(actor, case):
        grantable.add(COMPLIANCE)
    return Review(request, case, action.status, standing, outstanding, grantable)


def _review(*, actor: User, request: LedgerEntry, now: datetime) -> Review:
    """The review with the client locked, for a decision."""
    client = client_locked(request.client_id)
    review = recovery_review(actor=actor, request=request, now=now, client=client)
    if not roles_for(actor, review.case):
        raise PermissionDenied("This request is outside your scope.")
    if review.status != "pending":
        raise ValidationError(f"This request was already {review.status}.", code="decided")
    return review


def _refusal(review: Review) -> str:
    request = review.request
    what = f"{money(request.currency, request.value)} of {request.item_type.name}"
    if AUTHORITY in review.outstanding:
        return f"Your authority does not cover {what} on this case; it needs {review.waiting_for}."
    return f"Only {COMPLIANCE_APPROVERS} can approve this R11 exception."


def _scope_of(granted: set[str]) -> str:
    if granted == {AUTHORITY, COMPLIANCE}:
        return ApprovalScope.BOTH
    return ApprovalScope.AUTHORITY if AUTHORITY in granted else ApprovalScope.COMPLIANCE


@transaction.atomic
def recovery_approve(
    *, actor: User, request: LedgerEntry, reason: str, now: datetime
) -> RecoveryOutcome:
    """Approve what the actor's authority covers (and, for a compliance approver, the R11
    exception). When nothing is left outstanding the item is issued in the same transaction."""
    review = _review(actor=actor, request=request, now=now)
    request, case = review.request, review.case
    if request.actor_id == actor.pk:
        raise PermissionDenied("You cannot approve your own request.")
    if not review.outstanding:
        raise ValidationError("This request needs no further approval.", code="decided")
    if not review.grantable:
        raise PermissionDenied(_refusal(review))
    reason = clean_text(
        reason, field="Reason", max_chars=REASON_MAX_CHARS, required=COMPLIANCE in review.grantable
    )
    scope = _scope_of(review.grantable)
    rest = review.outstanding - review.grantable
    budget = budget_locked(case, now) if not rest else None
    stock = stock_locked(request.stock_item_id) if request.stock_item_id and not rest else None
    entry_on_case(
        case=case,
        actor=actor,
        now=now,
        summary=f"Recovery approved ({ApprovalScope(scope).label.lower()}) by {person(actor)}: "
        f"{request.item_type.name} ({money(request.currency, request.value)})",
        client_id=request.client_id,
        item_type=request.item_type,
        stock_item_id=request.stock_item_id,
        kind=EntryKind.APPROVE,
        request=request,
        currency=request.currency,
        approval_scope=scope,
        reason=reason,
    )
    if rest:
        waiting = waiting_for_text(
            rest, item_type=request.item_type, standing=review.standing, value=request.value
        )
        return RecoveryOutcome(request=request, issue=None, waiting_for=waiting)
    warnings = budget_warnings(
        budget=budget,
        value=request.value,
        currency=request.currency,
        organization_id=case.organization_id,
    )
    if stock is not None:
        check_in_stock(stock, case)
    issue = issue_write(request=request, stock=stock, approved_by=actor, now=now)
    return RecoveryOutcome(request=request, issue=issue, waiting_for="", warnings=warnings)


@transaction.atomic
def recovery_decline(
    *, actor: User, request: LedgerEntry, reason: str, now: datetime
) -> LedgerEntry:
    """Decline a request (someone who could approve it) or withdraw it (its requester)."""
    review = _review(actor=actor, request=request, now=now)
    request = review.request
    withdrawn = request.actor_id == actor.pk
    if not withdrawn and not review.grantable:
        raise PermissionDenied("Only someone who could approve this request may decline it.")
    reason = clean_text(reason, field="Reason", max_chars=REASON_MAX_CHARS, required=True)
    verb = "withdrawn" if withdrawn else "declined"
    return entry_on_case(
        case=review.case,
        actor=actor,
        now=now,
        summary=f"Recovery request {verb} by {person(actor)}: {request.item_type.name} "
        f"({money(request.currency, request.value)})",
        client_id=request.client_id,
        item_type=request.item_type,
        stock_item_id=request.stock_item_id,
        kind=EntryKind.DECLINE,
        request=request,
        currency=request.currency,
        reason=reason,
    )
