"""Text intelligence write paths: codebooks and cross-walks, accepting or correcting a
suggestion (applied through cases.services.case_code, the one coding write path, and kept as a
Correction for training) and confirming a duplicate or repeat link between two cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from careloop.audit.services import audit_record
from careloop.cases.models import HCAT_CATEGORIES, Case
from careloop.cases.services import case_code, case_locked_for_write
from careloop.cases.timeline import case_event_record
from careloop.orgs.models import Organization, User
from careloop.orgs.permissions import has_capability, has_capability_anywhere, role_label
from careloop.text.codebooks import CodeRow, hcat_rows
from careloop.text.models import (
    HCAT_CODEBOOK_NAME,
    CaseLink,
    Code,
    Codebook,
    Correction,
    Crosswalk,
    LinkKind,
    Suggestion,
)

HCAT_FIELDS = [name for name, _ in HCAT_CATEGORIES]


def _write_codes(codebook: Codebook, rows: Sequence[CodeRow]) -> None:
    created = {
        row.code: Code.objects.create(
            codebook=codebook,
            code=row.code,
            label=row.label,
            description=row.description,
            language=row.language,
            severity_max=row.severity_max,
            position=position,
        )
        for position, row in enumerate(rows)
    }
    for row in rows:
        if row.parent:
            code = created[row.code]
            code.parent = created[row.parent]
            code.save(update_fields=["parent"])
        if row.hcat_category:
            Crosswalk.objects.create(code=created[row.code], hcat_category=row.hcat_category)


@transaction.atomic
def codebook_create_hcat(*, organization: Organization, now: datetime) -> Codebook:
    """The organization's HCAT codebook (machine-created on first use, no actor)."""
    Organization.objects.select_for_update().get(pk=organization.pk)
    found = Codebook.objects.filter(organization=organization, is_hcat=True).first()
    if found is not None:
        return found
    codebook = Codebook.objects.create(
        organization=organization,
        name=HCAT_CODEBOOK_NAME,
        source="Healthcare Complaints Analysis Tool (Gillespie & Reader 2016)",
        is_hcat=True,
        created_at=now,
    )
    _write_codes(codebook, hcat_rows())
    audit_record(
        actor=None,
        action="C",
        event_type="text.codebook_created",
        at=now,
        organization_id=organization.pk,
        object_type="text_codebook",
        object_id=str(codebook.pk),
        fields=["name", "codes"],
        detail={"codes": len(hcat_rows()), "hcat": True},
    )
    return codebook


def _require_admin(actor: User, organization_id: int) -> None:
    if actor.organization_id != organization_id or not has_capability_anywhere(actor, "administer"):
        raise PermissionDenied("Only administrators manage codebooks.")


@transaction.atomic
def codebook_import(
    *,
    organization: Organization,
    actor: User | None,
    name: str,
    rows: Sequence[CodeRow],
    source: str,
    now: datetime,
) -> Codebook:
    """A new codebook from checked rows (codebooks.parse_codebook_csv); all or nothing.
    `actor` None is an operator at the command line."""
    if actor is not None:
        _require_admin(actor, organization.pk)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("Give the codebook a name of 1 to 100 characters.")
    if name.upper() == HCAT_CODEBOOK_NAME:
        raise ValidationError("HCAT is the built-in codebook; choose another name.")
    if not rows:
        raise ValidationError("The codebook has no codes.")
    Organization.objects.select_for_update().get(pk=organization.pk)
    if Codebook.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(f"A codebook called {name!r} already exists.")
    codebook = Codebook.objects.create(
        organization=organization, name=name, source=source[:300], created_at=now
    )
    _write_codes(codebook, rows)
    audit_record(
        actor=actor,
        action="C",
        event_type="text.codebook_imported",
        at=now,
        organization_id=organization.pk,
        object_type="text_codebook",
        object_id=str(codebook.pk),
        fields=["name", "codes"],
        actor_role=role_label(actor) if actor is not None else "",
        detail={"codes": len(rows)},
    )
    return codebook


