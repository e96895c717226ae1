"""The grievance log a US surveyor asks for (DOMAIN.md N5): one row per grievance received
in a facility's period. Coded fields and dates only; the client's narrative is added only for
roles that may read it (permissions.can_read_narratives). Findings and corrective actions are
staff free text and are given as counts here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q

from careloop.cases.models import HCAT_CATEGORIES, Case, Kind
from careloop.insights.counting import issue_of
from careloop.insights.queries import bounds
from careloop.insights.selectors import HCAT_FIELDS, Period
from careloop.letters.models import LetterKind
from careloop.orgs.models import Facility
from careloop.policies.models import ClockStatus

HEADER = (
    "reference",
    "date_received",
    "unit",
    "category",
    "summary",
    "date_acknowledged",
    "date_resolved",
    "written_response_date",
    "within_timeframes",
    "confirmed",
    "investigation_steps",
    "corrective_actions",
)
NARRATIVE = "narrative"
CATEGORY_LABELS = dict(HCAT_CATEGORIES)
SEVERITY_WORDS = {1: "low", 2: "medium", 3: "high"}


def within_timeframes(*, met: int, breached: int, open_: int) -> str:
    """Whether the pack's clocks were kept: any breach is "no"; all ended and met is "yes"."""
    if breached:
        return "no"
    if open_:
        return "open"
    return "yes" if met else "no clock"


def category_of(severities: Mapping[str, int]) -> str:
    issue = issue_of(severities)
    if issue is None:
        return "not coded"
    return f"{CATEGORY_LABELS[issue]} ({SEVERITY_WORDS[severities[issue]]})"


def _date(value: datetime | None, zone: ZoneInfo) -> str:
    return "" if value is None else f"{value.astimezone(zone):%Y-%m-%d}"


def grievance_rows(
    *, facility: Facility, period: Period, with_narrative: bool
) -> tuple[list[str], list[list[object]]]:
    zone = ZoneInfo(facility.time_zone)
    start, end = bounds(facility, period)
    cases = (
        Case.objects.filter(
            facility=facility, kind=Kind.GRIEVANCE, received_at__gte=start, received_at__lt=end
        )
        .annotate(
            written_at=Min(
                "issued_letters__issued_at",
                filter=Q(issued_letters__kind=LetterKind.DECISION),
            ),
            met=Count("clocks", filter=Q(clocks__status=ClockStatus.MET), distinct=True),
            breached=Count("clocks", filter=Q(clocks__status=ClockStatus.BREACHED), distinct=True),
            running=Count(
                "clocks",
                filter=Q(clocks__status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED]),
                distinct=True,
            ),
            steps=Count("investigation_steps", distinct=True),
            actions=Count("corrective_actions", distinct=True),
        )
        .select_related("unit")
        .order_by("received_at", "pk")
    )
    header = [*HEADER, NARRATIVE] if with_narrative else list(HEADER)
    rows: list[list[object]] = []
    for case in cases:
        severities = {name: getattr(case, name) for name in HCAT_FIELDS}
        row: list[object] = [
            case.reference,
            _date(case.received_at, zone),
            case.unit.name if case.unit else "",
            category_of(severities),
            _summary(case),
            _date(case.acknowledged_at, zone),
            _date(case.resolved_at, zone),
            _date(case.written_at, zone),
            within_timeframes(met=case.met, breached=case.breached, open_=case.running),
            {True: "confirmed", False: "not confirmed"}.get(case.confirmed, ""),  # type: ignore[arg-type]
            case.steps,
            case.actions,
        ]
        if with_narrative:
            row.append(case.narrative)
        rows.append(row)
    return header, rows


def _summary(case: Case) -> str:
    """A coded summary (no client words): channel, reporter type, flags, harm."""
    parts = [case.get_channel_display(), case.get_reporter_type_display()]
    if case.abuse_alleged:
        parts.append("abuse alleged")
    if case.serious_injury:
        parts.append("serious injury")
    if case.harm is not None:
        parts.append(f"harm {case.get_harm_display()}")
    return "; ".join(str(p) for p in parts)
