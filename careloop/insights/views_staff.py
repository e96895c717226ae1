"""Hotspots per named staff member: a funnel per staff group for the facility and period.
Executives and administrators covering the facility only (view_peer_review); anyone else who
may see the facility gets 403 and the unit-level view on the dashboard. Every view and export
is audited."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from careloop.core.time import utcnow
from careloop.insights import selectors
from careloop.insights.dashboard import PER
from careloop.insights.exports import export_audited, format_of, table_response
from careloop.insights.models import Measure
from careloop.insights.permissions import can_view_peer_review
from careloop.insights.staff import (
    MIN_PEERS,
    GroupFunnel,
    group_funnels,
    peer_review_viewed,
    staff_inputs,
    staff_measure,
)
from careloop.insights.svg import funnel_plot_svg
from careloop.insights.views import period_form, period_of, user_of
from careloop.orgs.models import Facility

STAFF_HEADER = ["staff_group", "name", "complaints", "exposure", "expected", "rate", "verdict"]


def _funnels(place: Facility, period: selectors.Period) -> tuple[Measure | None, list[GroupFunnel]]:
    measure = staff_measure(facility=place, period=period)
    if measure is None:
        return None, []
    people = staff_inputs(facility=place, period=period, measure=measure)
    return measure, group_funnels(people, per=PER)


@login_required
@require_GET
def staff_hotspots(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = user_of(request)
    place = selectors.facility_get_for(user=user, facility_id=facility_id)
    if not can_view_peer_review(user, place):
        raise PermissionDenied("Rates per staff member are peer review work product.")
    form, period = period_of(request, place)
    measure, groups = _funnels(place, period)
    unit_label = f"per {PER:,} {measure.label.lower()}" if measure else ""
    charts = [
        (
            g,
            mark_safe(  # noqa: S308  # svg.py escapes every text
                funnel_plot_svg(
                    g.funnel,
                    title=f"Complaints {unit_label}, {g.group} staff, {place.name}",
                    x_label=measure.label if measure else "",
                    y_label=f"Complaints {unit_label}",
                    empty_note="No one in this group has enough exposure to judge",
                    chart_id=f"funnel-{index}",
                )
            )
            if g.funnel is not None and g.funnel.points
            else "",
        )
        for index, g in enumerate(groups, start=1)
    ]
    peer_review_viewed(
        user=user,
        facility=place,
        period=period,
        people=sum(g.people for g in groups),
        what="page",
        now=utcnow(),
    )
    return render(
        request,
        "insights/staff.html",
        {
            "facility": place,
            "period": period,
            "form": form if form.is_bound else period_form(period),
            "measure": measure,
            "unit_label": unit_label,
            "charts": charts,
            "min_peers": MIN_PEERS,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def staff_export(request: HttpRequest, facility_id: int, fmt: str = "csv") -> HttpResponse:
    kind = format_of(fmt)
    user = user_of(request)
    place = selectors.facility_get_for(user=user, facility_id=facility_id)
    if not can_view_peer_review(user, place):
        raise PermissionDenied("Rates per staff member are peer review work product.")
    _form, period = period_of(request, place)
    _measure, groups = _funnels(place, period)
    rows: list[list[object]] = [
        [g.group, p.label, p.events, p.exposure, p.expected, p.rate, str(p.verdict)]
        for g in groups
        if g.funnel is not None
        for p in g.funnel.points
    ]
    now = utcnow()
    span = (f"{period.first_on:%Y-%m}", f"{period.last_on:%Y-%m}")
    peer_review_viewed(
        user=user, facility=place, period=period, people=len(rows), what=kind, now=now
    )
    export_audited(
        user=user,
        organization_id=place.organization_id,
        object_type="facility",
        object_id=place.pk,
        table="staff_funnel",
        fields=STAFF_HEADER,
        rows=len(rows),
        now=now,
        period=span,
        fmt=kind,
    )
    return table_response(
        fmt=kind,
        sheet="staff_funnel",
        filename=f"careloop-facility-{place.pk}-staff-{span[0]}-{span[1]}",
        header=STAFF_HEADER,
        rows=rows,
        zone=ZoneInfo(place.time_zone),
    )
