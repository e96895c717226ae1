"""What the case page's safety panel needs, fetched by the panel itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from careloop.cases.models import Case, Kind
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability
from careloop.safety.models import SafetyFlag
from careloop.safety.screening import RISK_LABELS

register = template.Library()


@dataclass(frozen=True)
class FlagView:
    flag: SafetyFlag
    risks: str
    live_hits: list[dict[str, Any]]
    ignored_hits: list[dict[str, Any]]
    reverts_to: str


@dataclass(frozen=True)
class Panel:
    flags: list[FlagView]
    can_decide: bool


@register.simple_tag
def safety_panel(case: Case, user: User) -> Panel:
    flags = (
        SafetyFlag.objects.filter(case_id=case.pk)
        .select_related("decided_by")
        .prefetch_related("pages__user")
    )
    kinds = dict(Kind.choices)
    views = [
        FlagView(
            flag=flag,
            risks=", ".join(RISK_LABELS.get(r, r) for r in flag.risks),
            live_hits=[h for h in flag.hits if h.get("certainty") != "dismissed"],
            ignored_hits=[h for h in flag.hits if h.get("certainty") == "dismissed"],
            reverts_to=str(kinds.get(flag.original_kind, flag.original_kind))
            if flag.filed_as_safety_concern and case.kind == Kind.SAFETY_CONCERN
            else "",
        )
        for flag in flags
    ]
    can_decide = isinstance(user, User) and has_capability(user, "work_case", case)
    return Panel(flags=views, can_decide=can_decide)
