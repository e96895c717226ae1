"""Survey top-box trends on the dashboards (issue 6), read-only over the surveys app: for each
scored item answered at a facility (the same wording in several versions of an instrument is
one item), the share of answers in the top box per facility-local month with its n, withheld
below the instrument's minimum n (surveys.scoring.box_scores). Answers are pre-aggregated per
month in SurveyRollup by rollups.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from careloop.insights.models import SurveyRollup
from careloop.insights.selectors import Period
from careloop.orgs.models import Facility, Unit
from careloop.surveys.instruments import SCALE_OF_TYPE, scored_value, text_in
from careloop.surveys.models import Item
from careloop.surveys.scoring import BoxScores, box_scores


@dataclass(frozen=True, kw_only=True)
class TrendPoint:
    month_on: date
    n: int
    top: Decimal | None  # top-box %, one decimal; None when withheld (too few) or no answers


@dataclass(frozen=True, kw_only=True)
class ItemTrend:
    instrument: str
    text: str
    minimum_n: int
    points: list[TrendPoint]


def survey_trends(
    *, facility: Facility, period: Period, unit: Unit | None = None
) -> list[ItemTrend]:
    """Top-box share per month for each scored item answered in the period (the facility's
    rollups ensured by the caller)."""
    rows = SurveyRollup.objects.filter(
        Q(month_on__gte=period.first_on, month_on__lte=period.last_on),
        facility=facility,
        **({} if unit is None else {"unit": unit}),
    )
    counts = (
        rows.values_list("item_id", "month_on", "value")
        .annotate(n=Sum("answers"))
        .values_list("item_id", "month_on", "value", "n")
    )
    items = {
        item.pk: item
        for item in Item.objects.filter(pk__in=rows.values("item_id").distinct()).select_related(
            "version__instrument"
        )
    }
    merged: dict[tuple[int, str, str], dict[date, dict[int | str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for item_id, month_on, value, n in counts:
        item = items[item_id]
        key = (item.version.instrument_id, item.type, text_in(item.texts, "en"))
        answer = scored_value(item.type, value)
        per_month = merged[key][month_on]
        per_month[answer] = per_month.get(answer, 0) + n
    names = {i.version.instrument_id: i.version.instrument for i in items.values()}
    trends = []
    for (instrument_id, item_type, text), months in sorted(
        merged.items(), key=lambda kv: (names[kv[0][0]].name, kv[0][2])
    ):
        instrument = names[instrument_id]
        points = []
        for month_on in period.months:
            answers = months.get(month_on, {})
            score = box_scores(
                scale=SCALE_OF_TYPE[item_type], counts=answers, minimum_n=instrument.minimum_n
            )
            top = score.top.rounded(places=1) if isinstance(score, BoxScores) else None
            points.append(TrendPoint(month_on=month_on, n=sum(answers.values()), top=top))
        trends.append(
            ItemTrend(
                instrument=instrument.name,
                text=text,
                minimum_n=instrument.minimum_n,
                points=points,
            )
        )
    return trends
