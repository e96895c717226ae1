"""Starting, stopping, pausing and sweeping clocks. Called from case services and the worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.cases.models import Case, CaseEvent
from careloop.cases.timeline import case_event_record
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability
from careloop.policies.applicability import CaseFacts, packs_for, rule_applies
from careloop.policies.calendars import holiday_check
from careloop.policies.clocks import deadline, resume_due_at, warning_at
from careloop.policies.models import CaseClock, ClockStatus
from careloop.policies.packs import FACILITY_CALENDAR, ClockRule, shipped_packs
from careloop.webhooks.events import emit_clock

LIVE = (ClockStatus.RUNNING, ClockStatus.PAUSED)


def case_facts(case: Case) -> CaseFacts:
    return CaseFacts(
        kind=case.kind,
        setting=case.facility.setting,
        abuse_alleged=case.abuse_alleged,
        serious_injury=case.serious_injury,
    )


def _start_at(case: Case, rule: ClockRule) -> datetime:
    if rule.start == "allegation_known":
        return case.allegation_known_at or case.received_at
    if rule.start == "incident":
        return case.incident_at or case.allegation_known_at or case.received_at
    return case.received_at


def _timeline(
    case: Case,
    actor: User | None,
    at: datetime,
    rows: list[tuple[str, str, dict[str, Any]]],
    preceding: Sequence[CaseEvent] = (),
) -> None:
    """Timeline rows for clock changes, after any `preceding` events, in one insert. The
    operation that caused them (opening, reclassifying, acknowledging...) writes the audit
    event."""
    CaseEvent.objects.bulk_create(
        [
            *preceding,
            *(
                CaseEvent(case=case, at=at, actor=actor, kind=k, summary=s[:300], changes=c)
                for k, s, c in rows
            ),
        ]
    )


def clocks_start_for_case(
    *,
    case: Case,
    actor: User | None,
    now: datetime,
    new_case: bool = False,
    preceding: Sequence[CaseEvent] = (),
) -> list[CaseClock]:
    """Start every clock the facility's packs set for this case that is not running yet; clocks
    that no longer apply (after a reclassification) are cancelled. Runs in the caller's
    transaction; `new_case` skips looking for clocks that cannot exist yet; `preceding` timeline
    events (the opening) are written in the same insert, ahead of the clock events."""
    facts = case_facts(case)
    packs = packs_for(facts=facts, enabled=case.facility.policy_packs, packs=shipped_packs())
    wanted = {
        (p.id, r.id): (p, r) for p in packs for r in p.clocks if rule_applies(rule=r, facts=facts)
    }
    existing = {} if new_case else {(c.pack_id, c.clock_id): c for c in case.clocks.all()}
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for key, clock in existing.items():
        if key not in wanted and clock.status in LIVE:
            old = clock.status
            clock.status = ClockStatus.CANCELLED
            clock.save(update_fields=["status"])
            rows.append(
                (
                    "clock_cancelled",
                    f"Clock no longer applies: {clock.label}",
                    {"status": [old, ClockStatus.CANCELLED]},
                )
            )
    todo = [
        (p, r)
        for key, (p, r) in wanted.items()
        if key not in existing or existing[key].status == ClockStatus.CANCELLED
    ]
    if not todo:
        if rows or preceding:
            _timeline(case, actor, now, rows, preceding)
        return []
    tz = ZoneInfo(case.facility.time_zone)
    closures = frozenset(case.facility.closure_days.values_list("on", flat=True))
    overrides = case.organization.clock_overrides
    started = []
    for pack, rule in todo:
        start_at = _start_at(case, rule)
        override = overrides.get(f"{pack.id}:{rule.id}")
        duration = override if isinstance(override, int) and override >= 0 else rule.duration
        facility_calendar = rule.calendar == FACILITY_CALENDAR
        due_at = deadline(
            start_at=start_at,
            duration=duration,
            unit=rule.unit,
            tz=tz,
            is_holiday=holiday_check(
                calendar_id=case.facility.holiday_calendar if facility_calendar else rule.calendar,
                extra_dates=closures if facility_calendar else frozenset(),
            ),
        )
        warn_at = (
            warning_at(start_at=start_at, due_at=due_at, fraction=rule.warn_fraction)
            if rule.warn_fraction
            else None
        )
        started.append(
            CaseClock(
                case=case,
                pack_id=pack.id,
                clock_id=rule.id,
                pack_version=pack.version,
                label=rule.label,
                rule=rule.rule,
                start_event=rule.start,
                started_at=start_at,
                duration=duration,
                unit=str(rule.unit),
                calendar=rule.calendar,
                stops_on=list(rule.stops_on),
                escalations=[{"at": e.at, "notify": list(e.notify)} for e in rule.escalations],
                due_at=due_at,
                warn_at=warn_at,
                pausable=rule.pausable,
            )
        )
        rows.append(
            (
                "clock_started",
                f"Clock started: {rule.label}, due {due_at.astimezone(tz):%Y-%m-%d %H:%M %Z}",
                {"due_at": [None, due_at.isoformat()]},
            )
        )
    stale = [
        existing[(c.pack_id, c.clock_id)].pk for c in started if (c.pack_id, c.clock_id) in existing
    ]
    if stale:
        CaseClock.objects.filter(pk__in=stale).delete()
    CaseClock.objects.bulk_create(started)
    _timeline(case, actor, now, rows, preceding)
    return started


def clocks_stop(
    *, case: Case, actor: User | None, stop_event: str, at: datetime
) -> list[CaseClock]:
    """Mark met every live clock that this event stops (a breached clock records when it was
    finally met but stays breached). Runs in the caller's transaction, which audits."""
    stopped = []
    rows: list[tuple[str, str, dict[str, Any]]] = []
    for clock in (
        case.clocks.select_for_update()
        .filter(met_at__isnull=True)
        .exclude(status=ClockStatus.CANCELLED)
    ):
        if stop_event not in clock.stops_on:
            continue
        old = clock.status
        clock.met_at = at
        if clock.status != ClockStatus.BREACHED:
            clock.status = ClockStatus.MET
        clock.save(update_fields=["met_at", "status"])
        stopped.append(clock)
        late = " (late)" if clock.status == ClockStatus.BREACHED else ""
        rows.append(
            ("clock_met", f"Clock met{late}: {clock.label}", {"status": [old, clock.status]})
        )
    if rows:
        _timeline(case, actor, at, rows)
    return stopped


