"""Stock reconciliation for one item type at one facility, on plain values (no database).

From the ledger: received - issued - voided (written off from stock) = on hand. Each serial's
state by the ledger is compared with the stock record's status and, when a physical count is
given, with the count; every disagreement is listed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

RECEIVE, ISSUE, VOID_ISSUE, WRITE_OFF, REDEEM = (
    "receive",
    "issue",
    "void_issue",
    "write_off",
    "redeem",
)


@dataclass(frozen=True)
class SerialEvent:
    serial: str
    event: str  # one of RECEIVE, ISSUE, VOID_ISSUE, WRITE_OFF, REDEEM


@dataclass(frozen=True)
class Difference:
    serial: str
    problem: str


@dataclass(frozen=True)
class Reconciliation:
    received: int
    issued: int
    voided: int
    issued_then_voided: int
    redeemed: int
    on_hand: int
    on_hand_recorded: int
    counted: int | None
    differences: list[Difference] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.differences and self.on_hand == self.on_hand_recorded


def ledger_state(events: Counter[str]) -> str:
    """The state the ledger gives a serial (assuming at most one of each event)."""
    if not events[RECEIVE] and not events[ISSUE]:
        return "unknown"
    if events[ISSUE]:
        if events[VOID_ISSUE]:
            return "voided"
        return "redeemed" if events[REDEEM] else "issued"
    return "voided" if events[WRITE_OFF] else "in_stock"


def _problems(serial: str, events: Counter[str], status: str | None) -> list[str]:
    problems = []
    if events[RECEIVE] == 0:
        problems.append("issued or voided but never received")
    if events[RECEIVE] > 1:
        problems.append(f"received {events[RECEIVE]} times")
    if events[ISSUE] > 1:
        problems.append(f"issued {events[ISSUE]} times")
    if events[ISSUE] and events[WRITE_OFF]:
        problems.append("issued and also written off from stock")
    state = ledger_state(events)
    if status is None:
        problems.append(f"in the ledger ({state}) but has no stock record")
    elif status != state:
        problems.append(f"stock record says {status}, the ledger says {state}")
    return problems


def reconcile(
    *,
    events: Iterable[SerialEvent],
    statuses: Mapping[str, str],
    counted: Iterable[str] | None = None,
) -> Reconciliation:
    """`statuses` maps every serial with a stock record to its recorded status; `counted` is
    the serials found in a physical count of the drawer, if one was made."""
    by_serial: dict[str, Counter[str]] = {}
    for e in events:
        by_serial.setdefault(e.serial, Counter())[e.event] += 1
    differences = []
    for serial in sorted(set(by_serial) | set(statuses)):
        found = by_serial.get(serial, Counter())
        if not found:
            differences.append(Difference(serial, "has a stock record but no ledger entry"))
            continue
        differences += [
            Difference(serial, p) for p in _problems(serial, found, statuses.get(serial))
        ]
    count_set = None if counted is None else set(counted)
    if count_set is not None:
        for serial in sorted(set(by_serial) | count_set):
            expected = ledger_state(by_serial.get(serial, Counter())) == "in_stock"
            if expected and serial not in count_set:
                differences.append(
                    Difference(serial, "missing: on hand by the ledger, not counted")
                )
            elif serial in count_set and not expected:
                state = ledger_state(by_serial.get(serial, Counter()))
                differences.append(Difference(serial, f"counted, but the ledger says {state}"))
    total: Counter[str] = Counter()
    for c in by_serial.values():
        total.update(c)
    return Reconciliation(
        received=total[RECEIVE],
        issued=total[ISSUE],
        voided=total[WRITE_OFF],
        issued_then_voided=total[VOID_ISSUE],
        redeemed=total[REDEEM],
        on_hand=total[RECEIVE] - total[ISSUE] - total[WRITE_OFF],
        on_hand_recorded=sum(1 for s in statuses.values() if s == "in_stock"),
        counted=None if count_set is None else len(count_set),
        differences=differences,
    )
