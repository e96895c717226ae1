"""Scoped, audited reads for text intelligence: a case's suggestions and duplicate/repeat
candidates, a facility's emerging themes, the model registry and codebooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.http import Http404

from careloop.audit.services import audit_record
from careloop.cases.models import HCAT_CATEGORIES, Case, ReporterType
from careloop.insights.counting import issue_of, person_key
from careloop.orgs.models import Facility, User
from careloop.orgs.permissions import (
    facility_ids_for,
    has_capability_anywhere,
    org_id_of,
    role_label,
    scope_q,
)
from careloop.text.codebooks import hcat_code
from careloop.text.duplicates import (
    DUPLICATE_WINDOW,
    REPEAT_WINDOW,
    Candidate,
    CaseText,
    candidates_for,
)
from careloop.text.emerging import Document, Trend, rising, terms_of
from careloop.text.models import CaseLink, Codebook, ModelVersion, Suggestion

HCAT_FIELDS = [name for name, _ in HCAT_CATEGORIES]
NEAREST = 50  # cases each side in time looked at for duplicates
REPEAT_POOL = 50
BASELINE_DAYS = 91
# At most this many cases of each period are read (the newest); the page says when a limit hit.
RECENT_LIMIT = 5_000
BASELINE_LIMIT = 15_000


def suggestions_for_case(case: Case) -> list[Suggestion]:
    """The newest suggestion per codebook (the case page has already audited the view)."""
    latest: dict[int, Suggestion] = {}
    for s in Suggestion.objects.filter(case_id=case.pk).select_related("codebook", "model_version"):
        if s.codebook_id not in latest or (s.created_at, s.pk) > (
            latest[s.codebook_id].created_at,
            latest[s.codebook_id].pk,
        ):
            latest[s.codebook_id] = s
    return sorted(latest.values(), key=lambda s: (not s.codebook.is_hcat, s.codebook.name))


def suggestion_get_for(*, user: User, suggestion_id: int) -> Suggestion:
    """A case's suggestion the user may see; missing and out of scope are both 404."""
    found = (
        Suggestion.objects.filter(scope_q(user, prefix="case__"), pk=suggestion_id)
        .select_related("case__facility", "case__organization", "codebook")
        .first()
    )
    if found is None:
        raise Http404("No such suggestion.")
    return found


def links_for_case(case: Case) -> list[CaseLink]:
    return list(
        CaseLink.objects.filter(Q(from_case=case) | Q(to_case=case)).select_related(
            "from_case", "to_case", "confirmed_by"
        )
    )


def _case_text(row: dict[str, object]) -> CaseText:
    received_at = row["received_at"]
    assert isinstance(received_at, datetime)  # noqa: S101  # a model column
    issue = issue_of({f: int(str(row[f])) for f in HCAT_FIELDS})
    return CaseText(
        case_id=int(str(row["pk"])),
        received_at=received_at,
        unit_id=int(str(row["unit_id"])) if row["unit_id"] is not None else None,
        person=person_key(
            client_id=int(str(row["recovery_client__client_id"]))
            if row["recovery_client__client_id"] is not None
            else None,
            email=str(row["reporter_email"]),
            phone=str(row["reporter_phone"]),
            anonymous=row["reporter_type"] == ReporterType.ANONYMOUS,
        ),
        issue=hcat_code(issue) if issue else None,
        text=str(row["narrative"]),
    )


_FIELDS = (
    "pk",
    "received_at",
    "unit_id",
    "reporter_type",
    "reporter_email",
    "reporter_phone",
    "recovery_client__client_id",
    "narrative",
    *HCAT_FIELDS,
)


def _same_person_q(row: dict[str, object]) -> Q | None:
    """Cases that may share the person key (person_key, checked exactly afterwards)."""
    q = Q(pk__in=[])
    if row["recovery_client__client_id"] is not None:
        q |= Q(recovery_client__client_id=row["recovery_client__client_id"])
    if email := str(row["reporter_email"]).strip():
        q |= Q(reporter_email__iexact=email)
    if phone := str(row["reporter_phone"]).strip():
        q |= Q(reporter_phone=phone)
    return q


@dataclass(frozen=True)
class CandidateView:
    candidate: Candidate
    case: Case


def duplicate_candidates_for(*, user: User, case: Case, now: datetime) -> list[CandidateView]:
    """Cases the user may see that may report the same event, or repeat the same person's
    complaint; already linked pairs are left out. Audited when any is shown."""
    if case.erased_at is not None:
        return []
    linked = set(
        CaseLink.objects.filter(from_case=case).values_list("to_case_id", flat=True)
    ) | set(CaseLink.objects.filter(to_case=case).values_list("from_case_id", flat=True))
    row = Case.objects.filter(pk=case.pk).values(*_FIELDS).get()
    target = _case_text(row)
    t = case.received_at
    base = (
        Case.objects.filter(scope_q(user), facility_id=case.facility_id, erased_at__isnull=True)
        .exclude(pk=case.pk)
        .exclude(pk__in=linked)
    )
    # The cases nearest in time on either side, then the same person's within the repeat window.
    queries = [
        base.filter(received_at__gte=t - DUPLICATE_WINDOW, received_at__lte=t).order_by(
            "-received_at", "-id"
        )[:NEAREST],
        base.filter(received_at__gt=t, received_at__lte=t + DUPLICATE_WINDOW).order_by(
            "received_at", "id"
        )[:NEAREST],
    ]
    same_person = _same_person_q(row) if target.person is not None else None
    if same_person is not None:
        queries.append(
            base.filter(same_person, received_at__gte=t - REPEAT_WINDOW)
            .filter(received_at__lte=t + REPEAT_WINDOW)
            .order_by("-received_at", "-id")[:REPEAT_POOL]
        )
    pool = {r["pk"]: r for q in queries for r in q.values(*_FIELDS)}.values()
    found = candidates_for(target, [_case_text(r) for r in pool])
    if not found:
        return []
    cases = Case.objects.in_bulk([c.case_id for c in found])
    audit_record(
        actor=user,
        action="R",
        event_type="text.duplicates_viewed",
        at=now,
        organization_id=case.organization_id,
        case_id=case.pk,
        object_type="case",
        object_id=str(case.pk),
        fields=["reference", "received_at", "unit"],
        actor_role=role_label(user, case),
        detail={"candidate_case_ids": [c.case_id for c in found]},
    )
    return [CandidateView(c, cases[c.case_id]) for c in found if c.case_id in cases]


