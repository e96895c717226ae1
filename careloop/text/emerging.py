"""Emerging themes, pure: terms and codes whose share of cases rose in the recent weeks against
a baseline (the previous quarter).

For each term (or code) with ``a`` recent cases out of ``n_recent`` and ``b`` baseline cases
out of ``n_base``: rate ratio ``(a / n_recent) / ((b + 0.5) / n_base)`` (0.5 added so a term
absent from the baseline has a finite ratio), and the one-sided p-value of the conditional
binomial test: given the ``a + b`` cases with the term, how likely ``a`` or more fall in the
recent window if the term were as common then as before (``p0 = n_recent / (n_recent +
n_base)``). A term is listed when ``a >= MIN_COUNT``, the ratio is above 1 and ``p < ALPHA``;
many terms are tested, so expect about ALPHA x terms tested false alarms (shown on the page).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy.stats import binom

MIN_COUNT = 3
ALPHA = 0.01
MAX_ROWS = 30
_WORD = re.compile(r"[^\W\d_]{4,}")
_STOPWORDS_TEXT = (
    # English
    "about after again also been before being could didn does doing down during each from "
    "have having here into just more most nothing only other over same should some such than "
    "that their them then there these they this those through told very were what when where "
    "which while will with would your yours hers himself herself itself because until "
    # Spanish
    "para pero como esta este esto estaba fueron porque cuando donde todo todos toda todas "
    "desde hasta sobre entre nada nunca siempre tiene tenia también muy mucho mucha sus "
    # Italian
    "della delle dello degli alla alle allo agli nella nelle nello sono stato stata stati "
    "questo questa quello quella perché quando dove tutto tutti tutta tutte anche molto "
    "sempre mai niente ancora loro essere"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Document:
    case_id: int
    terms: frozenset[str]


@dataclass(frozen=True)
class Trend:
    term: str
    recent: int
    baseline: int
    rate_ratio: float
    p_value: float
    case_ids: tuple[int, ...]


def terms_of(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS)


def rising(
    recent: Sequence[Document],
    baseline: Iterable[frozenset[str]],
    *,
    min_count: int = MIN_COUNT,
    alpha: float = ALPHA,
) -> tuple[list[Trend], int]:
    """Trends rising in `recent` against `baseline`, strongest first, and the number tested."""
    base = list(baseline)
    n_recent, n_base = len(recent), len(base)
    if not n_recent or not n_base:
        return [], 0
    recent_counts: Counter[str] = Counter(t for d in recent for t in d.terms)
    base_counts: Counter[str] = Counter(t for terms in base for t in terms)
    p0 = n_recent / (n_recent + n_base)
    tested = 0
    found: list[Trend] = []
    for term, a in recent_counts.items():
        if a < min_count:
            continue
        tested += 1
        b = base_counts.get(term, 0)
        ratio = (a / n_recent) / ((b + 0.5) / n_base)
        p_value = float(binom.sf(a - 1, a + b, p0))
        if ratio > 1 and p_value < alpha:
            ids = tuple(sorted(d.case_id for d in recent if term in d.terms))
            found.append(Trend(term, a, b, round(ratio, 2), p_value, ids))
    found.sort(key=lambda t: (t.p_value, -t.rate_ratio, t.term))
    return found[:MAX_ROWS], tested
