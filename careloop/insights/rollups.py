"""Pre-aggregated dashboard figures (issue 6 performance): per facility, unit and
facility-local month, rebuilt by background work and read by the dashboards.

A refresh rebuilds the recent months (RECENT_MONTHS, the current one included) of every
facility whose rollups are older than REFRESH_EVERY, and every month once FULL_EVERY has passed
since the last full rebuild; the dashboards say when each part was rebuilt. A facility never
rolled up is built in full on first read. Rebuilding a range deletes and re-inserts its rows
in one short transaction (after reading outside it), so a reader sees either the old or the new
figures; sweepers in several processes claim a facility's rebuild with a conditional UPDATE,
so only one rebuilds it, and nothing the rebuild reads is locked (intake never waits on it).

Counted complaints (M13) of a range read cases from WINDOW_DAYS before it, as the live
selectors do; durations are stored as every case's seconds so medians and 90th percentiles are
exact. Budget and recovery success are read live (small tables)."""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncMonth

from careloop.cases.models import HCAT_CATEGORIES, Case, Channel, Kind, ReporterType
from careloop.insights import figures
from careloop.insights.counting import (
    WINDOW_DAYS,
    CaseFacts,
    counted_firsts,
    counted_issues,
    counting_groups,
    person_key,
)
from careloop.insights.denominators import month_add
from careloop.insights.models import CaseRollup, FigureRollup, RollupState, SurveyRollup
from careloop.insights.selectors import COMPLAINT_KINDS, HCAT_FIELDS, Period
from careloop.orgs.models import Facility, Unit
from careloop.policies.models import CaseClock, ClockStatus
from careloop.surveys.models import Answer
from careloop.text.models import CaseLink

RECENT_MONTHS = 2
REFRESH_EVERY = timedelta(minutes=5)
FULL_EVERY = timedelta(hours=24)
CLAIM_FOR = timedelta(minutes=30)
COUNTED, ISSUES, ACK, RESOLVE, MET, BREACHED = (
    "counted",
    "issues",
    "acknowledge",
    "resolve",
    "clock_met",
    "clock_breached",
)
WHOLE, WITHIN_UNIT = "facility", "unit"


def _local_start(facility: Facility, month_on: date) -> datetime:
    return datetime.combine(month_on, datetime.min.time(), tzinfo=ZoneInfo(facility.time_zone))


