"""Loading and validation of patient-comment CSVs, plus multi-label stratified splitting.

Two layouts are understood:

* the *multi-label framework* layout (``v6framework_230831.csv`` of pxtextmining): free text in
  ``FFT answer``, an optional ``Comment sentiment`` (1-5, blanks allowed) and one one-hot column
  per theme.  By default the theme columns are every column after ``Comment sentiment``.
* the *single-label* layout (``text_data.csv``): free text in ``feedback``, one theme in
  ``label`` and a ``criticality`` in -5..+5.

Nothing here ever raises on a bad row: junk values are counted in a :class:`LoadReport`
(and, where harmless, the row is kept with the bad field set to ``None``).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Cell values that mean "theme applies" / "theme does not apply" in one-hot columns.
_TRUE_CELLS = frozenset({"1", "1.0", "true", "yes", "y"})
_FALSE_CELLS = frozenset({"", "0", "0.0", "false", "no", "n"})


@dataclass
class LoadReport:
    """What happened while loading a CSV: rows read, kept, and junk counted by reason."""

    source: str
    rows_read: int = 0
    rows_kept: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, example: str) -> None:
        self.problems[reason] += 1
        bucket = self.examples.setdefault(reason, [])
        if len(bucket) < 5:
            bucket.append(example)

    def summary(self) -> str:
        parts = [f"{self.source}: read {self.rows_read}, kept {self.rows_kept}"]
        for reason, count in sorted(self.problems.items()):
            shown = ", ".join(repr(e) for e in self.examples.get(reason, []))
            parts.append(f"  {reason}: {count} (e.g. {shown})")
        return "\n".join(parts)


@dataclass(frozen=True)
class MultiLabelRow:
    text: str
    labels: frozenset[str]
    sentiment: int | None
    date: dt.date | None
    row_id: str


@dataclass
class MultiLabelData:
    label_names: list[str]
    rows: list[MultiLabelRow]
    report: LoadReport

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.rows]

    @property
    def label_sets(self) -> list[frozenset[str]]:
        return [r.labels for r in self.rows]


@dataclass(frozen=True)
class SingleLabelRow:
    text: str
    label: str
    criticality: int | None
    row_id: str


@dataclass
class SingleLabelData:
    rows: list[SingleLabelRow]
    report: LoadReport

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.rows]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.rows]


def parse_date(value: str, *, month_first: bool = False) -> dt.date | None:
    """Parse ``dd/mm/yyyy`` (or ``mm/dd/yyyy`` when ``month_first``) or ISO ``yyyy-mm-dd``.

    Returns ``None`` when the value is not a real date in that order.
    """
    value = value.strip()
    try:
        if "/" in value:
            first, second, year = (int(p) for p in value.split("/"))
            month, day = (first, second) if month_first else (second, first)
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_int_in_range(value: str, low: int, high: int) -> int | None:
    """An integer in ``[low, high]`` (``"3.0"`` accepted) or ``None``."""
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not number.is_integer() or not low <= number <= high:
        return None
    return int(number)


def _open_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = [
            {k: (v if isinstance(v, str) else "") for k, v in row.items() if k} for row in reader
        ]
    return header, rows


def load_multilabel_csv(
    path: str | Path,
    *,
    text_column: str = "FFT answer",
    sentiment_column: str = "Comment sentiment",
    date_column: str = "Date",
    id_column: str = "Comment ID",
    label_columns: Sequence[str] | None = None,
) -> MultiLabelData:
    """Load the framework layout. Rows with empty text are dropped (and counted).

    Bad one-hot cells count as "not applied", bad sentiment/date become ``None``; all counted.
    """
    path = Path(path)
    header, raw = _open_rows(path)
    report = LoadReport(source=path.name, rows_read=len(raw))
    if label_columns is None:
        if sentiment_column not in header:
            raise ValueError(f"{path.name}: no {sentiment_column!r} column to locate themes")
        label_columns = header[header.index(sentiment_column) + 1 :]
    missing = [c for c in [text_column, *label_columns] if c not in header]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing}")
    rows: list[MultiLabelRow] = []
    for number, cells in enumerate(raw, start=2):
        row_id = cells.get(id_column, "") or f"line {number}"
        text = cells.get(text_column, "").strip()
        if not text:
            report.add("empty text (row dropped)", row_id)
            continue
        labels: set[str] = set()
        for column in label_columns:
            cell = cells.get(column, "").strip().lower()
            if cell in _TRUE_CELLS:
                labels.add(column)
            elif cell not in _FALSE_CELLS:
                report.add(f"bad one-hot cell in {column!r} (treated as 0)", cell)
        raw_sentiment = cells.get(sentiment_column, "").strip()
        sentiment = parse_int_in_range(raw_sentiment, 1, 5) if raw_sentiment else None
        if raw_sentiment and sentiment is None:
            report.add("bad sentiment (set blank)", raw_sentiment)
        raw_date = cells.get(date_column, "").strip()
        date = parse_date(raw_date) if raw_date else None
        if raw_date and date is None:
            date = parse_date(raw_date, month_first=True)
            if date is None:
                report.add("bad date (set blank)", raw_date)
            else:
                report.add("date only valid as mm/dd/yyyy (read that way)", raw_date)
        if not labels:
            report.add("no theme (kept, empty label set)", row_id)
        rows.append(MultiLabelRow(text, frozenset(labels), sentiment, date, row_id))
    report.rows_kept = len(rows)
    return MultiLabelData(list(label_columns), rows, report)


def load_singlelabel_csv(
    path: str | Path,
    *,
    text_column: str = "feedback",
    label_column: str = "label",
    criticality_column: str = "criticality",
    id_column: str = "row_index",
) -> SingleLabelData:
    """Load the single-label layout.

    Empty text or label drops the row; a criticality outside -5..+5 is blanked.  Both counted.
    """
    path = Path(path)
    header, raw = _open_rows(path)
    missing = [c for c in (text_column, label_column) if c not in header]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing}")
    report = LoadReport(source=path.name, rows_read=len(raw))
    rows: list[SingleLabelRow] = []
    for number, cells in enumerate(raw, start=2):
        row_id = cells.get(id_column, "") or f"line {number}"
        text = cells.get(text_column, "").strip()
        label = cells.get(label_column, "").strip()
        if not text:
            report.add("empty text (row dropped)", row_id)
            continue
        if not label:
            report.add("empty label (row dropped)", row_id)
            continue
        raw_crit = cells.get(criticality_column, "").strip()
        crit = parse_int_in_range(raw_crit, -5, 5) if raw_crit else None
        if crit is None:
            report.add("bad criticality (set blank)", raw_crit)
        rows.append(SingleLabelRow(text, label, crit, row_id))
    report.rows_kept = len(rows)
    return SingleLabelData(rows, report)


def iterative_stratified_split(
    label_sets: Sequence[frozenset[str]], test_fraction: float, seed: int
) -> tuple[list[int], list[int]]:
    """Split row indices into (train, test) with iterative stratification.

    Method of Sechidis, Tsoumakas & Vlahavas (2011), written from the paper's description:
    repeatedly take the label with the fewest still-unassigned rows and deal those rows to
    whichever subset most lacks that label (ties: the subset that needs more rows overall,
    then a seeded coin).  Rows with no labels are dealt by remaining capacity at the end.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be between 0 and 1")
    train, test = iterative_stratified_folds(label_sets, [1 - test_fraction, test_fraction], seed)
    return train, test


