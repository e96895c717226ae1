"""Reads for closing the loop: an organization's follow-up settings, the check-back behind an
emailed link, and the numbers the insights work reports (recovery success, resolution times).

The insights reads are per organization and carry no client text; the pages that show them
decide who may see which organization."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from django.db.models import Count, Q, QuerySet

from careloop.cases.models import Case, Status
from careloop.followups.models import (
    Answer,
    CheckBack,
    CheckBackLink,
    CheckBackStatus,
    FollowUpAnswer,
    FollowUpSettings,
)
from careloop.followups.stats import percentile
from careloop.followups.tokens import TOKEN_MAX_CHARS, token_hash
from careloop.orgs.models import Organization


def followup_settings_for(*, organization_id: int) -> FollowUpSettings:
    """The organization's settings, or the defaults (unsaved) if it never changed them."""
    found = FollowUpSettings.objects.filter(organization_id=organization_id).first()
    return found or FollowUpSettings(organization_id=organization_id)


def checkback_for_token(*, token: str) -> CheckBack | None:
    """The check-back an emailed link belongs to, or None (unknown or malformed token)."""
    if not token or len(token) > TOKEN_MAX_CHARS:
        return None
    link = (
        CheckBackLink.objects.select_related(
            "check_back__case__facility", "check_back__case__organization"
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    return link.check_back if link is not None else None


def checkback_answer_given(*, check_back: CheckBack) -> FollowUpAnswer | None:
    """The client's answer to the resolution this check-back asks about, by any route."""
    return FollowUpAnswer.objects.filter(
        case_id=check_back.case_id, resolution_at=check_back.resolution_at
    ).first()


# --- recovery success -------------------------------------------------------------------------

GroupBy = Literal["unit", "facility", "item_type", "overall"]


@dataclass(frozen=True)
class Grouping:
    """How answers are grouped: `key` and `label` are lookups from FollowUpAnswer (None for one
    overall row); `none_label` names the group of answers whose key is empty."""

    key: str | None
    label: str | None
    none_label: str


# "item_type" is computed from the recovery ledger (what was issued on each case; a case given
# several item types counts once under each, one with nothing issued under "Nothing given").
GROUPINGS: dict[str, Grouping] = {
    "item_type": Grouping(key=None, label=None, none_label="Nothing given"),
    "unit": Grouping(key="case__unit_id", label="case__unit__name", none_label="No unit"),
    "facility": Grouping(
        key="case__facility_id", label="case__facility__name", none_label="No facility"
    ),
    "overall": Grouping(key=None, label=None, none_label="All"),
}


@dataclass(frozen=True)
class RecoverySuccess:
    key: int | str | None  # the unit's or facility's id; None for overall or no unit
    label: str
    answered: int
    yes: int
    partly: int
    no: int

    @property
    def rate(self) -> float | None:
        """yes / answered; None when nobody answered."""
        return self.yes / self.answered if self.answered else None


def recovery_success(
    *, organization: Organization, start: datetime, end: datetime, group_by: GroupBy
) -> list[RecoverySuccess]:
    """Clients' answers to "Was this put right?" about resolutions made in [start, end), by
    group, ordered by label. `overall` always gives one row, even with no answers."""
    grouping = GROUPINGS.get(group_by)
    if grouping is None:
        raise ValueError(f"Unknown grouping {group_by!r}")
    answers = FollowUpAnswer.objects.filter(
        case__organization=organization, resolution_at__gte=start, resolution_at__lt=end
    )
    counts = {
        "answered": Count("id", distinct=True),
        **{answer: Count("id", distinct=True, filter=Q(answer=answer)) for answer in Answer.values},
    }
    if group_by == "item_type":
        return _by_item_type(answers, none_label=grouping.none_label)
    if grouping.key is None or grouping.label is None:
        total = answers.aggregate(**counts)
        return [_row(None, grouping.none_label, total)]
    grouped = answers.values(grouping.key, grouping.label).annotate(**counts)
    rows = [
        _row(values[grouping.key], values[grouping.label] or grouping.none_label, values)
        for values in grouped
    ]
    return sorted(rows, key=lambda row: (row.key is None, row.label, str(row.key)))


def _by_item_type(answers: QuerySet[FollowUpAnswer], *, none_label: str) -> list[RecoverySuccess]:
    from careloop.recovery.models import EntryKind, LedgerEntry

    given: dict[int, set[tuple[int | None, str]]] = defaultdict(set)
    issued = LedgerEntry.objects.filter(
        kind=EntryKind.ISSUE, case_id__in=answers.values("case_id")
    ).values_list("case_id", "item_type_id", "item_type__name")
    for case_id, item_type_id, name in issued:
        given[case_id].add((item_type_id, name))
    tally: dict[tuple[int | None, str], dict[str, int]] = defaultdict(
        lambda: {"answered": 0, **dict.fromkeys(Answer.values, 0)}
    )
    for case_id, answer in answers.values_list("case_id", "answer"):
        for key, label in given.get(case_id) or {(None, none_label)}:
            tally[(key, label)]["answered"] += 1
            tally[(key, label)][answer] += 1
    rows = [_row(key, label, values) for (key, label), values in tally.items()]
    return sorted(rows, key=lambda row: (row.key is None, row.label, str(row.key)))


def _row(key: int | str | None, label: str, values: dict[str, int]) -> RecoverySuccess:
    return RecoverySuccess(
        key=key,
        label=label,
        answered=values["answered"],
        yes=values[Answer.YES],
        partly=values[Answer.PARTLY],
        no=values[Answer.NO],
    )


# --- resolution times -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolutionTimes:
    count: int
    median_hours: float | None
    p90_hours: float | None


def resolution_times(
    *, organization: Organization, start: datetime, end: datetime
) -> ResolutionTimes:
    """Hours from receipt to resolution of the organization's cases resolved in [start, end)
    and resolved (or closed) now: a reopened case counts again when it is resolved again."""
    pairs = Case.objects.filter(
        organization=organization,
        resolved_at__isnull=False,
        resolved_at__gte=start,
        resolved_at__lt=end,
    ).values_list("received_at", "resolved_at")
    hours = [
        (resolved - received).total_seconds() / 3600
        for received, resolved in pairs
        if resolved is not None  # excluded by the filter; for the type checker
    ]
    if not hours:
        return ResolutionTimes(count=0, median_hours=None, p90_hours=None)
    return ResolutionTimes(
        count=len(hours), median_hours=percentile(hours, 50), p90_hours=percentile(hours, 90)
    )


# --- the state of an emailed link -------------------------------------------------------------


class LinkState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"  # by this link or on the status page
    EXPIRED = "expired"
    CLOSED = "closed"  # cancelled: the case was reopened or resolved again


def checkback_link_state(*, check_back: CheckBack, now: datetime) -> LinkState:
    """What a link of this check-back may do at `now` (reads only)."""
    if check_back.status == CheckBackStatus.ANSWERED or checkback_answer_given(
        check_back=check_back
    ):
        return LinkState.ANSWERED
    if check_back.status == CheckBackStatus.EXPIRED_UNANSWERED or (
        check_back.expires_at is not None and now >= check_back.expires_at
    ):
        return LinkState.EXPIRED
    case = check_back.case
    if (
        check_back.status != CheckBackStatus.SENT
        or case.erased_at is not None
        or case.status not in (Status.RESOLVED, Status.CLOSED)
        or case.resolved_at != check_back.resolution_at
    ):
        return LinkState.CLOSED
    return LinkState.OPEN
