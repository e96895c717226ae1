"""Annual figures for England: the NHS complaints annual report (Local Authority Social
Services and NHS Complaints (England) Regulations 2009, regs 16-18; DOMAIN.md U7) laid out like
NHS Digital's KO41a return, and the CQC regulation 16 complaints summary (U9), per facility and
reporting year (1 April to 31 March, as KO41a). Coded fields, dates and counts only.

Outcomes follow KO41a's definitions: upheld (the case was confirmed), not upheld (not
confirmed). Careloop records no "partially upheld" outcome and no Ombudsman decision; a
referral to the Ombudsman is an external report whose agency names the Ombudsman. Subjects are
HCAT categories and professions the staff groups of the people involved, each counted once per
complaint that names them, so their totals can exceed the number of complaints (as KO41a)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from careloop.cases.models import (
    HCAT_CATEGORIES,
    Case,
    CorrectiveAction,
    ExternalReport,
    ReporterType,
    Visibility,
)
from careloop.insights.selectors import COMPLAINT_KINDS
from careloop.letters.models import LetterKind
from careloop.orgs.models import Facility, Person
from careloop.policies.models import ClockStatus

OMBUDSMAN = "ombudsman"
NOT_RECORDED = "not recorded in Careloop"
STAFF_GROUPS = dict(Person._meta.get_field("staff_group").choices or [])


def year_bounds(facility: Facility, year: int) -> tuple[datetime, datetime]:
    """1 April of `year` to 1 April of the next, at local midnight in the facility's zone."""
    zone = ZoneInfo(facility.time_zone)
    start = datetime.combine(date(year, 4, 1), datetime.min.time(), tzinfo=zone)
    end = datetime.combine(date(year + 1, 4, 1), datetime.min.time(), tzinfo=zone)
    return start, end


def year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def _complaints(facility: Facility) -> QuerySet[Case]:
    return Case.objects.filter(facility=facility, kind__in=COMPLAINT_KINDS)


def _referred() -> Exists:
    """The case has an external report to an Ombudsman."""
    return Exists(ExternalReport.objects.filter(case=OuterRef("pk"), agency__icontains=OMBUDSMAN))


def _outcome(case: Case) -> str:
    if case.resolved_at is None:
        return "open"
    if case.confirmed is None:
        return "resolved without a finding"
    return "upheld" if case.confirmed else "not upheld"


NHS_HEADER = ["section", "item", "count", "note"]


