"""Serialized stock per facility: receiving serials into stock and writing off a serial that is
in stock (lost or damaged). Issuing, voiding and redeeming are in recovery.services."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from careloop.core.text import clean_text
from careloop.orgs.models import Facility, User
from careloop.recovery.ledger import entry_on_stock, stock_audit
from careloop.recovery.models import EntryKind, ItemType, StockItem, StockStatus
from careloop.recovery.permissions import Place, can_administer_facility

SERIAL_MAX_CHARS = 64
RECEIVE_MAX = 500


def serials_parse(text: str) -> list[str]:
    """One serial a line; blank lines are skipped. Refuses duplicates, spaces inside a serial,
    over-long serials and pastes of more than RECEIVE_MAX."""
    text = clean_text(text, field="Serials", max_chars=RECEIVE_MAX * (SERIAL_MAX_CHARS + 2))
    serials = [line.strip() for line in text.splitlines() if line.strip()]
    if not serials:
        raise ValidationError("Paste at least one serial number, one a line.", code="empty")
    if len(serials) > RECEIVE_MAX:
        raise ValidationError(f"Receive at most {RECEIVE_MAX} serials at a time.", code="many")
    bad = [s for s in serials if len(s) > SERIAL_MAX_CHARS or any(c.isspace() for c in s)]
    if bad:
        raise ValidationError(
            f"Not a serial number (spaces or over {SERIAL_MAX_CHARS} characters): "
            + ", ".join(b[:70] for b in bad[:5]),
            code="serial",
        )
    twice = sorted({s for s in serials if serials.count(s) > 1})
    if twice:
        raise ValidationError("Pasted twice: " + ", ".join(twice[:10]), code="duplicate")
    return serials


def _check_admin(actor: User, facility: Facility) -> None:
    if not can_administer_facility(actor, facility):
        raise PermissionDenied("Only administrators of this facility manage its stock.")


@transaction.atomic
def stock_receive(
    *, actor: User, facility: Facility, item_type: ItemType, serials: list[str], now: datetime
) -> list[StockItem]:
    """Receive serials into the facility's stock: a stock record and a receipt entry each. All
    or nothing: a serial already known for this item type refuses the whole paste."""
    _check_admin(actor, facility)
    if item_type.organization_id != facility.organization_id:
        raise ValidationError("That item type belongs to another organization.", code="item")
    if not item_type.serialized:
        raise ValidationError(f"{item_type.name} has no serial numbers.", code="item")
    known = sorted(
        StockItem.objects.filter(item_type_id=item_type.pk, serial__in=serials).values_list(
            "serial", flat=True
        )
    )
    if known:
        raise ValidationError("Already received: " + ", ".join(known[:10]), code="known")
    try:
        with transaction.atomic():
            items = [
                StockItem.objects.create(
                    facility=facility, item_type=item_type, serial=serial, received_at=now
                )
                for serial in serials
            ]
    except IntegrityError as exc:  # received by someone else meanwhile
        raise ValidationError("Some of these serials were just received; reload.") from exc
    entries = [
        entry_on_stock(stock_item=item, kind=EntryKind.RECEIVE, actor=actor, now=now)
        for item in items
    ]
    stock_audit(
        actor=actor,
        place=Place.of_facility(facility),
        now=now,
        event="received",
        entries=entries,
        detail={"facility_id": facility.pk, "item_type_id": item_type.pk, "count": len(items)},
    )
    return items


@transaction.atomic
def stock_write_off(*, actor: User, stock_item: StockItem, reason: str, now: datetime) -> StockItem:
    """Void a serial that is in stock (lost, damaged, expired) with a reason."""
    stock_item = (
        StockItem.objects.select_for_update()
        .select_related("facility", "item_type")
        .get(pk=stock_item.pk)
    )
    _check_admin(actor, stock_item.facility)
    reason = clean_text(reason, field="Reason", max_chars=2000, required=True)
    if stock_item.status != StockStatus.IN_STOCK:
        raise ValidationError(
            f"Serial {stock_item.serial} is not in stock "
            f"({stock_item.get_status_display().lower()}).",
            code="status",
        )
    entry = entry_on_stock(
        stock_item=stock_item, kind=EntryKind.VOID, actor=actor, now=now, reason=reason
    )
    stock_item.status = StockStatus.VOIDED
    stock_item.save(update_fields=["status"])
    stock_audit(
        actor=actor,
        place=Place.of_facility(stock_item.facility),
        now=now,
        event="written_off",
        entries=[entry],
        detail={"facility_id": stock_item.facility_id, "stock_item_id": stock_item.pk},
    )
    return stock_item
