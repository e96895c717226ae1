from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from careloop.audit.models import AuditEvent
from careloop.cases.models import Case
from careloop.orgs.models import User
from careloop.text import themes
from careloop.text.codebooks import hcat_code
from careloop.text.learning import (
    codebook_train,
    is_heldout,
    model_load,
    seed_example,
    training_examples,
)
from careloop.text.models import Codebook, ModelKind, ModelVersion
from careloop.text.services import coding_correct
from careloop.text.suggestions import text_sweep
from careloop.text.tests.conftest import TRAINED_AT, WORDING, CodedCases

pytestmark = pytest.mark.django_db


def right_code(case: Case) -> str:
    return next(hcat_code(f) for f, texts in WORDING.items() if case.narrative in texts)


def theme_model(version: ModelVersion | None) -> themes.ThemeModel:
    assert version is not None
    model = model_load(version)
    assert isinstance(model, themes.ThemeModel)
    return model


def test_the_heldout_split_is_stable_and_about_a_fifth() -> None:
    keys = [f"case:{n}" for n in range(2000)]
    held = [k for k in keys if is_heldout(k)]
    assert 340 < len(held) < 460
    assert held == [k for k in keys if is_heldout(k)]


def test_training_uses_coded_cases_and_records_the_snapshot(
    hcat: Codebook, coded_cases: CodedCases
) -> None:
    cases = coded_cases()
    outcomes = {o.kind: o for o in codebook_train(codebook=hcat, now=TRAINED_AT)}
    theme = outcomes[ModelKind.THEME].version
    assert theme is not None
    assert theme.promoted
    assert theme.decision == "promoted: first model of its kind"
    keys = set(theme.training_keys) | set(theme.heldout_keys)
    assert keys == {f"case:{c.pk}" for c in cases}
    assert not set(theme.training_keys) & set(theme.heldout_keys)
    assert len(theme.training_digest) == 64
    assert theme.metrics["heldout"]["n"] == len(theme.heldout_keys)
    assert theme.metrics["macro_f1"] is not None
    assert {row["label"] for row in theme.metrics["per_label"]} == {
        "quality",
        "safety",
        "environment",
        "institutional",
        "listening",
        "communication",
        "respect",
    }
    assert sum(b["n"] for b in theme.metrics["calibration"]) == 7 * len(theme.heldout_keys)
    # Every case has severity 2: one value, nothing to learn. Harm has two values.
    assert outcomes[ModelKind.SEVERITY].version is None
    assert "only one value" in outcomes[ModelKind.SEVERITY].message
    harm = outcomes[ModelKind.HARM].version
    assert harm is not None
    assert harm.metrics["confusion"]["labels"] == ["1", "2"]
    assert outcomes[ModelKind.SENTIMENT].version is None
    event = AuditEvent.objects.filter(event_type="text.model_trained").first()
    assert event is not None
    assert event.detail["kind"] in ModelKind.values
    model = theme_model(theme)
    assert model.predict(["The soup was cold and the tray dirty."]) == [frozenset({"environment"})]


def test_a_model_is_promoted_only_when_it_beats_the_promoted_one(
    hcat: Codebook, coded_cases: CodedCases, advocate_x: User
) -> None:
    cases = coded_cases(rotated=True)
    kinds = [ModelKind.THEME]
    [first] = codebook_train(codebook=hcat, now=TRAINED_AT, kinds=kinds)
    assert first.version is not None
    assert first.version.promoted
    food = "Cold food and a dirty dinner tray again."
    assert theme_model(first.version).predict([food]) == [frozenset({"respect"})]

    # Staff correct every case: the corrections are the next model's training data.
    at = TRAINED_AT + timedelta(hours=1)
    for case in cases:
        coding_correct(
            actor=advocate_x,
            codebook=hcat,
            case=case,
            labels=[right_code(case)],
            severity=2,
            harm=None,
            sentiment=None,
            now=at,
        )
    example = next(e for e in training_examples(hcat) if e.key == f"case:{cases[0].pk}")
    assert example.labels == frozenset({right_code(cases[0])})

    [second] = codebook_train(codebook=hcat, now=at, kinds=kinds)
    assert second.version is not None
    assert second.version.promoted
    assert second.version.training_digest != first.version.training_digest
    assert second.version.corrections_seen == len(cases)
    assert second.version.metrics["heldout"]["previous_version"] == first.version.pk
    assert theme_model(second.version).predict([food]) == [frozenset({"environment"})]
    first.version.refresh_from_db()
    assert not first.version.promoted

    # The same data again gives the same model: equal is not better, so it is kept aside.
    [third] = codebook_train(codebook=hcat, now=at + timedelta(hours=1), kinds=kinds)
    assert third.version is not None
    assert not third.version.promoted
    assert third.version.decision.startswith("kept unpromoted: held-out macro-F1")
    assert ModelVersion.objects.get(codebook=hcat, kind="theme", promoted=True) == second.version
    assert ModelVersion.objects.filter(codebook=hcat).count() == 3


