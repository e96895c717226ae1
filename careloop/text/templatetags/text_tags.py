"""What the case page's text panel needs: suggestions, a correction form per codebook, duplicate
and repeat candidates and confirmed links, fetched by the panel itself."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import HttpRequest

from careloop.cases.models import Case, Status
from careloop.core.time import utcnow
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability
from careloop.text.forms import CorrectionForm
from careloop.text.models import CaseLink, ModelKind, ModelVersion, Suggestion
from careloop.text.selectors import (
    CandidateView,
    duplicate_candidates_for,
    links_for_case,
    suggestions_for_case,
)

register = template.Library()


@dataclass(frozen=True)
class SuggestionView:
    suggestion: Suggestion
    labels: list[tuple[str, str, float]]  # code, label, confidence
    form: CorrectionForm | None


@dataclass(frozen=True)
class Panel:
    suggestions: list[SuggestionView]
    candidates: list[CandidateView]
    links: list[CaseLink]
    can_work: bool
    looked: bool
    no_model: bool


# Candidates are looked for on their own for a new case (where a duplicate matters most and
# before work is done twice); on any other case when staff ask (?similar=1).
LOOK_AUTOMATICALLY = frozenset({Status.NEW, Status.ACKNOWLEDGED})


@register.simple_tag
def text_panel(case: Case, user: User, request: HttpRequest | None = None) -> Panel | None:
    if not isinstance(user, User) or case.erased_at is not None:
        return None
    can_work = has_capability(user, "work_case", case)
    views: list[SuggestionView] = []
    for s in suggestions_for_case(case):
        names = dict(s.codebook.codes.values_list("code", "label"))
        form = None
        if can_work:
            form = CorrectionForm(
                codebook=s.codebook,
                initial={
                    "labels": [c["code"] for c in s.codes],
                    "severity": s.severity,
                    "harm": s.harm,
                    "sentiment": s.sentiment,
                    "suggestion": s.pk,
                },
                prefix=f"cb{s.codebook_id}",
            )
        labels = [(c["code"], names.get(c["code"], c["code"]), c["confidence"]) for c in s.codes]
        views.append(SuggestionView(s, labels, form))
    asked = request is not None and request.GET.get("similar") == "1"
    looked = can_work and (asked or case.status in LOOK_AUTOMATICALLY)
    candidates = duplicate_candidates_for(user=user, case=case, now=utcnow()) if looked else []
    return Panel(
        suggestions=views,
        candidates=candidates,
        looked=looked,
        links=links_for_case(case),
        can_work=can_work,
        no_model=not views
        and not ModelVersion.objects.filter(
            organization_id=case.organization_id, kind=ModelKind.THEME, promoted=True
        ).exists(),
    )


@register.simple_tag
def reference_of(references: dict[int, str], case_id: int) -> str:
    return references.get(case_id, f"#{case_id}")
