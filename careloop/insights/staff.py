"""Hotspots per named staff member (issue 6): complaints naming a person (Case.staff_involved)
against the encounters attributed to them or the shifts they worked (StaffExposure), as a
funnel plot per staff group against peers in the same group. Peer review work product: shown
only to roles with the view_peer_review capability, and every view is audited.

Suppression: a person expected to have fewer than 5 complaints is "too few to judge" (as for
units); a staff group with fewer than MIN_PEERS people with exposure is not compared at all
(too few peers, and each would be identifiable from the group's rate)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Sum

from careloop.audit.services import audit_record
from careloop.cases.models import Case
from careloop.insights.funnel import Funnel, UnitInput, funnel
from careloop.insights.models import STAFF_MEASURES, Measure, StaffExposure
from careloop.insights.queries import bounds
from careloop.insights.selectors import COMPLAINT_KINDS, Period
from careloop.orgs.models import Facility, Person, User
from careloop.orgs.permissions import role_label

MIN_PEERS = 3
STAFF_GROUPS = dict(Person._meta.get_field("staff_group").choices or [])


@dataclass(frozen=True, kw_only=True)
class GroupFunnel:
    group: str  # the staff group's label
    people: int  # people of the group with exposure in the period
    funnel: Funnel | None  # None when fewer than MIN_PEERS people: not compared


@dataclass(frozen=True, kw_only=True)
class StaffInput:
    name: str
    group: str
    events: int
    exposure: int


def group_funnels(
    people: list[StaffInput], *, per: int, min_peers: int = MIN_PEERS
) -> list[GroupFunnel]:
    """Pure: one funnel per staff group (by label), each person against the group's rate."""
    by_group: dict[str, list[StaffInput]] = defaultdict(list)
    for person in people:
        if person.exposure > 0:
            by_group[person.group].append(person)
    result = []
    for group in sorted(by_group):
        members = by_group[group]
        plot = (
            funnel(
                [UnitInput(label=p.name, events=p.events, exposure=p.exposure) for p in members],
                per=per,
            )
            if len(members) >= min_peers
            else None
        )
        result.append(GroupFunnel(group=group, people=len(members), funnel=plot))
    return result


def staff_measure(*, facility: Facility, period: Period) -> Measure | None:
    """Encounters when any are attributed to the facility's staff in the period, else shifts,
    else None (nothing to normalize by)."""
    recorded = set(
        StaffExposure.objects.filter(
            person__facility=facility,
            period_start_on__gte=period.first_on,
            period_start_on__lte=period.last_on,
        )
        .values_list("measure", flat=True)
        .distinct()
    )
    return next((m for m in STAFF_MEASURES if m.value in recorded), None)


def staff_inputs(*, facility: Facility, period: Period, measure: Measure) -> list[StaffInput]:
    """Each staff member of the facility with exposure in the period: complaints naming them
    (each case once) and their summed exposure."""
    exposure = dict(
        StaffExposure.objects.filter(
            person__facility=facility,
            measure=measure,
            period_start_on__gte=period.first_on,
            period_start_on__lte=period.last_on,
        )
        .values_list("person_id")
        .annotate(total=Sum("value"))
        .values_list("person_id", "total")
    )
    start, end = bounds(facility, period)
    events = dict(
        Case.objects.filter(
            facility=facility,
            kind__in=COMPLAINT_KINDS,
            received_at__gte=start,
            received_at__lt=end,
            staff_involved__in=list(exposure),
        )
        .values_list("staff_involved")
        .annotate(n=Count("id", distinct=True))
        .values_list("staff_involved", "n")
    )
    people = Person.objects.filter(pk__in=list(exposure)).order_by("full_name", "pk")
    return [
        StaffInput(
            name=p.full_name,
            group=str(STAFF_GROUPS.get(p.staff_group, p.staff_group)),
            events=events.get(p.pk, 0),
            exposure=exposure[p.pk],
        )
        for p in people
    ]


def peer_review_viewed(
    *, user: User, facility: Facility, period: Period, people: int, what: str, now: datetime
) -> None:
    """Every view or export of per-person rates is audited: counts only, never names."""
    audit_record(
        actor=user,
        action="R",
        event_type="insights.peer_review_viewed",
        at=now,
        organization_id=facility.organization_id,
        object_type="facility",
        object_id=str(facility.pk),
        fields=["complaints", "exposure", "verdict"],
        actor_role=role_label(user),
        detail={
            "what": what,
            "people": people,
            "from": f"{period.first_on:%Y-%m}",
            "to": f"{period.last_on:%Y-%m}",
        },
    )
