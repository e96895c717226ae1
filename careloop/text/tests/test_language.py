"""careloop.text.language: which texts the models may suggest for (pure, no shared data)."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from careloop.text import language
from careloop.text.language import english_gloss, guess_language, text_supported

MULTILINGUAL = Path(__file__).parent / "fixtures" / "themes_multilingual.csv"


def _rows() -> list[dict[str, str]]:
    with MULTILINGUAL.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@pytest.mark.parametrize(
    "text",
    [
        "The nurses were kind and the food was good.",
        "Las enfermeras fueron muy amables con mi madre.",
        "Il personale è stato gentilissimo con mia madre.",
        "Excellent care",
        "Fast response, amazing paramedics, friendly, professional, supportive",
        "Staff 很好, very kind and helpful",
        "Parking!",
        "A&E",
    ],
)
def test_english_spanish_italian_and_short_texts_are_read(text: str) -> None:
    assert text_supported(text) == (True, language.OK)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", language.EMPTY),
        ("   \n\t", language.EMPTY),
        (None, language.EMPTY),
        (42, language.EMPTY),
        ("😀😀🙏", language.NO_LETTERS),
        ("!!! ???", language.NO_LETTERS),
        ("12/03/2024 10:30", language.NO_LETTERS),
        ("护士很好 很有耐心 谢谢大家", language.UNSUPPORTED_SCRIPT),
        ("الممرضات كن لطيفات جدا وشكرا", language.UNSUPPORTED_SCRIPT),
        ("Персонал очень внимательный, спасибо", language.UNSUPPORTED_SCRIPT),
        ("スタッフはとても親切でした", language.UNSUPPORTED_SCRIPT),
        ("Le personnel était très gentil et je suis satisfait", language.UNSUPPORTED_LANGUAGE),
        ("Das Personal war sehr freundlich und das Essen war gut", language.UNSUPPORTED_LANGUAGE),
        ("A equipe foi muito atenciosa com a minha mãe", language.UNSUPPORTED_LANGUAGE),
    ],
)
def test_unsupported_texts_are_refused_with_a_reason(text: Any, reason: str) -> None:
    assert text_supported(text) == (False, reason)


def test_script_check_reads_a_bounded_sample_of_a_huge_text() -> None:
    chinese_then_english = "护" * (language.SCRIPT_SAMPLE + 10) + " the staff were kind" * 1000
    assert text_supported(chinese_then_english) == (False, language.UNSUPPORTED_SCRIPT)
    assert text_supported("the staff were kind " * 500_000) == (True, language.OK)


def test_guess_language_on_the_parallel_fixture() -> None:
    rows = _rows()
    assert {r["language"] for r in rows} == set(language.SUPPORTED_LANGUAGES)
    for lang in language.SUPPORTED_LANGUAGES:
        subset = [r for r in rows if r["language"] == lang]
        right = sum(guess_language(r["text"]) == lang for r in subset)
        assert right >= len(subset) - 2, (lang, right)
    assert guess_language("Excellent") == language.UNKNOWN
    assert guess_language(None) == language.UNKNOWN
    assert guess_language("护士很好") == language.UNKNOWN


def test_parallel_fixture_is_well_formed() -> None:
    rows = _rows()
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_id.setdefault(row["id"], []).append(row)
        assert 1 <= int(row["sentiment"]) <= 5
        assert row["labels"].strip()
        assert text_supported(row["text"]) == (True, language.OK)
    for versions in by_id.values():
        assert sorted(v["language"] for v in versions) == ["en", "es", "it"]
        assert len({v["labels"] for v in versions}) == 1
        assert len({v["sentiment"] for v in versions}) == 1


def test_english_gloss_of_spanish_and_italian_care_words() -> None:
    assert (
        english_gloss("La comida estaba fría y la enfermera fue grosera.") == "food cold nurse rude"
    )
    assert english_gloss("Il cibo era freddo e il personale scortese.") == "food cold staff rude"
    assert english_gloss("Abbiamo aspettato ore al pronto soccorso") == (
        "waited hours emergency emergency department"
    )
    assert english_gloss("Las enfermeras amables") == "nurses kind"  # plural fallback
    # English words that happen to be Spanish or Italian words elsewhere stay unglossed.
    assert english_gloss("The camera and the personal care were fine, I came to cure") == ""
    assert english_gloss("") == ""


def test_gloss_lets_an_english_trained_model_read_spanish_and_italian() -> None:
    from careloop.text import themes
    from careloop.text.themes_features import FeatureConfig

    texts = [
        "the food was cold",
        "cold food again",
        "lovely food and drink",
        "the nurse was rude",
        "rude staff at night",
        "kind nurse and kind staff",
    ] * 4
    labels = [{"Food"}, {"Food"}, {"Food"}, {"Staff"}, {"Staff"}, {"Staff"}] * 4
    spanish_italian = ["La comida estaba fría", "Il personale era scortese"]
    # Word features only, so nothing but the gloss links the languages.
    words = FeatureConfig(use_chars=False, min_df=1)
    glossed = themes.train(texts, labels, config=themes.ModelConfig(C=1.0, features=words))
    assert glossed.predict(spanish_italian) == [frozenset({"Food"}), frozenset({"Staff"})]
    unglossed = dataclasses.replace(words, gloss=False)
    plain = themes.train(texts, labels, config=themes.ModelConfig(C=1.0, features=unglossed))
    assert plain.predict(spanish_italian) != [frozenset({"Food"}), frozenset({"Staff"})]