@transaction.atomic
def crosswalk_set(
    *, actor: User, codebook: Codebook, mapping: dict[str, str], now: datetime
) -> int:
    """Replace the codebook's cross-walk: code -> HCAT severity field ("" removes it)."""
    _require_admin(actor, codebook.organization_id)
    if codebook.is_hcat:
        raise ValidationError("The HCAT codebook maps onto itself; its cross-walk is fixed.")
    Codebook.objects.select_for_update().get(pk=codebook.pk)
    codes = {c.code: c for c in Code.objects.filter(codebook=codebook)}
    unknown = sorted(set(mapping) - set(codes))
    bad = sorted({v for v in mapping.values() if v and v not in HCAT_FIELDS})
    if unknown or bad:
        problems = [f"Unknown codes: {', '.join(unknown)}."] if unknown else []
        problems += [f"Unknown HCAT categories: {', '.join(bad)}."] if bad else []
        raise ValidationError(" ".join(problems))
    Crosswalk.objects.filter(code__codebook=codebook).delete()
    Crosswalk.objects.bulk_create(
        [Crosswalk(code=codes[c], hcat_category=v) for c, v in mapping.items() if v]
    )
    mapped = sum(1 for v in mapping.values() if v)
    audit_record(
        actor=actor,
        action="U",
        event_type="text.crosswalk_set",
        at=now,
        organization_id=codebook.organization_id,
        object_type="text_codebook",
        object_id=str(codebook.pk),
        fields=["crosswalk"],
        actor_role=role_label(actor),
        detail={"mapped": mapped},
    )
    return mapped


def _categories_for(codebook: Codebook, labels: Sequence[str]) -> set[str]:
    return set(
        Crosswalk.objects.filter(code__codebook=codebook, code__code__in=list(labels)).values_list(
            "hcat_category", flat=True
        )
    )


def _check_values(
    codebook: Codebook,
    labels: Sequence[str],
    severity: int | None,
    harm: int | None,
    sentiment: int | None,
) -> list[str]:
    clean = sorted(set(labels))
    known = set(
        Code.objects.filter(codebook=codebook, code__in=clean).values_list("code", flat=True)
    )
    if missing := [c for c in clean if c not in known]:
        raise ValidationError(f"Not codes of {codebook.name}: {', '.join(missing)}.")
    if severity is not None and severity not in (0, 1, 2, 3):
        raise ValidationError("Severity must be 0 to 3.")
    if harm is not None and not 0 <= harm <= 5:
        raise ValidationError("Harm must be 0 to 5.")
    if sentiment is not None and not 1 <= sentiment <= 5:
        raise ValidationError("Sentiment must be 1 to 5.")
    return clean


def _apply_to_case(
    *,
    actor: User,
    case: Case,
    codebook: Codebook,
    labels: list[str],
    severity: int | None,
    harm: int | None,
    replace: bool,
    now: datetime,
) -> None:
    """Code the case through case_code. `replace` (a correction in HCAT) sets exactly the
    categories given; otherwise each cross-walked category is raised to the severity."""
    locked = case_locked_for_write(case)
    categories = _categories_for(codebook, labels)
    level = max(severity or 1, 1)
    severities = {name: getattr(locked, name) for name in HCAT_FIELDS}
    for name in HCAT_FIELDS:
        if name in categories:
            severities[name] = level if replace else max(severities[name], level)
        elif replace:
            severities[name] = 0
    case_code(
        actor=actor,
        case=locked,
        severities=severities,
        stage_of_care=locked.stage_of_care,
        harm=harm if harm is not None else locked.harm,
        staff_involved=list(locked.staff_involved.all()),
        units_involved=list(locked.units_involved.all()),
        now=now,
    )


def _record_correction(
    *,
    actor: User,
    codebook: Codebook,
    case: Case | None,
    answer_id: int | None,
    suggestion: Suggestion | None,
    accepted: bool,
    labels: list[str],
    severity: int | None,
    harm: int | None,
    sentiment: int | None,
    now: datetime,
) -> Correction:
    correction = Correction.objects.create(
        organization_id=codebook.organization_id,
        codebook=codebook,
        case=case,
        answer_id=answer_id,
        suggestion=suggestion,
        accepted=accepted,
        labels=labels,
        severity=severity,
        harm=harm,
        sentiment=sentiment,
        actor=actor,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="C",
        event_type="text.suggestion_accepted" if accepted else "text.coding_corrected",
        at=now,
        organization_id=codebook.organization_id,
        case_id=case.pk if case else None,
        object_type="text_correction",
        object_id=str(correction.pk),
        fields=["labels", "severity", "harm", "sentiment"],
        actor_role=role_label(actor, case) if case else role_label(actor),
        detail={"codebook_id": codebook.pk, "suggestion_id": suggestion.pk if suggestion else None},
    )
    return correction


def _check_target(actor: User, suggestion_or_case: Case | None, organization_id: int) -> None:
    if suggestion_or_case is not None:
        if not has_capability(actor, "work_case", suggestion_or_case):
            raise PermissionDenied("Your role cannot code this case.")
    elif actor.organization_id != organization_id or not has_capability_anywhere(
        actor, "work_case"
    ):
        raise PermissionDenied("Your role cannot code survey comments.")


