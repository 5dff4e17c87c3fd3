"""Training and evaluation at the edges: absent labels, one-label taxonomies, what gets scored,
weightless rows, reserved ids, an existing --out, and the labelled file's columns and values."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import Pipeline
from typer.testing import CliRunner

from analyzer import load_model
from analyzer.cli import app
from analyzer.errors import InputError, OutputError
from analyzer.features import TextFeaturizer
from analyzer.model import ReasonModel
from analyzer.train import (cross_validate, evaluate, f1_intervals, fit_model, load_labelled,
                            make_pipeline, metrics_report, render_report, train)
from test_train_cli import ROWS, write_labelled

runner = CliRunner()


def _rendered(report) -> str:
    console = Console(file=io.StringIO(), width=120)
    render_report(report, console)
    return console.file.getvalue()


# 1. A label nobody has and nobody is given has no F1: it is not a 0 in the averages.

def test_label_absent_from_the_scored_rows_is_undefined_not_zero():
    truth = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 1, 0]] * 10)
    report = metrics_report(truth, truth, ["a", "b", "c"], np.array([10, 2, 2, 2] * 10, float))
    assert report["micro_f1"] == 1.0 and report["macro_f1"] == 1.0
    assert report["macro_f1_ci"] == [1.0, 1.0]
    absent = report["per_label"][2]
    assert absent["f1"] is None and absent["precision"] is None and absent["f1_ci"] is None
    assert absent["support"] == 0
    # Promoters never have "b": perfect predictions still score 1 in that segment, not 0.
    assert [(r["segment"], r["micro_f1"], r["macro_f1"]) for r in report["by_segment"]] == [
        ("promoter", 1.0, 1.0), ("detractor", 1.0, 1.0)]
    shown = _rendered(report)
    assert "n/a" in shown and "0.000" not in shown
    json.dumps(report, allow_nan=False)  # undefined is null, never NaN, in --json


def test_nothing_true_and_nothing_predicted_has_no_micro_f1():
    empty = np.zeros((5, 2), dtype=int)
    report = metrics_report(empty, empty, ["a", "b"])
    assert report["micro_f1"] is None and report["macro_f1"] is None
    assert report["micro_f1_ci"] is None and "n/a" in _rendered(report)


def test_bootstrap_leaves_a_label_out_of_the_draws_that_miss_it():
    # "c" is on one comment of 60, found: draws without that comment must not count it as F1 0.
    truth = np.zeros((60, 3), dtype=bool)
    truth[::2, 0], truth[1::2, 1], truth[0, 2] = True, True, True
    ci = f1_intervals(truth, truth)
    assert ci["macro_f1"] == [1.0, 1.0] and ci["per_label"][2] == [1.0, 1.0]


# 2. One label.

def test_a_one_label_taxonomy_trains_evaluates_and_analyses(tmp_path):
    rows = [(text, score, "slow" if "slow" in reasons.split(";") else "") for text, score, reasons in ROWS]
    labelled = write_labelled(tmp_path / "one.csv", rows * 2)
    out = tmp_path / "model"
    res = runner.invoke(app, ["train", str(labelled), "--out", str(out), "--folds", "3"])
    assert res.exit_code == 0, res.output
    model = load_model(out)
    assert model.labels == ["slow"] and list(model.thresholds) == ["slow"]
    texts = ["still waiting for the engineer", "lovely helpful staff"]
    proba = model.predict_proba(texts, [2, 10])
    assert list(proba.columns) == ["slow"] and proba["slow"].iloc[0] > proba["slow"].iloc[1]
    assert model.predict(texts, [2, 10]) == [["slow"], []]
    res = runner.invoke(app, ["evaluate", str(labelled), "--model", str(out)])
    assert res.exit_code == 0 and "slow" in res.output, res.output
    export = tmp_path / "export.csv"
    export.write_text("id,score,comment\n1,2,still waiting for my refund\n2,10,such kind staff\n3,5,\n")
    res = runner.invoke(app, ["run", str(export), "--model", str(out), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    responses = pd.read_csv(tmp_path / "o" / "responses.csv", dtype=str, keep_default_na=False)
    assert responses["reasons"].tolist() == ["slow", "", ""]


def test_a_one_label_file_where_every_row_has_it_is_refused(tmp_path):
    labelled = write_labelled(tmp_path / "all.csv", [(t, s, "slow") for t, s, _ in ROWS])
    res = runner.invoke(app, ["train", str(labelled), "--out", str(tmp_path / "m"), "--folds", "3"])
    assert res.exit_code == 2 and "'slow'" in res.output and "Traceback" not in res.output


# 3. Evaluation and CV score what `analyze` decides: no reasons for empty or non-English comments.

class _AlwaysBoth(ClassifierMixin, BaseEstimator):
    """Gives every label to every comment, so any comment that is scored at all gets reasons."""

    def fit(self, X, Y, sample_weight=None):
        self.n_labels_ = Y.shape[1]
        return self

    def predict_proba(self, X):
        return np.ones((X.shape[0], self.n_labels_))

    def decide(self, proba):
        return proba >= 0.5

    def predict(self, X):
        return np.ones((X.shape[0], self.n_labels_), dtype=int)


GERMAN = "Der Techniker ist nie gekommen und ich warte seit Wochen auf meinen Anschluss"


def _both_or_nothing():
    english = ["engineer late and the box was faulty", "refund late and the app crashes",
               "still waiting and nothing works", "slow delivery and broken router"]
    rows = [(t, 3, "broken;slow") for t in english] * 6 + [("", 5, ""), (GERMAN, 4, "")] * 6
    return pd.DataFrame(rows, columns=["text", "score", "reasons"])


def _always_both():
    return Pipeline([("features", TextFeaturizer(min_df=1)), ("classifier", _AlwaysBoth())])


def test_evaluate_scores_the_reasons_analyze_gives():
    frame = _both_or_nothing()
    model = ReasonModel(_always_both().fit(frame, np.ones((len(frame), 2), dtype=int)), ["broken", "slow"])
    report = evaluate(frame, model=model)
    assert report["micro_f1"] == 1.0
    assert [row["precision"] for row in report["per_label"]] == [1.0, 1.0]


def test_cross_validation_scores_the_reasons_analyze_gives():
    report = cross_validate(load_labelled(_both_or_nothing()), 3, _always_both())
    assert report["micro_f1"] == 1.0


# 4. A row of weight 0 changes nothing, features included.

def test_weightless_rows_leave_the_trained_model_unchanged():
    frame = pd.DataFrame([(t, s, r) for t, s, r in ROWS * 2], columns=["text", "score", "reasons"])
    noise = pd.DataFrame({"text": ["zebra quokka marmalade", "utterly unrelated words here"] * 5,
                          "score": [0, 10] * 5, "reasons": ["kind", "broken;slow"] * 5})
    plain = fit_model(load_labelled(frame), pipeline=make_pipeline(classifier__n_jobs=1))
    weighted = fit_model(load_labelled(pd.concat([frame.assign(weight=1.0), noise.assign(weight=0.0)])),
                         pipeline=make_pipeline(classifier__n_jobs=1))
    assert weighted.pipeline[0].word_vectorizer_.vocabulary_ == plain.pipeline[0].word_vectorizer_.vocabulary_
    texts = ["zebra quokka marmalade", "still waiting", "kind staff"]
    pd.testing.assert_frame_equal(weighted.predict_proba(texts, [0, 2, 10]),
                                  plain.predict_proba(texts, [0, 2, 10]))
    assert weighted.thresholds == plain.thresholds


# 5. Reserved ids.

@pytest.mark.parametrize("reserved", ["no_reason", "no_comment"])
def test_reserved_reason_ids_are_refused(reserved):
    frame = pd.DataFrame({"text": ["late", "broken"], "reasons": ["slow", f"broken;{reserved}"]})
    with pytest.raises(InputError, match=reserved) as err:
        load_labelled(frame)
    assert err.value.column == "reasons" and err.value.row is not None


# 6. An existing --out is refused before any training.

def test_existing_out_is_refused_before_training(tmp_path, monkeypatch):
    labelled = write_labelled(tmp_path / "mine.csv", ROWS * 2)
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("previous model")

    def no_training(*args, **kwargs):
        raise AssertionError("trained before refusing the output folder")

    monkeypatch.setattr("analyzer.train.cross_validate", no_training)
    monkeypatch.setattr("analyzer.train.fit_model", no_training)
    with pytest.raises(OutputError, match="output folder exists and is not empty; pass --force"):
        train(labelled, out=out, folds=3)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


# 9. Weights, scores and column names of the labelled file.

@pytest.mark.parametrize("bad, shown", [("inf", "'inf'"), ("", "''"), ("heavy", "'heavy'"), ("-1", "'-1'")])
def test_bad_weights_are_refused_with_their_row(tmp_path, bad, shown):
    lines = ["text,reasons,weight"] + [f"comment {i},slow,1.0" for i in range(5)]
    lines[4] = f"comment 3,slow,{bad}"  # spreadsheet row 5
    path = tmp_path / "w.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=f"weights must be numbers >= 0.*{shown}") as err:
        load_labelled(path)
    assert err.value.row == 5 and err.value.column == "weight"


def test_infinite_weight_exits_2_without_a_traceback(tmp_path):
    rows = [f'"{t}",{s},{r},1' for t, s, r in ROWS * 2]
    rows[3] = rows[3][:-1] + "inf"
    path = tmp_path / "w.csv"
    path.write_text("text,score,reasons,weight\n" + "\n".join(rows) + "\n")
    res = runner.invoke(app, ["train", str(path), "--out", str(tmp_path / "m"), "--folds", "3"])
    assert res.exit_code == 2 and "row 5" in res.output and "Traceback" not in res.output, res.output


def test_missing_score_spellings_count_as_no_score_and_bad_scores_are_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("text,reasons,score\nlate,slow,N/A\nbroken,broken,n/a\nkind,kind,-\nok,,\nslow,slow,7\n")
    data = load_labelled(path)
    assert data.frame["score"].isna().tolist() == [True, True, True, True, False]
    path.write_text("text,reasons,score\nlate,slow,3\nbroken,broken,eleven\n")
    with pytest.raises(InputError, match="eleven") as err:
        load_labelled(path)
    assert err.value.row == 3


def test_column_names_match_regardless_of_case(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Text,REASONS,Score,Weight\nstill waiting,slow,2,1\nlovely staff,kind,10,2\n")
    data = load_labelled(path)
    assert data.labels == ["kind", "slow"]
    assert data.frame["text"].tolist() == ["still waiting", "lovely staff"]
    assert data.frame["score"].tolist() == [2.0, 10.0] and data.weights.tolist() == [1.0, 2.0]
