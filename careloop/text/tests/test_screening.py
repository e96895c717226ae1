"""Safety-risk screening: the labelled fixture, the famous cases, obfuscation and hostile input.

Fixture: fixtures/screening_cases.csv (labelling policy in its header and in screening_lexicon).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from careloop.text.screening import (
    LANGUAGES,
    MAX_ANALYSED_CHARS,
    RISKS,
    Screening,
    contexts,
    detect_language,
    rules,
    screen,
)

FIXTURE = Path(__file__).parent / "fixtures" / "screening_cases.csv"
HELDOUT = Path(__file__).parent / "fixtures" / "screening_heldout.csv"


@dataclass(frozen=True)
class Case:
    text: str
    language: str
    expected: frozenset[str]
    flagged: bool


@cache
def cases(path: Path = FIXTURE) -> tuple[Case, ...]:
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return tuple(
        Case(
            text=row["text"],
            language=row["language"],
            expected=frozenset(risk for risk in row["expected"].split(";") if risk),
            flagged=row["flagged"] == "yes",
        )
        for row in csv.DictReader(lines)
    )


def risks_of(text: str, *, language: str | None = None) -> set[str]:
    return set(screen(text, language=language).risks)


# --- the fixture --------------------------------------------------------------------------------


def test_fixture_size_and_composition() -> None:
    for language, minimum in (("en", 60), ("es", 40), ("it", 40)):
        subset = [case for case in cases() if case.language == language]
        positives = [case for case in subset if case.expected]
        assert len(subset) >= minimum
        assert 0.35 <= len(positives) / len(subset) <= 0.65
        covered = {risk for case in positives for risk in case.expected}
        assert covered == set(RISKS), language
    assert all(case.expected <= set(RISKS) for case in cases())


def test_heldout_fixture_is_well_formed_and_covers_every_risk_per_language() -> None:
    held = cases(HELDOUT)
    assert not {case.text for case in held} & {case.text for case in cases()}
    for language in LANGUAGES:
        subset = [case for case in held if case.language == language]
        assert len(subset) >= 30
        covered = {risk for case in subset for risk in case.expected}
        assert covered == set(RISKS), language
        assert sum(not case.flagged for case in subset) >= 8  # hard negatives
    assert all(case.flagged for case in held if case.expected)
    assert all(case.expected <= set(RISKS) for case in held)


def test_heldout_screening_does_not_regress() -> None:
    """Floors = the figures measured when the held-out set was first scored (never tuned on).

    Raising a floor is fine; lowering one needs a reason in the commit.
    """
    held = cases(HELDOUT)
    must = [case for case in held if case.flagged]
    must_not = [case for case in held if not case.flagged]
    assert sum(screen(case.text).flagged for case in must) >= 64  # of 76: recall 0.842
    assert sum(not screen(case.text).flagged for case in must_not) >= 24  # of 26
    for language, floor in (("en", 23), ("es", 22), ("it", 19)):
        subset = [case for case in must if case.language == language]
        assert sum(screen(case.text).flagged for case in subset) >= floor, language


@pytest.mark.parametrize("case", cases(), ids=lambda case: f"{case.language}:{case.text[:40]}")
def test_fixture_case(case: Case) -> None:
    result = screen(case.text)
    assert set(result.risks) == set(case.expected)
    assert result.flagged is case.flagged


@pytest.mark.parametrize("case", cases(), ids=lambda case: f"{case.language}:{case.text[:40]}")
def test_fixture_case_with_language_given(case: Case) -> None:
    assert risks_of(case.text, language=case.language) == set(case.expected)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("risk", RISKS)
def test_recall_and_precision_per_risk_and_language(risk: str, language: str) -> None:
    tp = fp = fn = 0
    for case in cases():
        if case.language != language:
            continue
        predicted = risk in screen(case.text).risks
        expected = risk in case.expected
        tp += predicted and expected
        fp += predicted and not expected
        fn += expected and not predicted
    assert tp + fn > 0
    assert tp / (tp + fn) >= 0.95


def test_overall_precision() -> None:
    tp = fp = 0
    for case in cases():
        predicted = screen(case.text).risks
        tp += len(predicted & case.expected)
        fp += len(predicted - case.expected)
    assert tp / (tp + fp) >= 0.85


# --- the famous cases ---------------------------------------------------------------------------


def test_fall_menu_is_not_flagged() -> None:
    result = screen("the fall menu was lovely")
    assert not result.flagged
    assert [hit.false_positive for hit in result.hits] == ["en.fp.autumn"]


def test_mum_fell_and_nobody_came() -> None:
    result = screen("Mum fell in the bathroom and nobody came")
    assert result.risks == {"fall", "neglect"}
    assert result.flagged
    assert {hit.phrase for hit in result.hits} == {"fell", "nobody came"}


def test_fell_asleep_is_not_flagged() -> None:
    result = screen("she fell asleep during the film")
    assert not result.flagged
    assert result.risks == frozenset()


def test_me_quiero_morir() -> None:
    assert risks_of("me quiero morir") == {"self_harm"}


def test_mia_madre_e_caduta_dal_letto() -> None:
    result = screen("mia madre è caduta dal letto")
    assert result.risks == {"fall"}
    assert [hit.phrase for hit in result.hits] == ["caduta"]


# --- negation and false-positive contexts -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("There were no bruises on her arms.", "injury"),
        ("Nobody hurt her.", "injury"),
        ("No tiene ningún moretón.", "injury"),
        ("Non è mai caduta.", "fall"),
        ("The staff never missed a dose.", "medication_error"),
    ],
)
def test_negated_cue_stays_flagged_as_possible(text: str, risk: str) -> None:
    result = screen(text)
    assert result.flagged
    assert result.risks == frozenset()
    assert result.possible_risks == {risk}
    assert all(hit.negated and hit.certainty == "possible" for hit in result.hits)


def test_negation_does_not_cross_a_clause() -> None:
    result = screen("We don't know how she fell.")
    assert result.risks == {"fall"}


def test_verbal_abuse_by_staff_counts_but_a_rude_visitor_does_not() -> None:
    assert risks_of("The night carer shouted at my mother.") == {"abuse"}
    assert not screen("Abusive language from a visitor about parking.").flagged


# --- languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The nurse was very kind to my father and she came back after lunch.", "en"),
        ("La enfermera fue muy amable con mi padre y nos explicó todo.", "es"),
        ("L'infermiera è stata molto gentile con mio padre e ci ha spiegato tutto.", "it"),
        ("🙂🙂", "unknown"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_mixed_language_text_screens_every_language_present() -> None:
    result = screen(
        "My mother fell on the stairs last night. Mia madre è stata lasciata sola per ore "
        "e nessuno è venuto."
    )
    assert {"en", "it"} <= set(result.languages_screened)
    assert result.risks == {"fall", "neglect"}
    assert {hit.language for hit in result.hits} == {"en", "it"}


def test_unknown_language_is_screened_with_all_lexicons() -> None:
    result = screen("kill myself")
    assert result.language == "unknown"
    assert result.languages_screened == LANGUAGES
    assert result.risks == {"self_harm"}


def test_given_language_comes_first() -> None:
    result = screen("se cayó", language="es")
    assert result.language == "es"
    assert result.languages_screened[0] == "es"
    assert result.risks == {"fall"}


def test_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language must be one of"):
        screen("hello", language="fr")


# --- hostile and degenerate input ---------------------------------------------------------------


def test_empty_text() -> None:
    result = screen("")
    assert result == Screening(
        hits=(), language="unknown", languages_screened=LANGUAGES, analysed_chars=0, total_chars=0
    )
    assert not result.flagged
    assert not result.truncated


def test_emoji_only_text() -> None:
    result = screen("😢😢🙏🏽❤️")
    assert result.hits == ()
    assert not result.flagged
    assert result.language == "unknown"


def test_ten_megabyte_narrative_completes_and_reports_truncation() -> None:
    head = "Mum fell in the corridor. "
    text = head + "The fall menu was lovely. " * (10_000_000 // 26) + "I want to kill myself."
    result = screen(text)
    assert result.truncated
    assert result.analysed_chars == MAX_ANALYSED_CHARS
    assert result.total_chars == len(text)
    assert result.risks == {"fall"}  # the self-harm cue lies beyond the analysed part
    assert result.flagged


def test_pathological_repetition_completes() -> None:
    result = screen("no " * 50_000 + "a" * 50_000)
    assert result.truncated
    assert not result.flagged


def test_zero_width_obfuscation_is_detected_and_span_is_original() -> None:
    text = "I want to k\u200bill myself"
    result = screen(text)
    assert result.risks == {"self_harm"}
    (hit,) = result.hits
    assert text[hit.start : hit.end] == hit.phrase == "k\u200bill myself"


@pytest.mark.parametrize(
    "text",
    [
        "I will k\u202eill myself",  # override inside a word
        "I will \u202eflesym llik\u202c tonight",  # reversed in memory, reads "kill myself"
        "quiero \u2066mo\u2069rir\u200d",  # isolates and joiners
        "".join(chr(0xFF41 + ord(c) - 97) if c != " " else c for c in "kill myself"),
    ],
)
def test_bidi_and_compatibility_obfuscation_is_detected(text: str) -> None:
    result = screen(text)
    assert result.risks == {"self_harm"}
    assert all(text[hit.start : hit.end] == hit.phrase for hit in result.hits)


def test_accents_are_matched_without_and_with_combining_marks() -> None:
    for text in ("se cayó por la noche", "se cayo\u0301 por la noche", "SE CAYÓ"):
        result = screen(text, language="es")
        assert result.risks == {"fall"}, text
        assert all(text[hit.start : hit.end] == hit.phrase for hit in result.hits)


# --- the rules as data --------------------------------------------------------------------------


def test_rule_and_context_ids_are_unique_and_named_by_language() -> None:
    ids = [rule.id for lang in LANGUAGES for rule in rules(language=lang)]
    ids += [context.id for lang in LANGUAGES for context in contexts(language=lang)]
    assert len(ids) == len(set(ids))
    for lang in LANGUAGES:
        assert all(rule.id.startswith(f"{lang}.") for rule in rules(language=lang))
        assert all(context.id.startswith(f"{lang}.fp.") for context in contexts(language=lang))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_risk_has_rules_in_every_language(language: str) -> None:
    covered = {rule.risk for rule in rules(language=language)}
    assert covered == set(RISKS)
    for context in contexts(language=language):
        assert context.risks <= set(RISKS)


def test_patterns_have_no_nested_unbounded_quantifiers() -> None:
    nested = re.compile(r"\((?:[^()]|\([^()]*\))*[+*]\)[+*]")
    for lang in LANGUAGES:
        for rule in rules(language=lang):
            assert not nested.search(rule.pattern.pattern), rule.id


def test_every_hit_names_an_existing_rule() -> None:
    known = {rule.id for lang in LANGUAGES for rule in rules(language=lang)}
    for case in cases():
        for hit in screen(case.text).hits:
            assert hit.rule_id in known
            assert case.text[hit.start : hit.end] == hit.phrase