def _month_of(value: datetime, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date().replace(day=1)


def _case_rows(facility: Facility, start: datetime) -> list[CaseRollup]:
    zone = ZoneInfo(facility.time_zone)
    grouped = (
        Case.objects.filter(facility=facility, received_at__gte=start)
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .values("unit_id", "month", "kind", "channel")
        .annotate(
            cases=Count("id"),
            **{name: Count("id", filter=Q(**{f"{name}__gt": 0})) for name in HCAT_FIELDS},
        )
        .order_by()
    )
    return [
        CaseRollup(
            facility=facility,
            unit_id=row["unit_id"],
            month_on=_as_date(row["month"]),
            kind=row["kind"],
            channel=row["channel"],
            cases=row["cases"],
            **{name: row[name] for name in HCAT_FIELDS},
        )
        for row in grouped
    ]


def _as_date(value: date | datetime) -> date:
    return (value.date() if isinstance(value, datetime) else value).replace(day=1)


def _counted_rows(facility: Facility, first_on: date, start: datetime) -> list[FigureRollup]:
    """Counted complaints and issues per month from first_on: over the whole facility and
    within each unit."""
    zone = ZoneInfo(facility.time_zone)
    complaints = Case.objects.filter(
        facility=facility,
        kind__in=COMPLAINT_KINDS,
        received_at__gte=start - timedelta(days=WINDOW_DAYS),
    )
    links = list(
        CaseLink.objects.filter(from_case__in=complaints.values("pk")).values_list(
            "from_case_id", "to_case_id"
        )
    )
    by_unit: dict[int | None, list[CaseFacts]] = defaultdict(list)
    for r in complaints.values(
        "pk",
        "unit_id",
        "received_at",
        "reporter_type",
        "reporter_email",
        "reporter_phone",
        "recovery_client__client_id",
        *HCAT_FIELDS,
    ):
        by_unit[r["unit_id"]].append(
            CaseFacts(
                case_id=r["pk"],
                received_at=r["received_at"],
                person=person_key(
                    client_id=r["recovery_client__client_id"],
                    email=r["reporter_email"],
                    phone=r["reporter_phone"],
                    anonymous=r["reporter_type"] == ReporterType.ANONYMOUS,
                ),
                severities={name: r[name] for name in HCAT_FIELDS},
            )
        )
    everyone = [f for facts in by_unit.values() for f in facts]
    scopes: list[tuple[int | None, str, list[CaseFacts]]] = [(None, WHOLE, everyone)]
    scopes += [(unit_id, WITHIN_UNIT, facts) for unit_id, facts in by_unit.items() if unit_id]
    rows: list[FigureRollup] = []
    for unit_id, key, facts in scopes:
        counts: dict[tuple[str, date], int] = defaultdict(int)
        for first in counted_firsts(counting_groups(facts, links=links)):
            counts[COUNTED, _month_of(first.received_at, zone)] += 1
        for fact, _issue in counted_issues(facts, links=links):
            counts[ISSUES, _month_of(fact.received_at, zone)] += 1
        rows += [
            FigureRollup(
                facility=facility, unit_id=unit_id, month_on=m, metric=metric, key=key, value=n
            )
            for (metric, m), n in counts.items()
            if m >= first_on
        ]
    return rows


def _duration_rows(facility: Facility, start: datetime) -> list[FigureRollup]:
    zone = ZoneInfo(facility.time_zone)
    rows: list[FigureRollup] = []
    for metric, field in ((ACK, "acknowledged_at"), (RESOLVE, "resolved_at")):
        seconds: dict[tuple[int | None, date], list[float]] = defaultdict(list)
        pairs = Case.objects.filter(facility=facility, **{f"{field}__gte": start}).values_list(
            "unit_id", "received_at", field
        )
        for unit_id, received_at, end in pairs:
            if end is not None and end >= received_at:
                seconds[unit_id, _month_of(end, zone)].append((end - received_at).total_seconds())
        rows += [
            FigureRollup(
                facility=facility,
                unit_id=unit_id,
                month_on=m,
                metric=metric,
                value=len(values),
                seconds=np.asarray(values, dtype="<f8").tobytes(),
            )
            for (unit_id, m), values in seconds.items()
        ]
    return rows


def _clock_rows(facility: Facility, start: datetime) -> list[FigureRollup]:
    zone = ZoneInfo(facility.time_zone)
    grouped = (
        CaseClock.objects.filter(
            case__facility=facility,
            due_at__gte=start,
            status__in=[ClockStatus.MET, ClockStatus.BREACHED],
        )
        .annotate(month=TruncMonth("due_at", tzinfo=zone))
        .values("case__unit_id", "month", "pack_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        FigureRollup(
            facility=facility,
            unit_id=row["case__unit_id"],
            month_on=_as_date(row["month"]),
            metric=MET if row["status"] == ClockStatus.MET else BREACHED,
            key=row["pack_id"],
            value=row["n"],
        )
        for row in grouped
    ]


def survey_rows(facility: Facility, first_on: date, start: datetime) -> list[SurveyRollup]:
    """Answer counts of scored items per unit, local month, item and value from `start`."""
    zone = ZoneInfo(facility.time_zone)
    grouped = (
        Answer.objects.filter(submitted_at__gte=start, response__facility=facility)
        .exclude(item__type="free_text")
        .annotate(month=TruncMonth("submitted_at", tzinfo=zone))
        .values("response__unit_id", "month", "item_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = []
    for row in grouped:
        month = row["month"]
        month_on = (month.date() if isinstance(month, datetime) else month).replace(day=1)
        if month_on >= first_on:
            rows.append(
                SurveyRollup(
                    facility=facility,
                    unit_id=row["response__unit_id"],
                    month_on=month_on,
                    item_id=row["item_id"],
                    value=row["value"][:40],
                    answers=row["n"],
                )
            )
    return rows


def _first_month(facility: Facility, now: datetime) -> date:
    """The local month of the facility's earliest case or survey answer (now without any)."""
    case = Case.objects.filter(facility=facility).aggregate(at=Min("received_at"))["at"]
    answer = Answer.objects.filter(response__facility=facility).aggregate(at=Min("submitted_at"))[
        "at"
    ]
    earliest = min([at for at in (case, answer) if at is not None], default=now)
    return _month_of(earliest, ZoneInfo(facility.time_zone))


def rollup_build(*, facility: Facility, first_on: date | None, now: datetime) -> int:
    """Rebuild the facility's rollups from the local month first_on (None: every month);
    returns the rows written. The figures are read first, outside any transaction; then one
    short transaction (the facility's RollupState row locked) swaps them in, unless a newer
    rebuild has already written."""
    full = first_on is None
    if first_on is None:
        first_on = _first_month(facility, now)
    start = _local_start(facility, first_on)
    rows = _case_rows(facility, start)
    figures_rows = [
        *_counted_rows(facility, first_on, start),
        *_duration_rows(facility, start),
        *_clock_rows(facility, start),
    ]
    answers = survey_rows(facility, first_on, start)
    with transaction.atomic():
        state = RollupState.objects.select_for_update().filter(facility=facility).first()
        if state is not None and state.refreshed_at is not None and state.refreshed_at > now:
            return 0
        for model in (CaseRollup, FigureRollup, SurveyRollup):
            model.objects.filter(facility=facility, month_on__gte=first_on).delete()
        CaseRollup.objects.bulk_create(rows, batch_size=2000)
        FigureRollup.objects.bulk_create(figures_rows, batch_size=500)
        SurveyRollup.objects.bulk_create(answers, batch_size=2000)
        if state is None:
            RollupState.objects.create(
                facility=facility, refreshed_at=now, recent_from_on=first_on, full_at=now
            )
        else:
            state.refreshed_at, state.recent_from_on, state.claimed_at = now, first_on, None
            if full:
                state.full_at = now
            state.save(update_fields=["refreshed_at", "recent_from_on", "full_at", "claimed_at"])
    return len(rows) + len(figures_rows) + len(answers)


def _claimed(state: RollupState, now: datetime) -> bool:
    """Claim the facility's rebuild with a conditional UPDATE, so that of several sweepers
    only one rebuilds it (a claim older than CLAIM_FOR is taken over)."""
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_FOR)
    return RollupState.objects.filter(free, pk=state.pk).update(claimed_at=now) == 1


def rollups_claim_due(*, now: datetime, full: bool = False) -> list[tuple[Facility, bool]]:
    """The facilities whose rollups are due (all of them with `full`), each claimed for this
    caller, with whether the rebuild is a full one (always for one never built)."""
    built = set(RollupState.objects.values_list("facility_id", flat=True))
    for facility_id in Facility.objects.exclude(pk__in=built).values_list("pk", flat=True):
        with contextlib.suppress(IntegrityError), transaction.atomic():
            RollupState.objects.create(facility_id=facility_id)  # never built: due at once
    due: list[tuple[Facility, bool]] = []
    states = {s.facility_id: s for s in RollupState.objects.all()}
    for facility in Facility.objects.order_by("pk"):
        state = states[facility.pk]
        due_full = full or state.full_at is None or now - state.full_at >= FULL_EVERY
        recent_due = state.refreshed_at is None or now - state.refreshed_at >= REFRESH_EVERY
        if (due_full or recent_due) and _claimed(state, now):
            due.append((facility, due_full))
    return due


def rollup_refresh(*, facility: Facility, full: bool, now: datetime) -> int:
    """Rebuild one facility: every month, or the recent ones."""
    this_month = _month_of(now, ZoneInfo(facility.time_zone))
    first_on = None if full else month_add(this_month, 1 - RECENT_MONTHS)
    return rollup_build(facility=facility, first_on=first_on, now=now)


def rollups_refresh(*, now: datetime, full: bool = False) -> int:
    """Refresh every facility whose rollups are due (or all in full), here and now; returns
    the rows written. The worker's sweep enqueues the same work as tasks instead."""
    return sum(
        rollup_refresh(facility=facility, full=whole, now=now)
        for facility, whole in rollups_claim_due(now=now, full=full)
    )


def rollup_ensure(*, facility: Facility, now: datetime) -> RollupState:
    """The facility's rollup state, building it in full here first if it was never built."""
    state = RollupState.objects.filter(facility=facility).first()
    if state is None or state.full_at is None:
        rollup_build(facility=facility, first_on=None, now=now)
        state = RollupState.objects.get(facility=facility)
    return state


# --- reads (after rollup_ensure) -------------------------------------------------------------


def _in(period: Period, unit: Unit | None) -> Q:
    q = Q(month_on__gte=period.first_on, month_on__lte=period.last_on)
    return q if unit is None else q & Q(unit=unit)


@dataclass(frozen=True, kw_only=True)
class Rates:
    counted: dict[date, int]
    issues: dict[date, int]
    cases: dict[date, int]


def rates_read(*, facility: Facility, period: Period, unit: Unit | None = None) -> Rates:
    """Counted complaints, issues and complaint and grievance cases per month."""
    counted = dict.fromkeys(period.months, 0)
    issues = dict.fromkeys(period.months, 0)
    cases = dict.fromkeys(period.months, 0)
    key = WHOLE if unit is None else WITHIN_UNIT
    for metric, month_on, value in FigureRollup.objects.filter(
        _in(period, unit), facility=facility, metric__in=[COUNTED, ISSUES], key=key
    ).values_list("metric", "month_on", "value"):
        (counted if metric == COUNTED else issues)[month_on] += value
    for month_on, n in (
        CaseRollup.objects.filter(_in(period, unit), facility=facility, kind__in=COMPLAINT_KINDS)
        .values_list("month_on")
        .annotate(n=Sum("cases"))
        .values_list("month_on", "n")
    ):
        cases[month_on] = n
    return Rates(counted=counted, issues=issues, cases=cases)


def volumes_read(
    *, facility: Facility, period: Period, unit: Unit | None = None
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Cases by kind and by channel, as (label, count), largest first (as selectors.volumes)."""
    rows = CaseRollup.objects.filter(_in(period, unit), facility=facility)
    kinds = dict(rows.values_list("kind").annotate(n=Sum("cases")).values_list("kind", "n"))
    channels = dict(
        rows.values_list("channel").annotate(n=Sum("cases")).values_list("channel", "n")
    )
    kind_labels, channel_labels = dict(Kind.choices), dict(Channel.choices)
    return (
        [(str(kind_labels.get(k, k)), n) for k, n in _largest(kinds)],
        [(str(channel_labels.get(c, c)), n) for c, n in _largest(channels)],
    )


def _largest(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(((k, n) for k, n in counts.items() if n), key=lambda kn: (-kn[1], kn[0]))


def unit_complaints_read(*, facility: Facility, period: Period) -> dict[int, int]:
    """Complaint and grievance cases per unit over the period."""
    return dict(
        CaseRollup.objects.filter(
            _in(period, None), facility=facility, kind__in=COMPLAINT_KINDS, unit__isnull=False
        )
        .values_list("unit_id")
        .annotate(n=Sum("cases"))
        .values_list("unit_id", "n")
    )


@dataclass(frozen=True, kw_only=True)
class CaseFigures:
    acknowledge: figures.Durations
    resolve: figures.Durations
    compliance: list[figures.PackCompliance]
    compliments: int
    categories: list[tuple[str, int]]


def _durations(chunks: Iterable[bytes]) -> figures.Durations:
    """Median and 90th percentile in hours of every stored duration, with the arithmetic of
    followups.stats.percentile (the live figures' function): the same floats, bit for bit."""
    hours = (
        np.concatenate([np.frombuffer(chunk, dtype="<f8") for chunk in chunks] or [np.empty(0)])
        / 3600
    )
    if not hours.size:
        return figures.Durations(count=0, median_hours=None, p90_hours=None)
    return figures.Durations(
        count=int(hours.size), median_hours=_percentile(hours, 50), p90_hours=_percentile(hours, 90)
    )


def _percentile(values: npt.NDArray[np.float64], q: float) -> float:
    position = (values.size - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, values.size - 1)
    ranked = np.partition(values, [lower, upper])
    low, high = float(ranked[lower]), float(ranked[upper])
    return low + (high - low) * (position - lower)


def case_figures_read(
    *, facilities: Sequence[Facility], period: Period, unit: Unit | None = None
) -> CaseFigures:
    """Durations, clock compliance, compliments and HCAT volumes of these facilities."""
    figures_rows = FigureRollup.objects.filter(
        _in(period, unit), facility__in=facilities, metric__in=[ACK, RESOLVE, MET, BREACHED]
    ).values_list("metric", "key", "value", "seconds")
    spans: dict[str, list[bytes]] = {ACK: [], RESOLVE: []}
    met: dict[str, int] = defaultdict(int)
    ended: dict[str, int] = defaultdict(int)
    for metric, key, value, packed in figures_rows:
        if metric in spans:
            spans[metric].append(bytes(packed))
        else:
            ended[key] += value
            met[key] += value if metric == MET else 0
    received = CaseRollup.objects.filter(_in(period, unit), facility__in=facilities)
    totals = received.aggregate(
        compliments=Sum("cases", filter=Q(kind=Kind.COMPLIMENT)),
        **{name: Sum(name) for name in HCAT_FIELDS},
    )
    return CaseFigures(
        acknowledge=_durations(spans[ACK]),
        resolve=_durations(spans[RESOLVE]),
        compliance=[
            figures.PackCompliance(pack_id=p, ended=ended[p], met=met[p]) for p in sorted(ended)
        ],
        compliments=totals["compliments"] or 0,
        categories=figures.category_volumes(
            {name: totals[name] or 0 for name in HCAT_FIELDS}, HCAT_CATEGORIES
        ),
    )
