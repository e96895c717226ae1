"""Opening one historical case through the ordinary services, at its original times.

`case_open` runs with `now` = the time it was received, then `case_acknowledge` and `case_move`
at the times it was acknowledged, resolved and closed, so its clocks start and stop when they
really did. Before each step, the warnings and breaches its clocks reached by then are recorded
at their own times (`clocks_sweep(case_id=..., notify=False)`); after the last, those reached
up to today. Nothing is sent to anyone: `notify=False` on `case_open` (a safety flag is recorded
for review but nobody is paged) and on `case_move` (no check-back to the client), and the sweep
sends no escalation emails. A last timeline event, at the real time, says where the case came
from. Runs in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from careloop.cases.models import Case, ContactPreference, Status, Visibility
from careloop.cases.records import note_add
from careloop.cases.services import case_acknowledge, case_move, case_open
from careloop.cases.timeline import case_event_record
from careloop.imports.checking import PlannedRow
from careloop.orgs.models import User
from careloop.policies.models import CaseClock, ClockStatus
from careloop.policies.services import clocks_sweep


def _backfill(case: Case, *, before: datetime, inclusive: bool = False) -> None:
    """Record, silently and at their own times, the warnings and breaches the case's running
    clocks reached before `before`."""
    times: set[datetime] = set()
    for warn_at, due_at in CaseClock.objects.filter(
        case=case, status=ClockStatus.RUNNING
    ).values_list("warn_at", "due_at"):
        times.update(t for t in (warn_at, due_at) if t is not None)
    for at in sorted(t for t in times if t < before or (inclusive and t == before)):
        clocks_sweep(now=at, case_id=case.pk, notify=False)


def _ack_channel(case: Case) -> str:
    """How the acknowledgement went: the client's preference, else what contact we hold."""
    if case.contact_preference != ContactPreference.NONE:
        return case.contact_preference
    if case.reporter_email:
        return ContactPreference.EMAIL
    return ContactPreference.PHONE if case.reporter_phone else ContactPreference.LETTER


def case_replay(
    *, actor: User, plan: PlannedRow, source: str, batch_id: int, now: datetime
) -> Case:
    moments = plan.moments
    received = moments["received_at"]
    case = case_open(actor=actor, data=plan.data, now=received, notify=False)
    last = received
    acknowledged = moments.get("acknowledged_at")
    if acknowledged is not None:
        _backfill(case, before=acknowledged)
        case = case_acknowledge(
            actor=actor, case=case, channel=_ack_channel(case), now=acknowledged
        )
        last = acknowledged
    if plan.status == Status.INVESTIGATING:
        case = case_move(
            actor=actor, case=case, status=Status.INVESTIGATING, now=last, notify=False
        )
    for status, name in ((Status.RESOLVED, "resolved_at"), (Status.CLOSED, "closed_at")):
        at = moments.get(name)
        if at is None:
            continue
        _backfill(case, before=at)
        case = case_move(actor=actor, case=case, status=status, now=at, notify=False)
        last = at
        if status == Status.RESOLVED and plan.outcome:
            note_add(
                actor=actor,
                case=case,
                body=f"Outcome recorded in {source}:\n{plan.outcome}",
                visibility=Visibility.INTERNAL,
                now=at,
            )
    if plan.outcome and "resolved_at" not in moments:
        note_add(
            actor=actor,
            case=case,
            body=f"Outcome recorded in {source}:\n{plan.outcome}",
            visibility=Visibility.INTERNAL,
            now=last,
        )
    _backfill(case, before=now, inclusive=True)
    case_event_record(
        case=case,
        actor=actor,
        at=now,
        kind="imported",
        summary=f"Imported from {source} (source id {plan.source_id}), import {batch_id}",
        action="C",
        object_type="import_batch",
        object_id=str(batch_id),
    )
    return case
