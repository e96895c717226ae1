"""The staff results page of an instrument, for a period and optionally one unit: scores per
question, trends per month or quarter (SVG with n and interval per point, and the same figures
as a table), HCAHPS-style measures with stars and benchmarks (for items of the inpatient
template) with the summary-star verification count, scores by unit and by period; and the
same results as CSV or XLSX (audited). Managers, advocates, executives and administrators of
the instrument's organization; others get 404 (another organization's) or 403."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from careloop.audit.services import audit_record
from careloop.core.time import utcnow
from careloop.orgs.models import Facility, Unit, User
from careloop.surveys.configuration import minimum_n_for
from careloop.surveys.exports import GroupItems, csv_bytes, export_rows, xlsx_bytes
from careloop.surveys.forms import ResultsFilterForm
from careloop.surveys.models import Instrument
from careloop.surveys.results import MEASURE_NAMES, hcahps_results, measure_rows, state_of
from careloop.surveys.scoring_stars import STAR_MINIMUM_SURVEYS, SummaryStar
from careloop.surveys.selectors import (
    can_view_survey_results,
    hcahps_item_counts,
    instrument_get_for,
    score_rows,
    survey_item_scores_by,
    survey_scores,
    survey_scores_by,
)
from careloop.surveys.trend_svg import trend_svg
from careloop.surveys.trends import Period, survey_trends
from careloop.surveys.verification import summary_star_verification

RESULTS_DAYS = 365
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zone(organization_id: int) -> ZoneInfo:
    """Periods are counted in the organization's first facility's time zone."""
    facility = Facility.objects.filter(organization_id=organization_id).order_by("pk").first()
    return ZoneInfo(facility.time_zone if facility else settings.TIME_ZONE)


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime  # exclusive
    unit: Unit | None
    period: Period
    zone: ZoneInfo
    minimum_n: int


def _allowed(request: HttpRequest, instrument_id: int) -> tuple[User, Instrument]:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    instrument = instrument_get_for(user=user, instrument_id=instrument_id)
    if not can_view_survey_results(user):
        raise PermissionDenied("Survey results are for managers, advocates and executives.")
    return user, instrument


def _filters(request: HttpRequest, instrument: Instrument) -> tuple[ResultsFilterForm, Filters]:
    """The period (local dates, `to` inclusive; default the last 365 days), unit and trend
    period asked for; a bad filter falls back to the defaults and shows its error."""
    zone = _zone(instrument.organization_id)
    units = list(
        Unit.objects.filter(facility__organization_id=instrument.organization_id)
        .select_related("facility")
        .order_by("facility__name", "name")
    )
    form = ResultsFilterForm(request.GET or None, units=units)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = utcnow().astimezone(zone).date()
    last: date = data.get("end") or today
    first: date = data.get("start") or last - timedelta(days=RESULTS_DAYS - 1)
    unit_id = data.get("unit")
    unit = next((u for u in units if u.pk == unit_id), None)
    filters = Filters(
        start=datetime.combine(first, time.min, tzinfo=zone),
        end=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
        unit=unit,
        period="quarter" if data.get("period") == "quarter" else "month",
        zone=zone,
        minimum_n=minimum_n_for(instrument),
    )
    return form, filters


def _scope(filters: Filters) -> dict[str, Any]:
    return {
        "start": filters.start,
        "end": filters.end,
        "unit_id": filters.unit.pk if filters.unit else None,
        "minimum_n": filters.minimum_n,
    }


@require_GET
@login_required
def results(request: HttpRequest, instrument_id: int) -> HttpResponse:
    _user, instrument = _allowed(request, instrument_id)
    form, filters = _filters(request, instrument)
    scope = _scope(filters)
    unit_id = scope["unit_id"]
    counts = hcahps_item_counts(
        instrument=instrument, start=filters.start, end=filters.end, unit_id=unit_id
    )
    hcahps, summary = None, ""
    if counts.items:
        hcahps = hcahps_results(
            items=counts.items,
            completed_surveys=counts.completed_surveys,
            minimum_n=filters.minimum_n,
            state=state_of(counts.jurisdictions),
        )
        if isinstance(hcahps.summary, SummaryStar):
            summary = str(hcahps.summary.stars)
    trends = survey_trends(instrument=instrument, zone=filters.zone, period=filters.period, **scope)
    period_title = _("By quarter") if filters.period == "quarter" else _("By month")
    breakdowns = [
        (
            period_title,
            survey_scores_by(instrument=instrument, by=filters.period, zone=filters.zone, **scope),
        )
    ]
    if filters.unit is None:
        breakdowns.insert(
            0,
            (
                _("By unit"),
                survey_scores_by(instrument=instrument, by="unit", zone=filters.zone, **scope),
            ),
        )
    context = {
        "instrument": instrument,
        "form": form,
        "query": request.GET.urlencode(),
        "unit": filters.unit,
        "minimum_n": filters.minimum_n,
        "rows": score_rows(survey_scores(instrument=instrument, **scope)),
        "trends": [
            (trend, mark_safe(trend_svg(trend, chart_id=f"trend-{index}")))  # noqa: S308  # escaped by trend_svg
            for index, trend in enumerate(trends, start=1)
        ],
        "hcahps": hcahps,
        "hcahps_rows": measure_rows(hcahps) if hcahps else [],
        "summary_stars": summary,
        "missing_names": [MEASURE_NAMES[m] for m in hcahps.missing] if hcahps else [],
        "star_minimum": STAR_MINIMUM_SURVEYS,
        "verification": summary_star_verification(),
        "breakdowns": breakdowns,
        "start": filters.start,
        "last": filters.end - timedelta(days=1),
    }
    return render(request, "surveys/results.html", context)


@require_GET
@login_required
def results_export(request: HttpRequest, instrument_id: int, file_format: str) -> HttpResponse:
    """The results as CSV or XLSX, for the same filters as the page; audited."""
    if file_format not in ("csv", "xlsx"):
        raise Http404("No such format.")
    user, instrument = _allowed(request, instrument_id)
    _form, filters = _filters(request, instrument)
    scope = _scope(filters)
    groups = [GroupItems(label="All", items=survey_scores(instrument=instrument, **scope))]
    groups += [
        GroupItems(label=label, items=items)
        for label, items in survey_item_scores_by(
            instrument=instrument, by=filters.period, zone=filters.zone, **scope
        )
    ]
    rows = export_rows(groups)
    first, last = filters.start.date(), (filters.end - timedelta(days=1)).date()
    audit_record(
        actor=user,
        action="R",
        event_type="survey.results.exported",
        at=utcnow(),
        organization_id=instrument.organization_id,
        object_type="surveyinstrument",
        object_id=str(instrument.pk),
        fields=["scores"],
        detail={
            "format": file_format,
            "start": first.isoformat(),
            "end": last.isoformat(),
            "unit_id": scope["unit_id"],
            "period": filters.period,
            "rows": len(rows),
        },
    )
    stem = f"survey-{instrument.pk}-results-{first}-{last}"
    if file_format == "csv":
        response = HttpResponse(csv_bytes(rows), content_type="text/csv; charset=utf-8")
    else:
        title = f"{instrument.name}: {first} to {last}"
        response = HttpResponse(xlsx_bytes(rows, title=title), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    response["Cache-Control"] = "no-store"
    return response
