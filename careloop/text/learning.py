"""Learning from staff coding: training examples, training per organization and codebook,
promotion only on improvement, and the model registry.

Examples: for the HCAT codebook, the MAX_CODED_EXAMPLES most recently coded cases (categories
rated above 0 are its codes, the highest rating its severity, its harm); for every codebook,
the corrections staff made (the latest per text wins over the case's coding); plus an optional
seed dataset. Each example has
a stable key ("case:12", "answer:<id>", "seed:<sha256 of the text>"); a key is held out when
the first 8 hex digits of its SHA-256 are 0 mod 5 (20 %), so an example is held out from every
model or from none, and each new model is compared with the promoted one on the same held-out
examples, never trained on. A new model is promoted only if its held-out macro-F1 is higher
than the promoted model's on those same examples."""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from careloop.audit.services import audit_record
from careloop.cases.models import HCAT_CATEGORIES, Case
from careloop.orgs.models import User
from careloop.text import themes
from careloop.text.codebooks import hcat_code
from careloop.text.evaluation import single_report, theme_report
from careloop.text.models import Codebook, Correction, ModelKind, ModelVersion
from careloop.text.themes_features import normalise_text

HELDOUT_MODULUS = 5
MIN_EXAMPLES = 8
# The newest coded cases an HCAT model learns from (training time grows with the examples).
MAX_CODED_EXAMPLES = 50_000
_SINGLE_KINDS = (ModelKind.SENTIMENT, ModelKind.SEVERITY, ModelKind.HARM)


@dataclass(frozen=True)
class Example:
    key: str
    text: str
    labels: frozenset[str] = frozenset()
    severity: int | None = None
    harm: int | None = None
    sentiment: int | None = None


@dataclass(frozen=True)
class Outcome:
    kind: str
    version: ModelVersion | None
    message: str


