"""Duplicate and repeat candidates for a case, pure. Staff confirm; nothing is linked here.

Duplicate (the same event reported by several people or channels): another case of the same
facility received within DUPLICATE_WINDOW of it, whose narrative is similar (cosine of
character 3-5-gram TF-IDF vectors at least DUPLICATE_SIMILARITY; a case on the same unit gets
UNIT_BONUS added to its score).
Repeat (the same person on the same issue, DOMAIN.md M13): another case with the same person
key (careloop.insights.counting.person_key) received within REPEAT_WINDOW, on the same issue
(the same most severe HCAT category, when both are coded) or with a similar narrative (at least
REPEAT_SIMILARITY)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sklearn.feature_extraction.text import TfidfVectorizer

from careloop.insights.counting import WINDOW_DAYS

DUPLICATE_WINDOW = timedelta(days=3)
REPEAT_WINDOW = timedelta(days=WINDOW_DAYS)
DUPLICATE_SIMILARITY = 0.35
REPEAT_SIMILARITY = 0.2
UNIT_BONUS = 0.1
MAX_CANDIDATES = 5
MAX_TEXT = 2000


@dataclass(frozen=True)
class CaseText:
    case_id: int
    received_at: datetime
    unit_id: int | None
    person: str | None
    issue: str | None
    text: str


@dataclass(frozen=True)
class Candidate:
    case_id: int
    kind: str  # "duplicate" | "repeat"
    score: float
    similarity: float
    same_unit: bool
    same_person: bool
    same_issue: bool


def similarities(target: str, others: Sequence[str]) -> list[float]:
    """Cosine similarity of `target` with each of `others` (character n-grams, so spelling
    variants and Spanish/Italian inflections still match)."""
    if not others:
        return []
    texts = [target[:MAX_TEXT], *(o[:MAX_TEXT] for o in others)]
    try:
        matrix = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
        ).fit_transform(texts)
    except ValueError:  # nothing but stop characters in every text
        return [0.0] * len(others)
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    return [float(s) for s in scores]


def candidates_for(target: CaseText, others: Sequence[CaseText]) -> list[Candidate]:
    pool = [o for o in others if o.case_id != target.case_id]
    sims = similarities(target.text, [o.text for o in pool])
    found: list[Candidate] = []
    for other, sim in zip(pool, sims, strict=True):
        gap = abs(other.received_at - target.received_at)
        same_unit = target.unit_id is not None and other.unit_id == target.unit_id
        same_person = target.person is not None and other.person == target.person
        same_issue = target.issue is not None and other.issue == target.issue
        score = sim + (UNIT_BONUS if same_unit else 0.0)
        if gap <= DUPLICATE_WINDOW and sim >= DUPLICATE_SIMILARITY:
            kind = "duplicate"
        elif same_person and gap <= REPEAT_WINDOW and (same_issue or sim >= REPEAT_SIMILARITY):
            kind = "repeat"
            score += 0.5 if same_issue else 0.0
        else:
            continue
        found.append(
            Candidate(
                case_id=other.case_id,
                kind=kind,
                score=round(score, 4),
                similarity=round(sim, 4),
                same_unit=same_unit,
                same_person=same_person,
                same_issue=same_issue,
            )
        )
    found.sort(key=lambda c: (-c.score, c.case_id))
    return found[:MAX_CANDIDATES]
