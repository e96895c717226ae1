"""Pure aggregation for the dashboards: durations, clock compliance per pack, recovery spend
against budget and HCAT volumes. Plain values in, plain values out; no database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from careloop.followups.stats import percentile

BUDGET_WARN = Decimal("0.80")
BUDGET_LIMIT = Decimal("1.00")


@dataclass(frozen=True, kw_only=True)
class Durations:
    count: int
    median_hours: float | None
    p90_hours: float | None


def durations(pairs: Iterable[tuple[datetime, datetime | None]]) -> Durations:
    """Median and 90th percentile in hours from (start, end) event timestamps; pairs without an
    end, or ending before they start (a clock set wrong), are left out."""
    hours = [
        (end - start).total_seconds() / 3600
        for start, end in pairs
        if end is not None and end >= start
    ]
    if not hours:
        return Durations(count=0, median_hours=None, p90_hours=None)
    return Durations(
        count=len(hours), median_hours=percentile(hours, 50), p90_hours=percentile(hours, 90)
    )


@dataclass(frozen=True, kw_only=True)
class PackCompliance:
    pack_id: str
    ended: int
    met: int

    @property
    def rate(self) -> float | None:
        return self.met / self.ended if self.ended else None


def clock_compliance(clocks: Iterable[tuple[str, bool]]) -> list[PackCompliance]:
    """Clocks that ended (met or breached) per pack as (pack_id, met on time), by pack id."""
    ended: Counter[str] = Counter()
    met: Counter[str] = Counter()
    for pack_id, was_met in clocks:
        ended[pack_id] += 1
        met[pack_id] += was_met
    return [PackCompliance(pack_id=p, ended=ended[p], met=met[p]) for p in sorted(ended)]


@dataclass(frozen=True, kw_only=True)
class BudgetLine:
    currency: str
    spent: Decimal
    budget: Decimal | None

    @property
    def share(self) -> Decimal | None:
        if not self.budget:
            return None
        return self.spent / self.budget

    @property
    def level(self) -> str:
        """ "over" at 100 % of budget, "warn" from 80 %, "ok" below, "no budget" without one."""
        share = self.share
        if share is None:
            return "no budget"
        if share >= BUDGET_LIMIT:
            return "over"
        return "warn" if share >= BUDGET_WARN else "ok"


def budget_lines(
    *, spent: Mapping[str, Decimal], budgets: Iterable[tuple[str, Decimal]]
) -> list[BudgetLine]:
    """Spend per currency against the sum of the budgets in that currency, by currency."""
    totals: dict[str, Decimal] = {}
    for currency, amount in budgets:
        totals[currency] = totals.get(currency, Decimal("0.00")) + amount
    return [
        BudgetLine(currency=c, spent=spent.get(c, Decimal("0.00")), budget=totals.get(c))
        for c in sorted(set(spent) | set(totals))
    ]


def category_volumes(
    counts: Mapping[str, int], categories: Sequence[tuple[str, str]]
) -> list[tuple[str, int]]:
    """(label, cases) per HCAT category in the categories' order; a case rated in several
    categories counts once in each."""
    return [(str(label), counts.get(field, 0)) for field, label in categories]
