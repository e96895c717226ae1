"""Local theme and sentiment classification of patient comments (no network, ever).

Multi-label themes
    :func:`train` fits word + char TF-IDF features and one linear model per theme
    (one-vs-rest; no class weights because the tuned thresholds already absorb the label
    imbalance).  The default estimator is NB-SVM (Wang & Manning 2012): each theme's
    ``LinearSVC`` is fitted on the features scaled by that theme's naive-Bayes log-count
    ratio ``r`` (smoothed with ``nb_alpha``, from feature presence), its weights are
    interpolated towards their mean magnitude (``nb_beta``), and the ratio is folded back
    into the weights, so the stored model is still one weight matrix over the same features
    and suggesting costs what a plain linear model costs.  ``estimator="svc"`` (plain
    ``LinearSVC``, tuned at ``C=0.5``) and ``"logreg"`` (liblinear) remain available.
    Per-theme decision thresholds are tuned to maximise F1 on *out-of-fold* scores from an
    internal k-fold split of the training rows only; the same out-of-fold scores fit a
    per-theme Platt sigmoid that turns a decision score into a calibrated "confidence".
    :func:`train` has no parameter for evaluation data, so held-out rows cannot reach the
    threshold tuning.  Themes with fewer than ``min_positives`` training examples are never
    suggested (listed in ``ThemeModel.untrained_labels``).

Suggestions
    :meth:`ThemeModel.suggest` returns, per text, the themes whose score clears their
    threshold, best first, each with a confidence in [0, 1] (the Platt probability; for a
    rare theme with a low tuned threshold it can be below 0.5).  If none clears, the answer
    is ``[]`` unless ``ModelConfig.at_least_one`` is set, in which case the theme with the
    largest margin over its threshold is returned.  Fallbacks: empty,
    whitespace-only or letter-free text (emoji, punctuation, digits), text in a non-Latin
    script (Chinese, Arabic, Cyrillic ...) and clearly French/German/Portuguese text give
    ``[]`` ("no suggestion"; the reason is :func:`careloop.text.language.text_supported`'s);
    text over :data:`MAX_CHARS` characters is truncated first.

Languages
    Training data is English (the NHS comments).  Spanish and Italian comments are read
    through an English gloss of their care words added to the word features (see
    :mod:`careloop.text.themes_features`); measured by ``bench/text_themes.py`` on parallel
    en/es/it fixtures, they score well below English (see bench/README.md).

Single-label (``text_data.csv`` themes, sentiment 1-5)
    :func:`train_single` / :class:`SingleLabelModel` use the same features with a
    multinomial logistic regression.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from careloop.text.themes_data import iterative_stratified_folds
from careloop.text.themes_features import (
    MAX_CHARS,
    FeatureConfig,
    TextFeatures,
    normalise_text,
)

__all__ = [
    "MAX_CHARS",
    "FeatureConfig",
    "LabelScore",
    "ModelConfig",
    "Report",
    "SingleLabelModel",
    "Suggestion",
    "ThemeModel",
    "evaluate",
    "evaluate_single",
    "load",
    "save",
    "single_label_report",
    "train",
    "train_single",
    "tune_thresholds",
]

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
_FORMAT = "careloop-themes-1"


@dataclass(frozen=True)
class ModelConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    # "nbsvm" (LinearSVC on naive-Bayes-scaled features), "svc" (LinearSVC) or "logreg"
    # (liblinear LogisticRegression).  NB-SVM, C=0.1, beta=0.5 against plain SVC, C=0.5, on the
    # v6 20 % hold-out, seeds 42/1/2/3: macro-F1 0.534/0.557/0.542/0.562 against
    # 0.512/0.564/0.493/0.528, micro-F1 0.730/0.730/0.718/0.730 against 0.701/0.715/0.701/0.706.
    estimator: str = "nbsvm"
    C: float = 0.1  # tuned for "nbsvm"; "svc" was tuned at 0.5
    # Imbalance is handled by the tuned thresholds; "balanced" weights were worse and slower.
    class_weight: str | None = None
    tuning_folds: int = 3
    min_positives: int = 2
    nb_alpha: float = 1.0  # "nbsvm": additive smoothing of the log-count ratios
    nb_beta: float = 0.5  # "nbsvm": 1 = SVM weights as fitted, 0 = pure naive Bayes ratios
    at_least_one: bool = False
    max_suggestions: int = 5
    seed: int = 42
    # Single-label models (sentiment, text_data.csv themes): multinomial logistic regression,
    # balanced classes.  C chosen by 3-fold CV on the v6 *training* split for sentiment:
    # C = 1 / 2 / 10 gave macro-F1 0.547 / 0.545 / 0.529 (10 was the old setting).
    single_C: float = 1.0


@dataclass(frozen=True)
class Suggestion:
    code: str
    confidence: float  # calibrated probability in [0, 1]


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    """Scores on one evaluation set. ``macro_f1`` averages labels with support > 0 there."""

    macro_f1: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    per_label: list[LabelScore]
    n_texts: int
    labels_in_macro: int
    accuracy: float | None = None  # single-label only

    def format(self) -> str:
        lines = [
            f"n={self.n_texts} macro-F1={self.macro_f1:.3f} (over {self.labels_in_macro} labels "
            f"with support>0) micro-F1={self.micro_f1:.3f} macro-P={self.macro_precision:.3f} "
            f"macro-R={self.macro_recall:.3f}"
            + ("" if self.accuracy is None else f" accuracy={self.accuracy:.3f}")
        ]
        lines.extend(
            f"  {s.label[:55]:<55} F1={s.f1:.3f} P={s.precision:.3f} R={s.recall:.3f} "
            f"n={s.support}{'' if s.support else ' (not in this set: excluded from macro)'}"
            for s in sorted(self.per_label, key=lambda s: -s.support)
        )
        return "\n".join(lines)


def _fit_linear(config: ModelConfig, x: Any, y: BoolArray) -> tuple[FloatArray, float]:
    """Fit one binary linear model; return (weights, intercept)."""
    est: Any
    if config.estimator == "svc":
        est = LinearSVC(
            C=config.C, class_weight=config.class_weight, max_iter=5000, random_state=config.seed
        )
    elif config.estimator == "logreg":
        est = LogisticRegression(
            C=config.C,
            class_weight=config.class_weight,
            solver="liblinear",
            random_state=config.seed,
        )
    else:
        raise ValueError(f"unknown estimator {config.estimator!r}")
    est.fit(x, y.astype(np.int8))
    weights: FloatArray = np.asarray(est.coef_[0], dtype=np.float32)
    return weights, float(est.intercept_[0])


def _log_count_ratios(config: ModelConfig, x: Any, y: BoolArray) -> FloatArray:
    """Naive-Bayes log-count ratio of every feature for every label (features x labels).

    Counts are of feature *presence* (binarised TF-IDF), smoothed by ``nb_alpha``.
    """
    presence = (x > 0).astype(np.float32)
    positive = np.asarray((presence.T @ y.astype(np.float32)), dtype=np.float64)
    total = np.asarray(presence.sum(axis=0), dtype=np.float64).reshape(-1, 1)
    p = positive + config.nb_alpha
    q = (total - positive) + config.nb_alpha
    ratios: FloatArray = np.asarray(
        np.log(p / p.sum(axis=0)) - np.log(q / q.sum(axis=0)), dtype=np.float32
    )
    return ratios


def _fit_nbsvm(
    config: ModelConfig, x: Any, y: BoolArray, ratio: FloatArray
) -> tuple[FloatArray, float]:
    """NB-SVM for one label: LinearSVC on ``x * ratio``; weights returned in ``x`` space."""
    est: Any = LinearSVC(C=config.C, max_iter=5000, random_state=config.seed)
    est.fit(x @ sp.diags(ratio), y.astype(np.int8))
    fitted = np.asarray(est.coef_[0], dtype=np.float64)
    beta = config.nb_beta
    interpolated = (1.0 - beta) * float(np.abs(fitted).mean()) + beta * fitted
    weights: FloatArray = np.asarray(interpolated * ratio, dtype=np.float32)
    return weights, float(est.intercept_[0])


def _fit_all(config: ModelConfig, x: Any, y: BoolArray, active: BoolArray) -> tuple[Any, Any]:
    if config.estimator not in ("nbsvm", "svc", "logreg"):
        raise ValueError(f"unknown estimator {config.estimator!r}")
    n_labels = y.shape[1]
    weights = np.zeros((x.shape[1], n_labels), dtype=np.float32)
    bias = np.full(n_labels, -1e6, dtype=np.float32)
    ratios = _log_count_ratios(config, x, y) if config.estimator == "nbsvm" else None
    for j in np.flatnonzero(active):
        column = y[:, j]
        if column.all() or not column.any():
            continue
        if ratios is not None:
            weights[:, j], bias[j] = _fit_nbsvm(config, x, column, ratios[:, j])
        else:
            weights[:, j], bias[j] = _fit_linear(config, x, column)
    return weights, bias


def _tuning_scores(
    texts: Sequence[str], y: BoolArray, features: TextFeatures, config: ModelConfig
) -> FloatArray:
    """Out-of-fold decision scores over the *training* rows (k-fold, iterative stratification).

    The feature vocabulary was fitted on these same training texts (unsupervised); the
    per-theme models are refitted in every fold, so each row is scored by a model that
    never saw its labels.
    """
    x = features.transform(texts)
    names = [str(j) for j in range(y.shape[1])]
    label_sets = [frozenset(names[j] for j in np.flatnonzero(row)) for row in y]
    folds = iterative_stratified_folds(label_sets, [1.0] * config.tuning_folds, config.seed)
    active = y.sum(axis=0) >= config.min_positives
    scores = np.zeros(y.shape, dtype=np.float32)
    for fold in folds:
        held = np.zeros(len(texts), dtype=bool)
        held[fold] = True
        weights, bias = _fit_all(config, x[~held], y[~held], active)
        scores[held] = x[held] @ weights + bias
    return scores


def tune_thresholds(scores: FloatArray, y: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Per-label F1-maximising thresholds and Platt (a, b) from out-of-fold scores.

    Returns ``(thresholds, platt)`` with ``platt[:, 0] = a`` and ``platt[:, 1] = b`` so that
    confidence = 1 / (1 + exp(-(a * score + b))).  Labels without positives get ``+inf``.
    """
    n_labels = y.shape[1]
    thresholds = np.full(n_labels, np.inf, dtype=np.float32)
    platt = np.zeros((n_labels, 2), dtype=np.float32)
    platt[:, 1] = -10.0
    for j in range(n_labels):
        truth = y[:, j]
        positives = int(truth.sum())
        if positives == 0 or positives == len(truth):
            continue
        order = np.argsort(-scores[:, j], kind="stable")
        ranked = scores[order, j]
        tp = np.cumsum(truth[order])
        k = np.arange(1, len(ranked) + 1)
        f1 = 2 * tp / (k + positives)
        # Only cut between distinct scores.
        distinct = np.append(ranked[:-1] > ranked[1:], True)
        f1 = np.where(distinct, f1, -1.0)
        best = int(np.argmax(f1))
        upper = float(ranked[best])
        lower = float(ranked[best + 1]) if best + 1 < len(ranked) else upper - 1.0
        thresholds[j] = (upper + lower) / 2
        platt_model: Any = LogisticRegression(C=1.0)
        platt_model.fit(scores[:, j].reshape(-1, 1), truth.astype(np.int8))
        platt[j, 0] = float(platt_model.coef_[0, 0])
        platt[j, 1] = float(platt_model.intercept_[0])
    return thresholds, platt


