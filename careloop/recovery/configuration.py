"""Administration write paths: item types, the authority matrix, unit budgets, and the
organization's and facilities' recovery settings. Each checks the administrator's scope, locks
the row it changes, and audits old and new values in the same transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.audit.services import audit_record
from careloop.core.text import clean_text
from careloop.orgs.models import Facility, Organization, Role, Unit, User
from careloop.orgs.permissions import role_label
from careloop.recovery.models import (
    DEFAULT_AMOUNT_CEILING,
    AuthorityLimit,
    Budget,
    FacilityRecoverySettings,
    ItemKind,
    ItemType,
    OrganizationRecoverySettings,
    Period,
    Script,
)
from careloop.recovery.permissions import (
    Place,
    can_administer_facility,
    can_administer_organization,
)
from careloop.recovery.rules import checked_money
from careloop.recovery.selectors import facility_settings, organization_settings

CURRENCY = re.compile(r"[A-Z]{3}")
CEILING_MAX = Decimal("1000000.00")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _audit(
    *,
    actor: User,
    place: Place,
    now: datetime,
    event: str,
    obj: str,
    pk: int,
    old: dict[str, Any],
    new: dict[str, Any],
) -> None:
    changed = {k: [_plain(old.get(k)), _plain(v)] for k, v in new.items() if old.get(k) != v}
    audit_record(
        actor=actor,
        action="U" if old else "C",
        event_type=f"recovery.{event}",
        at=now,
        organization_id=place.organization_id,
        object_type=obj,
        object_id=str(pk),
        fields=sorted(changed),
        actor_role=role_label(actor, place),
        detail={"changes": changed},
    )


def _org_admin(actor: User, organization_id: int) -> Place:
    if not can_administer_organization(actor, organization_id):
        raise PermissionDenied("Only organization administrators can change this.")
    return Place.organization(organization_id)


def _currency(value: str) -> str:
    value = value.strip().upper()
    if not CURRENCY.fullmatch(value):
        raise ValidationError("Currency is a three-letter ISO code such as USD.", code="currency")
    return value


@dataclass(frozen=True)
class ItemTypeValues:
    kind: str
    name: str
    retail_value: Decimal
    currency: str = "USD"
    value_editable: bool = False
    cash_or_cash_equivalent: bool = False
    serialized: bool = False
    active: bool = True


@transaction.atomic
def item_type_save(
    *,
    actor: User,
    organization: Organization,
    values: ItemTypeValues,
    now: datetime,
    item_type: ItemType | None = None,
) -> ItemType:
    place = _org_admin(actor, organization.pk)
    if values.kind not in ItemKind.values:
        raise ValidationError("Choose a kind of item.", code="kind")
    ceiling = organization_settings(organization.pk).amount_ceiling
    fields: dict[str, Any] = {
        "kind": values.kind,
        "name": clean_text(values.name, field="Name", max_chars=120, required=True),
        "retail_value": checked_money(
            values.retail_value, field="Retail value", ceiling=ceiling, allow_zero=True
        ),
        "currency": _currency(values.currency),
        "value_editable": values.value_editable,
        "cash_or_cash_equivalent": values.cash_or_cash_equivalent,
        "serialized": values.serialized,
        "active": values.active,
    }
    if fields["serialized"] and fields["value_editable"]:
        raise ValidationError("A serialized item has a fixed value.", code="serialized")
    duplicate = ItemType.objects.filter(organization=organization, name=fields["name"])
    if item_type is not None:
        duplicate = duplicate.exclude(pk=item_type.pk)
    if duplicate.exists():
        raise ValidationError("Another item type has that name.", code="name")
    old: dict[str, Any] = {}
    if item_type is None:
        item_type = ItemType.objects.create(organization=organization, created_at=now, **fields)
    else:
        item_type = ItemType.objects.select_for_update().get(
            pk=item_type.pk, organization=organization
        )
        old = {name: getattr(item_type, name) for name in fields}
        if old["serialized"] != fields["serialized"] and item_type.stock.exists():
            raise ValidationError(
                "This item type has stock; it cannot change whether it is serialized."
            )
        for name, value in fields.items():
            setattr(item_type, name, value)
        item_type.save(update_fields=list(fields))
    _audit(
        actor=actor,
        place=place,
        now=now,
        event="item_type_saved",
        obj="recovery_item_type",
        pk=item_type.pk,
        old=old,
        new=fields,
    )
    return item_type


@transaction.atomic
def authority_limit_set(
    *,
    actor: User,
    item_type: ItemType,
    role: str,
    per_case: Decimal,
    per_client: Decimal,
    period: str,
    now: datetime,
) -> AuthorityLimit:
    """Set one cell of the authority matrix (no row means nothing without approval)."""
    place = _org_admin(actor, item_type.organization_id)
    if role not in Role.values:
        raise ValidationError("Unknown role.", code="role")
    if period not in Period.values:
        raise ValidationError("Choose calendar year or rolling 365 days.", code="period")
    ceiling = max(CEILING_MAX, organization_settings(item_type.organization_id).amount_ceiling)
    fields: dict[str, Any] = {
        "per_case": checked_money(
            per_case, field="Limit per case", ceiling=ceiling, allow_zero=True
        ),
        "per_client": checked_money(
            per_client, field="Limit per client", ceiling=ceiling, allow_zero=True
        ),
        "period": period,
    }
    row = AuthorityLimit.objects.select_for_update().filter(item_type=item_type, role=role).first()
    old: dict[str, Any] = {}
    if row is None:
        row = AuthorityLimit.objects.create(
            item_type=item_type, role=role, updated_at=now, **fields
        )
    else:
        old = {name: getattr(row, name) for name in fields}
        if old == fields:
            return row
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now
        row.save(update_fields=[*fields, "updated_at"])
    _audit(
        actor=actor,
        place=place,
        now=now,
        event="authority_set",
        obj="recovery_authority",
        pk=row.pk,
        old=old,
        new={**fields, "role": role, "item_type": item_type.pk},
    )
    return row


@transaction.atomic
def budget_save(
    *,
    actor: User,
    unit: Unit,
    start_on: date,
    end_on: date,
    amount: Decimal,
    currency: str,
    now: datetime,
    budget: Budget | None = None,
) -> Budget:
    """Set a unit's budget for a period; periods of one unit never overlap."""
    place = Place.of_unit(unit)
    if not can_administer_facility(actor, unit.facility):
        raise PermissionDenied("Only administrators of this facility set its budgets.")
    if end_on < start_on:
        raise ValidationError("The period ends before it starts.", code="dates")
    fields: dict[str, Any] = {
        "start_on": start_on,
        "end_on": end_on,
        "amount": checked_money(
            amount, field="Budget", ceiling=CEILING_MAX * 100, allow_zero=False
        ),
        "currency": _currency(currency),
    }
    overlapping = Budget.objects.filter(unit=unit, start_on__lte=end_on, end_on__gte=start_on)
    if budget is not None:
        overlapping = overlapping.exclude(pk=budget.pk)
    if overlapping.exists():
        raise ValidationError(
            "This unit already has a budget for part of that period.", code="overlap"
        )
    old: dict[str, Any] = {}
    if budget is None:
        budget = Budget.objects.create(unit=unit, created_at=now, **fields)
    else:
        budget = Budget.objects.select_for_update().get(pk=budget.pk, unit=unit)
        old = {name: getattr(budget, name) for name in fields}
        for name, value in fields.items():
            setattr(budget, name, value)
        budget.save(update_fields=list(fields))
    _audit(
        actor=actor,
        place=place,
        now=now,
        event="budget_saved",
        obj="recovery_budget",
        pk=budget.pk,
        old=old,
        new={**fields, "unit": unit.pk},
    )
    return budget


