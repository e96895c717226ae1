"""Insights pages: the facility dashboard (scoped, audited) and the exposure import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from careloop.core.time import utcnow
from careloop.insights import selectors
from careloop.insights.dashboard import PER, complaint_rate_chart
from careloop.insights.denominators import default_measure
from careloop.insights.forms import ExposureImportForm, PeriodForm
from careloop.insights.models import Exposure
from careloop.insights.permissions import can_import_exposure
from careloop.insights.services import ImportResult, exposure_import_csv
from careloop.insights.svg import control_chart_svg
from careloop.orgs.models import Organization, User
from careloop.orgs.permissions import org_id_of

RECENT_EXPOSURE_LIMIT = 200


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "insights/index.html",
        {
            "facilities": selectors.facilities_for(user=user),
            "can_import": can_import_exposure(user),
        },
    )


@login_required
@require_GET
def facility(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = _user(request)
    place = selectors.facility_get_for(user=user, facility_id=facility_id)
    now = utcnow()
    form = PeriodForm(request.GET or None)
    period = selectors.period_default(facility=place, now=now)
    if form.is_bound and form.is_valid() and (months := form.months()) is not None:
        period = selectors.Period(first_on=months[0], last_on=months[1])
    measure = default_measure(place.setting)
    complaints = selectors.complaints_by_month(facility=place, period=period)
    exposure = selectors.exposure_by_month(facility=place, period=period, measure=measure)
    result, rows = complaint_rate_chart(complaints=complaints, exposure=exposure)
    unit_label = f"per {PER:,} {measure.label.lower()}"
    chart = control_chart_svg(
        result,
        title=f"Complaints and grievances {unit_label}, {place.name}",
        y_label=f"Complaints {unit_label}",
    )
    by_kind, by_channel = selectors.volumes(facility=place, period=period)
    selectors.facility_dashboard_viewed(user=user, facility=place, period=period, now=now)
    return render(
        request,
        "insights/facility.html",
        {
            "facility": place,
            "period": period,
            "form": form
            if form.is_bound
            else PeriodForm(
                initial={"start": f"{period.first_on:%Y-%m}", "end": f"{period.last_on:%Y-%m}"}
            ),
            "measure": measure,
            "unit_label": unit_label,
            "chart": mark_safe(chart),  # noqa: S308  # built by svg.py, every text escaped
            "rows": rows,
            "total_complaints": sum(complaints.values()),
            "by_kind": by_kind,
            "by_channel": by_channel,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exposure_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_import_exposure(user):
        raise PermissionDenied("Only organization administrators can import exposure.")
    organization = Organization.objects.get(pk=org_id_of(user))
    result: ImportResult | None = None
    form = ExposureImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = exposure_import_csv(
            actor=user, organization=organization, text=form.cleaned_data["csv_text"], now=utcnow()
        )
        if result.ok:
            messages.success(request, f"Imported: {result.created} new, {result.updated} changed.")
            return redirect("insights:exposure")
    recent = (
        Exposure.objects.filter(organization=organization)
        .select_related("unit__facility")
        .order_by("-period_start_on", "unit__facility__name", "unit__name", "measure")[
            :RECENT_EXPOSURE_LIMIT
        ]
    )
    status = 400 if result is not None and not result.ok else 200
    return render(
        request,
        "insights/exposure.html",
        {"form": form, "result": result, "recent": recent, "limit": RECENT_EXPOSURE_LIMIT},
        status=status,
    )