def _sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


class ThemeModel:
    """A trained multi-label theme classifier; see the module docstring."""

    def __init__(
        self,
        label_names: list[str],
        features: TextFeatures,
        weights: FloatArray,
        bias: FloatArray,
        thresholds: FloatArray,
        platt: FloatArray,
        config: ModelConfig,
        info: dict[str, Any],
    ) -> None:
        self.label_names = label_names
        self.features = features
        self.weights = weights
        self.bias = bias
        self.thresholds = thresholds
        self.platt = platt
        self.config = config
        self.info = info

    @property
    def untrained_labels(self) -> list[str]:
        return [n for n, t in zip(self.label_names, self.thresholds, strict=True) if np.isinf(t)]

    def _scores(self, texts: Sequence[object]) -> tuple[Any, list[bool]]:
        clean = [normalise_text(t) for t in texts]
        usable = [c is not None for c in clean]
        scores = np.full((len(clean), len(self.label_names)), -np.inf, dtype=np.float32)
        rows = [c for c in clean if c is not None]
        if rows:
            scores[np.asarray(usable)] = self.features.transform(rows) @ self.weights + self.bias
        return scores, usable

    def decision_scores(self, texts: Sequence[object]) -> FloatArray:
        """Raw decision scores (``-inf`` for unusable texts)."""
        scores: FloatArray = self._scores(texts)[0]
        return scores

    def suggest(self, texts: Sequence[object]) -> list[list[Suggestion]]:
        scores, usable = self._scores(texts)
        trained = ~np.isinf(self.thresholds)
        finite = np.isfinite(scores)
        conf = _sigmoid(self.platt[:, 0] * np.where(finite, scores, 0.0) + self.platt[:, 1])
        conf = np.where(finite & trained, conf, 0.0)
        passed = (scores >= self.thresholds) & trained
        out: list[list[Suggestion]] = []
        for i, ok in enumerate(usable):
            if not ok:
                out.append([])
                continue
            picked = np.flatnonzero(passed[i])
            if picked.size == 0 and self.config.at_least_one and trained.any():
                margin = np.where(trained, scores[i] - self.thresholds, -np.inf)
                picked = np.array([int(np.argmax(margin))])
            ranked = sorted(picked.tolist(), key=lambda j: -float(conf[i, j]))
            out.append(
                [
                    Suggestion(self.label_names[j], float(conf[i, j]))
                    for j in ranked[: self.config.max_suggestions]
                ]
            )
        return out

    def predict(self, texts: Sequence[object]) -> list[frozenset[str]]:
        return [frozenset(s.code for s in row) for row in self.suggest(texts)]