def test_too_few_examples_train_nothing(hcat: Codebook, coded_cases: CodedCases) -> None:
    coded_cases(per_category=1)
    outcomes = codebook_train(codebook=hcat, now=TRAINED_AT)
    assert all(o.version is None for o in outcomes)
    assert outcomes[0].message.startswith("not trained: ")
    assert not ModelVersion.objects.exists()


def test_seed_examples_train_sentiment(hcat: Codebook, coded_cases: CodedCases) -> None:
    coded_cases(per_category=3)
    seed = [
        seed_example(f"{word} care, {word} staff, number {n}", [], 5 if word == "great" else 1)
        for n in range(30)
        for word in ("great", "awful")
    ]
    outcomes = {o.kind: o for o in codebook_train(codebook=hcat, now=TRAINED_AT, seed=seed)}
    sentiment = outcomes[ModelKind.SENTIMENT].version
    assert sentiment is not None
    assert sentiment.promoted
    assert all(k.startswith("seed:") for k in sentiment.training_keys)
    model = model_load(sentiment)
    assert isinstance(model, themes.SingleLabelModel)
    assert model.predict(["great care"]) == ["5"]


def test_the_sweep_retrains_after_enough_corrections(
    hcat: Codebook, coded_cases: CodedCases, advocate_x: User, settings: Any
) -> None:
    settings.CARELOOP_TEXT_RETRAIN_AFTER = 3
    cases = coded_cases()
    codebook_train(codebook=hcat, now=TRAINED_AT, kinds=[ModelKind.THEME])
    at = TRAINED_AT + timedelta(hours=1)
    for case in cases[:2]:
        coding_correct(
            actor=advocate_x,
            codebook=hcat,
            case=case,
            labels=["communication"],
            severity=1,
            harm=None,
            sentiment=None,
            now=at,
        )
    assert text_sweep(now=at)[1] == 0
    coding_correct(
        actor=advocate_x,
        codebook=hcat,
        case=cases[2],
        labels=["communication"],
        severity=1,
        harm=None,
        sentiment=None,
        now=at,
    )
    assert text_sweep(now=at)[1] == 1
    latest = ModelVersion.objects.filter(codebook=hcat).order_by("-id").first()
    assert latest is not None
    assert latest.corrections_seen == 3
    hcat.refresh_from_db()
    assert hcat.training_claimed_at == at
    assert text_sweep(now=at)[1] == 0


def test_the_schedule_retrains_a_week_later_only_when_examples_changed(
    hcat: Codebook, coded_cases: CodedCases, advocate_x: User
) -> None:
    cases = coded_cases()
    codebook_train(codebook=hcat, now=TRAINED_AT, kinds=[ModelKind.THEME])
    week = TRAINED_AT + timedelta(days=8)
    assert text_sweep(now=week)[1] == 0  # nothing new since the last model
    coding_correct(
        actor=advocate_x,
        codebook=hcat,
        case=cases[0],
        labels=["communication"],
        severity=1,
        harm=None,
        sentiment=None,
        now=week,
    )
    assert text_sweep(now=week + timedelta(minutes=5))[1] == 0  # claimed within the hour
    assert text_sweep(now=week + timedelta(hours=1))[1] == 1
