"""Reads for surveys: invitations by link token, instruments scoped to the staff member's
organization, and the scores of an instrument over a period (the pure scoring functions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, QuerySet, TextField, Value, When
from django.db.models.functions import TruncMonth, TruncQuarter
from django.http import Http404

from careloop.followups.tokens import TOKEN_MAX_CHARS, token_hash
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability_anywhere, org_id_of
from careloop.surveys.instruments import SCALE_OF_TYPE, hcahps_measure_of, scored_value, text_in
from careloop.surveys.models import Answer, Instrument, Invitation, Item, Response
from careloop.surveys.results import ItemCounts
from careloop.surveys.scoring import (
    BoxScores,
    NpsScore,
    Score,
    Suppressed,
    box_scores,
    csat,
    nps,
)
from careloop.surveys.scoring_fft import FftScores, fft_scores
from careloop.surveys.scoring_scales import Answer as ScaleAnswer
from careloop.surveys.scoring_stars import HcahpsMeasure


class LinkState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"


def invitation_for_token(*, token: str) -> Invitation | None:
    if not token or len(token) > TOKEN_MAX_CHARS:
        return None
    return (
        Invitation.objects.select_related("version__instrument", "facility", "unit", "case")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_for_optout_token(*, token: str) -> Invitation | None:
    if not token or len(token) > TOKEN_MAX_CHARS:
        return None
    return (
        Invitation.objects.select_related("facility")
        .filter(optout_token_hash=token_hash(token))
        .first()
    )


def invitation_state(*, invitation: Invitation, now: datetime) -> LinkState:
    if invitation.used:
        return LinkState.ANSWERED
    if invitation.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.OPEN


def can_view_survey_results(user: User) -> bool:
    """Managers, advocates, executives and administrators; not frontline staff."""
    return has_capability_anywhere(user, "work_case") or has_capability_anywhere(
        user, "approve_compliance"
    )


def instrument_get_for(*, user: User, instrument_id: int) -> Instrument:
    """The instrument if it is the user's organization's; Http404 otherwise (missing and
    elsewhere look the same)."""
    found = Instrument.objects.filter(pk=instrument_id, organization_id=org_id_of(user)).first()
    if found is None:
        raise Http404("No such instrument.")
    return found


# --- scores -----------------------------------------------------------------------------------

ItemResult = NpsScore | Score | FftScores | BoxScores | Suppressed | None


@dataclass(frozen=True)
class ItemScore:
    version: int
    position: int
    type: str
    text: str
    answers: int
    result: ItemResult


def item_score(item_type: str, counts: dict[ScaleAnswer, int], minimum_n: int) -> ItemResult:
    if item_type == "free_text":
        return None
    if item_type == "nps_0_10":
        return nps(counts=counts, minimum_n=minimum_n)
    if item_type == "csat_1_5":
        return csat(counts=counts, minimum_n=minimum_n)
    if item_type == "fft_6":
        return fft_scores(counts=counts, minimum_n=minimum_n)
    return box_scores(scale=SCALE_OF_TYPE[item_type], counts=counts, minimum_n=minimum_n)


def answers_in(
    *, item_ids: Sequence[int], start: datetime, end: datetime, unit_id: int | None = None
) -> QuerySet[Answer]:
    """Answers to these items submitted in [start, end), of one unit if given. Counted from
    the answer table alone (its copy of the submission time) unless a unit is asked for."""
    answers = Answer.objects.filter(
        item_id__in=list(item_ids), submitted_at__gte=start, submitted_at__lt=end
    )
    return answers if unit_id is None else answers.filter(response__unit_id=unit_id)


def survey_scores(
    *,
    instrument: Instrument,
    start: datetime,
    end: datetime,
    minimum_n: int | None = None,
    unit_id: int | None = None,
) -> list[ItemScore]:
    """Per item of every version: NPS, CSAT (top-two box), FFT % positive / % negative, or top
    / middle / bottom box, each with its n and 95 % interval, from the responses submitted in
    [start, end) (of one unit if given). Below `minimum_n` (default: the instrument's) a score
    is Suppressed. One query counts answers per item and value; the scoring is over counts."""
    floor = minimum_n if minimum_n is not None else instrument.minimum_n
    items = list(
        Item.objects.filter(version__instrument=instrument)
        .select_related("version")
        .order_by("version__number", "position")
    )
    types = {item.pk: item.type for item in items}
    comment_ids = [pk for pk, kind in types.items() if kind == "free_text"]
    # One scan: scale answers counted per value, comments only per item (their text is not
    # grouped on).
    answer_key = Case(
        When(item_id__in=comment_ids, then=Value("")),
        default=F("value"),
        output_field=TextField(),
    )
    rows = (
        answers_in(item_ids=list(types), start=start, end=end, unit_id=unit_id)
        .annotate(key=answer_key)
        .values_list("item_id", "key")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[ScaleAnswer, int]] = defaultdict(dict)
    comment_counts: dict[int, int] = {}
    for item_id, value, count in rows:
        if types[item_id] == "free_text":
            comment_counts[item_id] = count
            continue
        key = scored_value(types[item_id], value)
        counts[item_id][key] = counts[item_id].get(key, 0) + count
    return [
        ItemScore(
            version=item.version.number,
            position=item.position,
            type=item.type,
            text=text_in(item.texts, "en"),
            answers=comment_counts.get(item.pk, 0)
            if item.type == "free_text"
            else sum(counts[item.pk].values()),
            result=item_score(item.type, counts[item.pk], floor),
        )
        for item in items
    ]


@dataclass(frozen=True)
class ScoreRow:
    """One line of the results table, ready to show."""

    item: ItemScore
    measure: str
    value: str
    interval: str
    n: int


def _row(item: ItemScore, measure: str, score: Score, *, signed: bool = False) -> ScoreRow:
    value = score.rounded(places=1)
    shown = f"{value:+}" if signed else f"{value}%"
    interval = f"{score.ci.low:.1f} to {score.ci.high:.1f}"
    return ScoreRow(item=item, measure=measure, value=shown, interval=interval, n=score.n)


def score_rows(scores: list[ItemScore]) -> list[ScoreRow]:
    rows: list[ScoreRow] = []
    for item in scores:
        result = item.result
        if result is None:
            rows.append(ScoreRow(item, "Comments", str(item.answers), "", item.answers))
        elif isinstance(result, Suppressed):
            label = "too few responses" if result.display == "*" else "no responses"
            rows.append(ScoreRow(item, f"Not shown: {label}", result.display, "", result.n))
        elif isinstance(result, NpsScore):
            rows.append(_row(item, "NPS", result.nps, signed=True))
        elif isinstance(result, FftScores):
            rows.append(_row(item, "% positive", result.positive))
            rows.append(_row(item, "% negative", result.negative))
        elif isinstance(result, BoxScores):
            rows.append(_row(item, "Top box", result.top))
            rows.append(_row(item, "Bottom box", result.bottom))
        else:
            rows.append(_row(item, "CSAT (4 or 5)", result))
    return rows


# --- HCAHPS measures, and scores by unit and by month --------------------------------------------


@dataclass(frozen=True)
class HcahpsCounts:
    """Answer counts of the items counting towards each HCAHPS measure (the same wording in
    several versions counts as one item), the completed surveys and the answering facilities'
    jurisdictions, over a period."""

    items: dict[HcahpsMeasure, list[ItemCounts]]
    completed_surveys: int
    jurisdictions: list[str]


def hcahps_item_counts(
    *, instrument: Instrument, start: datetime, end: datetime, unit_id: int | None = None
) -> HcahpsCounts:
    # item id -> (measure, type, English text); one wording in several versions is one item.
    measured: dict[int, tuple[HcahpsMeasure, str, str]] = {}
    for item in Item.objects.filter(version__instrument=instrument):
        measure = hcahps_measure_of(item.type, item.texts)
        if measure is not None:
            measured[item.pk] = (measure, item.type, text_in(item.texts, "en"))
    merged: dict[tuple[HcahpsMeasure, str, str], dict[ScaleAnswer, int]] = {
        key: {} for key in measured.values()
    }
    rows = (
        answers_in(item_ids=list(measured), start=start, end=end, unit_id=unit_id)
        .values_list("item_id", "value")
        .annotate(count=Count("id"))
        .order_by()
    )
    for item_id, value, count in rows:
        counts = merged[measured[item_id]]
        key = scored_value(measured[item_id][1], value)
        counts[key] = counts.get(key, 0) + count
    items: dict[HcahpsMeasure, list[ItemCounts]] = defaultdict(list)
    for (measure, item_type, _text), counts in sorted(merged.items()):
        items[measure].append(ItemCounts(scale=SCALE_OF_TYPE[item_type], counts=counts))
    responses = Response.objects.filter(
        version__instrument=instrument, submitted_at__gte=start, submitted_at__lt=end
    )
    if unit_id is not None:
        responses = responses.filter(unit_id=unit_id)
    return HcahpsCounts(
        items=dict(items),
        completed_surveys=responses.count(),
        jurisdictions=sorted(
            set(responses.values_list("facility__jurisdiction", flat=True).order_by())
        ),
    )


@dataclass(frozen=True)
class GroupScores:
    """The scores of one unit or one month; groups are listed by name or date, never ranked."""

    label: str
    rows: list[ScoreRow]


def survey_item_scores_by(
    *,
    instrument: Instrument,
    start: datetime,
    end: datetime,
    by: Literal["unit", "month", "quarter"],
    zone: ZoneInfo,
    minimum_n: int | None = None,
    unit_id: int | None = None,
) -> list[tuple[str, list[ItemScore]]]:
    """Per unit (responses without a unit apart) or per local month or quarter in `zone`, in
    name or date order (never ranked): the same scores as `survey_scores`, each suppressed
    below the minimum n. Free text is left out."""
    floor = minimum_n if minimum_n is not None else instrument.minimum_n
    items = list(
        Item.objects.filter(version__instrument=instrument)
        .exclude(type="free_text")
        .select_related("version")
        .order_by("version__number", "position")
    )
    answers = answers_in(
        item_ids=[item.pk for item in items], start=start, end=end, unit_id=unit_id
    )
    if by == "unit":
        grouped = answers.values_list("response__unit__name", "item_id", "value")
    else:
        trunc = TruncMonth if by == "month" else TruncQuarter
        period = trunc("submitted_at", tzinfo=zone)
        grouped = answers.annotate(period=period).values_list("period", "item_id", "value")
    counts: dict[object, dict[int, dict[ScaleAnswer, int]]] = defaultdict(lambda: defaultdict(dict))
    types = {item.pk: item.type for item in items}
    for group, item_id, value, count in grouped.annotate(count=Count("id")).order_by():
        key = scored_value(types[item_id], value)
        per_item = counts[group][item_id]
        per_item[key] = per_item.get(key, 0) + count
    result = []
    for group in sorted(counts, key=lambda g: (g is None, str(g))):
        scores = [
            ItemScore(
                version=item.version.number,
                position=item.position,
                type=item.type,
                text=text_in(item.texts, "en"),
                answers=sum(counts[group][item.pk].values()),
                result=item_score(item.type, counts[group][item.pk], floor),
            )
            for item in items
        ]
        result.append((_group_label(group, zone, quarter=by == "quarter"), scores))
    return result


def survey_scores_by(
    *,
    instrument: Instrument,
    start: datetime,
    end: datetime,
    by: Literal["unit", "month", "quarter"],
    zone: ZoneInfo,
    minimum_n: int | None = None,
    unit_id: int | None = None,
) -> list[GroupScores]:
    """survey_item_scores_by as rows ready to show."""
    grouped = survey_item_scores_by(
        instrument=instrument,
        start=start,
        end=end,
        by=by,
        zone=zone,
        minimum_n=minimum_n,
        unit_id=unit_id,
    )
    return [GroupScores(label=label, rows=score_rows(scores)) for label, scores in grouped]


def period_label(start: datetime | date, *, quarter: bool) -> str:
    if quarter:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def _group_label(group: object, zone: ZoneInfo, *, quarter: bool = False) -> str:
    if group is None:
        return "No unit"
    if isinstance(group, datetime):
        return period_label(group.astimezone(zone), quarter=quarter)
    return str(group)
