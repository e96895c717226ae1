"""Which packs and clock rules apply to a case: pure functions over plain values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from careloop.policies.packs import ClassificationRule, ClockRule, Pack


@dataclass(frozen=True)
class CaseFacts:
    kind: str
    setting: str
    abuse_alleged: bool
    serious_injury: bool


def packs_for(*, facts: CaseFacts, enabled: Iterable[str], packs: Mapping[str, Pack]) -> list[Pack]:
    chosen = []
    for pack_id in enabled:
        pack = packs.get(pack_id)
        if pack is None or facts.kind not in pack.kinds:
            continue
        if pack.settings and facts.setting not in pack.settings:
            continue
        chosen.append(pack)
    return chosen


def rule_applies(*, rule: ClockRule, facts: CaseFacts) -> bool:
    grave = facts.abuse_alleged or facts.serious_injury
    if rule.when == "abuse_or_serious_injury":
        return grave
    if rule.when == "not_abuse_or_serious_injury":
        return not grave
    return True


@dataclass(frozen=True)
class IntakeFacts:
    kind: str
    setting: str
    written: bool
    resolved_at_time: bool
    asks_for_response: bool


def classify(
    *, facts: IntakeFacts, enabled: Iterable[str], packs: Mapping[str, Pack]
) -> ClassificationRule | None:
    """The first rule of the facility's packs that files this concern as another kind."""
    holds = {
        "written": facts.written,
        "not_resolved_at_time": not facts.resolved_at_time,
        "asks_for_response": facts.asks_for_response,
    }
    for pack_id in enabled:
        pack = packs.get(pack_id)
        if pack is None or (pack.settings and facts.setting not in pack.settings):
            continue
        for rule in pack.classification:
            if rule.from_kind == facts.kind and holds[rule.when]:
                return rule
    return None