def _label_matrix(label_sets: Sequence[Iterable[str]], label_names: Sequence[str]) -> BoolArray:
    index = {name: j for j, name in enumerate(label_names)}
    y = np.zeros((len(label_sets), len(label_names)), dtype=bool)
    for i, labels in enumerate(label_sets):
        for lab in labels:
            if lab not in index:
                raise ValueError(f"unknown label {lab!r}")
            y[i, index[lab]] = True
    return y


def train(
    texts: Sequence[str],
    label_sets: Sequence[Iterable[str]],
    label_names: Sequence[str] | None = None,
    config: ModelConfig | None = None,
) -> ThemeModel:
    """Train a multi-label theme model on training data only (thresholds tuned inside)."""
    config = config or ModelConfig()
    sets = [frozenset(s) for s in label_sets]
    if len(sets) != len(texts):
        raise ValueError("texts and label_sets differ in length")
    names = list(label_names) if label_names is not None else sorted(set().union(*sets))
    clean = [normalise_text(t) for t in texts]
    keep = [i for i, c in enumerate(clean) if c is not None]
    if len(keep) < 2 * config.tuning_folds:
        raise ValueError(f"need at least {2 * config.tuning_folds} usable texts, got {len(keep)}")
    rows = [clean[i] or "" for i in keep]
    y = _label_matrix([sets[i] for i in keep], names)
    features = TextFeatures(config.features).fit(rows)
    oof = _tuning_scores(rows, y, features, config)
    active = y.sum(axis=0) >= config.min_positives
    thresholds, platt = tune_thresholds(oof, y)
    thresholds[~active] = np.inf
    weights, bias = _fit_all(config, features.transform(rows), y, active)
    info = {
        "n_train": len(rows),
        "n_dropped_unusable": len(texts) - len(rows),
        "n_features": features.n_features,
        "tuning": f"{config.tuning_folds}-fold out-of-fold scores on training rows",
    }
    return ThemeModel(names, features, weights, bias, thresholds, platt, config, info)


