"""Recovery reads: settings with their defaults, sums over the ledger, the recovery actions on a
case, spend for insights, pending requests and the client search. Sums read only issues and
their voids (SPEND_KINDS); every other entry carries no amount."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.orgs.permissions import role_label, scope_q
from careloop.recovery import reconcile as reconcile_rules
from careloop.recovery.models import (
    SPEND_KINDS,
    Budget,
    EntryKind,
    FacilityRecoverySettings,
    ItemType,
    LedgerEntry,
    OrganizationRecoverySettings,
    Period,
    RecoveryClient,
    StockItem,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SEARCH_LIMIT = 20
QUEUE_LIMIT = 200


def organization_settings(organization_id: int) -> OrganizationRecoverySettings:
    """The organization's settings, or the defaults (unsaved) when none were saved."""
    found = OrganizationRecoverySettings.objects.filter(organization_id=organization_id).first()
    return found or OrganizationRecoverySettings(
        organization_id=organization_id, updated_at=timezone.now()
    )


def facility_settings(facility: Facility) -> FacilityRecoverySettings:
    """The facility's R11 setting, or the default: on for US facilities, calendar year."""
    found = FacilityRecoverySettings.objects.filter(facility_id=facility.pk).first()
    return found or FacilityRecoverySettings(
        facility_id=facility.pk,
        r11_guard=facility.jurisdiction.upper().startswith("US"),
        r11_period=Period.CALENDAR_YEAR,
        updated_at=timezone.now(),
    )


def cents(total: Decimal | None) -> Decimal:
    """A sum from the database to two decimals (SQLite returns 80 for 80.00; None for none)."""
    return (total if total is not None else ZERO).quantize(CENT)


def _spend(entries: QuerySet[LedgerEntry]) -> Decimal:
    return cents(entries.filter(kind__in=SPEND_KINDS).aggregate(total=Sum("amount"))["total"])


def given_on_case(*, case_id: int, item_type_id: int) -> Decimal:
    return _spend(LedgerEntry.objects.filter(case_id=case_id, item_type_id=item_type_id))


def given_to_client(
    *,
    client_id: int,
    since: datetime,
    item_type_id: int | None = None,
    currency: str | None = None,
) -> Decimal:
    entries = LedgerEntry.objects.filter(client_id=client_id, effective_at__gte=since)
    if item_type_id is not None:
        entries = entries.filter(item_type_id=item_type_id)
    if currency is not None:
        entries = entries.filter(currency=currency)
    return _spend(entries)


def _local_bounds(start_on: date, end_on: date, tz_name: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz_name)
    return (
        datetime.combine(start_on, time.min, zone),
        datetime.combine(end_on + timedelta(days=1), time.min, zone),
    )


def budget_spent(budget: Budget) -> Decimal:
    """What the unit gave in the budget's currency within its local dates."""
    start, end = _local_bounds(budget.start_on, budget.end_on, budget.unit.facility.time_zone)
    return _spend(
        LedgerEntry.objects.filter(
            unit_id=budget.unit_id,
            currency=budget.currency,
            effective_at__gte=start,
            effective_at__lt=end,
        )
    )


def recovery_spend(
    *, organization: Organization, start: datetime, end: datetime, unit: Unit | None = None
) -> dict[str, Decimal]:
    """Net recovery given in [start, end), by currency (issues less their voids, counted when
    the item was given). For insights and reports."""
    entries = LedgerEntry.objects.filter(
        organization_id=organization.pk,
        kind__in=SPEND_KINDS,
        effective_at__gte=start,
        effective_at__lt=end,
    )
    if unit is not None:
        entries = entries.filter(unit_id=unit.pk)
    rows = entries.values("currency").annotate(total=Sum("amount")).order_by("currency")
    return {row["currency"]: cents(row["total"]) for row in rows}


# --- requests and what became of them -----------------------------------------------------------


@dataclass(frozen=True)
class RecoveryAction:
    """One request and what became of it."""

    request: LedgerEntry
    approvals: tuple[LedgerEntry, ...]
    decline: LedgerEntry | None
    issue: LedgerEntry | None
    void: LedgerEntry | None
    redemption: LedgerEntry | None

    @property
    def status(self) -> str:
        if self.decline is not None:
            return "withdrawn" if self.decline.actor_id == self.request.actor_id else "declined"
        if self.issue is None:
            return "pending"
        if self.void is not None:
            return "voided"
        return "redeemed" if self.redemption is not None else "issued"

    @property
    def net(self) -> Decimal:
        """What this action costs now: the issue less its void."""
        return sum(
            (e.amount for e in (self.issue, self.void) if e is not None), start=Decimal("0.00")
        )

    @property
    def approved_scopes(self) -> set[str]:
        scopes: set[str] = set()
        for a in self.approvals:
            scopes |= (
                {"authority", "compliance"} if a.approval_scope == "both" else {a.approval_scope}
            )
        return scopes


