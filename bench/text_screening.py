"""Safety-risk screening: recall, precision and F1 per risk and language, throughput.

Two labelled sets (careloop/text/tests/fixtures/):

* screening_cases.csv, the development set: the lexicon was written and tuned against it, so its
  figures are optimistic;
* screening_heldout.csv, the held-out set: 102 narratives (en/es/it, with hard negatives) written
  before the screen was ever run on them and never tuned on. Its figures are the honest ones.

With ``--classifier-experiment`` (needs scikit-learn and, for the last line, DATA_DIR with
text_data.csv) it also reruns the experiment behind the decision not to add a learned classifier:
a character n-gram logistic regression trained on the development set, combined with the rules
("flag if either flags"), scored on the held-out set and by its flag rate on 10,334 real NHS
comments. Pure Python otherwise: no database, no Django.

Run: .venv/bin/python bench/text_screening.py [--classifier-experiment] [DATA_DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from careloop.text.screening import LANGUAGES, RISKS, Screening, screen  # noqa: E402

FIXTURES = ROOT / "careloop" / "text" / "tests" / "fixtures"
FIXTURE = FIXTURES / "screening_cases.csv"
HELDOUT = FIXTURES / "screening_heldout.csv"
DEFAULT_DATA_DIR = Path("/work/shared/data/pxtextmining")
THROUGHPUT_SECONDS = 2.0


@dataclass(frozen=True)
class Case:
    text: str
    language: str
    expected: frozenset[str]
    flagged: bool


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, *, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def f1(self) -> float:
        r, p = self.recall(), self.precision()
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, label: str) -> str:
        return (
            f"{label:<28} tp={self.tp:>3} fp={self.fp:>3} fn={self.fn:>3} tn={self.tn:>3}  "
            f"recall={self.recall():.3f} precision={self.precision():.3f} f1={self.f1():.3f}"
        )


def load_cases(path: Path = FIXTURE) -> list[Case]:
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        Case(
            text=row["text"],
            language=row["language"],
            expected=frozenset(risk for risk in row["expected"].split(";") if risk),
            flagged=row["flagged"] == "yes",
        )
        for row in csv.DictReader(lines)
    ]


def report_quality(cases: list[Case], results: list[Screening]) -> None:
    print(f"fixture: {len(cases)} narratives")
    for lang in LANGUAGES:
        subset = [case for case in cases if case.language == lang]
        positives = sum(1 for case in subset if case.expected)
        print(f"  {lang}: {len(subset)} ({positives} with a risk, {len(subset) - positives} none)")
    overall = Confusion()
    print("\nper risk and language (likely hits; negated hits are 'possible' and not counted):")
    for risk in RISKS:
        total = Confusion()
        for lang in LANGUAGES:
            confusion = Confusion()
            for case, result in zip(cases, results, strict=True):
                if case.language == lang:
                    confusion.add(expected=risk in case.expected, predicted=risk in result.risks)
            print("  " + confusion.line(f"{risk} / {lang}"))
            total.tp, total.fp = total.tp + confusion.tp, total.fp + confusion.fp
            total.fn, total.tn = total.fn + confusion.fn, total.tn + confusion.tn
        print("  " + total.line(f"{risk} / all"))
        overall.tp, overall.fp = overall.tp + total.tp, overall.fp + total.fp
        overall.fn, overall.tn = overall.fn + total.fn, overall.tn + total.tn
    print("\n  " + overall.line("all risks (micro)"))
    for scope in (*LANGUAGES, "all"):
        flags = Confusion()
        for case, result in zip(cases, results, strict=True):
            if scope in ("all", case.language):
                flags.add(expected=case.flagged, predicted=result.flagged)
        print("  " + flags.line(f"flagged for review / {scope}"))
    detected = sum(
        1 for case, result in zip(cases, results, strict=True) if result.language == case.language
    )
    unknown = sum(1 for result in results if result.language == "unknown")
    print(f"  language detected correctly: {detected}/{len(cases)} (unknown: {unknown})")
    for case, result in zip(cases, results, strict=True):
        if case.expected != result.risks or case.flagged != result.flagged:
            print(f"  MISMATCH {case.language} {sorted(case.expected)} -> {sorted(result.risks)}")
            print(f"           flagged {case.flagged} -> {result.flagged}: {case.text}")


def throughput(texts: list[str]) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < THROUGHPUT_SECONDS:
        for text in texts:
            screen(text)
        count += len(texts)
    return count / (time.perf_counter() - started)


def classifier_experiment(dev: list[Case], held: list[Case], data_dir: Path) -> None:
    """Learned classifier on the development set, OR-ed with the rules; threshold from dev CV."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    from careloop.text import themes_data

    vec = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, strip_accents="unicode"
    )
    x_dev = vec.fit_transform([case.text for case in dev])
    y_dev = np.array([bool(case.expected) for case in dev])
    y_held = np.array([case.flagged for case in held])
    clf = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
    oof = cross_val_predict(clf, x_dev, y_dev, cv=5, method="predict_proba")[:, 1]
    clf.fit(x_dev, y_dev)
    p_held = clf.predict_proba(vec.transform([case.text for case in held]))[:, 1]
    rules_held = np.array([screen(case.text).flagged for case in held])
    print("\n== classifier experiment (char 2-5 TF-IDF + logistic regression, trained on dev) ==")
    print("  " + _confusion(rules_held, y_held).line("rules only, held-out"))
    nhs = None
    if (data_dir / "text_data.csv").exists():
        nhs = themes_data.load_singlelabel_csv(data_dir / "text_data.csv").texts
        rules_nhs = np.array([screen(text).flagged for text in nhs])
        p_nhs = clf.predict_proba(vec.transform(nhs))[:, 1]
        print(f"  rules only: flag {rules_nhs.mean():.1%} of {len(nhs):,} NHS comments")
    for threshold in (0.4, 0.5, 0.6, 0.7):
        dev_recall = float((oof >= threshold)[y_dev].mean())
        either = rules_held | (p_held >= threshold)
        line = _confusion(either, y_held).line(f"rules OR clf>={threshold}, held-out")
        print(f"  {line}  (dev CV recall of clf {dev_recall:.2f})")
        if nhs is not None:
            rate = float((rules_nhs | (p_nhs >= threshold)).mean())
            print(f"      -> would flag {rate:.1%} of the NHS comments for review")


