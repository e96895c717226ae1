"""Spreadsheet exports: cells a spreadsheet would run as a formula are defused, times are
shown in one zone, and every export is audited with its row count and field names (never the
values). Shared with the queue export in web. CSV only: no XLSX writer is installed."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import HttpResponse

from careloop.audit.services import audit_record
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def csv_cell(value: object, zone: ZoneInfo) -> object:
    """Times in the viewer's zone; text cells that a spreadsheet would run as a formula are
    defused with a leading apostrophe."""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return "" if value is None else value


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
        detail={"table": table, "rows": rows, "from": period[0], "to": period[1]},
    )