def _actions(requests: list[LedgerEntry], followers: list[LedgerEntry]) -> list[RecoveryAction]:
    by_request: dict[int, list[LedgerEntry]] = {}
    for e in followers:
        if e.request_id is not None:
            by_request.setdefault(e.request_id, []).append(e)

    def first(entries: list[LedgerEntry], kind: str) -> LedgerEntry | None:
        return next((e for e in entries if e.kind == kind), None)

    actions = []
    for r in requests:
        mine = by_request.get(r.pk, [])
        actions.append(
            RecoveryAction(
                request=r,
                approvals=tuple(e for e in mine if e.kind == EntryKind.APPROVE),
                decline=first(mine, EntryKind.DECLINE),
                issue=first(mine, EntryKind.ISSUE),
                void=first(mine, EntryKind.VOID),
                redemption=first(mine, EntryKind.REDEEM),
            )
        )
    return actions


def _with_people(entries: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    return entries.select_related("item_type", "actor", "given_by", "approved_by", "stock_item")


def recovery_actions_for_case(case: Case) -> list[RecoveryAction]:
    """Every recovery request on the case, oldest first, with what became of it."""
    entries = list(_with_people(LedgerEntry.objects.filter(case_id=case.pk)).order_by("at", "id"))
    requests = [e for e in entries if e.kind == EntryKind.REQUEST]
    return _actions(requests, [e for e in entries if e.kind != EntryKind.REQUEST])


def recovery_action_for(request: LedgerEntry) -> RecoveryAction:
    followers = list(_with_people(LedgerEntry.objects.filter(request_id=request.pk)))
    return _actions([request], followers)[0]


def pending_requests_for(*, user: User) -> list[RecoveryAction]:
    """Requests still waiting for a decision on cases the user may see, oldest first."""
    decided = Q(kind__in=[EntryKind.DECLINE, EntryKind.ISSUE])
    decided_ids = LedgerEntry.objects.filter(decided, request__isnull=False).values("request_id")
    requests = list(
        _with_people(
            LedgerEntry.objects.filter(
                scope_q(user, prefix="case__"), kind=EntryKind.REQUEST
            ).exclude(pk__in=decided_ids)
        )
        .select_related("case__facility", "case__unit")
        .order_by("at", "id")[:QUEUE_LIMIT]
    )
    approvals = list(
        LedgerEntry.objects.filter(
            kind=EntryKind.APPROVE, request_id__in=[r.pk for r in requests]
        ).select_related("actor")
    )
    return _actions(requests, approvals)


def item_types_for(organization_id: int, *, active_only: bool = True) -> QuerySet[ItemType]:
    types = ItemType.objects.filter(organization_id=organization_id)
    return types.filter(active=True) if active_only else types


# --- clients -----------------------------------------------------------------------------------


def recovery_clients_search(
    *, user: User, case: Case, query: str, now: datetime
) -> list[RecoveryClient]:
    """Clients of the case's organization whose identifier is `query` or whose name contains
    it (never the clients made for one anonymous case). The read is audited."""
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    found = list(
        RecoveryClient.objects.filter(organization_id=case.organization_id, case_only=False)
        .filter(Q(identifier__iexact=query) | Q(display_name__icontains=query))
        .order_by("display_name", "id")[:SEARCH_LIMIT]
    )
    audit_record(
        actor=user,
        action="R",
        event_type="recovery.clients_searched",
        at=now,
        organization_id=case.organization_id,
        case_id=case.pk,
        object_type="recovery_client",
        fields=["display_name", "identifier"],
        actor_role=role_label(user, case),
        detail={"client_ids": [c.pk for c in found]},
    )
    return found


# --- stock ---------------------------------------------------------------------------------------

_STOCK_EVENTS: dict[str, str] = {
    EntryKind.RECEIVE: reconcile_rules.RECEIVE,
    EntryKind.ISSUE: reconcile_rules.ISSUE,
    EntryKind.REDEEM: reconcile_rules.REDEEM,
}


def stock_reconciliation(
    *, facility: Facility, item_type: ItemType, counted: list[str] | None = None
) -> reconcile_rules.Reconciliation:
    """Received - issued - voided = on hand for one item type at one facility, from the ledger,
    with every serial whose ledger, stock record or physical count disagree."""
    rows = LedgerEntry.objects.filter(
        stock_item__facility_id=facility.pk,
        item_type_id=item_type.pk,
        kind__in=[*_STOCK_EVENTS, EntryKind.VOID],
    ).values_list("kind", "target_id", "stock_item__serial")
    events = [
        reconcile_rules.SerialEvent(
            serial=serial,
            event=_STOCK_EVENTS.get(kind)
            or (reconcile_rules.VOID_ISSUE if target_id else reconcile_rules.WRITE_OFF),
        )
        for kind, target_id, serial in rows
    ]
    statuses = dict(
        StockItem.objects.filter(facility_id=facility.pk, item_type_id=item_type.pk).values_list(
            "serial", "status"
        )
    )
    return reconcile_rules.reconcile(events=events, statuses=statuses, counted=counted)
