"""Results of an instrument as CSV or XLSX: one row per question, measure and group (the whole
period, then each month or quarter), with value, 95 % interval and n; suppressed scores are
left blank. No comments and nothing about a person: scores only.

Cells that a spreadsheet would run as a formula (text starting with = + - or @) get a leading
apostrophe in both formats. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from careloop.surveys.scoring import BoxScores, NpsScore, Score, Suppressed
from careloop.surveys.scoring_fft import FftScores
from careloop.surveys.selectors import ItemResult, ItemScore

FORMULA_STARTS = ("=", "+", "-", "@")
HEADER = (
    "group",
    "version",
    "question_number",
    "question",
    "measure",
    "value",
    "ci_low",
    "ci_high",
    "n",
)
Cell = str | int | float | None


def formula_safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _measures(result: ItemResult) -> list[tuple[str, Score | Suppressed]]:
    if result is None:
        return []
    if isinstance(result, Suppressed):
        return [("not shown", result)]
    if isinstance(result, NpsScore):
        return [("NPS", result.nps)]
    if isinstance(result, FftScores):
        return [("% positive", result.positive), ("% negative", result.negative)]
    if isinstance(result, BoxScores):
        return [("Top box", result.top), ("Bottom box", result.bottom)]
    return [("CSAT (4 or 5)", result)]


@dataclass(frozen=True)
class GroupItems:
    label: str
    items: Sequence[ItemScore]


def export_rows(groups: Iterable[GroupItems]) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for group in groups:
        for item in group.items:
            for measure, score in _measures(item.result):
                if isinstance(score, Suppressed):
                    figures: tuple[Cell, ...] = (None, None, None, score.n)
                else:
                    figures = (
                        float(score.rounded(places=1)),
                        round(score.ci.low, 1),
                        round(score.ci.high, 1),
                        score.n,
                    )
                rows.append(
                    (group.label, item.version, item.position, item.text, measure, *figures)
                )
    return rows


def csv_bytes(rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if cell is None else formula_safe(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Iterable[Sequence[Cell]], *, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Results")
    sheet.append([formula_safe(title)])
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([formula_safe(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