def nhs_annual_rows(*, facility: Facility, year: int) -> list[list[object]]:
    """The annual report's figures as (section, item, count, note) rows."""
    start, end = year_bounds(facility, year)
    cases = _complaints(facility)
    new = cases.filter(received_at__gte=start, received_at__lt=end)
    brought = cases.filter(received_at__lt=start).exclude(resolved_at__lt=start).count()
    resolved = cases.filter(resolved_at__gte=start, resolved_at__lt=end)
    outcomes = Counter(resolved.values_list("confirmed", flat=True))
    carried = cases.filter(received_at__lt=end).exclude(resolved_at__lt=end).count()
    timed = resolved.annotate(
        breached=Count("clocks", filter=Q(clocks__status=ClockStatus.BREACHED))
    )
    rows: list[list[object]] = [
        ["summary", "brought forward (open on 1 April)", brought, ""],
        ["summary", "new complaints received", new.count(), ""],
        ["summary", "resolved in the year", sum(outcomes.values()), ""],
        ["summary", "carried forward (open on 31 March)", carried, ""],
        ["outcome", "upheld (well-founded)", outcomes.get(True, 0), "resolved, confirmed"],
        ["outcome", "partially upheld", "", NOT_RECORDED],
        ["outcome", "not upheld", outcomes.get(False, 0), "resolved, not confirmed"],
        ["outcome", "resolved without a finding", outcomes.get(None, 0), ""],
        [
            "timeliness",
            "resolved with every response clock kept",
            timed.filter(breached=0).count(),
            "clocks of the policy pack (response within the agreed period)",
        ],
        ["timeliness", "resolved with a clock breached", timed.filter(breached__gt=0).count(), ""],
        [
            "ombudsman",
            "referred to the Ombudsman",
            new.filter(_referred()).count(),
            "complaints received in the year with an external report to an Ombudsman",
        ],
        ["ombudsman", "accepted for investigation by the Ombudsman", "", NOT_RECORDED],
    ]
    reporters = Counter(new.values_list("reporter_type", flat=True))
    rows += [
        ["status of complainant", str(label), reporters.get(value, 0), ""]
        for value, label in ReporterType.choices
    ]
    subjects = new.aggregate(
        **{name: Count("id", filter=Q(**{f"{name}__gt": 0})) for name, _ in HCAT_CATEGORIES}
    )
    rows += [["subject (HCAT)", str(label), subjects[name], ""] for name, label in HCAT_CATEGORIES]
    uncoded = new.filter(**{name: 0 for name, _ in HCAT_CATEGORIES}).count()
    rows.append(["subject (HCAT)", "not yet coded", uncoded, ""])
    named = new.filter(staff_involved__isnull=False).values_list(
        "pk", "staff_involved__staff_group"
    )
    groups = Counter(group for _pk, group in named.distinct())
    rows += [
        ["profession (staff group)", str(label), groups.get(value, 0), ""]
        for value, label in STAFF_GROUPS.items()
    ]
    actions = CorrectiveAction.objects.filter(
        case__facility=facility, case__kind__in=COMPLAINT_KINDS
    )
    rows += [
        [
            "actions",
            "corrective actions recorded",
            actions.filter(created_at__gte=start, created_at__lt=end).count(),
            "to improve services, recorded on complaints in the year",
        ],
        [
            "actions",
            "corrective actions completed",
            actions.filter(done_on__gte=start.date(), done_on__lt=end.date()).count(),
            "",
        ],
    ]
    return rows


CQC_HEADER = [
    "reference",
    "date_received",
    "kind",
    "unit",
    "subjects",
    "date_acknowledged",
    "date_of_response",
    "outcome",
    "response_clocks",
    "messages_to_complainant",
    "corrective_actions",
    "referred_to_ombudsman",
]


def _day(value: datetime | None, zone: ZoneInfo) -> str:
    return "" if value is None else f"{value.astimezone(zone):%Y-%m-%d}"


def cqc_summary_rows(*, facility: Facility, year: int) -> list[list[object]]:
    """The CQC summary of complaints, responses and correspondence: one row per complaint
    received in the reporting year."""
    zone = ZoneInfo(facility.time_zone)
    start, end = year_bounds(facility, year)
    cases = (
        _complaints(facility)
        .filter(received_at__gte=start, received_at__lt=end)
        .annotate(
            ombudsman=_referred(),
            responded_at=Min(
                "issued_letters__issued_at",
                filter=Q(issued_letters__kind=LetterKind.DECISION),
            ),
            breached=Count("clocks", filter=Q(clocks__status=ClockStatus.BREACHED), distinct=True),
            running=Count(
                "clocks",
                filter=Q(clocks__status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED]),
                distinct=True,
            ),
            client_messages=Count(
                "notes", filter=Q(notes__visibility=Visibility.CLIENT), distinct=True
            ),
            actions=Count("corrective_actions", distinct=True),
        )
        .select_related("unit")
        .order_by("received_at", "pk")
    )
    labels = dict(HCAT_CATEGORIES)
    rows: list[list[object]] = []
    for case in cases:
        subjects = [str(labels[n]) for n, _ in HCAT_CATEGORIES if getattr(case, n) > 0]
        clocks = "breached" if case.breached else ("running" if case.running else "kept")
        rows.append(
            [
                case.reference,
                _day(case.received_at, zone),
                case.get_kind_display(),
                case.unit.name if case.unit else "",
                "; ".join(subjects) or "not yet coded",
                _day(case.acknowledged_at, zone),
                _day(case.responded_at or case.resolved_at, zone),
                _outcome(case),
                clocks,
                case.client_messages,
                case.actions,
                "yes" if case.ombudsman else "no",
            ]
        )
    return rows
