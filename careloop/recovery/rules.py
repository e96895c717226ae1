"""Recovery arithmetic on plain values (no database): limits and who they cover, the periods
limits count over, the R11 gift guard, budget warnings and amount checks.

R11 (DOMAIN.md section 3): gifts to Medicare/Medicaid beneficiaries must be of nominal value,
at most $15 retail per item and $75 per beneficiary per year, and never cash or a cash
equivalent (OIG policy statement of 7 December 2016)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

R11_ITEM_LIMIT = Decimal("15.00")
R11_YEAR_LIMIT = Decimal("75.00")
R11_CURRENCY = "USD"
CALENDAR_YEAR, ROLLING_365 = "calendar_year", "rolling_365"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


# Service-recovery scripts shown at the moment of recovery (DOMAIN.md R1, R2).
SCRIPT_STEPS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "heart": (
        "HEART",
        (
            ("Hear", "Let them tell the whole story without interrupting."),
            ("Empathize", "Show you understand how they feel."),
            ("Apologize", "Say sorry sincerely; an apology is not an admission of liability."),
            ("Respond", "Put it right now, or say what will happen and by when."),
            ("Thank", "Thank them for telling you."),
        ),
    ),
    "last": (
        "LAST",
        (
            ("Listen", "Let them tell the whole story without interrupting."),
            ("Apologize", "Say sorry sincerely; an apology is not an admission of liability."),
            ("Solve", "Put it right now, or say what will happen and by when."),
            ("Thank", "Thank them for telling you."),
        ),
    ),
}


@dataclass(frozen=True)
class Limit:
    """What someone may give of one item type without approval."""

    per_case: Decimal
    per_client: Decimal
    period: str


def highest_limit(limits: Iterable[Limit]) -> Limit | None:
    """The highest of several roles' limits, field by field; the period is that of the highest
    per-client limit (calendar year on a tie, the shorter look-back)."""
    rows = list(limits)
    if not rows:
        return None
    per_client = max(rows, key=lambda r: (r.per_client, r.period == CALENDAR_YEAR))
    return Limit(
        per_case=max(r.per_case for r in rows),
        per_client=per_client.per_client,
        period=per_client.period,
    )


def window_start(*, period: str, now: datetime, tz_name: str) -> datetime:
    """When the current period began: 1 January at local midnight in the facility's zone, or
    365 days before now."""
    if period == ROLLING_365:
        return now - timedelta(days=365)
    if period != CALENDAR_YEAR:
        raise ValueError(f"Unknown period {period!r}.")
    zone = ZoneInfo(tz_name)
    return datetime(now.astimezone(zone).year, 1, 1, tzinfo=zone)


def limit_covers(
    limit: Limit | None, *, value: Decimal, on_case: Decimal, for_client: Decimal
) -> bool:
    """Whether `value` more, on top of what was already given on this case and to this client in
    the limit's period, stays within the limit."""
    if limit is None:
        return False
    return on_case + value <= limit.per_case and for_client + value <= limit.per_client


def r11_problems(
    *, cash: bool, unit_value: Decimal, value: Decimal, currency: str, year_given: Decimal
) -> list[str]:
    """Why a gift to a beneficiary is outside R11 (empty when it is within)."""
    problems = []
    if cash:
        problems.append("it is cash or a cash equivalent")
    if currency != R11_CURRENCY:
        problems.append(f"its value is in {currency}, so the US$15/US$75 limits cannot be checked")
        return problems
    if unit_value > R11_ITEM_LIMIT:
        problems.append(f"USD {unit_value} per item is above the USD {R11_ITEM_LIMIT} limit")
    if year_given + value > R11_YEAR_LIMIT:
        problems.append(
            f"it brings this client's year to USD {year_given + value}, above the "
            f"USD {R11_YEAR_LIMIT} limit"
        )
    return problems


def r11_remaining(year_given: Decimal) -> Decimal:
    return max(ZERO, R11_YEAR_LIMIT - year_given)


def budget_share(*, spent: Decimal, budget: Decimal) -> Decimal:
    """Spent as a percentage of the budget, to one decimal."""
    return (spent * 100 / budget).quantize(Decimal("0.1")) if budget > 0 else Decimal(0)


def budget_level(*, spent: Decimal, budget: Decimal) -> str:
    """'' under 80 %, 'warning' from 80 %, 'reached' from 100 %, 'over' above it."""
    if spent > budget:
        return "over"
    if spent >= budget:
        return "reached"
    if spent * 5 >= budget * 4:
        return "warning"
    return ""


def checked_money(value: object, *, field: str, ceiling: Decimal, allow_zero: bool) -> Decimal:
    """A positive amount of money with at most two decimals, not above the ceiling."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{field} is not an amount of money.", code="amount") from exc
    if not amount.is_finite():
        raise ValidationError(f"{field} is not an amount of money.", code="amount")
    if amount != amount.quantize(CENT):
        raise ValidationError(f"{field} has more than two decimals.", code="amount")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(f"{field} must be more than zero.", code="amount")
    if amount > ceiling:
        raise ValidationError(
            f"{field} {amount} is above the ceiling of {ceiling} set for this organization.",
            code="ceiling",
        )
    return amount.quantize(CENT)


TIMES = "\N{MULTIPLICATION SIGN}"  # between a quantity and an item, e.g. "2 x Meal voucher"
