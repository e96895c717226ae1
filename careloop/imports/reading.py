"""Reading an uploaded file (CSV or XLSX) into a header and rows, with limits (pure: bytes in,
rows out). Row numbers are the spreadsheet's: the header is row 1.

CSV: UTF-8 (a byte-order mark is dropped) or Windows-1252; comma, semicolon, tab or pipe
delimited (found from the header line unless the mapping says). XLSX: the first worksheet,
opened read-only with cached values only (no formulas run), after checking the archive's
unpacked size."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from careloop.imports.mapping import DELIMITERS

Cell = str | int | float | datetime | date | time | bool | None

CELL_MAX_CHARS = 131_072  # the csv module's own field limit (an XLSX cell holds 32,767 at most)
MAX_COLUMNS = 200
XLSX_UNPACKED_FACTOR = 10  # an XLSX may unpack to ten times the upload limit, no more
ZIP_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass(frozen=True)
class SourceRow:
    number: int
    cells: dict[str, Cell]
    problem: str = ""  # the row could not be read at all


@dataclass
class Table:
    header: list[str]
    rows: list[SourceRow] = field(default_factory=list)
    blank_rows: int = 0


def file_format_of(content: bytes) -> str:
    return "xlsx" if content.startswith(ZIP_MAGIC) else "csv"


def _header(values: list[Cell]) -> list[str]:
    header = [str(v).strip() if v is not None else "" for v in values]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileRefused("The first row must name the columns; it is empty.")
    if len(header) > MAX_COLUMNS:
        raise FileRefused(f"The file has more than {MAX_COLUMNS} columns.")
    seen: set[str] = set()
    for name in header:
        if not name:
            raise FileRefused("A column in the first row has no name.")
        if name.lower() in seen:
            raise FileRefused(f"The column '{name[:60]}' is named twice in the first row.")
        seen.add(name.lower())
    return header


def _blank(values: list[Cell]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _row(number: int, header: list[str], values: list[Cell]) -> SourceRow:
    extra = [v for v in values[len(header) :] if not _blank([v])]
    if extra:
        return SourceRow(
            number, {}, f"The row has {len(values)} cells; the header names {len(header)}."
        )
    for value in values:
        if isinstance(value, str) and len(value) > CELL_MAX_CHARS:
            return SourceRow(number, {}, f"A cell is longer than {CELL_MAX_CHARS:,} characters.")
    padded = list(values) + [None] * (len(header) - len(values))
    return SourceRow(number, dict(zip(header, padded, strict=False)))


def _add(table: Table, number: int, values: list[Cell], max_rows: int) -> None:
    if _blank(values):
        table.blank_rows += 1
        return
    if len(table.rows) >= max_rows:
        raise FileRefused(f"The file has more than {max_rows:,} rows; split it into parts.")
    table.rows.append(_row(number, table.header, values))


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise FileRefused("This is not a CSV text file (it holds binary data).")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRefused("The file is neither UTF-8 nor Windows-1252 text.") from exc


def _delimiter(first_line: str, chosen: str) -> str:
    if chosen != "auto":
        return DELIMITERS[chosen]
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv(content: bytes, delimiter: str, max_rows: int) -> Table:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line, delimiter))
    table: Table | None = None
    number = 0
    while True:
        number += 1
        try:
            values: list[Cell] = list(next(reader))
        except StopIteration:
            break
        except csv.Error as exc:
            if table is None:
                raise FileRefused(f"The first row cannot be read: {exc}.") from exc
            table.rows.append(
                SourceRow(number, {}, f"A cell is longer than {CELL_MAX_CHARS:,} characters.")
                if "field limit" in str(exc)
                else SourceRow(number, {}, f"The row cannot be read as CSV: {exc}.")
            )
            continue
        if table is None:
            if not values:
                raise FileRefused("The first row must name the columns; it is empty.")
            table = Table(header=_header(values))
            continue
        _add(table, number, values, max_rows)
    if table is None:
        raise FileRefused("The file is empty.")
    return table


def _cell(value: object) -> Cell:
    """An XLSX value as a plain cell: numbers, text, dates; anything else as its text."""
    if value is None or isinstance(value, str | int | float | datetime | date | time):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _xlsx(content: bytes, max_bytes: int, max_rows: int) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRefused("The file is not a readable XLSX workbook.") from exc
    if unpacked > max_bytes * XLSX_UNPACKED_FACTOR:
        raise FileRefused("The workbook unpacks to more data than the import limit allows.")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused("The file is not a readable XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused("The workbook has no worksheet.")
        table: Table | None = None
        for number, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [_cell(v) for v in raw]
            if table is None:
                table = Table(header=_header(values))
                continue
            _add(table, number, values, max_rows)
    finally:
        workbook.close()
    if table is None:
        raise FileRefused("The worksheet is empty.")
    return table


def table_read(*, content: bytes, delimiter: str, max_bytes: int, max_rows: int) -> Table:
    if len(content) > max_bytes:
        raise FileRefused(f"The file is larger than the {max_bytes:,}-byte import limit.")
    if file_format_of(content) == "xlsx":
        return _xlsx(content, max_bytes, max_rows)
    return _csv(content, delimiter, max_rows)
