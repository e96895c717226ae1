"""The demo organization's service-recovery set-up: item types, the authority matrix, unit
budgets, gift-card stock, and recovery given on some resolved complaints. All through the
recovery services, as an administrator and the facility advocates would."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from careloop.cases.models import Case, Kind
from careloop.core.time import local_date
from careloop.orgs.models import Facility, Organization, Role, Unit, User
from careloop.recovery.clients import default_client_name, recovery_client_create
from careloop.recovery.configuration import (
    ItemTypeValues,
    authority_limit_set,
    budget_save,
    item_type_save,
)
from careloop.recovery.models import ItemKind, ItemType, Period, ReasonCode
from careloop.recovery.services import RecoveryOrder, recovery_issue
from careloop.recovery.stock import stock_receive


@dataclass(frozen=True)
class DemoItem:
    kind: str
    name: str
    value: str
    cash_equivalent: bool = False
    serialized: bool = False
    value_editable: bool = False


ITEMS = (
    DemoItem(ItemKind.MEAL_VOUCHER, "Cafeteria meal voucher", "10.00"),
    DemoItem(ItemKind.PARKING, "Day parking pass", "12.00"),
    DemoItem(ItemKind.AMENITY, "Flowers", "15.00"),
    DemoItem(ItemKind.AMENITY, "Comfort kit (toiletries)", "8.00"),
    DemoItem(ItemKind.GIFT_CARD, "Pharmacy gift card", "25.00", True, True),
    DemoItem(ItemKind.BILL_ADJUSTMENT, "Bill adjustment", "0.00", value_editable=True),
    DemoItem(ItemKind.APOLOGY_VISIT, "Apology visit by a leader", "0.00"),
)
# Per case / per client per calendar year, by role, in USD: what each may give on the spot.
MATRIX = {
    Role.FRONTLINE: ("15.00", "30.00"),
    Role.ADVOCATE: ("50.00", "150.00"),
    Role.MANAGER: ("75.00", "200.00"),
    Role.EXECUTIVE: ("500.00", "1000.00"),
    Role.ADMIN: ("500.00", "1000.00"),
}
FRONTLINE_KINDS = {ItemKind.MEAL_VOUCHER, ItemKind.PARKING, ItemKind.AMENITY}


def recovery_demo(
    *,
    organization: Organization,
    facilities: list[Facility],
    units: list[Unit],
    admin: User,
    owners: dict[int, User],
    rng: random.Random,
    now: datetime,
) -> None:
    items = [
        item_type_save(
            actor=admin,
            organization=organization,
            values=ItemTypeValues(
                kind=item.kind,
                name=item.name,
                retail_value=Decimal(item.value),
                cash_or_cash_equivalent=item.cash_equivalent,
                serialized=item.serialized,
                value_editable=item.value_editable,
            ),
            now=now,
        )
        for item in ITEMS
    ]
    for item_type in items:
        for role, (per_case, per_client) in MATRIX.items():
            if role == Role.FRONTLINE and item_type.kind not in FRONTLINE_KINDS:
                continue
            authority_limit_set(
                actor=admin,
                item_type=item_type,
                role=role,
                per_case=Decimal(per_case),
                per_client=Decimal(per_client),
                period=Period.CALENDAR_YEAR,
                now=now,
            )
    this_year = local_date(at=now, tz_name=facilities[0].time_zone).year
    for unit in units:
        budget_save(
            actor=admin,
            unit=unit,
            start_on=now.date().replace(year=this_year, month=1, day=1),
            end_on=now.date().replace(year=this_year, month=12, day=31),
            amount=Decimal(rng.choice(["300.00", "500.00", "750.00"])),
            currency="USD",
            now=now,
        )
    gift_card = next(t for t in items if t.serialized)
    for index, facility in enumerate(facilities):
        stock_receive(
            actor=admin,
            facility=facility,
            item_type=gift_card,
            serials=[f"PGC-{index + 1}{n:04d}" for n in range(1, 21)],
            now=now,
        )
    advocates = {facility.pk: owners[i] for i, facility in enumerate(facilities)}
    _given_this_year(items, advocates, rng, now, this_year)


def _given_this_year(
    items: list[ItemType], advocates: dict[int, User], rng: random.Random, now: datetime, year: int
) -> None:
    """Advocates gave something on about a third of this year's resolved complaints."""
    on_the_spot = [t for t in items if t.kind in FRONTLINE_KINDS]
    for case in (
        Case.objects.filter(kind__in=[Kind.COMPLAINT, Kind.GRIEVANCE], resolved_at__year=year)
        .select_related("facility")
        .order_by("received_at")
    ):
        if rng.random() > 0.33:
            continue
        advocate = advocates[case.facility_id]
        at = min(case.resolved_at or now, now) - timedelta(hours=1)
        recovery_client_create(
            actor=advocate,
            case=case,
            display_name=default_client_name(case),
            identifier="",
            beneficiary=False,
            now=at,
            case_only=True,
        )
        recovery_issue(
            actor=advocate,
            case=case,
            order=RecoveryOrder(
                item_type=rng.choice(on_the_spot),
                reason_code=rng.choice([ReasonCode.WAIT, ReasonCode.MEALS, ReasonCode.CARE]),
            ),
            now=at,
        )
