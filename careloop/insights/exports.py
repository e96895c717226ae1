"""Spreadsheet exports (CSV and XLSX): cells a spreadsheet would run as a formula are defused
with a leading apostrophe, times are shown in one zone, and every export is audited with its
format, row count and field names (never the values). `csv_cell` is shared with the queue
export in web."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from careloop.audit.services import audit_record
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
SHEET_TITLE_MAX = 31  # Excel's limit


def defused(text: str) -> str:
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_cell(value: object, zone: ZoneInfo) -> object:
    """Times in the viewer's zone; text cells that a spreadsheet would run as a formula are
    defused with a leading apostrophe."""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return defused(value)
    return "" if value is None else value


def xlsx_cell(value: object, zone: ZoneInfo) -> object:
    """Numbers stay numbers (so sums work); times are text in the viewer's zone; dates are
    ISO text; everything else is defused text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return defused(str(value))


def format_of(name: str) -> Format:
    """The export format named in a URL; anything else is a 404."""
    for known in FORMATS:
        if name == known:
            return known
    raise Http404("No such format.")


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]], zone: ZoneInfo
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(name, zone) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value, zone) for value in row])
    return response


def xlsx_bytes(
    *, sheet: str, header: Sequence[str], rows: Iterable[Sequence[object]], zone: ZoneInfo
) -> bytes:
    """One sheet, a bold header row, written in openpyxl's write-only mode (rows streamed)."""
    book = Workbook(write_only=True)
    page = book.create_sheet(title=sheet[:SHEET_TITLE_MAX] or "data")
    bold = Font(bold=True)
    heads = []
    for name in header:
        cell = WriteOnlyCell(page, value=str(xlsx_cell(name, zone)))
        cell.font = bold
        heads.append(cell)
    page.append(heads)
    for row in rows:
        page.append([xlsx_cell(value, zone) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_response(
    *,
    fmt: Format,
    sheet: str,
    filename: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    zone: ZoneInfo,
) -> HttpResponse:
    """The table as a download named `<filename>.<fmt>`."""
    if fmt == "csv":
        return csv_response(filename=f"{filename}.csv", header=header, rows=rows, zone=zone)
    response = HttpResponse(
        xlsx_bytes(sheet=sheet, header=header, rows=rows, zone=zone),
        content_type=XLSX_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_audited(
    *,
    user: User,
    organization_id: int,
    object_type: str,
    object_id: int,
    table: str,
    fields: Sequence[str],
    rows: int,
    now: datetime,
    period: tuple[str, str],
    fmt: str = "csv",
) -> None:
    audit_record(
        actor=user,
        action="X",
        event_type="insights.exported",
        at=now,
        organization_id=organization_id,
        object_type=object_type,
        object_id=str(object_id),
        fields=list(fields),
        actor_role=role_label(user),
        detail={
            "table": table,
            "format": fmt,
            "rows": rows,
            "from": period[0],
            "to": period[1],
        },
    )
