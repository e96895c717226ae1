"""Case reads, always scoped to the user. Out of scope and missing look the same (404), and
every read that shows client information is audited."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from careloop.audit.services import audit_record
from careloop.cases.models import HCAT_CATEGORIES, Case, CaseEvent, Status
from careloop.orgs.models import User
from careloop.orgs.permissions import role_label, scope_q
from careloop.policies.models import CaseClock, ClockStatus

CASE_DETAIL_FIELDS = ["narrative", "reporter", "desired_outcome", "timeline", "notes", "letter"]
QUEUE_FIELDS = ["reference", "kind", "status", "narrative_excerpt", "unit", "received_at"]


def case_get_for(*, user: User, case_id: int, now: datetime, purpose: str = "view") -> Case:
    case = (
        Case.objects.filter(scope_q(user), pk=case_id)
        .select_related("facility", "unit", "owner", "organization", "received_by")
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    audit_record(
        actor=user,
        action="R",
        event_type=f"case.{purpose}",
        at=now,
        organization_id=case.organization_id,
        case_id=case.pk,
        object_type="case",
        object_id=str(case.pk),
        fields=CASE_DETAIL_FIELDS if purpose == "view" else [],
        actor_role=role_label(user, case),
    )
    return case


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    kind: str = ""
    unit_id: int | None = None
    facility_id: int | None = None
    owner_id: int | None = None
    staff_id: int | None = None
    clock_state: str = ""
    received_from: date | None = None
    received_to: date | None = None
    tz_name: str = "UTC"  # the zone whose calendar the date range is read in
    query: str = ""
    mine: bool = False
    open_only: bool = False
    updated_since: datetime | None = None  # any timeline event at or after this time


@dataclass
class QueuePage:
    cases: list[Case]
    next_cursor: str | None
    clock_states: dict[int, str] = field(default_factory=dict)


def encode_cursor(case: Case) -> str:
    raw = f"{case.received_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(at), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _with_text(qs: QuerySet[Case], query: str) -> QuerySet[Case]:
    query = query.strip()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        qs = qs.annotate(narrative_search=SearchVector("narrative", config="simple"))
        return qs.filter(
            Q(reference__iexact=query) | Q(narrative_search=SearchQuery(query, config="simple"))
        )
    return qs.filter(Q(reference__icontains=query) | Q(narrative__icontains=query))


def _filtered(user: User, f: QueueFilters, now: datetime) -> QuerySet[Case]:
    qs = Case.objects.filter(scope_q(user))
    if f.mine:
        qs = qs.filter(owner_id=user.pk)
    if f.updated_since:
        events = CaseEvent.objects.filter(case_id=OuterRef("pk"), at__gte=f.updated_since)
        qs = qs.filter(Exists(events))
    if f.open_only:
        qs = qs.exclude(status__in=[Status.RESOLVED, Status.CLOSED])
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.facility_id:
        qs = qs.filter(facility_id=f.facility_id)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.staff_id:
        qs = qs.filter(staff_involved__id=f.staff_id)
    zone = ZoneInfo(f.tz_name)
    if f.received_from:
        qs = qs.filter(received_at__gte=datetime.combine(f.received_from, time.min, zone))
    if f.received_to:
        after = f.received_to + timedelta(days=1)
        qs = qs.filter(received_at__lt=datetime.combine(after, time.min, zone))
    clocks = CaseClock.objects.filter(case_id=OuterRef("pk"))
    running = clocks.filter(status=ClockStatus.RUNNING)
    if f.clock_state == "breached":
        # Recorded breaches are flagged on the case by the sweeper; overdue clocks not yet
        # swept are found through the partial index on running clocks.
        qs = qs.filter(Q(clock_breached_at__isnull=False) | Exists(running.filter(due_at__lte=now)))
    elif f.clock_state == "at_risk":
        qs = qs.filter(Exists(running.filter(warn_at__lte=now, due_at__gt=now)))
    elif f.clock_state == "running":
        qs = qs.filter(Exists(running))
    if f.query:
        qs = _with_text(qs, f.query)
    if f.staff_id:
        qs = qs.distinct()
    return qs


def case_queue_for(
    *, user: User, filters: QueueFilters, now: datetime, cursor: str = "", page_size: int = 50
) -> QueuePage:
    """One page of cases, newest first, by keyset (received_at, id): the same few queries
    whatever the page size or depth."""
    qs = _filtered(user, filters, now)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        at, pk = position
        # The redundant bound lets the (…, received_at, id) indexes seek to the cursor: with
        # the OR alone PostgreSQL scans every newer case (seconds at depth in 1M cases).
        qs = qs.filter(received_at__lte=at).filter(
            Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk)
        )
    rows = list(
        qs.select_related("facility", "unit", "owner").order_by("-received_at", "-pk")[
            : page_size + 1
        ]
    )
    more = len(rows) > page_size
    cases = rows[:page_size]
    states = clock_states_for(case_ids=[c.pk for c in cases], now=now)
    if cases:
        audit_record(
            actor=user,
            action="R",
            event_type="case.listed",
            at=now,
            organization_id=user.organization_id,
            object_type="queue",
            fields=QUEUE_FIELDS,
            actor_role=role_label(user),
            detail={"case_ids": [c.pk for c in cases]},
        )
    return QueuePage(
        cases=cases, next_cursor=encode_cursor(cases[-1]) if more else None, clock_states=states
    )


_RANK = {"breached": 4, "at_risk": 3, "running": 2, "paused": 1, "met": 0}


def clock_state_of(clock: CaseClock, now: datetime) -> str:
    from careloop.policies.clocks import clock_state

    if clock.status == ClockStatus.BREACHED:
        return "breached"
    if clock.status == ClockStatus.CANCELLED:
        return "cancelled"
    return str(
        clock_state(
            now=now,
            due_at=clock.due_at,
            warn_at=clock.warn_at,
            met_at=clock.met_at,
            paused_at=clock.paused_at,
        )
    )


def clock_states_for(*, case_ids: list[int], now: datetime) -> dict[int, str]:
    """The worst clock state per case, in one query."""
    worst: dict[int, str] = {}
    for clock in CaseClock.objects.filter(case_id__in=case_ids).exclude(
        status=ClockStatus.CANCELLED
    ):
        state = clock_state_of(clock, now)
        if _RANK.get(state, -1) > _RANK.get(worst.get(clock.case_id, ""), -1):
            worst[clock.case_id] = state
    return worst


EXPORT_FIELDS = (
    "reference",
    "kind",
    "status",
    "facility__name",
    "unit__name",
    "channel",
    "reporter_type",
    "language",
    "received_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "owner__username",
    *(name for name, _label in HCAT_CATEGORIES),
    "stage_of_care",
    "harm",
    "clock_breached_at",
)
EXPORT_LIMIT = 50_000


def case_export_for(
    *, user: User, filters: QueueFilters, now: datetime, limit: int = EXPORT_LIMIT
) -> list[dict[str, Any]]:
    """The cases a queue filter selects, as rows for a spreadsheet: coded and dated fields only
    (minimum necessary: no narratives, no contact details). The export is audited with its row
    count and which filters were used, never the search words."""
    rows = list(
        _filtered(user, filters, now).order_by("-received_at", "-pk").values(*EXPORT_FIELDS)[:limit]
    )
    used = {name: value for name, value in vars(filters).items() if value and name != "query"}
    audit_record(
        actor=user,
        action="X",
        event_type="case.exported",
        at=now,
        organization_id=user.organization_id,
        object_type="queue",
        fields=list(EXPORT_FIELDS),
        actor_role=role_label(user),
        detail={
            "rows": len(rows),
            "filters": {k: str(v) for k, v in used.items()},
            "search": bool(filters.query),
        },
    )
    return rows