@transaction.atomic
def clock_pause(*, actor: User, clock: CaseClock, now: datetime) -> CaseClock:
    clock = CaseClock.objects.select_for_update().select_related("case").get(pk=clock.pk)
    if not has_capability(actor, "work_case", clock.case):
        raise PermissionDenied("Your role cannot change clocks on this case.")
    if not clock.pausable:
        raise ValidationError("This clock cannot be paused: the rule that sets it allows no pause.")
    if clock.status != ClockStatus.RUNNING:
        raise ValidationError("Only a running clock can be paused.")
    clock.status = ClockStatus.PAUSED
    clock.paused_at = now
    clock.save(update_fields=["status", "paused_at"])
    case_event_record(
        case=clock.case,
        actor=actor,
        at=now,
        kind="clock_paused",
        summary=f"Clock paused: {clock.label}",
        object_type="clock",
        object_id=str(clock.pk),
        changes={"status": (ClockStatus.RUNNING, ClockStatus.PAUSED)},
    )
    return clock


@transaction.atomic
def clock_resume(*, actor: User, clock: CaseClock, now: datetime) -> CaseClock:
    clock = CaseClock.objects.select_for_update().select_related("case").get(pk=clock.pk)
    if not has_capability(actor, "work_case", clock.case):
        raise PermissionDenied("Your role cannot change clocks on this case.")
    if clock.status != ClockStatus.PAUSED or clock.paused_at is None:
        raise ValidationError("Only a paused clock can be resumed.")
    old_due = clock.due_at
    clock.due_at = resume_due_at(due_at=clock.due_at, paused_at=clock.paused_at, resumed_at=now)
    if clock.warn_at is not None:
        clock.warn_at = clock.warn_at + (clock.due_at - old_due)
    clock.status = ClockStatus.RUNNING
    clock.paused_at = None
    clock.save(update_fields=["due_at", "warn_at", "status", "paused_at"])
    case_event_record(
        case=clock.case,
        actor=actor,
        at=now,
        kind="clock_resumed",
        summary=f"Clock resumed: {clock.label}",
        object_type="clock",
        object_id=str(clock.pk),
        changes={"due_at": (old_due, clock.due_at)},
    )
    return clock


def clocks_sweep(
    *, now: datetime, limit: int = 500, notify: bool = True, case_id: int | None = None
) -> tuple[int, int]:
    """Record warnings and breaches that are due. Each is claimed by a conditional UPDATE, so
    however many workers sweep at once, each warning and breach is recorded exactly once.
    `notify=False` records without paging anyone (backfilling history on import); `case_id`
    sweeps one case's clocks only."""
    warned = breached = 0
    running = CaseClock.objects.filter(status=ClockStatus.RUNNING)
    if case_id is not None:  # by primary key: a historical `now` must not scan every clock
        running = running.filter(
            pk__in=list(running.filter(case_id=case_id).values_list("pk", flat=True))
        )
    due_ids = list(
        running.filter(due_at__lte=now).order_by("due_at").values_list("pk", flat=True)[:limit]
    )
    for clock_id in due_ids:
        if _claim(clock_id, now, level="breach", notify=notify):
            breached += 1
    warn_ids = list(
        running.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
        .order_by("warn_at")
        .values_list("pk", flat=True)[:limit]
    )
    for clock_id in warn_ids:
        if _claim(clock_id, now, level="warning", notify=notify):
            warned += 1
    return warned, breached


def _claim(clock_id: int, now: datetime, *, level: str, notify: bool) -> bool:
    from careloop.policies.escalation import escalation_queue

    with transaction.atomic():
        running = CaseClock.objects.filter(pk=clock_id, status=ClockStatus.RUNNING)
        if level == "breach":
            won = running.filter(due_at__lte=now).update(
                status=ClockStatus.BREACHED, breached_at=now
            )
        else:
            won = running.filter(warned_at__isnull=True, warn_at__lte=now).update(warned_at=now)
        if not won:
            return False
        clock = CaseClock.objects.select_related("case__facility").get(pk=clock_id)
        if level == "breach":
            Case.objects.filter(pk=clock.case_id, clock_breached_at__isnull=True).update(
                clock_breached_at=now
            )
        word = "Breached" if level == "breach" else "At risk"
        local_due = clock.due_at.astimezone(ZoneInfo(clock.case.facility.time_zone))
        case_event_record(
            case=clock.case,
            actor=None,
            at=now,
            kind=f"clock_{'breached' if level == 'breach' else 'warning'}",
            summary=f"{word}: {clock.label} (due {local_due:%Y-%m-%d %H:%M %Z})",
            object_type="clock",
            object_id=str(clock.pk),
            changes={"status": (ClockStatus.RUNNING, clock.status)} if level == "breach" else {},
        )
        if notify:
            escalation_queue(clock=clock, level=level, now=now)
            emit_clock(clock=clock, breached=level == "breach", at=now)
    return True
