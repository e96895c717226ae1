"""Cases at scale for benchmarks (`careloop demo --cases 1000000`): bulk inserts straight into
the tables, bypassing the per-case services on purpose. Generated rows get one audit event for
the whole load, not one each; they exist to measure queues and case pages, not to be worked."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction

from careloop.audit.services import audit_record
from careloop.cases.models import Case, CaseEvent, Channel, Kind, ReporterType, Status
from careloop.core.demo_text import NARRATIVES
from careloop.orgs.models import Organization, Unit
from careloop.policies.models import CaseClock, ClockStatus

CHUNK = 5000
STATUSES = [Status.CLOSED] * 17 + [Status.RESOLVED, Status.INVESTIGATING, Status.NEW]


def _case(org: Organization, unit: Unit, n: int, received: datetime, rng: random.Random) -> Case:
    kind, lang, text, outcome, _ = rng.choice(NARRATIVES)
    status = rng.choice(STATUSES)
    resolved = status in {Status.RESOLVED, Status.CLOSED}
    # The resolve-in-7-days clock breaches when the case is still open, and now and then anyway.
    breached = not resolved or rng.random() < 0.05
    return Case(
        organization_id=org.pk,
        facility_id=unit.facility_id,
        unit_id=unit.pk,
        reference=f"{org.reference_prefix}-B{n:08d}",
        kind=kind if kind != Kind.SAFETY_CONCERN else Kind.COMPLAINT,
        reporter_type=ReporterType.FAMILY,
        channel=Channel.WEB,
        received_at=received,
        created_at=received,
        narrative=text,
        desired_outcome=outcome,
        language=lang,
        status=status,
        acknowledged_at=received + timedelta(hours=4) if status != Status.NEW else None,
        resolved_at=received + timedelta(days=5) if resolved else None,
        closed_at=received + timedelta(days=6) if status == Status.CLOSED else None,
        clock_breached_at=received + timedelta(days=7) if breached else None,
    )


def _clock(case: Case) -> CaseClock:
    due = case.received_at + timedelta(days=7)
    met = case.resolved_at
    breached = case.clock_breached_at is not None
    return CaseClock(
        case_id=case.pk,
        pack_id="house.standard",
        pack_version="bulk",
        clock_id="resolve_7d",
        label="Resolve within 7 calendar days",
        rule="house",
        start_event="received",
        started_at=case.received_at,
        duration=7,
        unit="calendar_days",
        calendar="facility",
        stops_on=["resolved", "closed"],
        escalations=[],
        due_at=due,
        warn_at=case.received_at + timedelta(days=5),
        met_at=met,
        status=ClockStatus.BREACHED if breached else ClockStatus.MET,
        breached_at=due if breached else None,
    )


def demo_bulk_cases(
    *, total: int, now: datetime, seed: int, progress: Callable[[str], object]
) -> int:
    rng = random.Random(seed)  # noqa: S311  # benchmark data, not security
    org = Organization.objects.get(slug="riverside")
    units = list(Unit.objects.filter(facility__organization=org))
    start = Case.objects.filter(reference__startswith=f"{org.reference_prefix}-B").count()
    made = 0
    while made < total:
        size = min(CHUNK, total - made)
        with transaction.atomic():
            batch = [
                _case(
                    org,
                    rng.choice(units),
                    start + made + i,
                    now - timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60)),
                    rng,
                )
                for i in range(size)
            ]
            Case.objects.bulk_create(batch, batch_size=CHUNK)
            CaseClock.objects.bulk_create([_clock(c) for c in batch], batch_size=CHUNK)
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case_id=c.pk,
                        at=c.received_at,
                        kind="opened",
                        summary="Generated for benchmarks",
                        changes={},
                    )
                    for c in batch
                ],
                batch_size=CHUNK,
            )
        made += size
        if made % 100_000 == 0 or made == total:
            progress(f"  {made:,} / {total:,} cases")
    audit_record(
        actor=None,
        action="C",
        event_type="demo.bulk_generated",
        at=now,
        organization_id=org.pk,
        detail={"cases": made},
    )
    return made
