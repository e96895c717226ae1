"""Evaluation reports of a model on labelled texts, as plain JSON-ready dictionaries: macro and
per-label precision, recall and F1 (from careloop.text.themes), per-label confusion counts
(multi-label) or the confusion matrix (single-label), and calibration in reliability bins.

Calibration: multi-label pairs every (text, label) with the model's confidence for that label
and whether the label is true; single-label pairs each text's top probability with whether
the top class is right. Ten equal-width bins; a well calibrated model has ``observed`` close to
``mean_confidence`` in every bin."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from careloop.text.themes import (
    Report,
    SingleLabelModel,
    ThemeModel,
    evaluate,
    evaluate_single,
)

BINS = 10


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def _calibration(confidence: Any, correct: Any) -> list[dict[str, Any]]:
    confidence = np.asarray(confidence, dtype=np.float64).ravel()
    correct = np.asarray(correct, dtype=bool).ravel()
    which = np.minimum((confidence * BINS).astype(int), BINS - 1)
    bins: list[dict[str, Any]] = []
    for b in range(BINS):
        mask = which == b
        n = int(mask.sum())
        bins.append(
            {
                "low": b / BINS,
                "high": (b + 1) / BINS,
                "n": n,
                "mean_confidence": round(float(confidence[mask].mean()), 4) if n else None,
                "observed": round(float(correct[mask].mean()), 4) if n else None,
            }
        )
    return bins


def _base(report: Report, kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "n": report.n_texts,
        "macro_f1": _num(report.macro_f1),
        "micro_f1": _num(report.micro_f1),
        "macro_precision": _num(report.macro_precision),
        "macro_recall": _num(report.macro_recall),
        "labels_in_macro": report.labels_in_macro,
        "accuracy": None if report.accuracy is None else _num(report.accuracy),
    }


def theme_report(
    model: ThemeModel, texts: Sequence[str], label_sets: Sequence[frozenset[str]]
) -> dict[str, Any]:
    """Multi-label report; labels the model does not know must be removed by the caller."""
    report = evaluate(model, texts, label_sets)
    predicted = model.predict(texts)
    names = model.label_names
    truth = np.array([[n in s for n in names] for s in label_sets], dtype=bool).reshape(
        -1, len(names)
    )
    pred = np.array([[n in s for n in names] for s in predicted], dtype=bool).reshape(
        -1, len(names)
    )
    scores = model.decision_scores(texts)
    finite = np.isfinite(scores)
    z = model.platt[:, 0] * np.where(finite, scores, 0.0) + model.platt[:, 1]
    confidence = np.where(finite, 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))), 0.0)
    scored = {s.label: s for s in report.per_label}
    per_label = []
    for j, name in enumerate(names):
        s = scored[name]
        per_label.append(
            {
                "label": name,
                "precision": _num(s.precision),
                "recall": _num(s.recall),
                "f1": _num(s.f1),
                "support": s.support,
                "tp": int((truth[:, j] & pred[:, j]).sum()),
                "fp": int((~truth[:, j] & pred[:, j]).sum()),
                "fn": int((truth[:, j] & ~pred[:, j]).sum()),
                "tn": int((~truth[:, j] & ~pred[:, j]).sum()),
            }
        )
    out = _base(report, "theme")
    out["per_label"] = per_label
    out["calibration"] = _calibration(confidence, truth)
    return out


def single_report(
    model: SingleLabelModel, texts: Sequence[str], labels: Sequence[str], kind: str
) -> dict[str, Any]:
    report = evaluate_single(model, texts, labels)
    proba = model.predict_proba(texts)
    predicted = model.predict(texts)
    classes = sorted(set(labels) | {p for p in predicted if p is not None}, key=_class_order)
    index = {c: i for i, c in enumerate(classes)}
    matrix = [[0] * (len(classes) + 1) for _ in classes]
    for truth, guess in zip(labels, predicted, strict=True):
        matrix[index[truth]][len(classes) if guess is None else index[guess]] += 1
    top = proba.max(axis=1) if proba.size else np.zeros(len(texts))
    right = [g is not None and g == t for g, t in zip(predicted, labels, strict=True)]
    out = _base(report, kind)
    out["per_label"] = [
        {
            "label": s.label,
            "precision": _num(s.precision),
            "recall": _num(s.recall),
            "f1": _num(s.f1),
            "support": s.support,
        }
        for s in sorted(report.per_label, key=lambda s: _class_order(s.label))
    ]
    out["confusion"] = {"labels": classes, "matrix": matrix, "last_column": "no prediction"}
    out["calibration"] = _calibration(top, right)
    return out


def _class_order(label: str) -> tuple[int, str]:
    return (int(label), "") if label.lstrip("-").isdigit() else (1 << 30, label)


def report_lines(metrics: dict[str, Any]) -> list[str]:
    """The report as plain text lines (the command prints them; the page shows the same)."""

    def f(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    lines = [
        f"{metrics['kind']}: n={metrics['n']} macro-F1={f(metrics['macro_f1'])} "
        f"micro-F1={f(metrics['micro_f1'])} macro-P={f(metrics['macro_precision'])} "
        f"macro-R={f(metrics['macro_recall'])}"
        + ("" if metrics.get("accuracy") is None else f" accuracy={f(metrics['accuracy'])}")
    ]
    lines.append("per label:")
    for s in metrics["per_label"]:
        counts = f" tp={s['tp']} fp={s['fp']} fn={s['fn']} tn={s['tn']}" if "tp" in s else ""
        lines.append(
            f"  {s['label'][:50]:<50} F1={f(s['f1'])} P={f(s['precision'])} "
            f"R={f(s['recall'])} n={s['support']}{counts}"
        )
    if "confusion" in metrics:
        conf = metrics["confusion"]
        lines.append("confusion (rows: truth; columns: predicted, then no prediction):")
        lines.append("  " + " ".join(f"{c:>6}" for c in [*conf["labels"], "none"]))
        for label, row in zip(conf["labels"], conf["matrix"], strict=True):
            lines.append(f"  {label:>4} " + " ".join(f"{v:>6}" for v in row))
    lines.append("calibration (confidence bin: n, mean confidence, observed):")
    lines.extend(
        f"  {b['low']:.1f}-{b['high']:.1f}: n={b['n']} "
        f"mean={b['mean_confidence']:.3f} observed={b['observed']:.3f}"
        for b in metrics["calibration"]
        if b["n"]
    )
    return lines
