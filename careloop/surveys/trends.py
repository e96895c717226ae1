"""Trends of an instrument's headline scores per local month or quarter: one line per question
(the same type and English wording in several versions is one question), each point with its
n and 95 % interval, suppressed below the minimum n. `periods_between` and `headline` are pure;
`survey_trends` reads counts (one aggregate query) and scores them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncQuarter

from careloop.surveys.instruments import scored_value, text_in
from careloop.surveys.models import Instrument, Item
from careloop.surveys.scoring import BoxScores, NpsScore, Score, Suppressed
from careloop.surveys.scoring_fft import FftScores
from careloop.surveys.scoring_scales import Answer as ScaleAnswer
from careloop.surveys.selectors import ItemResult, answers_in, item_score, period_label

Period = Literal["month", "quarter"]


@dataclass(frozen=True)
class TrendPoint:
    label: str
    n: int
    value: float | None  # None: suppressed (too few answers, or none)
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ItemTrend:
    text: str
    type: str
    measure: str
    lowest: float  # the y axis: 0-100, or -100-100 for NPS
    points: tuple[TrendPoint, ...]


def periods_between(start: date, end: date, *, period: Period) -> list[date]:
    """First days of the months or quarters from the one holding `start` to the one holding
    `end`, inclusive."""
    step = 3 if period == "quarter" else 1
    month = (start.month - 1) // step * step + 1
    current = date(start.year, month, 1)
    found = []
    while current <= end:
        found.append(current)
        total = current.month - 1 + step
        current = date(current.year + total // 12, total % 12 + 1, 1)
    return found


def headline(result: ItemResult) -> tuple[str, Score | Suppressed] | None:
    """The one score a trend follows: NPS, CSAT (4 or 5), FFT % positive, or top box."""
    if result is None:
        return None
    if isinstance(result, Suppressed):
        return "", result
    if isinstance(result, NpsScore):
        return "NPS", result.nps
    if isinstance(result, FftScores):
        return "% positive", result.positive
    if isinstance(result, BoxScores):
        return "Top box", result.top
    return "CSAT (4 or 5)", result


MEASURE_OF_TYPE = {"nps_0_10": "NPS", "csat_1_5": "CSAT (4 or 5)", "fft_6": "% positive"}


def _point(label: str, result: ItemResult) -> TrendPoint:
    found = headline(result)
    if found is None or isinstance(found[1], Suppressed):
        n = found[1].n if found is not None else 0
        return TrendPoint(label=label, n=n, value=None, low=None, high=None)
    score = found[1]
    return TrendPoint(
        label=label,
        n=score.n,
        value=float(score.value),
        low=float(score.ci.low),
        high=float(score.ci.high),
    )


def survey_trends(
    *,
    instrument: Instrument,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    period: Period,
    minimum_n: int,
    unit_id: int | None = None,
) -> list[ItemTrend]:
    items = list(
        Item.objects.filter(version__instrument=instrument)
        .exclude(type="free_text")
        .order_by("version__number", "position")
    )
    # One line per (type, English text); the first version's position orders them.
    key_of = {item.pk: (item.type, text_in(item.texts, "en")) for item in items}
    keys = list(dict.fromkeys(key_of.values()))
    trunc = TruncMonth if period == "month" else TruncQuarter
    rows = (
        answers_in(item_ids=list(key_of), start=start, end=end, unit_id=unit_id)
        .annotate(period=trunc("submitted_at", tzinfo=zone))
        .values_list("period", "item_id", "value")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[tuple[tuple[str, str], str], dict[ScaleAnswer, int]] = defaultdict(dict)
    quarter = period == "quarter"
    for started, item_id, value, count in rows:
        key = key_of[item_id]
        label = period_label(started.astimezone(zone), quarter=quarter)
        cell = counts[(key, label)]
        answer = scored_value(key[0], value)
        cell[answer] = cell.get(answer, 0) + count
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()  # `end` is exclusive
    labels = [
        period_label(first, quarter=quarter)
        for first in periods_between(start.astimezone(zone).date(), last, period=period)
    ]
    return [
        ItemTrend(
            text=text,
            type=item_type,
            measure=MEASURE_OF_TYPE.get(item_type, "Top box"),
            lowest=-100.0 if item_type == "nps_0_10" else 0.0,
            points=tuple(
                _point(
                    label,
                    item_score(item_type, counts.get(((item_type, text), label), {}), minimum_n),
                )
                for label in labels
            ),
        )
        for item_type, text in keys
    ]