def facility_for_emerging(*, user: User, facility_id: int) -> Facility:
    """A facility of the user's organization where they may see cases (else 404)."""
    allowed = facility_ids_for(user, "view_case")
    facility = Facility.objects.filter(pk=facility_id, organization_id=org_id_of(user)).first()
    if facility is None or (allowed is not None and facility.pk not in allowed):
        raise Http404("No such facility.")
    return facility


@dataclass(frozen=True)
class Emerging:
    terms: list[Trend]
    codes: list[Trend]
    tested: int
    recent_cases: int
    baseline_cases: int
    limited: bool
    recent_from: datetime
    baseline_from: datetime
    references: dict[int, str]


def _codes_of(row: dict[str, Any]) -> frozenset[str]:
    return frozenset(hcat_code(f) for f in HCAT_FIELDS if row[f] > 0)


def emerging_for(*, user: User, facility: Facility, weeks: int, now: datetime) -> Emerging:
    """Terms and HCAT codes rising in the last `weeks` weeks against the quarter before, over
    the cases of the facility the user may see. Audited (the case ids behind each row)."""
    recent_from = now - timedelta(weeks=weeks)
    baseline_from = recent_from - timedelta(days=BASELINE_DAYS)
    scoped = Case.objects.filter(scope_q(user), facility_id=facility.pk, erased_at__isnull=True)
    fields = ("pk", "reference", "narrative", *HCAT_FIELDS)
    recent_rows = list(
        scoped.filter(received_at__gte=recent_from, received_at__lt=now)
        .order_by("-received_at", "-id")
        .values(*fields)[:RECENT_LIMIT]
    )
    base_rows = list(
        scoped.filter(received_at__gte=baseline_from, received_at__lt=recent_from)
        .order_by("-received_at", "-id")
        .values(*fields)[:BASELINE_LIMIT]
    )
    recent_terms = [Document(r["pk"], terms_of(r["narrative"])) for r in recent_rows]
    recent_codes = [Document(r["pk"], _codes_of(r)) for r in recent_rows]
    base_terms = [terms_of(r["narrative"]) for r in base_rows]
    base_codes = [_codes_of(r) for r in base_rows]
    references = {r["pk"]: r["reference"] for r in recent_rows}
    term_trends, tested_terms = rising(recent_terms, base_terms)
    code_trends, tested_codes = rising(recent_codes, base_codes)
    shown = sorted({i for t in term_trends + code_trends for i in t.case_ids})
    audit_record(
        actor=user,
        action="R",
        event_type="text.emerging_viewed",
        at=now,
        organization_id=facility.organization_id,
        object_type="facility",
        object_id=str(facility.pk),
        fields=["reference", "narrative_terms", "hcat_codes"],
        actor_role=role_label(user),
        detail={"case_ids": shown, "weeks": weeks},
    )
    return Emerging(
        terms=term_trends,
        codes=code_trends,
        tested=tested_terms + tested_codes,
        recent_cases=len(recent_terms),
        baseline_cases=len(base_terms),
        limited=len(recent_rows) == RECENT_LIMIT or len(base_rows) == BASELINE_LIMIT,
        recent_from=recent_from,
        baseline_from=baseline_from,
        references={pk: ref for pk, ref in references.items() if pk in set(shown)},
    )


def can_administer_text(user: User) -> bool:
    return user.organization_id is not None and has_capability_anywhere(user, "administer")


def model_versions_for(user: User) -> list[ModelVersion]:
    return list(
        ModelVersion.objects.filter(organization_id=org_id_of(user))
        .select_related("codebook", "created_by")
        .defer("blob", "training_keys", "heldout_keys")
    )


def model_version_get_for(*, user: User, version_id: int) -> ModelVersion:
    found = (
        ModelVersion.objects.filter(organization_id=org_id_of(user), pk=version_id)
        .select_related("codebook")
        .defer("blob")
        .first()
    )
    if found is None:
        raise Http404("No such model version.")
    return found


def codebooks_for(user: User) -> list[Codebook]:
    return list(
        Codebook.objects.filter(organization_id=org_id_of(user)).prefetch_related(
            "codes__crosswalk"
        )
    )


def codebook_get_for(*, user: User, codebook_id: int) -> Codebook:
    found = Codebook.objects.filter(organization_id=org_id_of(user), pk=codebook_id).first()
    if found is None:
        raise Http404("No such codebook.")
    return found