def iterative_stratified_folds(
    label_sets: Sequence[frozenset[str]], proportions: Sequence[float], seed: int
) -> tuple[list[int], ...]:
    """Deal row indices into ``len(proportions)`` subsets by iterative stratification."""
    rng = random.Random(seed)  # noqa: S311 - reproducible shuffling, not security
    n = len(label_sets)
    k = len(proportions)
    total = float(sum(proportions))
    wanted = [n * p / total for p in proportions]
    label_totals: Counter[str] = Counter(lab for labels in label_sets for lab in labels)
    wanted_label = {lab: [c * p / total for p in proportions] for lab, c in label_totals.items()}
    folds: list[list[int]] = [[] for _ in range(k)]
    remaining = set(range(n))
    order = list(range(n))
    rng.shuffle(order)
    rank = {row: i for i, row in enumerate(order)}
    unassigned: Counter[str] = Counter(label_totals)

    def assign(row: int, fold: int) -> None:
        folds[fold].append(row)
        remaining.discard(row)
        wanted[fold] -= 1
        for lab in label_sets[row]:
            wanted_label[lab][fold] -= 1
            unassigned[lab] -= 1

    while True:
        live = [lab for lab, c in unassigned.items() if c > 0]
        if not live:
            break
        label = min(live, key=lambda lab: (unassigned[lab], lab))
        rows = sorted((r for r in remaining if label in label_sets[r]), key=rank.__getitem__)
        for row in rows:
            need = wanted_label[label]
            best = max(need)
            cands = [f for f in range(k) if need[f] == best]
            if len(cands) > 1:
                most = max(wanted[f] for f in cands)
                cands = [f for f in cands if wanted[f] == most]
            assign(row, rng.choice(cands))
    for row in sorted(remaining, key=rank.__getitem__):
        most = max(wanted)
        assign(row, rng.choice([f for f in range(k) if wanted[f] == most]))
    return tuple(sorted(f) for f in folds)
