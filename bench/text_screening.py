"""Safety-risk screening: recall, precision and F1 per risk and language on the labelled fixture
(careloop/text/tests/fixtures/screening_cases.csv), the confusion per risk, and throughput in
narratives per second. Pure Python: no database, no Django.

Run: .venv/bin/python bench/text_screening.py
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from careloop.text.screening import LANGUAGES, RISKS, Screening, screen  # noqa: E402

FIXTURE = ROOT / "careloop" / "text" / "tests" / "fixtures" / "screening_cases.csv"
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


def load_cases() -> list[Case]:
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
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
    flags = Confusion()
    for case, result in zip(cases, results, strict=True):
        flags.add(expected=case.flagged, predicted=result.flagged)
    print("  " + flags.line("flagged for review"))
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


def main() -> None:
    cases = load_cases()
    results = [screen(case.text) for case in cases]
    report_quality(cases, results)
    short = [case.text for case in cases]
    print(f"\nthroughput, fixture sentences: {throughput(short):,.0f} narratives/s")
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
