"""The staff results page of an instrument with everything the results screens show: scores per
question, HCAHPS-style measures with stars and benchmarks (for items of the inpatient template),
and scores by unit and by month. Same access as views.results."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from careloop.core.time import utcnow
from careloop.orgs.models import Facility, User
from careloop.surveys.results import MEASURE_NAMES, hcahps_results, measure_rows, state_of
from careloop.surveys.scoring_stars import STAR_MINIMUM_SURVEYS, SummaryStar
from careloop.surveys.selectors import (
    can_view_survey_results,
    hcahps_item_counts,
    instrument_get_for,
    score_rows,
    survey_scores,
    survey_scores_by,
)

RESULTS_DAYS = 365


def _zone(organization_id: int) -> ZoneInfo:
    """Months are counted in the organization's first facility's time zone."""
    facility = Facility.objects.filter(organization_id=organization_id).order_by("pk").first()
    return ZoneInfo(facility.time_zone if facility else settings.TIME_ZONE)


@require_GET
@login_required
def results(request: HttpRequest, instrument_id: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    instrument = instrument_get_for(user=user, instrument_id=instrument_id)
    if not can_view_survey_results(user):
        raise PermissionDenied("Survey results are for managers, advocates and executives.")
    end = utcnow()
    start = end - timedelta(days=RESULTS_DAYS)
    zone = _zone(instrument.organization_id)
    counts = hcahps_item_counts(instrument=instrument, start=start, end=end)
    hcahps, summary = None, ""
    if counts.items:
        hcahps = hcahps_results(
            items=counts.items,
            completed_surveys=counts.completed_surveys,
            minimum_n=instrument.minimum_n,
            state=state_of(counts.jurisdictions),
        )
        if isinstance(hcahps.summary, SummaryStar):
            summary = str(hcahps.summary.stars)
    context = {
        "instrument": instrument,
        "rows": score_rows(survey_scores(instrument=instrument, start=start, end=end)),
        "hcahps": hcahps,
        "hcahps_rows": measure_rows(hcahps) if hcahps else [],
        "summary_stars": summary,
        "missing_names": [MEASURE_NAMES[m] for m in hcahps.missing] if hcahps else [],
        "star_minimum": STAR_MINIMUM_SURVEYS,
        "breakdowns": [
            (
                _("By unit"),
                survey_scores_by(instrument=instrument, start=start, end=end, by="unit", zone=zone),
            ),
            (
                _("By month"),
                survey_scores_by(
                    instrument=instrument, start=start, end=end, by="month", zone=zone
                ),
            ),
        ],
        "start": start,
        "end": end,
        "days": RESULTS_DAYS,
    }
    return render(request, "surveys/results.html", context)