def _confusion(predicted: object, expected: object) -> Confusion:
    confusion = Confusion()
    for p, e in zip(predicted, expected, strict=True):  # type: ignore[call-overload]
        confusion.add(expected=bool(e), predicted=bool(p))
    return confusion


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="safety screening figures")
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--classifier-experiment", action="store_true")
    args = parser.parse_args(argv)
    cases = load_cases()
    print("== development fixture (screening_cases.csv; the rules were tuned on it) ==")
    report_quality(cases, [screen(case.text) for case in cases])
    held = load_cases(HELDOUT)
    print("\n== held-out fixture (screening_heldout.csv; never tuned on) ==")
    report_quality(held, [screen(case.text) for case in held])
    if args.classifier_experiment:
        classifier_experiment(cases, held, args.data_dir)
    print()
    short = [case.text for case in cases]
    print(f"throughput, fixture sentences: {throughput(short):,.0f} narratives/s")
    paragraph = " ".join(short[:12])
    print(
        f"throughput, {len(paragraph)}-character narratives: "
        f"{throughput([paragraph]):,.0f} narratives/s"
    )
    huge = ("The fall menu was lovely and Mum fell asleep after lunch. " * 180_000)[:10_000_000]
    started = time.perf_counter()
    result = screen(huge)
    print(
        f"10 MB narrative: {time.perf_counter() - started:.3f} s, analysed "
        f"{result.analysed_chars:,} of {result.total_chars:,} characters, "
        f"truncated={result.truncated}, hits={len(result.hits)}"
    )


if __name__ == "__main__":
    main()