@transaction.atomic
def suggestion_accept(*, actor: User, suggestion: Suggestion, now: datetime) -> Correction:
    """Accept the suggestion as it is: its codes, severity and harm go onto the case."""
    _check_target(actor, suggestion.case, suggestion.organization_id)
    if suggestion.status != "suggested":
        raise ValidationError("There is no suggestion to accept.")
    labels = [c["code"] for c in suggestion.codes]
    codebook = suggestion.codebook
    clean = _check_values(codebook, labels, suggestion.severity, suggestion.harm, None)
    if suggestion.case is not None:
        _apply_to_case(
            actor=actor,
            case=suggestion.case,
            codebook=codebook,
            labels=clean,
            severity=suggestion.severity,
            harm=suggestion.harm,
            replace=False,
            now=now,
        )
    return _record_correction(
        actor=actor,
        codebook=codebook,
        case=suggestion.case,
        answer_id=suggestion.answer_id,
        suggestion=suggestion,
        accepted=True,
        labels=clean,
        severity=suggestion.severity,
        harm=suggestion.harm,
        sentiment=suggestion.sentiment,
        now=now,
    )


@transaction.atomic
def coding_correct(
    *,
    actor: User,
    codebook: Codebook,
    labels: Sequence[str],
    severity: int | None,
    harm: int | None,
    sentiment: int | None,
    now: datetime,
    case: Case | None = None,
    answer_id: int | None = None,
    suggestion: Suggestion | None = None,
) -> Correction:
    """A person's own coding of a case or survey comment (the suggestion was wrong or
    missing): applied to the case and kept as training data."""
    if (case is None) == (answer_id is None):
        raise ValidationError("Correct either a case or a survey comment.")
    if case is not None and case.organization_id != codebook.organization_id:
        raise PermissionDenied("That codebook belongs to another organization.")
    _check_target(actor, case, codebook.organization_id)
    clean = _check_values(codebook, labels, severity, harm, sentiment)
    if case is not None:
        _apply_to_case(
            actor=actor,
            case=case,
            codebook=codebook,
            labels=clean,
            severity=severity,
            harm=harm,
            replace=codebook.is_hcat,
            now=now,
        )
    return _record_correction(
        actor=actor,
        codebook=codebook,
        case=case,
        answer_id=answer_id,
        suggestion=suggestion,
        accepted=False,
        labels=clean,
        severity=severity,
        harm=harm,
        sentiment=sentiment,
        now=now,
    )


@transaction.atomic
def case_link_confirm(
    *, actor: User, from_case: Case, to_case: Case, kind: str, now: datetime
) -> CaseLink:
    """Staff confirm that `from_case` is a duplicate or a repeat of `to_case`."""
    if kind not in LinkKind.values:
        raise ValidationError(f"Link kind must be one of: {', '.join(LinkKind.values)}.")
    if from_case.pk == to_case.pk:
        raise ValidationError("A case cannot be linked to itself.")
    for case in (from_case, to_case):
        if not has_capability(actor, "work_case", case):
            raise PermissionDenied("Your role cannot link these cases.")
    if from_case.organization_id != to_case.organization_id:
        raise PermissionDenied("The cases belong to different organizations.")
    first, second = sorted([from_case, to_case], key=lambda c: c.pk)
    locked = {c.pk: case_locked_for_write(c) for c in (first, second)}
    pair = Q(from_case=from_case, to_case=to_case) | Q(from_case=to_case, to_case=from_case)
    if CaseLink.objects.filter(pair).exists():
        raise ValidationError("These cases are already linked.")
    try:
        with transaction.atomic():
            link = CaseLink.objects.create(
                from_case=locked[from_case.pk],
                to_case=locked[to_case.pk],
                kind=kind,
                confirmed_by=actor,
                confirmed_at=now,
            )
    except IntegrityError as exc:
        raise ValidationError("These cases are already linked.") from exc
    label = LinkKind(kind).label.lower()
    case_event_record(
        case=locked[from_case.pk],
        actor=actor,
        at=now,
        kind="linked",
        summary=f"Confirmed as {label} of {locked[to_case.pk].reference}",
        changes={"link": (None, [kind, to_case.pk])},
        action="C",
        object_type="text_case_link",
        object_id=str(link.pk),
    )
    case_event_record(
        case=locked[to_case.pk],
        actor=actor,
        at=now,
        kind="linked",
        summary=f"{locked[from_case.pk].reference} confirmed as its {label}",
        changes={"link": (None, [kind, from_case.pk])},
        action="C",
        object_type="text_case_link",
        object_id=str(link.pk),
    )
    return link
