"""Insights pages: the facility dashboard (scoped, audited) and the exposure import."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careloop.core.time import utcnow
from careloop.insights import queries, rollups, selectors
from careloop.insights.alerts import AlertNotFound, alert_acknowledge, alerts_for
from careloop.insights.annual import year_label
from careloop.insights.dashboard import PER, RateRow, complaint_rate_chart
from careloop.insights.denominators import default_measure, month_parse
from careloop.insights.exports import export_audited
from careloop.insights.forms import ExposureImportForm, PeriodForm
from careloop.insights.models import Exposure, Measure
from careloop.insights.permissions import (
    can_acknowledge_alerts,
    can_import_exposure,
    can_view_facility_insights,
    can_view_organization_insights,
    can_view_peer_review,
    is_organization_quality_lead,
)
from careloop.insights.report import monthly_report
from careloop.insights.report_pdf import headline_rows, report_pdf
from careloop.insights.services import ImportResult, exposure_import_csv
from careloop.insights.survey_trends import survey_trends
from careloop.insights.svg import control_chart_svg, funnel_plot_svg
from careloop.orgs.models import Facility, Organization, Unit, User
from careloop.orgs.permissions import org_id_of

RECENT_EXPOSURE_LIMIT = 200
APRIL = 4


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    return user


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    facilities = selectors.facilities_for(user=user)
    context: dict[str, object] = {
        "facilities": facilities,
        "units": selectors.units_for(user=user),
        "can_import": can_import_exposure(user),
        "whole": False,
    }
    if facilities and can_view_organization_insights(user):
        organization = Organization.objects.get(pk=org_id_of(user))
        now = utcnow()
        for place in facilities:
            rollups.rollup_ensure(facility=place, now=now)
        period = selectors.period_default(facility=facilities[0], now=now)
        form = PeriodForm(request.GET or None)
        if form.is_bound and form.is_valid() and (months := form.months()) is not None:
            period = selectors.Period(first_on=months[0], last_on=months[1])
        context |= {
            "whole": True,
            "period": period,
            "form": form if form.is_bound else period_form(period),
            "figures": queries.figures_for(
                organization=organization,
                facilities=facilities,
                period=period,
                whole=True,
                rolled=True,
            ),
            "alerts": alerts_for(facilities=facilities),
            "can_acknowledge": is_organization_quality_lead(user),
        }
        selectors.organization_dashboard_viewed(
            user=user, organization_id=organization.pk, period=period, now=now
        )
    return render(request, "insights/index.html", context)


def period_form(period: selectors.Period) -> PeriodForm:
    return PeriodForm(
        initial={"start": f"{period.first_on:%Y-%m}", "end": f"{period.last_on:%Y-%m}"}
    )


def period_of(request: HttpRequest, place: Facility) -> tuple[PeriodForm, selectors.Period]:
    form = PeriodForm(request.GET or None)
    period = selectors.period_default(facility=place, now=utcnow())
    if form.is_bound and form.is_valid() and (months := form.months()) is not None:
        period = selectors.Period(first_on=months[0], last_on=months[1])
    return form, period


def rates_chart(
    place: Facility, period: selectors.Period, unit: Unit | None = None
) -> tuple[str, str, list[RateRow], int, int, Measure]:
    """The rate chart (SVG), its unit label, rows and the counted and raw totals."""
    measure = default_measure(place.setting)
    counts = rollups.rates_read(facility=place, period=period, unit=unit)
    counted, raw = counts.counted, counts.cases
    exposure = selectors.exposure_by_month(
        facility=place, period=period, measure=measure, unit=unit
    )
    result, rows = complaint_rate_chart(
        complaints=counted, exposure=exposure, cases=raw, issues=counts.issues
    )
    unit_label = f"per {PER:,} {measure.label.lower()}"
    where = place.name if unit is None else f"{unit.name}, {place.name}"
    chart = control_chart_svg(
        result,
        title=f"Complaints and grievances {unit_label}, {where}",
        y_label=f"Complaints {unit_label}",
    )
    return chart, unit_label, rows, sum(counted.values()), sum(raw.values()), measure


def reporting_years(place: Facility, now: datetime) -> list[tuple[int, str]]:
    """The current NHS reporting year (from 1 April, local) and the two before it."""
    today = now.astimezone(ZoneInfo(place.time_zone)).date()
    current = today.year if today.month >= APRIL else today.year - 1
    return [(y, year_label(y)) for y in (current, current - 1, current - 2)]


@login_required
@require_GET
def facility(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = user_of(request)
    place = selectors.facility_get_for(user=user, facility_id=facility_id)
    state = rollups.rollup_ensure(facility=place, now=utcnow())
    form, period = period_of(request, place)
    chart, unit_label, rows, counted, raw, measure = rates_chart(place, period)
    by_kind, by_channel = rollups.volumes_read(facility=place, period=period)
    numbers = queries.figures_for(
        organization=place.organization,
        facilities=[place],
        period=period,
        whole=False,
        rolled=True,
    )
    hotspots = queries.unit_funnel(
        facility=place, period=period, measure=measure, per=PER, rolled=True
    )
    funnel_chart = funnel_plot_svg(
        hotspots,
        title=f"Complaints {unit_label} by unit, {place.name}",
        x_label=measure.label,
        y_label=f"Complaints {unit_label}",
    )
    selectors.facility_dashboard_viewed(user=user, facility=place, period=period, now=utcnow())
    return render(
        request,
        "insights/facility.html",
        {
            "facility": place,
            "period": period,
            "form": form if form.is_bound else period_form(period),
            "measure": measure,
            "unit_label": unit_label,
            "chart": mark_safe(chart),  # noqa: S308  # built by svg.py, every text escaped
            "rows": rows,
            "total_complaints": counted,
            "total_cases": raw,
            "total_issues": sum(r.issues for r in rows),
            "by_kind": by_kind,
            "by_channel": by_channel,
            "figures": numbers,
            "funnel": hotspots,
            "funnel_chart": mark_safe(funnel_chart),  # noqa: S308  # svg.py escapes every text
            "alerts": alerts_for(facilities=[place]),
            "can_acknowledge": can_acknowledge_alerts(user, place),
            "query": request.GET.urlencode(),
            "peer_review": can_view_peer_review(user, place),
            "trends": survey_trends(facility=place, period=period),
            "rollup": state,
            "england": place.jurisdiction.upper().startswith("GB-ENG"),
            "reporting_years": reporting_years(place, utcnow()),
        },
    )


@login_required
@require_GET
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = user_of(request)
    ward = selectors.unit_get_for(user=user, unit_id=unit_id)
    place = ward.facility
    state = rollups.rollup_ensure(facility=place, now=utcnow())
    form, period = period_of(request, place)
    chart, unit_label, rows, counted, raw, measure = rates_chart(place, period, ward)
    by_kind, by_channel = rollups.volumes_read(facility=place, period=period, unit=ward)
    numbers = queries.figures_for(
        organization=place.organization,
        facilities=[place],
        period=period,
        whole=False,
        unit=ward,
        rolled=True,
    )
    selectors.unit_dashboard_viewed(user=user, unit=ward, period=period, now=utcnow())
    return render(
        request,
        "insights/unit.html",
        {
            "unit": ward,
            "facility": place,
            "period": period,
            "form": form if form.is_bound else period_form(period),
            "measure": measure,
            "unit_label": unit_label,
            "chart": mark_safe(chart),  # noqa: S308  # built by svg.py, every text escaped
            "rows": rows,
            "total_complaints": counted,
            "total_cases": raw,
            "total_issues": sum(r.issues for r in rows),
            "by_kind": by_kind,
            "by_channel": by_channel,
            "figures": numbers,
            "facility_page": can_view_facility_insights(user, place),
            "trends": survey_trends(facility=place, period=period, unit=ward),
            "rollup": state,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exposure_import(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
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
    user = user_of(request)
    try:
        alert = alert_acknowledge(actor=user, alert_id=alert_id, now=utcnow())
    except AlertNotFound:
        raise Http404("No such alert.") from None
    messages.success(request, "Alert acknowledged.")
    next_url = request.POST.get("next", "")
    if next_url == "index":
        return redirect("insights:index")
    return redirect("insights:facility", facility_id=alert.facility_id)


@login_required
@require_GET
def facility_report(request: HttpRequest, facility_id: int, month: str) -> HttpResponse:
    """The monthly facility report as PDF: open to whoever may see the facility dashboard,
    audited as an export."""
    user = user_of(request)
    place = selectors.facility_get_for(user=user, facility_id=facility_id)
    month_on = month_parse(month)
    if month_on is None:
        raise Http404("No such month.")
    now = utcnow()
    report = monthly_report(facility=place, month_on=month_on, now=now)
    content = report_pdf(report)
    export_audited(
        user=user,
        organization_id=place.organization_id,
        object_type="facility",
        object_id=place.pk,
        table="monthly_report",
        fields=[label for label, _month, _prior in headline_rows(report)],
        rows=len(report.rows),
        now=now,
        period=(f"{report.hotspots_period.first_on:%Y-%m}", f"{month_on:%Y-%m}"),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="careloop-report-{place.pk}-{month_on:%Y-%m}.pdf"'
    )
    return response