@transaction.atomic
def organization_settings_save(
    *,
    actor: User,
    organization: Organization,
    script: str,
    block_budget_at_100: bool,
    amount_ceiling: Decimal,
    now: datetime,
) -> OrganizationRecoverySettings:
    place = _org_admin(actor, organization.pk)
    if script not in Script.values:
        raise ValidationError("Choose HEART or LAST.", code="script")
    fields: dict[str, Any] = {
        "script": script,
        "block_budget_at_100": block_budget_at_100,
        "amount_ceiling": checked_money(
            amount_ceiling, field="Ceiling", ceiling=CEILING_MAX, allow_zero=False
        ),
    }
    OrganizationRecoverySettings.objects.get_or_create(
        organization=organization,
        defaults={"updated_at": now, "amount_ceiling": DEFAULT_AMOUNT_CEILING},
    )
    row = OrganizationRecoverySettings.objects.select_for_update().get(organization=organization)
    old = {name: getattr(row, name) for name in fields}
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = now
    row.save(update_fields=[*fields, "updated_at"])
    _audit(
        actor=actor,
        place=place,
        now=now,
        event="settings_saved",
        obj="recovery_settings",
        pk=row.pk,
        old=old,
        new=fields,
    )
    return row


@transaction.atomic
def facility_settings_save(
    *, actor: User, facility: Facility, r11_guard: bool, r11_period: str, now: datetime
) -> FacilityRecoverySettings:
    """Turn the R11 guard on or off for a facility and choose its year."""
    if not can_administer_facility(actor, facility):
        raise PermissionDenied("Only administrators of this facility change its settings.")
    if r11_period not in Period.values:
        raise ValidationError("Choose calendar year or rolling 365 days.", code="period")
    default = facility_settings(facility)
    old = {"r11_guard": default.r11_guard, "r11_period": default.r11_period}
    FacilityRecoverySettings.objects.get_or_create(
        facility=facility, defaults={**old, "updated_at": now}
    )
    row = FacilityRecoverySettings.objects.select_for_update().get(facility=facility)
    row.r11_guard, row.r11_period, row.updated_at = r11_guard, r11_period, now
    row.save(update_fields=["r11_guard", "r11_period", "updated_at"])
    _audit(
        actor=actor,
        place=Place.of_facility(facility),
        now=now,
        event="facility_settings_saved",
        obj="recovery_facility_settings",
        pk=row.pk,
        old=old,
        new={"r11_guard": r11_guard, "r11_period": r11_period},
    )
    return row
