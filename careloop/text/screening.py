"""Safety-risk screening of client narratives (English, Spanish, Italian).

Pure functions, no Django, no database. ``screen(text)`` looks for signs of abuse, neglect,
injury, falls, medication errors and self-harm and returns every cue it found, each naming its
rule. It is tuned for recall: whatever it flags goes to a person, it never dismisses anything.

How a narrative is read:

1. At most ``MAX_ANALYSED_CHARS`` characters of the original text are analysed; the result says
   when the text was cut (``truncated``, ``analysed_chars``, ``total_chars``).
2. The text is *folded* for matching: NFKC, casefold, accents stripped, zero-width characters and
   bidirectional controls removed, typographic apostrophes made plain. A map from folded to
   original positions keeps every reported span in the original text. When the text contains a
   right-to-left override (U+202E), the runs it reverses are also read in display order, so a
   phrase written backwards to look normal on screen is still found.
3. The language is detected among en/es/it by counting stop words (or taken from the caller).
   The detected (or given) language is screened, and so is every other language with at least
   one of its stop words in the text; when unsure, all three are ("unknown": recall first).
   False-positive contexts of every screened language apply to every hit.
4. Each rule (see ``screening_lexicon``) is a regular expression with an id and a risk. A hit
   preceded by a negation in the same clause ("no bruises", "nobody hurt her", "non è caduta")
   is kept with ``negated=True``: it lowers the certainty to "possible" but still flags. A hit
   inside a listed false-positive context ("fall menu", "fell asleep", "caída del sistema") is
   kept with ``false_positive`` set to the context's id; it is the only kind of hit that does
   not flag.

All patterns are linear (bounded gaps, no nested quantifiers) and the analysed length is capped,
so a 10 MB narrative costs the same as a 100 kB one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final, Literal

from careloop.text import screening_lexicon as lexicon

RISKS: Final = ("abuse", "neglect", "injury", "fall", "medication_error", "self_harm")
LANGUAGES: Final = ("en", "es", "it")
UNKNOWN: Final = "unknown"
MAX_ANALYSED_CHARS: Final = 100_000

Certainty = Literal["likely", "possible", "dismissed"]

# Zero-width characters, soft hyphen and bidirectional controls: dropped before matching.
_RLO: Final = "\u202e"
_BIDI_END: Final = frozenset("\u202c\u2069\n\r\u2029")
_IGNORED: Final = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_TOKEN: Final = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CLAUSE_END: Final = re.compile(r"[.,;:!?()\[\]\"\n]")
_DETECTION_TOKENS: Final = 2000
_MIN_EVIDENCE: Final = 2
_NEGATION_LOOKBACK: Final = 60


@dataclass(frozen=True, slots=True)
class Rule:
    """A cue: matching ``pattern`` in folded text suggests ``risk``."""

    id: str
    risk: str
    language: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Context:
    """A false-positive context: cue hits of ``risks`` overlapping a match are dismissed."""

    id: str
    risks: frozenset[str]
    language: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Hit:
    """One cue found in the narrative; ``start``/``end`` index the original text."""

    risk: str
    phrase: str
    start: int
    end: int
    rule_id: str
    language: str
    negated: bool = False
    false_positive: str | None = None

    @property
    def certainty(self) -> Certainty:
        if self.false_positive is not None:
            return "dismissed"
        return "possible" if self.negated else "likely"


@dataclass(frozen=True, slots=True)
class Screening:
    """What ``screen`` found in one narrative."""

    hits: tuple[Hit, ...]
    language: str
    languages_screened: tuple[str, ...]
    analysed_chars: int
    total_chars: int

    @property
    def truncated(self) -> bool:
        return self.analysed_chars < self.total_chars

    @property
    def flagged(self) -> bool:
        """Goes to a person: any hit that is not a listed false-positive context."""
        return any(hit.false_positive is None for hit in self.hits)

    @property
    def risks(self) -> frozenset[str]:
        """Risks with at least one likely (not negated, not dismissed) hit."""
        return frozenset(hit.risk for hit in self.hits if hit.certainty == "likely")

    @property
    def possible_risks(self) -> frozenset[str]:
        """Risks whose only live hits are negated ("no bruises")."""
        live = {hit.risk for hit in self.hits if hit.certainty == "possible"}
        return frozenset(live - self.risks)


@dataclass(frozen=True, slots=True)
class _Folded:
    """Folded text and, per folded character, its index in the original text."""

    text: str
    offsets: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        covered = self.offsets[start:end]
        return min(covered), max(covered) + 1


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def screen(text: str, *, language: str | None = None) -> Screening:
    """Screen one narrative. ``language`` is a hint among LANGUAGES; None detects it."""
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES} or None, not {language!r}")
    analysed = text[:MAX_ANALYSED_CHARS]
    variants = _variants(analysed)
    detected, scores = _detect(variants[0].text)
    primary = language if language is not None else detected
    screened = _languages_to_screen(primary=primary, scores=scores)
    hits = _dedupe(
        hit
        for folded in variants
        for hit in _hits_in(folded=folded, original=analysed, languages=screened)
    )
    return Screening(
        hits=hits,
        language=primary,
        languages_screened=screened,
        analysed_chars=len(analysed),
        total_chars=len(text),
    )


def detect_language(text: str) -> str:
    """The narrative's language among LANGUAGES, or UNKNOWN when the evidence is thin."""
    return _detect(_fold(enumerate(text[:MAX_ANALYSED_CHARS])).text)[0]


def rules(*, language: str) -> tuple[Rule, ...]:
    """The compiled cue rules of one language."""
    return _compiled_rules(language)


