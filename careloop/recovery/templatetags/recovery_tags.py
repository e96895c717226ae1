"""What the case page's recovery panel needs, fetched by the panel itself (so the case view
stays as it is)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import template
from django.db.models import Sum

from careloop.cases.models import Case, ReporterType
from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.recovery.approvals import recovery_review
from careloop.recovery.authority import limit_for
from careloop.recovery.clients import default_client_name
from careloop.recovery.forms import ClientCreateForm, GiveForm, form_token
from careloop.recovery.models import (
    SPEND_KINDS,
    CaseClient,
    ItemType,
    LedgerEntry,
    Period,
    RecoveryClient,
    Script,
)
from careloop.recovery.permissions import (
    can_administer_facility,
    can_approve_compliance,
    can_give_recovery,
    can_void_recovery,
)
from careloop.recovery.rules import (
    R11_CURRENCY,
    R11_ITEM_LIMIT,
    SCRIPT_STEPS,
    ZERO,
    Limit,
    r11_remaining,
    window_start,
)
from careloop.recovery.selectors import (
    RecoveryAction,
    cents,
    facility_settings,
    given_to_client,
    item_types_for,
    organization_settings,
    recovery_actions_for_case,
    recovery_clients_search,
)

register = template.Library()


@dataclass(frozen=True)
class Allowance:
    item_type: ItemType
    limit: Limit | None
    case_left: Decimal
    client_left: Decimal | None
    now_max: Decimal
    period: str
    r11_blocked: bool = False  # outside R11 for this client whatever the amount


@dataclass(frozen=True)
class R11View:
    year_given: Decimal
    remaining: Decimal
    period: str


@dataclass(frozen=True)
class PendingView:
    action: RecoveryAction
    waiting_for: str
    may_approve: bool
    may_decline: bool


@dataclass(frozen=True)
class Panel:
    script_name: str
    script_steps: tuple[tuple[str, str], ...]
    can_give: bool
    can_clear_beneficiary: bool
    can_redeem: bool
    erased: bool
    link: CaseClient | None
    query: str = ""
    results: list[RecoveryClient] = field(default_factory=list)
    create_form: ClientCreateForm | None = None
    anonymous: bool = False
    allowances: list[Allowance] = field(default_factory=list)
    r11_guard: bool = False
    r11: R11View | None = None
    actions: list[RecoveryAction] = field(default_factory=list)
    pending: list[PendingView] = field(default_factory=list)
    form: GiveForm | None = None
    may_void: set[int] = field(default_factory=set)


def _given(entries: Any) -> dict[int, Decimal]:
    rows = entries.filter(kind__in=SPEND_KINDS).values("item_type_id").annotate(total=Sum("amount"))
    return {row["item_type_id"]: cents(row["total"]) for row in rows}


def _r11_blocks(item: ItemType) -> bool:
    """Whether R11 refuses the item for a beneficiary at any amount."""
    if item.cash_or_cash_equivalent or item.currency != R11_CURRENCY:
        return True
    return not item.value_editable and item.retail_value > R11_ITEM_LIMIT


def _allowances(
    *,
    user: User,
    case: Case,
    client: RecoveryClient | None,
    types: list[ItemType],
    r11: R11View | None,
) -> list[Allowance]:
    now = utcnow()
    on_case = _given(LedgerEntry.objects.filter(case_id=case.pk))
    for_client: dict[str, dict[int, Decimal]] = {}
    if client is not None:
        for period in Period.values:
            since = window_start(period=period, now=now, tz_name=case.facility.time_zone)
            for_client[period] = _given(
                LedgerEntry.objects.filter(client_id=client.pk, effective_at__gte=since)
            )
    allowances = []
    for item in types:
        limit = limit_for(user=user, case=case, item_type=item)
        per_case = limit.per_case if limit else ZERO
        case_left = max(ZERO, per_case - on_case.get(item.pk, ZERO))
        client_left = None
        if client is not None:
            per_client = limit.per_client if limit else ZERO
            given = for_client[limit.period if limit else Period.CALENDAR_YEAR].get(item.pk, ZERO)
            client_left = max(ZERO, per_client - given)
        now_max = case_left if client_left is None else min(case_left, client_left)
        blocked = r11 is not None and _r11_blocks(item)
        if r11 is not None:
            now_max = ZERO if blocked else min(now_max, r11.remaining)
        period = Period(limit.period).label if limit else ""
        allowances.append(
            Allowance(item, limit, case_left, client_left, now_max, period, r11_blocked=blocked)
        )
    return allowances


def _r11(case: Case, client: RecoveryClient | None, guard: bool, period: str) -> R11View | None:
    if client is None or not client.beneficiary or not guard:
        return None
    since = window_start(period=period, now=utcnow(), tz_name=case.facility.time_zone)
    given = given_to_client(client_id=client.pk, since=since, currency=R11_CURRENCY)
    return R11View(year_given=given, remaining=r11_remaining(given), period=Period(period).label)


def _pending(user: User, actions: list[RecoveryAction]) -> list[PendingView]:
    views = []
    for action in actions:
        if action.status != "pending":
            continue
        review = recovery_review(actor=user, request=action.request, now=utcnow())
        views.append(
            PendingView(
                action=action,
                waiting_for=review.waiting_for,
                may_approve=review.may_approve(user),
                may_decline=review.may_decline(user),
            )
        )
    return views


@register.simple_tag(takes_context=True)
def recovery_panel(context: template.Context) -> Panel:
    case: Case = context["case"]
    user = context["user"]
    if not isinstance(user, User):
        return Panel("", (), False, False, False, True, None)
    name, steps = SCRIPT_STEPS[organization_settings(case.organization_id).script or Script.HEART]
    link = CaseClient.objects.filter(case_id=case.pk).select_related("client").first()
    client = link.client if link else None
    can_give = can_give_recovery(user, case) and case.erased_at is None
    request = context.get("request")
    query = request.GET.get("client_q", "") if request is not None else ""
    setting = facility_settings(case.facility)
    actions = recovery_actions_for_case(case)
    types = list(item_types_for(case.organization_id))
    r11 = _r11(case, client, setting.r11_guard, setting.r11_period)
    return Panel(
        script_name=name,
        script_steps=steps,
        can_give=can_give,
        can_clear_beneficiary=can_approve_compliance(user, case),
        can_redeem=can_give or can_administer_facility(user, case.facility),
        erased=case.erased_at is not None,
        link=link,
        query=query,
        results=recovery_clients_search(user=user, case=case, query=query, now=utcnow())
        if can_give and link is None and query
        else [],
        create_form=ClientCreateForm(initial={"display_name": default_client_name(case)})
        if can_give and link is None
        else None,
        anonymous=case.reporter_type == ReporterType.ANONYMOUS,
        allowances=_allowances(user=user, case=case, client=client, types=types, r11=r11)
        if can_give
        else [],
        r11_guard=setting.r11_guard,
        r11=r11,
        actions=actions,
        pending=_pending(user, actions),
        form=GiveForm(
            initial={"form_token": form_token()},
            item_types=item_types_for(case.organization_id),
        )
        if can_give and link is not None
        else None,
        may_void={
            a.issue.pk
            for a in actions
            if a.issue is not None
            and a.status == "issued"
            and can_void_recovery(user, case, given_by_id=a.issue.given_by_id)
        },
    )
