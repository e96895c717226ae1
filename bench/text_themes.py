"""Benchmark of careloop.text.themes on the pxtextmining data (issue 7).

Usage: .venv/bin/python bench/text_themes.py [DATA_DIR] [--seed 42] [--test-fraction 0.2]

DATA_DIR defaults to /work/shared/data/pxtextmining and must hold v6framework_230831.csv and
text_data.csv.  Everything runs locally; nothing is downloaded.

Protocol
* v6 themes: rows with empty text are dropped (counted).  Hold-out = 20 % by iterative
  stratification (Sechidis et al. 2011, own implementation in themes_data), seed 42.
  The model (thresholds and calibration included) is trained on the other 80 % only.
  Macro-F1 averages the labels that have at least one positive in the hold-out.
* Latency/throughput: the process is pinned to one CPU (sched_setaffinity) while measuring.
* text_data.csv: stratified 5-fold CV (seed 42); mean per-fold macro-F1 and per-label F1
  of the pooled out-of-fold predictions.
* Sentiment 1-5: the same v6 split, restricted to rows with a valid sentiment.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import time
import tracemalloc
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from careloop.text import themes, themes_data

DEFAULT_DIR = Path("/work/shared/data/pxtextmining")


def _pin_one_core() -> set[int] | None:
    if not hasattr(os, "sched_getaffinity"):
        return None
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    return before


def _model_memory(model: themes.ThemeModel) -> tuple[int, int]:
    """(pickled bytes, bytes allocated while unpickling, as traced by tracemalloc)."""
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    tracemalloc.start()
    copy = pickle.loads(blob)  # noqa: S301 - our own bytes from the line above
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del copy
    return len(blob), current


def bench_v6(data_dir: Path, seed: int, test_fraction: float, config: themes.ModelConfig) -> None:
    data = themes_data.load_multilabel_csv(data_dir / "v6framework_230831.csv")
    print("== v6framework_230831.csv: multi-label themes ==")
    print(data.report.summary())
    counts = Counter(lab for s in data.label_sets for lab in s)
    zero = [n for n in data.label_names if counts[n] == 0]
    rare = [n for n in data.label_names if 0 < counts[n] < 10]
    print(f"labels: {len(data.label_names)}; with 0 examples: {len(zero)} {zero}")
    print(f"labels with 1-9 examples: {len(rare)} {[(n, counts[n]) for n in rare]}")
    train_idx, test_idx = themes_data.iterative_stratified_split(
        data.label_sets, test_fraction, seed
    )
    print(
        f"split: iterative stratification, hold-out {test_fraction:.0%} seed {seed}: "
        f"train {len(train_idx)} / test {len(test_idx)} rows"
    )
    texts = data.texts
    x_train = [texts[i] for i in train_idx]
    y_train = [data.label_sets[i] for i in train_idx]
    x_test = [texts[i] for i in test_idx]
    y_test = [data.label_sets[i] for i in test_idx]

    start = time.perf_counter()
    model = themes.train(x_train, y_train, data.label_names, config)
    train_seconds = time.perf_counter() - start
    print(
        f"training wall time: {train_seconds:.1f} s (features {model.info['n_features']}, "
        f"{model.info['tuning']}; config {config})"
    )
    print(f"never suggested (<{config.min_positives} training examples): {model.untrained_labels}")
    report = themes.evaluate(model, x_test, y_test)
    print("hold-out scores (macro over labels with support>0 in the hold-out):")
    print(report.format())
    frequent = [s for s in report.per_label if counts[s.label] >= 50 and s.support > 0]
    print(
        f"(for reference) macro-F1 over the {len(frequent)} labels with >=50 examples in the "
        f"file: {statistics.mean(s.f1 for s in frequent):.3f}"
    )

    before = _pin_one_core()
    single = x_test[:1000]
    model.suggest(single[:20])
    latencies = []
    for text in single:
        t0 = time.perf_counter()
        model.suggest([text])
        latencies.append((time.perf_counter() - t0) * 1000)
    q = np.percentile(latencies, [50, 95, 99])
    print(
        f"suggest latency, one core, single-text calls (n={len(single)}): "
        f"p50 {q[0]:.2f} ms, p95 {q[1]:.2f} ms, p99 {q[2]:.2f} ms"
    )
    batch = x_test * 3
    t0 = time.perf_counter()
    for chunk in range(0, len(batch), 1000):
        model.suggest(batch[chunk : chunk + 1000])
    rate = len(batch) / (time.perf_counter() - t0)
    print(f"batch throughput, one core, batches of 1000: {rate:,.0f} texts/s")
    if before is not None:
        os.sched_setaffinity(0, before)
    pickled, traced = _model_memory(model)
    print(
        f"model size: pickled {pickled / 1e6:.1f} MB; in memory after unpickling "
        f"(tracemalloc) {traced / 1e6:.1f} MB"
    )

    print("\n== v6 'Comment sentiment' 1-5 (same split, rows with a sentiment) ==")
    sent_train = [(texts[i], data.rows[i].sentiment) for i in train_idx]
    sent_test = [(texts[i], data.rows[i].sentiment) for i in test_idx]
    tr = [(t, str(s)) for t, s in sent_train if s is not None]
    te = [(t, str(s)) for t, s in sent_test if s is not None]
    print(f"train {len(tr)} / test {len(te)} rows; test class counts {Counter(s for _, s in te)}")
    start = time.perf_counter()
    sentiment = themes.train_single([t for t, _ in tr], [s for _, s in tr], config)
    print(f"training wall time: {time.perf_counter() - start:.1f} s")
    sent_report = themes.evaluate_single(sentiment, [t for t, _ in te], [s for _, s in te])
    print(sent_report.format())


def bench_text_data(data_dir: Path, seed: int, config: themes.ModelConfig) -> None:
    data = themes_data.load_singlelabel_csv(data_dir / "text_data.csv")
    print("\n== text_data.csv: single-label themes, stratified 5-fold CV ==")
    print(data.report.summary())
    texts, labels = data.texts, data.labels
    print(f"labels: {sorted(Counter(labels).items(), key=lambda kv: -kv[1])}")
    folds: Any = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    pooled: list[str | None] = [None] * len(texts)
    fold_macro: list[float] = []
    fold_acc: list[float] = []
    start = time.perf_counter()
    for train_idx, test_idx in folds.split(np.zeros(len(labels)), labels):
        model = themes.train_single(
            [texts[i] for i in train_idx], [labels[i] for i in train_idx], config
        )
        test_texts = [texts[i] for i in test_idx]
        report = themes.evaluate_single(model, test_texts, [labels[i] for i in test_idx])
        fold_macro.append(report.macro_f1)
        fold_acc.append(report.accuracy or 0.0)
        for i, p in zip(test_idx, model.predict(test_texts), strict=True):
            pooled[int(i)] = p
    print(f"5-fold CV (StratifiedKFold shuffle seed {seed}), {time.perf_counter() - start:.1f} s")
    print(
        f"macro-F1 per fold {[round(m, 3) for m in fold_macro]} mean "
        f"{statistics.mean(fold_macro):.3f} sd {statistics.stdev(fold_macro):.3f}; "
        f"accuracy mean {statistics.mean(fold_acc):.3f}"
    )
    print("pooled out-of-fold predictions:")
    print(themes.single_label_report(labels, pooled).format())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--skip-text-data", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", category=UserWarning)  # liblinear convergence chatter
    config = themes.ModelConfig(seed=args.seed)
    bench_v6(args.data_dir, args.seed, args.test_fraction, config)
    if not args.skip_text_data:
        bench_text_data(args.data_dir, args.seed, config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
