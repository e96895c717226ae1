"""Suggestions computed in the background, and retraining.

`text_sweep` (one entry in core.worker.SWEEPS) does, each time it runs, for every codebook
(an organization gets its HCAT codebook at the first sweep):

1. a retrain when due (codebook_retrain_if_due: after CARELOOP_TEXT_RETRAIN_AFTER new
   corrections, or on the schedule), claimed by a conditional UPDATE so one sweeper queues it
   as a task for the task worker;
2. when the codebook has a promoted theme model, suggestions for up to BATCH cases and BATCH
   survey comments: those newer than the model's swept range first, then older ones back to
   the first (claim_ids). A text the models cannot read
   gets a row saying "no suggestion" and why (checks.py); without a promoted model nothing is
   written and the case page says "no suggestion: no model". When a new model is promoted,
   every text is suggested again in later batches. Rows are inserted with ON CONFLICT DO
   NOTHING, so two sweepers never duplicate one.

Criticality (0-3): 3 when the safety screen finds a likely risk in the text, else the
suggested severity (0 when none)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.core.time import utcnow
from careloop.orgs.models import Organization
from careloop.surveys.models import Answer, Item, ItemType
from careloop.text import themes
from careloop.text.checks import text_check
from careloop.text.learning import model_load, promoted_version
from careloop.text.models import (
    Codebook,
    Correction,
    ModelKind,
    ModelVersion,
    Suggestion,
    SuggestionStatus,
)
from careloop.text.screening import screen

BATCH = 200
CLAIM_INTERVAL = timedelta(hours=1)
RETRAIN_EVERY = timedelta(days=7)


@dataclass
class Computed:
    status: str
    reason: str = ""
    codes: list[dict[str, Any]] = field(default_factory=list)
    severity: int | None = None
    harm: int | None = None
    sentiment: int | None = None
    criticality: int | None = None
    truncated: bool = False


@dataclass(frozen=True)
class Models:
    theme: ModelVersion | None
    sentiment: ModelVersion | None
    severity: ModelVersion | None
    harm: ModelVersion | None


def models_for(codebook: Codebook) -> Models:
    return Models(
        theme=promoted_version(codebook, ModelKind.THEME),
        sentiment=promoted_version(codebook, ModelKind.SENTIMENT),
        severity=promoted_version(codebook, ModelKind.SEVERITY),
        harm=promoted_version(codebook, ModelKind.HARM),
    )


def _single(version: ModelVersion | None, texts: list[str]) -> list[int | None]:
    if version is None or not texts:
        return [None] * len(texts)
    model = model_load(version)
    assert isinstance(model, themes.SingleLabelModel)  # noqa: S101  # kind decides the type
    return [int(p) if p is not None else None for p in model.predict(texts)]


def suggestions_for_texts(texts: Sequence[str], models: Models) -> list[Computed]:
    """The suggestion (or the documented "no suggestion" and its reason) for each text."""
    checked = [text_check(t) for t in texts]
    out = [Computed(SuggestionStatus.NONE, c.reason, truncated=c.truncated) for c in checked]
    if models.theme is None:
        for row in out:
            row.reason = row.reason or "no_model"
        return out
    usable = [i for i, c in enumerate(checked) if c.text is not None]
    readable = [checked[i].text or "" for i in usable]
    theme_model = model_load(models.theme)
    assert isinstance(theme_model, themes.ThemeModel)  # noqa: S101  # kind decides the type
    ranked = theme_model.suggest(readable) if readable else []
    severities = _single(models.severity, readable)
    harms = _single(models.harm, readable)
    sentiments = _single(models.sentiment, readable)
    for n, i in enumerate(usable):
        row = out[i]
        row.codes = [{"code": s.code, "confidence": round(s.confidence, 3)} for s in ranked[n]]
        row.status = SuggestionStatus.SUGGESTED if row.codes else SuggestionStatus.NONE
        row.reason = "" if row.codes else "no_code"
        row.severity = severities[n] if row.codes else None
        row.harm = harms[n]
        row.sentiment = sentiments[n]
        risky = bool(screen(readable[n]).risks)
        row.criticality = 3 if risky else (row.severity or 0)
    return out


def codebook_hcat_ensure(organization: Organization, *, now: datetime) -> Codebook:
    from careloop.text.services import codebook_create_hcat

    found = Codebook.objects.filter(organization=organization, is_hcat=True).first()
    return found or codebook_create_hcat(organization=organization, now=now)


def texts_of_cases(organization_id: int) -> QuerySet[Case]:
    return Case.objects.filter(organization_id=organization_id, erased_at__isnull=True)


def texts_of_answers(organization_id: int) -> QuerySet[Answer]:
    # The organization's free-text items first (a handful), so the answers table is read
    # through its item index rather than joined with every response.
    items = list(
        Item.objects.filter(
            version__instrument__organization_id=organization_id, type=ItemType.FREE_TEXT
        ).values_list("pk", flat=True)
    )
    return Answer.objects.filter(item_id__in=items).exclude(value="")


def claim_ids(*, version: ModelVersion, target: str, texts: QuerySet[Any], batch: int) -> list[int]:
    """The next ids to suggest for with `version`: first any newer than the swept range, then
    older ones going back. The range (``<target>_low`` to ``<target>_high`` on the version) is
    moved by a conditional UPDATE, so two sweepers never take the same ids, and no query has to
    look for texts without a suggestion among a million."""
    low_name, high_name = f"{target}_low", f"{target}_high"
    fresh = ModelVersion.objects.filter(pk=version.pk).values(low_name, high_name).get()
    low, high = fresh[low_name], fresh[high_name]
    mine = ModelVersion.objects.filter(pk=version.pk)
    if high is None:
        top = texts.order_by("-pk").values_list("pk", flat=True).first()
        if top is None:
            return []
        if not mine.filter(**{f"{high_name}__isnull": True}).update(
            **{low_name: top + 1, high_name: top}
        ):
            return []
        low, high = top + 1, top
    newer = list(texts.filter(pk__gt=high).order_by("pk").values_list("pk", flat=True)[:batch])
    if newer:
        moved = mine.filter(**{high_name: high}).update(**{high_name: newer[-1]})
        return newer if moved else []
    older = list(texts.filter(pk__lt=low).order_by("-pk").values_list("pk", flat=True)[:batch])
    if older:
        moved = mine.filter(**{low_name: low}).update(**{low_name: older[-1]})
        return older if moved else []
    return []


def codebook_suggest_batch(*, codebook: Codebook, now: datetime, batch: int = BATCH) -> int:
    """Suggest for one batch of cases and one of survey comments; returns rows written."""
    models = models_for(codebook)
    version = models.theme
    if version is None:
        return 0  # nothing to suggest with: the case page says so (no rows for it)
    org_id = codebook.organization_id
    case_qs, answer_qs = texts_of_cases(org_id), texts_of_answers(org_id)
    case_ids = claim_ids(version=version, target="case", texts=case_qs, batch=batch)
    answer_ids = claim_ids(version=version, target="answer", texts=answer_qs, batch=batch)
    cases = list(case_qs.filter(pk__in=case_ids).values_list("pk", "narrative"))
    answers = list(answer_qs.filter(pk__in=answer_ids).values_list("pk", "value"))
    computed = suggestions_for_texts([t for _, t in cases] + [t for _, t in answers], models)
    targets: list[dict[str, int]] = [{"case_id": pk} for pk, _ in cases]
    targets += [{"answer_id": pk} for pk, _ in answers]
    rows = [
        Suggestion(
            organization_id=codebook.organization_id,
            codebook=codebook,
            model_version=version,
            status=c.status,
            reason=c.reason,
            codes=c.codes,
            severity=c.severity,
            harm=c.harm,
            sentiment=c.sentiment,
            criticality=c.criticality,
            truncated=c.truncated,
            created_at=now,
            **target,
        )
        for target, c in zip(targets, computed, strict=True)
    ]
    if not rows:
        return 0
    with transaction.atomic():
        Suggestion.objects.bulk_create(rows, ignore_conflicts=True)
        audit_record(
            actor=None,
            action="C",
            event_type="text.suggestions_computed",
            at=now,
            organization_id=codebook.organization_id,
            object_type="text_suggestion",
            fields=["codes", "severity", "harm", "sentiment", "criticality"],
            detail={
                "codebook_id": codebook.pk,
                "model_version": version.pk,
                "case_ids": [pk for pk, _ in cases],
                "answer_count": len(answers),
            },
        )
    return len(rows)


def _codebooks(now: datetime) -> list[Codebook]:
    """Every codebook; an organization without the HCAT codebook gets it first."""
    missing = Organization.objects.exclude(
        Exists(Codebook.objects.filter(organization_id=OuterRef("pk"), is_hcat=True))
    )
    for organization in missing:
        codebook_hcat_ensure(organization, now=now)
    return list(Codebook.objects.order_by("pk"))


def _changed_since(codebook: Codebook, at: datetime) -> bool:
    if Correction.objects.filter(codebook=codebook, created_at__gt=at).exists():
        return True
    return codebook.is_hcat and (
        Case.objects.filter(organization_id=codebook.organization_id, coded_at__gt=at).exists()
    )


def codebook_retrain_if_due(*, codebook: Codebook, now: datetime) -> bool:
    """Retrain after CARELOOP_TEXT_RETRAIN_AFTER new corrections, or on the schedule (HCAT
    without a model yet; any codebook whose newest model is older than RETRAIN_EVERY and whose
    examples changed since). A conditional UPDATE claims the codebook, at most once per
    CLAIM_INTERVAL, so one sweeper queues it and a codebook that cannot be trained yet is not
    retried at every sweep. The training runs as a task (tasks.codebook_retrain_task), not in
    the sweeper. True when a retrain was queued."""
    latest = ModelVersion.objects.filter(codebook=codebook).order_by("-created_at", "-id").first()
    seen = latest.corrections_seen if latest else 0
    by_corrections = (
        Correction.objects.filter(codebook=codebook).count() - seen
        >= settings.CARELOOP_TEXT_RETRAIN_AFTER
    )
    by_schedule = (latest is None and codebook.is_hcat) or (
        latest is not None and latest.created_at <= now - RETRAIN_EVERY
    )
    if not (by_corrections or by_schedule):
        return False
    claimed = (
        Codebook.objects.filter(pk=codebook.pk)
        .filter(
            Q(training_claimed_at__isnull=True) | Q(training_claimed_at__lte=now - CLAIM_INTERVAL)
        )
        .update(training_claimed_at=now)
    )
    if not claimed:
        return False
    if (
        not by_corrections
        and latest is not None
        and not _changed_since(codebook, latest.created_at)
    ):
        return False
    from careloop.text.tasks import codebook_retrain_task

    codebook_retrain_task.enqueue(codebook_id=codebook.pk)
    return True


def text_sweep(*, now: datetime) -> tuple[int, int]:
    """One pass: (suggestions written, retrains queued)."""
    written = retrained = 0
    for codebook in _codebooks(now):
        if codebook_retrain_if_due(codebook=codebook, now=now):
            retrained += 1
        written += codebook_suggest_batch(codebook=codebook, now=now)
    return written, retrained


def text_sweep_summary() -> str:
    written, retrained = text_sweep(now=utcnow())
    parts = []
    if written:
        parts.append(f"{written} suggestions")
    if retrained:
        parts.append(f"{retrained} retrains queued")
    return ", ".join(parts)