def _safe_div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _report(
    y_true: BoolArray, y_pred: BoolArray, names: Sequence[str], accuracy: float | None
) -> Report:
    tp = (y_true & y_pred).sum(axis=0)
    fp = (~y_true & y_pred).sum(axis=0)
    fn = (y_true & ~y_pred).sum(axis=0)
    per: list[LabelScore] = []
    for j, name in enumerate(names):
        p = _safe_div(float(tp[j]), float(tp[j] + fp[j]))
        r = _safe_div(float(tp[j]), float(tp[j] + fn[j]))
        per.append(LabelScore(name, p, r, _safe_div(2 * p * r, p + r), int(tp[j] + fn[j])))
    present = [s for s in per if s.support > 0]
    micro = _safe_div(2.0 * float(tp.sum()), float(2 * tp.sum() + fp.sum() + fn.sum()))

    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else math.nan

    return Report(
        macro_f1=mean([s.f1 for s in present]),
        micro_f1=micro,
        macro_precision=mean([s.precision for s in present]),
        macro_recall=mean([s.recall for s in present]),
        per_label=per,
        n_texts=int(y_true.shape[0]),
        labels_in_macro=len(present),
        accuracy=accuracy,
    )


def evaluate(
    model: ThemeModel, texts: Sequence[str], label_sets: Sequence[Iterable[str]]
) -> Report:
    """Per-label and macro/micro scores; macro averages labels with support > 0 in this set."""
    y_true = _label_matrix(label_sets, model.label_names)
    y_pred = _label_matrix(model.predict(texts), model.label_names)
    return _report(y_true, y_pred, model.label_names, None)


