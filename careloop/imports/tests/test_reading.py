"""Reading uploads: encodings, delimiters, empty rows, oversized cells, limits, XLSX (pure)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from careloop.imports.reading import CELL_MAX_CHARS, FileRefused, Table, table_read

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_rows": 100}
JULY_1_0800 = datetime(2025, 7, 1, 8, 0)  # noqa: DTZ001  # spreadsheet cells carry no zone


def read(content: bytes, **limits: int) -> Table:
    return table_read(content=content, delimiter="auto", **{**LIMITS, **limits})


def test_it_drops_a_byte_order_mark_and_finds_semicolons() -> None:
    table = table_read(content="\ufeffid;title\r\n1;Café\r\n".encode(), delimiter="auto", **LIMITS)
    assert table.header == ["id", "title"]
    assert table.rows[0].cells == {"id": "1", "title": "Café"}
    assert table.rows[0].number == 2


def test_it_reads_windows_1252_when_the_file_is_not_utf8() -> None:
    table = table_read(
        content="id,title\n1,Caf\xe9\n".encode("cp1252"), delimiter="comma", **LIMITS
    )
    assert table.rows[0].cells["title"] == "Café"


def test_empty_rows_are_counted_and_ignored_and_numbering_follows_the_sheet() -> None:
    table = table_read(content=b"id,title\n\n1,a\n,\n2,b\n", delimiter="auto", **LIMITS)
    assert [r.number for r in table.rows] == [3, 5]
    assert table.blank_rows == 2


def test_a_10_mb_cell_rejects_its_row_and_the_next_rows_are_still_read() -> None:
    big = "x" * (10 * 1024 * 1024)
    content = f'id,title\n1,a\n2,"{big}"\n3,c\n'.encode()
    table = table_read(content=content, delimiter="auto", **LIMITS)
    assert [(r.number, r.problem) for r in table.rows] == [
        (2, ""),
        (3, f"A cell is longer than {CELL_MAX_CHARS:,} characters."),
        (4, ""),
    ]


def test_a_row_with_more_cells_than_the_header_is_a_problem() -> None:
    table = table_read(content=b"id,title\n1,a,surplus\n", delimiter="auto", **LIMITS)
    assert table.rows[0].problem == "The row has 3 cells; the header names 2."


@pytest.mark.parametrize(
    ("content", "limits", "message"),
    [
        (b"id\n" + b"1\n" * 101, {}, "more than 100 rows"),
        (b"id\n1\n", {"max_bytes": 3}, "larger than"),
        (b"", {}, "empty"),
        (b"id,id\n1,2\n", {}, "named twice"),
        (b"id,\x00\n", {}, "binary"),
        (b"PK\x03\x04broken", {}, "not a readable XLSX"),
    ],
)
def test_whole_files_are_refused_with_a_reason(
    content: bytes, limits: dict[str, int], message: str
) -> None:
    with pytest.raises(FileRefused, match=message):
        read(content, **limits)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_it_reads_the_first_worksheet_of_a_workbook_with_typed_cells() -> None:
    content = _xlsx([["id", "created", "title"], [7, JULY_1_0800, "Cold food"], [None, None]])
    table = table_read(content=content, delimiter="auto", **LIMITS)
    assert table.header == ["id", "created", "title"]
    assert table.rows[0].cells == {
        "id": 7,
        "created": JULY_1_0800,
        "title": "Cold food",
    }
    assert table.blank_rows == 1
