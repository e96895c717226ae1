"""Accuracy regression gate for the text models, for .ci/run (a minute or two on 2 cores).

Usage: .venv/bin/python bench/text_ci.py [DATA_DIR]

Checks, each against the figure measured on 2026-11-23 minus a small tolerance (the models are
deterministic for a given seed, so a drop means the code or the data changed):

* safety screening on the held-out fixture (always; it ships with the code): share of
  narratives that must go to a person and are flagged, and share of hard negatives left alone;
* with DATA_DIR/v6framework_230831.csv present (default /work/shared/data/pxtextmining):
  v6 themes on the 20 % iterative-stratification hold-out, seed 42: macro-F1 and micro-F1,
  training CPU time under 2 minutes (training is single-threaded, so on an idle machine that is
  its wall time); v6 sentiment 1-5 on the same split: accuracy, macro-F1.
  Without the file these are reported as skipped, not failed.

Exits 1 if any check fails. The last line reads "text_ci: N passed, N failed".
"""

from __future__ import annotations

import csv
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from careloop.text import themes, themes_data  # noqa: E402
from careloop.text.screening import screen  # noqa: E402

DEFAULT_DIR = Path("/work/shared/data/pxtextmining")
HELDOUT = ROOT / "careloop" / "text" / "tests" / "fixtures" / "screening_heldout.csv"
SEED = 42
TEST_FRACTION = 0.2

# Measured 2026-11-23 (bench/text_themes.py, bench/text_screening.py) and the floor enforced.
FLOORS: dict[str, tuple[float, float]] = {
    "screening held-out: flagged recall": (0.842, 0.842),
    "screening held-out: hard negatives left alone": (0.923, 0.923),
    "v6 themes macro-F1": (0.534, 0.517),
    "v6 themes micro-F1": (0.730, 0.714),
    "v6 sentiment accuracy": (0.655, 0.640),
    "v6 sentiment macro-F1": (0.593, 0.575),
}
MAX_TRAIN_SECONDS = 120.0


class Gate:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def at_least(self, name: str, value: float) -> None:
        measured, floor = FLOORS[name]
        ok = value >= floor
        self._record(ok, f"{name}: {value:.3f} (floor {floor:.3f}; measured {measured:.3f})")

    def at_most(self, name: str, value: float, ceiling: float) -> None:
        self._record(value <= ceiling, f"{name}: {value:.1f} (at most {ceiling:.1f})")

    def _record(self, ok: bool, line: str) -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {line}", flush=True)


def check_screening(gate: Gate) -> None:
    with HELDOUT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    must = [r for r in rows if r["flagged"] == "yes"]
    must_not = [r for r in rows if r["flagged"] == "no"]
    caught = sum(screen(r["text"]).flagged for r in must)
    spared = sum(not screen(r["text"]).flagged for r in must_not)
    gate.at_least("screening held-out: flagged recall", caught / len(must))
    gate.at_least("screening held-out: hard negatives left alone", spared / len(must_not))


def check_v6(gate: Gate, path: Path) -> None:
    data = themes_data.load_multilabel_csv(path)
    train_idx, test_idx = themes_data.iterative_stratified_split(
        data.label_sets, TEST_FRACTION, SEED
    )
    texts, sets = data.texts, data.label_sets
    config = themes.ModelConfig(seed=SEED)
    started, cpu_started = time.perf_counter(), time.process_time()
    model = themes.train(
        [texts[i] for i in train_idx], [sets[i] for i in train_idx], data.label_names, config
    )
    print(f"v6 theme training wall time {time.perf_counter() - started:.1f} s")
    # CPU time: training is single-threaded, and wall time on a shared CI machine is not ours.
    gate.at_most(
        "v6 theme training CPU seconds", time.process_time() - cpu_started, MAX_TRAIN_SECONDS
    )
    report = themes.evaluate(model, [texts[i] for i in test_idx], [sets[i] for i in test_idx])
    gate.at_least("v6 themes macro-F1", report.macro_f1)
    gate.at_least("v6 themes micro-F1", report.micro_f1)

    def labelled(indices: list[int]) -> tuple[list[str], list[str]]:
        pairs = [(texts[i], data.rows[i].sentiment) for i in indices]
        kept = [(t, str(s)) for t, s in pairs if s is not None]
        return [t for t, _ in kept], [s for _, s in kept]

    train_texts, train_labels = labelled(train_idx)
    test_texts, test_labels = labelled(test_idx)
    sentiment = themes.train_single(train_texts, train_labels, config)
    sent = themes.evaluate_single(sentiment, test_texts, test_labels)
    gate.at_least("v6 sentiment accuracy", sent.accuracy or 0.0)
    gate.at_least("v6 sentiment macro-F1", sent.macro_f1)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else DEFAULT_DIR
    warnings.simplefilter("ignore", category=UserWarning)
    gate = Gate()
    steps: list[Callable[[], None]] = [lambda: check_screening(gate)]
    v6 = data_dir / "v6framework_230831.csv"
    if v6.exists():
        steps.append(lambda: check_v6(gate, v6))
    else:
        print(f"SKIP v6 themes and sentiment: {v6} not present")
    for step in steps:
        step()
    print(f"text_ci: {gate.passed} passed, {gate.failed} failed")
    return 1 if gate.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