def is_heldout(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % HELDOUT_MODULUS == 0


def seed_example(text: str, labels: Iterable[str], sentiment: int | None = None) -> Example:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Example(key=f"seed:{digest}", text=text, labels=frozenset(labels), sentiment=sentiment)


def training_examples(codebook: Codebook, seed: Sequence[Example] = ()) -> list[Example]:
    """Every example of the codebook, keyed; corrections override the case's own coding."""
    by_key: dict[str, Example] = {e.key: e for e in seed}
    if codebook.is_hcat:
        fields = [name for name, _ in HCAT_CATEGORIES]
        rows = Case.objects.filter(
            organization_id=codebook.organization_id,
            coded_at__isnull=False,
            erased_at__isnull=True,
        ).values("pk", "narrative", "harm", *fields)
        rows = rows.order_by("-coded_at", "-pk")[:MAX_CODED_EXAMPLES]
        for r in rows:
            rated = {hcat_code(f): r[f] for f in fields if r[f] > 0}
            by_key[f"case:{r['pk']}"] = Example(
                key=f"case:{r['pk']}",
                text=r["narrative"],
                labels=frozenset(rated),
                severity=max(rated.values(), default=0),
                harm=r["harm"],
            )
    corrections = (
        Correction.objects.filter(codebook=codebook)
        .exclude(case__erased_at__isnull=False)
        .select_related("case", "answer")
        .order_by("created_at", "id")
    )
    for c in corrections:
        key = f"case:{c.case_id}" if c.case_id else f"answer:{c.answer_id}"
        text = c.case.narrative if c.case is not None else (c.answer.value if c.answer else "")
        by_key[key] = Example(
            key=key,
            text=text,
            labels=frozenset(c.labels),
            severity=c.severity,
            harm=c.harm,
            sentiment=c.sentiment,
        )
    return sorted(by_key.values(), key=lambda e: e.key)


def _digest(rows: Iterable[tuple[str, str, Any]]) -> str:
    h = hashlib.sha256()
    for key, text, labels in rows:
        line = json.dumps([key, hashlib.sha256(text.encode()).hexdigest(), labels])
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()


def _leaf_codes(codebook: Codebook) -> list[str]:
    codes = list(codebook.codes.values_list("code", "parent_id", "pk"))
    parents = {parent for _, parent, _ in codes if parent is not None}
    return [code for code, _, pk in codes if pk not in parents]


def _single_value(example: Example, kind: str) -> int | None:
    value: int | None = getattr(example, kind)
    return value


def _model_bytes(model: themes.ThemeModel | themes.SingleLabelModel) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        themes.save(model, path)
        return path.read_bytes()


_CACHE: dict[tuple[int, str], themes.ThemeModel | themes.SingleLabelModel] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def model_load(version: ModelVersion) -> themes.ThemeModel | themes.SingleLabelModel:
    """The model of a version, loaded once per process and kept by id and digest (the blob
    is checked against its SHA-256)."""
    with _CACHE_LOCK:
        cached = _CACHE.get((version.pk, version.blob_sha256))
    if cached is not None:
        return cached
    blob = bytes(version.blob)
    if hashlib.sha256(blob).hexdigest() != version.blob_sha256:
        raise ValueError(f"model version {version.pk}: stored file does not match its digest")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        path.write_bytes(blob)
        model = themes.load(path)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[(version.pk, version.blob_sha256)] = model
    return model


def promoted_version(codebook: Codebook, kind: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(codebook=codebook, kind=kind, promoted=True).first()


def _fit(
    kind: str, train_rows: list[Example], labels: list[str]
) -> themes.ThemeModel | themes.SingleLabelModel:
    if kind == ModelKind.THEME:
        known = set(labels)
        return themes.train(
            [e.text for e in train_rows],
            [e.labels & known for e in train_rows],
            label_names=labels,
        )
    return themes.train_single(
        [e.text for e in train_rows], [str(_single_value(e, kind)) for e in train_rows]
    )


def _score(
    model: themes.ThemeModel | themes.SingleLabelModel, kind: str, rows: list[Example]
) -> dict[str, Any]:
    texts = [e.text for e in rows]
    if isinstance(model, themes.ThemeModel):
        known = set(model.label_names)
        return theme_report(model, texts, [e.labels & known for e in rows])
    return single_report(model, texts, [str(_single_value(e, kind)) for e in rows], kind)


def _rows_for(kind: str, examples: list[Example]) -> list[Example]:
    if kind == ModelKind.THEME:
        return examples
    return [e for e in examples if _single_value(e, kind) is not None]


def codebook_train(
    *,
    codebook: Codebook,
    now: datetime,
    actor: User | None = None,
    seed: Sequence[Example] = (),
    kinds: Sequence[str] = tuple(ModelKind.values),
) -> list[Outcome]:
    """Train each kind of model the codebook's examples allow, and promote on improvement.
    Training happens outside any transaction; each version is written in its own."""
    examples = [e for e in training_examples(codebook, seed) if normalise_text(e.text)]
    corrections_seen = Correction.objects.filter(codebook=codebook).count()
    labels = _leaf_codes(codebook)
    outcomes: list[Outcome] = []
    for kind in kinds:
        if kind != ModelKind.THEME and not codebook.is_hcat and kind != ModelKind.SENTIMENT:
            continue
        rows = _rows_for(kind, examples)
        train_rows = [e for e in rows if not is_heldout(e.key)]
        held = [e for e in rows if is_heldout(e.key)]
        classes = {str(_single_value(e, kind)) for e in train_rows} if kind != "theme" else set()
        if len(train_rows) < MIN_EXAMPLES or not held:
            outcomes.append(
                Outcome(
                    kind,
                    None,
                    f"not trained: {len(train_rows)} training and {len(held)} held-out examples"
                    f" (need {MIN_EXAMPLES} and 1)",
                )
            )
            continue
        if kind != ModelKind.THEME and len(classes) < 2:
            outcomes.append(Outcome(kind, None, "not trained: only one value in the examples"))
            continue
        model = _fit(kind, train_rows, labels)
        metrics = _score(model, kind, held)
        current = promoted_version(codebook, kind)
        current_f1: float | None = None
        if current is not None:
            current_f1 = _score(model_load(current), kind, held)["macro_f1"]
        metrics["heldout"] = {
            "n": len(held),
            "previous_version": current.pk if current else None,
            "previous_macro_f1": current_f1,
        }
        metrics["n_train"] = len(train_rows)
        version = _record(
            codebook=codebook,
            kind=kind,
            model=model,
            metrics=metrics,
            train_rows=train_rows,
            held=held,
            current=current,
            current_f1=current_f1,
            corrections_seen=corrections_seen,
            actor=actor,
            now=now,
        )
        outcomes.append(Outcome(kind, version, version.decision))
    return outcomes


@transaction.atomic
def _record(
    *,
    codebook: Codebook,
    kind: str,
    model: themes.ThemeModel | themes.SingleLabelModel,
    metrics: dict[str, Any],
    train_rows: list[Example],
    held: list[Example],
    current: ModelVersion | None,
    current_f1: float | None,
    corrections_seen: int,
    actor: User | None,
    now: datetime,
) -> ModelVersion:
    Codebook.objects.select_for_update().get(pk=codebook.pk)
    still = promoted_version(codebook, kind)
    new_f1 = metrics["macro_f1"]
    if (still.pk if still else None) != (current.pk if current else None):
        promote, decision = False, "kept: another model was promoted while this one trained"
    elif current is None:
        promote, decision = True, "promoted: first model of its kind"
    elif new_f1 is not None and (current_f1 is None or new_f1 > current_f1):
        promote = True
        decision = f"promoted: held-out macro-F1 {new_f1:.3f} beats {current_f1 or 0:.3f}"
    else:
        promote = False
        decision = (
            f"kept unpromoted: held-out macro-F1 {new_f1 or 0:.3f} does not beat "
            f"{current_f1 or 0:.3f} of version {current.pk}"
        )
    blob = _model_bytes(model)
    if promote and still is not None:
        ModelVersion.objects.filter(pk=still.pk).update(promoted=False)
    label_of = (
        (lambda e: sorted(e.labels))
        if kind == ModelKind.THEME
        else (lambda e: _single_value(e, kind))
    )
    version = ModelVersion.objects.create(
        organization_id=codebook.organization_id,
        codebook=codebook,
        kind=kind,
        blob=blob,
        blob_sha256=hashlib.sha256(blob).hexdigest(),
        training_keys=[e.key for e in train_rows],
        heldout_keys=[e.key for e in held],
        training_digest=_digest((e.key, e.text, label_of(e)) for e in train_rows),
        corrections_seen=corrections_seen,
        metrics=metrics,
        promoted=promote,
        promoted_at=now if promote else None,
        decision=decision,
        created_at=now,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="C",
        event_type="text.model_trained",
        at=now,
        organization_id=codebook.organization_id,
        object_type="text_model",
        object_id=str(version.pk),
        fields=["kind", "metrics", "promoted"],
        detail={
            "codebook_id": codebook.pk,
            "kind": kind,
            "promoted": promote,
            "macro_f1": new_f1,
            "previous_version": current.pk if current else None,
        },
    )
    return version
