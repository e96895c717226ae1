"""The authority matrix applied to a case: what someone may give without approval, what was
already given (read under the client lock by the services), and who could approve more."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from careloop.cases.models import Case
from careloop.orgs.models import Role, User
from careloop.orgs.permissions import roles_for
from careloop.recovery.models import AuthorityLimit, ItemType, Period, RecoveryClient
from careloop.recovery.rules import (
    R11_CURRENCY,
    Limit,
    highest_limit,
    limit_covers,
    r11_problems,
    window_start,
)
from careloop.recovery.selectors import facility_settings, given_on_case, given_to_client

# Who is asked, in order, when a request is above the requester's limit.
APPROVER_ORDER = (Role.MANAGER, Role.EXECUTIVE, Role.ADMIN)
APPROVER_LABELS = {
    Role.MANAGER: "a unit manager",
    Role.EXECUTIVE: "a director or executive",
    Role.ADMIN: "an administrator",
}
COMPLIANCE_APPROVERS = "a compliance approver (executive or administrator)"


def _limit(row: AuthorityLimit) -> Limit:
    return Limit(per_case=row.per_case, per_client=row.per_client, period=row.period)


def limit_for_roles(roles: Iterable[str], item_type: ItemType) -> Limit | None:
    rows = AuthorityLimit.objects.filter(item_type_id=item_type.pk, role__in=list(roles))
    return highest_limit(_limit(r) for r in rows)


def limit_for(*, user: User, case: Case, item_type: ItemType) -> Limit | None:
    """The highest limit among the roles the user holds over the case."""
    roles = roles_for(user, case)
    return limit_for_roles(roles, item_type) if roles else None


@dataclass(frozen=True)
class Standing:
    """What was already given, for one case, client and item type at one moment."""

    on_case: Decimal
    for_client: dict[str, Decimal]  # by Period
    r11_year: Decimal | None  # given to the client this R11 year; None when R11 does not apply

    def covers(self, limit: Limit | None, value: Decimal) -> bool:
        if limit is None:
            return False
        return limit_covers(
            limit, value=value, on_case=self.on_case, for_client=self.for_client[limit.period]
        )

    def r11_problems(
        self, *, item_type: ItemType, unit_value: Decimal, value: Decimal
    ) -> list[str]:
        if self.r11_year is None:
            return []
        return r11_problems(
            cash=item_type.cash_or_cash_equivalent,
            unit_value=unit_value,
            value=value,
            currency=item_type.currency,
            year_given=self.r11_year,
        )


def standing_for(
    *, case: Case, client: RecoveryClient, item_type: ItemType, now: datetime
) -> Standing:
    tz_name = case.facility.time_zone
    for_client = {
        period: given_to_client(
            client_id=client.pk,
            item_type_id=item_type.pk,
            since=window_start(period=period, now=now, tz_name=tz_name),
        )
        for period in Period.values
    }
    r11_year = None
    setting = facility_settings(case.facility)
    if client.beneficiary and setting.r11_guard:
        since = window_start(period=setting.r11_period, now=now, tz_name=tz_name)
        r11_year = given_to_client(client_id=client.pk, since=since, currency=R11_CURRENCY)
    return Standing(
        on_case=given_on_case(case_id=case.pk, item_type_id=item_type.pk),
        for_client=for_client,
        r11_year=r11_year,
    )


def approver_needed(*, item_type: ItemType, standing: Standing, value: Decimal) -> str:
    """Who to ask: the first role, in the order unit manager, executive, administrator, whose
    limit covers the request."""
    for role in APPROVER_ORDER:
        if standing.covers(limit_for_roles([role], item_type), value):
            return f"{APPROVER_LABELS[role]} or above"
    return "someone whose limit covers it (no role's limit does: change the authority matrix)"
