"""Recovery write paths: giving an item (at once within the giver's authority, otherwise as a
request for approval), and the locks and checks the other write paths share (deciding requests
in recovery.approvals, voiding and redeeming in recovery.corrections).

Each is atomic and locks rows in one order: the client, then the unit's budget, then the stock
item. Limits and budgets are summed from the ledger only after those locks are held, so two
requests against the same client, budget or serial never overspend or issue twice. Entries are
appended, never changed; a void is a reversing entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from careloop.cases.models import Case
from careloop.core.text import clean_text
from careloop.core.time import local_date
from careloop.orgs.models import User
from careloop.recovery.authority import (
    COMPLIANCE_APPROVERS,
    Standing,
    approver_needed,
    limit_for,
    standing_for,
)
from careloop.recovery.ledger import entry_on_case, money, person
from careloop.recovery.models import (
    ApprovalScope,
    Budget,
    CaseClient,
    EntryKind,
    ItemType,
    LedgerEntry,
    ReasonCode,
    RecoveryClient,
    StockItem,
    StockStatus,
)
from careloop.recovery.permissions import (
    can_give_recovery,
)
from careloop.recovery.rules import TIMES, budget_level, budget_share, checked_money
from careloop.recovery.selectors import (
    budget_spent,
    organization_settings,
)

REASON_MAX_CHARS = 2000
QUANTITY_MAX = 100
KEY_MAX = 64
AUTHORITY, COMPLIANCE = ApprovalScope.AUTHORITY.value, ApprovalScope.COMPLIANCE.value
ERASED = "This case's client details were erased; it takes no more recovery."


class AlreadySubmitted(ValidationError):
    """This form (its one-time key) was already accepted: nothing more was done."""


@dataclass(frozen=True)
class RecoveryOrder:
    """What the giver asked for. `unit_value` is only for item types whose value is entered
    each time; a serialized item names its serial (one per request)."""

    item_type: ItemType
    quantity: int = 1
    unit_value: Decimal | None = None
    serial: str = ""
    reason_code: str = ReasonCode.OTHER
    exception_reason: str = ""
    idempotency_key: str = ""


@dataclass(frozen=True)
class RecoveryOutcome:
    request: LedgerEntry
    issue: LedgerEntry | None
    waiting_for: str
    warnings: tuple[str, ...] = ()


# --- locks, in this order -----------------------------------------------------------------------


def client_locked(client_id: int | None) -> RecoveryClient:
    if client_id is None:
        raise ValidationError("This entry has no client.", code="no_client")
    return RecoveryClient.objects.select_for_update().get(pk=client_id)


def budget_locked(case: Case, now: datetime) -> Budget | None:
    if case.unit_id is None:
        return None
    on = local_date(at=now, tz_name=case.facility.time_zone)
    return (
        Budget.objects.select_for_update()
        .filter(unit_id=case.unit_id, start_on__lte=on, end_on__gte=on)
        .select_related("unit__facility")
        .first()
    )


def stock_locked(stock_item_id: int) -> StockItem:
    return StockItem.objects.select_for_update().get(pk=stock_item_id)


# --- checks -------------------------------------------------------------------------------------


def _checked_key(key: str) -> str:
    if len(key) > KEY_MAX:
        raise ValidationError("This form is not valid; reload the page.", code="key")
    return key


def _checked_order(order: RecoveryOrder, case: Case) -> tuple[int, Decimal]:
    """Quantity and value per item, or a clear refusal."""
    item_type = order.item_type
    if item_type.organization_id != case.organization_id:
        raise ValidationError("That item type belongs to another organization.", code="item")
    if not item_type.active:
        raise ValidationError(f"{item_type.name} is no longer given.", code="item")
    quantity = order.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError("Quantity must be a whole number of at least 1.", code="quantity")
    if quantity > QUANTITY_MAX:
        raise ValidationError(f"Quantity above {QUANTITY_MAX} is not accepted.", code="quantity")
    if item_type.serialized and (quantity != 1 or not order.serial.strip()):
        raise ValidationError(
            f"{item_type.name} is serialized: give one item and its serial number.", code="serial"
        )
    if not item_type.serialized and order.serial.strip():
        raise ValidationError(f"{item_type.name} has no serial numbers.", code="serial")
    ceiling = organization_settings(case.organization_id).amount_ceiling
    if item_type.value_editable:
        if order.unit_value is None:
            raise ValidationError(f"Enter the value of the {item_type.name}.", code="amount")
        unit_value = checked_money(
            order.unit_value, field="Value per item", ceiling=ceiling, allow_zero=False
        )
    else:
        if order.unit_value is not None and order.unit_value != item_type.retail_value:
            raise ValidationError(
                f"The value of {item_type.name} is fixed at "
                f"{money(item_type.currency, item_type.retail_value)}.",
                code="amount",
            )
        unit_value = item_type.retail_value
    if unit_value * quantity > ceiling:
        raise ValidationError(
            f"{money(item_type.currency, unit_value * quantity)} is above the ceiling of "
            f"{ceiling} for one request.",
            code="ceiling",
        )
    return quantity, unit_value


def _checked_serial(*, case: Case, item_type: ItemType, serial: str) -> StockItem:
    serial = serial.strip()
    found = StockItem.objects.filter(item_type_id=item_type.pk, serial=serial).first()
    if found is None:
        raise ValidationError(f"Serial {serial} is not in stock for {item_type.name}.")
    stock = stock_locked(found.pk)
    check_in_stock(stock, case)
    return stock


def check_in_stock(stock: StockItem, case: Case) -> None:
    if stock.facility_id != case.facility_id:
        raise ValidationError(
            f"Serial {stock.serial} belongs to another facility's stock.", code="serial"
        )
    if stock.status != StockStatus.IN_STOCK:
        raise ValidationError(
            f"Serial {stock.serial} is not in stock: it was already "
            f"{stock.get_status_display().lower()}.",
            code="serial",
        )


def budget_warnings(
    *, budget: Budget | None, value: Decimal, currency: str, organization_id: int
) -> tuple[str, ...]:
    """Warnings at 80 % and 100 % of the unit's budget; a refusal past 100 % when the
    organization blocks there."""
    if budget is None or value <= 0:
        return ()
    if budget.currency != currency:
        return (f"The unit's budget is in {budget.currency}; this {currency} item is not counted.",)
    after = budget_spent(budget) + value
    level = budget_level(spent=after, budget=budget.amount)
    if not level:
        return ()
    share = budget_share(spent=after, budget=budget.amount)
    text = (
        f"{budget.unit.name} recovery budget: {money(currency, after)} of "
        f"{money(currency, budget.amount)} ({share}%)"
    )
    if level == "over" and organization_settings(organization_id).block_budget_at_100:
        raise ValidationError(f"Refused: this would take the {text}.", code="budget")
    return (text + (" — over budget." if level == "over" else "."),)


def waiting_for_text(
    needs: set[str], *, item_type: ItemType, standing: Standing, value: Decimal
) -> str:
    parts = []
    if AUTHORITY in needs:
        parts.append(approver_needed(item_type=item_type, standing=standing, value=value))
    if COMPLIANCE in needs:
        parts.append(COMPLIANCE_APPROVERS)
    return " and ".join(parts)


def issue_write(
    *, request: LedgerEntry, stock: StockItem | None, approved_by: User | None, now: datetime
) -> LedgerEntry:
    case = request.case
    assert case is not None  # noqa: S101  # requests always belong to a case
    item = request.item_type
    issue = entry_on_case(
        case=case,
        actor=approved_by or request.actor,
        now=now,
        summary=f"Recovery given: {request.quantity} {TIMES} {item.name} "
        f"({money(request.currency, request.value)})"
        + (f", approved by {person(approved_by)}" if approved_by else ""),
        client_id=request.client_id,
        item_type=item,
        stock_item=stock,
        kind=EntryKind.ISSUE,
        request=request,
        quantity=request.quantity,
        unit_value=request.unit_value,
        amount=request.value,
        currency=request.currency,
        given_by=request.actor,
        approved_by=approved_by,
        reason_code=request.reason_code,
    )
    if stock is not None:
        stock.status = StockStatus.ISSUED
        stock.save(update_fields=["status"])
    return issue


# --- giving -------------------------------------------------------------------------------------


def recovery_issue(
    *, actor: User, case: Case, order: RecoveryOrder, now: datetime
) -> RecoveryOutcome:
    """Give an item on a case: at once when it is within the giver's authority and R11 allows
    it, otherwise as a request that waits for approval. A form key seen before gives
    AlreadySubmitted and changes nothing."""
    try:
        return _issue(actor=actor, case=case, order=order, now=now)
    except IntegrityError as exc:  # a racing double submit, or a serial issued meanwhile
        key = order.idempotency_key
        if key and LedgerEntry.objects.filter(idempotency_key=key).exists():
            raise AlreadySubmitted("This form was already submitted.", code="replayed") from exc
        raise ValidationError("That item was just given by someone else; try again.") from exc


@transaction.atomic
def _issue(*, actor: User, case: Case, order: RecoveryOrder, now: datetime) -> RecoveryOutcome:
    if not can_give_recovery(actor, case):
        raise PermissionDenied("Your role cannot give recovery on this case.")
    if case.erased_at is not None:
        raise ValidationError(ERASED)
    item_type = order.item_type
    quantity, unit_value = _checked_order(order, case)
    if order.reason_code not in ReasonCode.values:
        raise ValidationError("Choose a reason.", code="reason_code")
    exception_reason = clean_text(
        order.exception_reason, field="Exception reason", max_chars=REASON_MAX_CHARS
    )
    key = _checked_key(order.idempotency_key)
    link = CaseClient.objects.filter(case_id=case.pk).first()
    if link is None:
        raise ValidationError("Choose or create the client this is for first.", code="no_client")
    client = client_locked(link.client_id)
    if key and LedgerEntry.objects.filter(idempotency_key=key).exists():
        raise AlreadySubmitted("This form was already submitted.", code="replayed")
    budget = budget_locked(case, now)
    stock = (
        _checked_serial(case=case, item_type=item_type, serial=order.serial)
        if item_type.serialized
        else None
    )
    value = unit_value * quantity
    standing = standing_for(case=case, client=client, item_type=item_type, now=now)
    needs = set()
    if not standing.covers(limit_for(user=actor, case=case, item_type=item_type), value):
        needs.add(AUTHORITY)
    problems = standing.r11_problems(item_type=item_type, unit_value=unit_value, value=value)
    if problems:
        if not exception_reason:
            raise ValidationError(
                "Refused under the Medicare/Medicaid gift rule (R11): "
                + "; ".join(problems)
                + ". Give an exception reason to ask a compliance approver, or choose another "
                "item.",
                code="r11",
            )
        needs.add(COMPLIANCE)
    warnings = budget_warnings(
        budget=budget,
        value=value,
        currency=item_type.currency,
        organization_id=case.organization_id,
    )
    waiting_for = waiting_for_text(needs, item_type=item_type, standing=standing, value=value)
    what = f"{quantity} {TIMES} {item_type.name} ({money(item_type.currency, value)})"
    request = entry_on_case(
        case=case,
        actor=actor,
        now=now,
        summary=f"Recovery requested: {what}; waiting for {waiting_for}"
        if needs
        else f"Recovery requested: {what}",
        client=client,
        item_type=item_type,
        stock_item=stock,
        kind=EntryKind.REQUEST,
        quantity=quantity,
        unit_value=unit_value,
        currency=item_type.currency,
        needs_authority=AUTHORITY in needs,
        needs_compliance=COMPLIANCE in needs,
        reason_code=order.reason_code,
        reason=exception_reason,
        idempotency_key=key,
    )
    if needs:
        return RecoveryOutcome(
            request=request, issue=None, waiting_for=waiting_for, warnings=warnings
        )
    issue = issue_write(request=request, stock=stock, approved_by=None, now=now)
    return RecoveryOutcome(request=request, issue=issue, waiting_for="", warnings=warnings)
