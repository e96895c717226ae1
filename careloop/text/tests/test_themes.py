"""Tests for careloop.text.themes on a small synthetic fixture (no shared data needed)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from careloop.text import themes, themes_data
from careloop.text.themes_features import MAX_CHARS, normalise_text

FIXTURE = Path(__file__).parent / "fixtures" / "themes_small.csv"
LABELS = ["Staff attitude", "Waiting time", "Food", "Cleanliness"]


@pytest.fixture(scope="module")
def data() -> themes_data.MultiLabelData:
    return themes_data.load_multilabel_csv(FIXTURE)


@pytest.fixture(scope="module")
def split(data: themes_data.MultiLabelData) -> tuple[list[int], list[int]]:
    return themes_data.iterative_stratified_split(data.label_sets, 0.25, seed=42)


@pytest.fixture(scope="module")
def model(
    data: themes_data.MultiLabelData, split: tuple[list[int], list[int]]
) -> themes.ThemeModel:
    train_idx, _ = split
    return themes.train(
        [data.texts[i] for i in train_idx],
        [data.label_sets[i] for i in train_idx],
        data.label_names,
        themes.ModelConfig(C=1.0),
    )


def test_loader_counts_junk_rows_without_crashing(data: themes_data.MultiLabelData) -> None:
    report = data.report
    assert data.label_names == LABELS
    assert report.rows_read == 120
    assert report.rows_kept == 119  # J2 has empty text
    assert report.problems["empty text (row dropped)"] == 1
    assert report.problems["bad sentiment (set blank)"] == 2  # "7" and "NA"
    assert report.problems["bad date (set blank)"] == 1  # 31/02 (J2 dropped first)
    assert report.problems["bad one-hot cell in 'Waiting time' (treated as 0)"] == 1
    by_id = {r.row_id: r for r in data.rows}
    assert by_id["J1"].sentiment is None
    assert by_id["J1"].date is None
    assert by_id["J3"].labels == frozenset({"Cleanliness"})
    assert by_id["J4"].labels == frozenset()
    assert by_id["S001"].date == dt.date(2023, 2, 2)
    assert "bad sentiment" in report.summary()


def test_parse_date_and_int_helpers() -> None:
    assert themes_data.parse_date("30/09/2021") == dt.date(2021, 9, 30)
    assert themes_data.parse_date("10/17/2021") is None
    assert themes_data.parse_date("10/17/2021", month_first=True) == dt.date(2021, 10, 17)
    assert themes_data.parse_date("2021-09-30") == dt.date(2021, 9, 30)
    assert themes_data.parse_date("yesterday") is None
    assert themes_data.parse_date("1/2") is None
    assert themes_data.parse_int_in_range("3.0", 1, 5) == 3
    assert themes_data.parse_int_in_range("3.5", 1, 5) is None
    assert themes_data.parse_int_in_range("-o", -5, 5) is None
    assert themes_data.parse_int_in_range("-9", -5, 5) is None


def test_single_label_loader_reports_bad_criticality(tmp_path: Path) -> None:
    path = tmp_path / "single.csv"
    path.write_text(
        "code,label,subcategory,feedback,criticality,organization,question,row_index\n"
        "xn,Staff,s,Lovely staff,3,T,q,0\n"
        "xn,Staff,s,Kind nurse,-o,T,q,1\n"
        "xn,Food,s,Cold food,NA,T,q,2\n"
        "xn,Food,s,,2,T,q,3\n"
        "xn,,s,No label here,2,T,q,4\n"
        "xn,Food,s,Salty soup,-9,T,q,5\n",
        encoding="utf-8",
    )
    loaded = themes_data.load_singlelabel_csv(path)
    assert loaded.report.rows_read == 6
    assert loaded.labels == ["Staff", "Staff", "Food", "Food"]
    assert [r.criticality for r in loaded.rows] == [3, None, None, None]
    assert loaded.report.problems["bad criticality (set blank)"] == 3
    assert loaded.report.problems["empty text (row dropped)"] == 1
    assert loaded.report.problems["empty label (row dropped)"] == 1


def test_loader_rejects_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Comment sentiment"):
        themes_data.load_multilabel_csv(path)
    with pytest.raises(ValueError, match="missing columns"):
        themes_data.load_singlelabel_csv(path)


def test_iterative_split_is_disjoint_stratified_and_seeded(
    data: themes_data.MultiLabelData,
) -> None:
    train_idx, test_idx = themes_data.iterative_stratified_split(data.label_sets, 0.25, 42)
    assert set(train_idx).isdisjoint(test_idx)
    assert sorted(train_idx + test_idx) == list(range(len(data.rows)))
    assert abs(len(test_idx) - 0.25 * len(data.rows)) <= 2
    for label in LABELS:
        total = sum(label in s for s in data.label_sets)
        in_test = sum(label in data.label_sets[i] for i in test_idx)
        assert abs(in_test - total / 4) <= 1.5
    again = themes_data.iterative_stratified_split(data.label_sets, 0.25, 42)
    assert again == (train_idx, test_idx)
    with pytest.raises(ValueError, match="test_fraction"):
        themes_data.iterative_stratified_split(data.label_sets, 1.5, 42)


def test_training_learns_the_fixture(
    model: themes.ThemeModel,
    data: themes_data.MultiLabelData,
    split: tuple[list[int], list[int]],
) -> None:
    _, test_idx = split
    report = themes.evaluate(
        model, [data.texts[i] for i in test_idx], [data.label_sets[i] for i in test_idx]
    )
    assert report.labels_in_macro == 4
    assert report.macro_f1 >= 0.8
    assert report.micro_f1 >= 0.8
    assert {s.label for s in report.per_label} == set(LABELS)
    assert sum(s.support for s in report.per_label) == sum(
        len(data.label_sets[i]) for i in test_idx
    )
    assert "macro-F1" in report.format()


def test_suggest_returns_codes_with_confidence_in_unit_interval(
    model: themes.ThemeModel,
) -> None:
    out = model.suggest(
        [
            "The meals were cold and bland and the toilets were dirty and smelly.",
            "We waited four hours to be seen and the receptionist was rude.",
        ]
    )
    assert len(out) == 2
    for row in out:
        assert row
        assert all(s.code in LABELS for s in row)
        assert all(0.0 <= s.confidence <= 1.0 for s in row)
        confidences = [s.confidence for s in row]
        assert confidences == sorted(confidences, reverse=True)
    assert {"Food", "Cleanliness"} <= {s.code for s in out[0]}


def test_at_least_one_falls_back_to_the_best_theme(model: themes.ThemeModel) -> None:
    text = "Quarterly tractor statistics from Norway."
    scores = model.decision_scores([text])[0]
    assert (scores < model.thresholds).all()  # nothing clears its threshold
    assert model.suggest([text]) == [[]]
    eager = copy.deepcopy(model)
    eager.config = dataclasses.replace(model.config, at_least_one=True)
    fallback = eager.suggest([text, ""])
    assert len(fallback[0]) == 1
    assert fallback[0][0].code == model.label_names[int(np.argmax(scores - model.thresholds))]
    assert fallback[1] == []


def test_bad_inputs_give_no_suggestion_or_truncation(model: themes.ThemeModel) -> None:
    huge = "the toilets were dirty " * (MAX_CHARS // 10)
    bad: list[Any] = ["", "   \n\t", "😀😀🙏", "!!! ???", None, 42]
    out = model.suggest([*bad, huge])
    assert out[: len(bad)] == [[] for _ in bad]
    assert out[-1]
    assert out[-1][0].code == "Cleanliness"
    truncated = normalise_text(huge)
    assert truncated is not None
    assert len(truncated) <= MAX_CHARS
    assert model.suggest([]) == []
    assert model.predict(["😀"]) == [frozenset()]
    assert np.isinf(model.decision_scores([""])).all()


def test_unsupported_script_or_language_gives_no_suggestion(
    model: themes.ThemeModel, data: themes_data.MultiLabelData
) -> None:
    # Texts the model never saw the script of would otherwise get its prior themes.
    foreign = [
        "护士很好 食物很冷",
        "الطعام كان باردا",
        "Le personnel était très gentil et le repas froid",
    ]
    assert model.suggest(foreign) == [[], [], []]
    assert np.isinf(model.decision_scores(foreign)).all()
    assert model.suggest(["The soup was cold"])[0]
    single = themes.train_single(data.texts, [str(r.sentiment or 3) for r in data.rows])
    assert single.predict(foreign) == [None, None, None]
    assert not single.predict_proba(foreign).any()


def test_thresholds_are_tuned_on_training_rows_only(
    monkeypatch: pytest.MonkeyPatch,
    data: themes_data.MultiLabelData,
    split: tuple[list[int], list[int]],
) -> None:
    # By design train() has no parameter through which evaluation data could arrive.
    params = set(inspect.signature(themes.train).parameters)
    assert params == {"texts", "label_sets", "label_names", "config"}

    train_idx, test_idx = split
    seen: list[str] = []
    tuned_rows: list[int] = []
    real_scores = themes._tuning_scores
    real_tune = themes.tune_thresholds

    def spy_scores(texts: Sequence[str], *args: Any) -> Any:
        seen.extend(texts)
        return real_scores(texts, *args)

    def spy_tune(scores: Any, y: Any) -> Any:
        tuned_rows.append(int(y.shape[0]))
        return real_tune(scores, y)

    monkeypatch.setattr(themes, "_tuning_scores", spy_scores)
    monkeypatch.setattr(themes, "tune_thresholds", spy_tune)
    train_texts = [data.texts[i] for i in train_idx]
    held_out = {data.texts[i] for i in test_idx} - set(train_texts)
    themes.train(train_texts, [data.label_sets[i] for i in train_idx], data.label_names)
    assert seen
    assert set(seen) <= set(train_texts)
    assert held_out
    assert held_out.isdisjoint(seen)
    assert tuned_rows == [len(train_texts)]


def test_tune_thresholds_picks_the_f1_optimal_cut() -> None:
    scores = np.array([[3.0], [2.0], [1.0], [0.0], [-1.0]], dtype=np.float32)
    y = np.array([[True], [True], [False], [True], [False]])
    thresholds, platt = themes.tune_thresholds(scores, y)
    # Cutting at -0.5 keeps all three positives with one false positive: F1 = 6/7.
    assert thresholds[0] == pytest.approx(-0.5)
    assert platt[0, 0] > 0


def test_rare_labels_are_never_suggested() -> None:
    texts = [f"kind nurse number {i}" for i in range(10)] + ["parking was awful"]
    label_sets = [{"Staff"} for _ in range(10)] + [{"Parking"}]
    texts += [f"cold food {i}" for i in range(10)]
    label_sets += [{"Food"} for _ in range(10)]
    model = themes.train(texts, label_sets)
    assert model.untrained_labels == ["Parking"]
    assert all(s.code != "Parking" for s in model.suggest(["parking was awful"])[0])


def test_train_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        themes.train(["a"], [])
    with pytest.raises(ValueError, match="usable texts"):
        themes.train(["", "😀"], [{"A"}, {"B"}])
    with pytest.raises(ValueError, match="unknown label"):
        themes.train(["x"] * 10, [{"A"}] * 10, label_names=["B"])
    with pytest.raises(ValueError, match="unknown estimator"):
        themes.train(
            [f"t {i}" for i in range(10)],
            [{"A"} if i % 2 else {"B"} for i in range(10)],
            config=themes.ModelConfig(estimator="forest"),
        )


def test_save_load_round_trip_gives_identical_predictions(
    model: themes.ThemeModel, data: themes_data.MultiLabelData, tmp_path: Path
) -> None:
    path = tmp_path / "themes.joblib"
    themes.save(model, path)
    loaded = themes.load(path)
    assert isinstance(loaded, themes.ThemeModel)
    np.testing.assert_array_equal(
        loaded.decision_scores(data.texts), model.decision_scores(data.texts)
    )
    assert loaded.suggest(data.texts) == model.suggest(data.texts)
    other = tmp_path / "other.joblib"
    import joblib

    joblib.dump({"format": "something else"}, other)
    with pytest.raises(ValueError, match="not a careloop themes model"):
        themes.load(other)


def test_single_label_model_and_report(data: themes_data.MultiLabelData, tmp_path: Path) -> None:
    rows = [r for r in data.rows if len(r.labels) == 1]
    texts = [r.text for r in rows]
    labels = [next(iter(r.labels)) for r in rows]
    model = themes.train_single(texts, labels)
    report = themes.evaluate_single(model, texts, labels)
    assert report.accuracy is not None
    assert report.accuracy >= 0.9
    assert report.macro_f1 >= 0.9
    proba = model.predict_proba(["cold meals", ""])
    assert proba[0].sum() == pytest.approx(1.0, abs=1e-5)
    assert not proba[1].any()
    assert model.predict(["", "cold meals"])[0] is None
    themes.save(model, tmp_path / "single.joblib")
    loaded = themes.load(tmp_path / "single.joblib")
    assert isinstance(loaded, themes.SingleLabelModel)
    assert loaded.predict(texts) == model.predict(texts)


def test_logistic_estimator_trains_and_suggests(
    data: themes_data.MultiLabelData, split: tuple[list[int], list[int]]
) -> None:
    train_idx, test_idx = split
    model = themes.train(
        [data.texts[i] for i in train_idx],
        [data.label_sets[i] for i in train_idx],
        data.label_names,
        themes.ModelConfig(estimator="logreg", C=5.0),
    )
    report = themes.evaluate(
        model, [data.texts[i] for i in test_idx], [data.label_sets[i] for i in test_idx]
    )
    assert report.macro_f1 >= 0.7
    suggestions = model.suggest(["Bed sheets were stained."])[0]
    assert suggestions
    assert all(0.0 <= s.confidence <= 1.0 for s in suggestions)


def test_default_estimator_is_nbsvm_folded_into_one_weight_matrix(
    model: themes.ThemeModel, data: themes_data.MultiLabelData
) -> None:
    assert model.config.estimator == "nbsvm"
    # The naive-Bayes ratios are folded into the weights: scores are one linear map.
    rows = data.texts[:20]
    usable = [t for t in rows if normalise_text(t) is not None]
    expected = model.features.transform(usable) @ model.weights + model.bias
    np.testing.assert_allclose(model.decision_scores(usable), expected, rtol=1e-5, atol=1e-5)
    assert model.weights.shape == (model.features.n_features, len(model.label_names))


def test_plain_svc_estimator_still_trains_and_differs_from_nbsvm(
    data: themes_data.MultiLabelData,
    split: tuple[list[int], list[int]],
    model: themes.ThemeModel,
) -> None:
    train_idx, test_idx = split
    svc = themes.train(
        [data.texts[i] for i in train_idx],
        [data.label_sets[i] for i in train_idx],
        data.label_names,
        themes.ModelConfig(estimator="svc", C=0.5),
    )
    report = themes.evaluate(
        svc, [data.texts[i] for i in test_idx], [data.label_sets[i] for i in test_idx]
    )
    assert report.macro_f1 >= 0.7
    assert not np.allclose(svc.weights, model.weights)


def test_nbsvm_beta_one_keeps_fitted_weights_and_zero_gives_pure_ratios() -> None:
    texts = [f"cold food {i}" for i in range(8)] + [f"rude nurse {i}" for i in range(8)]
    labels = [{"Food"}] * 8 + [{"Staff"}] * 8
    pure = themes.train(texts, labels, config=themes.ModelConfig(nb_beta=0.0))
    # With beta = 0 every label's weights are proportional to its log-count ratios.
    col = pure.weights[:, pure.label_names.index("Food")]
    assert pure.features.n_features > 0
    food = pure.features.transform(["cold food"]) @ pure.weights + pure.bias
    staff = pure.features.transform(["rude nurse"]) @ pure.weights + pure.bias
    j = pure.label_names.index("Food")
    assert food[0, j] > staff[0, j]
    assert np.count_nonzero(col) > 0
    fitted = themes.train(texts, labels, config=themes.ModelConfig(nb_beta=1.0))
    assert not np.allclose(fitted.weights, pure.weights)
