"""Downloads of the dashboards' tables and the regulators' lists, as CSV or XLSX: scoped like
the page they come from, audited as exports (format, fields and row count, never values)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from careloop.core.time import utcnow
from careloop.insights import queries, rollups, selectors
from careloop.insights.annual import (
    CQC_HEADER,
    NHS_HEADER,
    cqc_summary_rows,
    nhs_annual_rows,
    year_label,
)
from careloop.insights.dashboard import PER
from careloop.insights.denominators import default_measure
from careloop.insights.exports import export_audited, format_of, table_response
from careloop.insights.grievance_log import grievance_rows
from careloop.insights.permissions import can_read_narratives
from careloop.insights.views import period_of, rates_chart, user_of
from careloop.orgs.models import Facility, Unit

MIN_YEAR, MAX_YEAR = 2000, 2100
TABLES = ("rates", "kinds", "channels", "categories", "funnel")


def _table(
    table: str, place: Facility, period: selectors.Period, ward: Unit | None
) -> tuple[list[str], list[list[object]]]:
    """The data table behind one dashboard chart or table."""
    if table == "rates":
        _chart, unit_label, rows, _c, _r, measure = rates_chart(place, period, ward)
        header = ["month", "complaints_counted_once", "cases", "issues", measure.value]
        header += [f"rate_{unit_label.replace(' ', '_')}", "lcl", "cl", "ucl", "signal"]
        return header, [
            [
                f"{r.month_on:%Y-%m}",
                r.complaints,
                r.cases,
                r.issues,
                r.exposure,
                r.rate,
                r.lcl,
                r.cl,
                r.ucl,
                "yes" if r.signal else "",
            ]
            for r in rows
        ]
    if table in {"kinds", "channels"}:
        by_kind, by_channel = rollups.volumes_read(facility=place, period=period, unit=ward)
        return [table[:-1], "cases"], [
            list(pair) for pair in (by_kind if table == "kinds" else by_channel)
        ]
    if table == "categories":
        numbers = queries.figures_for(
            organization=place.organization,
            facilities=[place],
            period=period,
            whole=False,
            unit=ward,
            rolled=True,
        )
        return ["category", "cases"], [list(pair) for pair in numbers.categories]
    measure = default_measure(place.setting)
    hotspots = queries.unit_funnel(
        facility=place, period=period, measure=measure, per=PER, rolled=True
    )
    return ["unit", "complaints", measure.value, "expected", "rate", "verdict"], [
        [p.label, p.events, p.exposure, p.expected, p.rate, str(p.verdict)] for p in hotspots.points
    ]


def _export(
    request: HttpRequest, table: str, place: Facility, ward: Unit | None, fmt: str
) -> HttpResponse:
    kind = format_of(fmt)
    if table not in TABLES or (table == "funnel" and ward is not None):
        raise Http404("No such table.")
    user = user_of(request)
    rollups.rollup_ensure(facility=place, now=utcnow())
    _form, period = period_of(request, place)
    header, rows = _table(table, place, period, ward)
    span = (f"{period.first_on:%Y-%m}", f"{period.last_on:%Y-%m}")
    export_audited(
        user=user,
        organization_id=place.organization_id,
        object_type="facility" if ward is None else "unit",
        object_id=place.pk if ward is None else ward.pk,
        table=table,
        fields=header,
        rows=len(rows),
        now=utcnow(),
        period=span,
        fmt=kind,
    )
    name = f"careloop-{'facility' if ward is None else 'unit'}-{(ward or place).pk}-{table}"
    return table_response(
        fmt=kind,
        sheet=table,
        filename=f"{name}-{span[0]}-{span[1]}",
        header=header,
        rows=rows,
        zone=ZoneInfo(place.time_zone),
    )


@login_required
@require_GET
def facility_export(
    request: HttpRequest, facility_id: int, table: str, fmt: str = "csv"
) -> HttpResponse:
    place = selectors.facility_get_for(user=user_of(request), facility_id=facility_id)
    return _export(request, table, place, None, fmt)


@login_required
@require_GET
def unit_export(request: HttpRequest, unit_id: int, table: str, fmt: str = "csv") -> HttpResponse:
    ward = selectors.unit_get_for(user=user_of(request), unit_id=unit_id)
    return _export(request, table, ward.facility, ward, fmt)


@login_required
@require_GET
def grievance_log(request: HttpRequest, facility_id: int, fmt: str = "csv") -> HttpResponse:
    """The US grievance log for a facility and period; the narrative column only for patient
    advocates and administrators covering the facility."""
    kind = format_of(fmt)
    user = user_of(request)
    place = selectors.facility_get_for(user=user, facility_id=facility_id)
    _form, period = period_of(request, place)
    header, rows = grievance_rows(
        facility=place, period=period, with_narrative=can_read_narratives(user, place)
    )
    span = (f"{period.first_on:%Y-%m}", f"{period.last_on:%Y-%m}")
    export_audited(
        user=user,
        organization_id=place.organization_id,
        object_type="facility",
        object_id=place.pk,
        table="grievance_log",
        fields=header,
        rows=len(rows),
        now=utcnow(),
        period=span,
        fmt=kind,
    )
    return table_response(
        fmt=kind,
        sheet="grievance_log",
        filename=f"careloop-grievance-log-{place.pk}-{span[0]}-{span[1]}",
        header=header,
        rows=rows,
        zone=ZoneInfo(place.time_zone),
    )


@login_required
@require_GET
def annual_report(
    request: HttpRequest, facility_id: int, year: str, report: str, fmt: str
) -> HttpResponse:
    """The NHS complaints annual report figures (report "nhs") or the CQC complaints summary
    (report "cqc") of a facility for the reporting year starting 1 April `year`."""
    kind = format_of(fmt)
    user = user_of(request)
    place = selectors.facility_get_for(user=user, facility_id=facility_id)
    start_year = int(year)
    if not MIN_YEAR <= start_year <= MAX_YEAR:
        raise Http404("No such year.")
    if report == "nhs":
        table, header = "nhs_annual", NHS_HEADER
        rows = nhs_annual_rows(facility=place, year=start_year)
    else:
        table, header = "cqc_summary", CQC_HEADER
        rows = cqc_summary_rows(facility=place, year=start_year)
    label = year_label(start_year)
    export_audited(
        user=user,
        organization_id=place.organization_id,
        object_type="facility",
        object_id=place.pk,
        table=table,
        fields=header,
        rows=len(rows),
        now=utcnow(),
        period=(f"{start_year}-04", f"{start_year + 1}-03"),
        fmt=kind,
    )
    return table_response(
        fmt=kind,
        sheet=table,
        filename=f"careloop-{table.replace('_', '-')}-{place.pk}-{label}",
        header=header,
        rows=rows,
        zone=ZoneInfo(place.time_zone),
    )
