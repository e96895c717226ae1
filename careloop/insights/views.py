"""Insights pages: the facility dashboard (scoped, audited) and the exposure import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.insights import queries, selectors
from careloop.insights.alerts import AlertNotFound, alert_acknowledge, alerts_for
from careloop.insights.dashboard import PER, complaint_rate_chart
from careloop.insights.denominators import default_measure
from careloop.insights.forms import ExposureImportForm, PeriodForm
from careloop.insights.models import Exposure
from careloop.insights.permissions import (
    can_acknowledge_alerts,
    can_import_exposure,
    can_view_organization_insights,
    is_organization_quality_lead,
)
from careloop.insights.services import ImportResult, exposure_import_csv
from careloop.insights.svg import control_chart_svg, funnel_plot_svg
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
    facilities = selectors.facilities_for(user=user)
    context: dict[str, object] = {
        "facilities": facilities,
        "can_import": can_import_exposure(user),
        "whole": False,
    }
    if facilities and can_view_organization_insights(user):
        organization = Organization.objects.get(pk=org_id_of(user))
        now = utcnow()
        period = selectors.period_default(facility=facilities[0], now=now)
        form = PeriodForm(request.GET or None)
        if form.is_bound and form.is_valid() and (months := form.months()) is not None:
            period = selectors.Period(first_on=months[0], last_on=months[1])
        context |= {
            "whole": True,
            "period": period,
            "form": form if form.is_bound else _period_form(period),
            "figures": queries.figures_for(
                organization=organization, facilities=facilities, period=period, whole=True
            ),
            "alerts": alerts_for(facilities=facilities),
            "can_acknowledge": is_organization_quality_lead(user),
        }
        selectors.organization_dashboard_viewed(
            user=user, organization_id=organization.pk, period=period, now=now
        )
    return render(request, "insights/index.html", context)


def _period_form(period: selectors.Period) -> PeriodForm:
    return PeriodForm(
        initial={"start": f"{period.first_on:%Y-%m}", "end": f"{period.last_on:%Y-%m}"}
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
    numbers = queries.figures_for(
        organization=place.organization, facilities=[place], period=period, whole=False
    )
    hotspots = queries.unit_funnel(facility=place, period=period, measure=measure, per=PER)
    funnel_chart = funnel_plot_svg(
        hotspots,
        title=f"Complaints {unit_label} by unit, {place.name}",
        x_label=measure.label,
        y_label=f"Complaints {unit_label}",
    )
    selectors.facility_dashboard_viewed(user=user, facility=place, period=period, now=now)
    return render(
        request,
        "insights/facility.html",
        {
            "facility": place,
            "period": period,
            "form": form if form.is_bound else _period_form(period),
            "measure": measure,
            "unit_label": unit_label,
            "chart": mark_safe(chart),  # noqa: S308  # built by svg.py, every text escaped
            "rows": rows,
            "total_complaints": sum(complaints.values()),
            "by_kind": by_kind,
            "by_channel": by_channel,
            "figures": numbers,
            "funnel": hotspots,
            "funnel_chart": mark_safe(funnel_chart),  # noqa: S308  # svg.py escapes every text
            "alerts": alerts_for(facilities=[place]),
            "can_acknowledge": can_acknowledge_alerts(user, place),
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


@login_required
@require_POST
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _user(request)
    try:
        alert = alert_acknowledge(actor=user, alert_id=alert_id, now=utcnow())
    except AlertNotFound:
        raise Http404("No such alert.") from None
    messages.success(request, "Alert acknowledged.")
    next_url = request.POST.get("next", "")
    if next_url == "index":
        return redirect("insights:index")
    return redirect("insights:facility", facility_id=alert.facility_id)