def contexts(*, language: str) -> tuple[Context, ...]:
    """The compiled false-positive contexts of one language."""
    return _compiled_contexts(language)


# ---------------------------------------------------------------------------------------------
# Folding
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _IGNORED:
        return ""
    folded = unicodedata.normalize("NFKC", char).casefold()
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c)
    )
    return stripped.translate(_APOSTROPHES)


def _fold(chars: Iterable[tuple[int, str]]) -> _Folded:
    parts: list[str] = []
    offsets: list[int] = []
    for index, char in chars:
        folded = _fold_char(char)
        parts.append(folded)
        offsets.extend([index] * len(folded))
    return _Folded(text="".join(parts), offsets=offsets)


def _fold_text(text: str) -> _Folded:
    if text.isascii():
        lowered = text.lower().translate(_APOSTROPHES)
        return _Folded(text=lowered, offsets=range(len(lowered)))
    return _fold(enumerate(text))


def _display_order(text: str) -> Iterator[tuple[int, str]]:
    """Characters as a reader sees them: runs after a right-to-left override reversed."""
    run: list[tuple[int, str]] = []
    reversing = False
    for index, char in enumerate(text):
        if char == _RLO:
            yield from reversed(run)
            run, reversing = [], True
        elif reversing and char in _BIDI_END:
            yield from reversed(run)
            run, reversing = [], False
            yield index, char
        elif reversing:
            run.append((index, char))
        else:
            yield index, char
    yield from reversed(run)


def _variants(text: str) -> tuple[_Folded, ...]:
    logical = _fold_text(text)
    if _RLO not in text:
        return (logical,)
    return logical, _fold(_display_order(text))


# ---------------------------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------------------------


def _detect(folded: str) -> tuple[str, dict[str, int]]:
    scores = dict.fromkeys(LANGUAGES, 0)
    for count, match in enumerate(_TOKEN.finditer(folded)):
        if count >= _DETECTION_TOKENS:
            break
        for lang in LANGUAGES:
            if match.group() in lexicon.STOPWORDS[lang]:
                scores[lang] += 1
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < _MIN_EVIDENCE or best_score == second_score:
        return UNKNOWN, scores
    return best, scores


def _languages_to_screen(*, primary: str, scores: dict[str, int]) -> tuple[str, ...]:
    if primary == UNKNOWN:
        return LANGUAGES
    # Recall first: any stop word of another language is enough to screen with it too.
    extra = [lang for lang in LANGUAGES if lang != primary and scores[lang] > 0]
    return (primary, *extra)


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


@cache
def _compiled_rules(language: str) -> tuple[Rule, ...]:
    return tuple(
        Rule(id=rule_id, risk=risk, language=language, pattern=re.compile(pattern))
        for rule_id, risk, pattern in lexicon.RULES[language]
    )


@cache
def _compiled_contexts(language: str) -> tuple[Context, ...]:
    return tuple(
        Context(id=rule_id, risks=frozenset(risks), language=language, pattern=re.compile(pattern))
        for rule_id, risks, pattern in lexicon.CONTEXTS[language]
    )


def _hits_in(*, folded: _Folded, original: str, languages: Sequence[str]) -> Iterator[Hit]:
    found = [
        (rule, match.start(), match.end())
        for language in languages
        for rule in _compiled_rules(language)
        for match in rule.pattern.finditer(folded.text)
    ]
    if not found:
        return
    # Contexts of every screened language apply: "parcheggio abusivo" also cancels the Spanish cue.
    dismissals = [
        (context, match.start(), match.end())
        for language in languages
        for context in _compiled_contexts(language)
        for match in context.pattern.finditer(folded.text)
    ]
    for rule, start, end in found:
        begin, finish = folded.span(start, end)
        yield Hit(
            risk=rule.risk,
            phrase=original[begin:finish],
            start=begin,
            end=finish,
            rule_id=rule.id,
            language=rule.language,
            negated=_is_negated(folded.text, start=start, language=rule.language),
            false_positive=_dismissed_by(dismissals, risk=rule.risk, start=start, end=end),
        )


def _dismissed_by(
    dismissals: Sequence[tuple[Context, int, int]], *, risk: str, start: int, end: int
) -> str | None:
    for context, ctx_start, ctx_end in dismissals:
        if risk in context.risks and ctx_start < end and start < ctx_end:
            return context.id
    return None


def _is_negated(folded: str, *, start: int, language: str) -> bool:
    """A negator among the few words before ``start``, in the same clause."""
    window_start = max(0, start - _NEGATION_LOOKBACK)
    before = _CLAUSE_END.split(folded[window_start:start])[-1]
    tokens = [match.group() for match in _TOKEN.finditer(before)]
    if window_start > 0 and tokens and before[:1].isalpha():
        tokens = tokens[1:]  # the first word may be cut in half
    for index in range(len(tokens) - 1, -1, -1):
        if tokens[index] in lexicon.CLAUSE_BREAKERS[language]:
            tokens = tokens[index + 1 :]
            break
    window = tokens[-lexicon.NEGATION_WINDOW[language] :]
    return any(_is_negator(token, language=language) for token in window)


def _is_negator(token: str, *, language: str) -> bool:
    return token in lexicon.NEGATORS[language] or (language == "en" and token.endswith("n't"))


def _dedupe(hits: Iterable[Hit]) -> tuple[Hit, ...]:
    unique: dict[tuple[str, int, int], Hit] = {}
    for hit in hits:
        key = (hit.rule_id, hit.start, hit.end)
        if key not in unique:
            unique[key] = hit
    return tuple(sorted(unique.values(), key=lambda hit: (hit.start, hit.end, hit.rule_id)))