class SingleLabelModel:
    """One label per text (themes of ``text_data.csv`` or sentiment 1-5)."""

    def __init__(self, classes: list[str], features: TextFeatures, estimator: Any) -> None:
        self.classes = classes
        self.features = features
        self.estimator = estimator

    def predict_proba(self, texts: Sequence[object]) -> FloatArray:
        """Class probabilities; unusable texts get all zeros."""
        clean = [normalise_text(t) for t in texts]
        out = np.zeros((len(clean), len(self.classes)), dtype=np.float32)
        mask = np.array([c is not None for c in clean], dtype=bool)
        if mask.any():
            out[mask] = self.estimator.predict_proba(
                self.features.transform([c for c in clean if c is not None])
            )
        return out

    def predict(self, texts: Sequence[object]) -> list[str | None]:
        proba = self.predict_proba(texts)
        return [self.classes[int(np.argmax(p))] if p.any() else None for p in proba]


def train_single(
    texts: Sequence[str], labels: Sequence[str], config: ModelConfig | None = None
) -> SingleLabelModel:
    config = config or ModelConfig()
    pairs = [(c, lab) for c, lab in zip(map(normalise_text, texts), labels, strict=True) if c]
    if not pairs:
        raise ValueError("no usable texts")
    rows = [c for c, _ in pairs]
    features = TextFeatures(config.features).fit(rows)
    est: Any = LogisticRegression(C=config.single_C, class_weight="balanced", max_iter=1000)
    est.fit(features.transform(rows), [lab for _, lab in pairs])
    return SingleLabelModel([str(c) for c in est.classes_], features, est)


def single_label_report(truth: Sequence[str], predicted: Sequence[str | None]) -> Report:
    """Report for single-label predictions (``None`` = no prediction, counted as a miss)."""
    names = sorted(set(truth) | {p for p in predicted if p is not None})
    y_true = _label_matrix([[lab] for lab in truth], names)
    y_pred = _label_matrix([[p] if p is not None else [] for p in predicted], names)
    hits = sum(p == t for p, t in zip(predicted, truth, strict=True))
    return _report(y_true, y_pred, names, _safe_div(float(hits), len(truth)))


def evaluate_single(model: SingleLabelModel, texts: Sequence[str], labels: Sequence[str]) -> Report:
    """Accuracy plus macro/per-label scores of a single-label model."""
    return single_label_report(labels, model.predict(texts))


def save(model: ThemeModel | SingleLabelModel, path: str | Path) -> None:
    """Write the model to ``path`` with joblib (local file only)."""
    joblib.dump({"format": _FORMAT, "model": model}, Path(path), compress=3)


def load(path: str | Path) -> ThemeModel | SingleLabelModel:
    """Load a model written by :func:`save`; only load files you wrote yourself (pickle)."""
    payload = joblib.load(Path(path))
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(f"{path}: not a careloop themes model")
    model = payload["model"]
    if not isinstance(model, ThemeModel | SingleLabelModel):
        raise ValueError(f"{path}: unexpected model type {type(model).__name__}")
    return model
