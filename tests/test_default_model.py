"""The shipped model: loads safely, describes itself, is reproducible, and drives `analyze`."""

import json

import numpy as np
import pandas as pd
import pytest

from analyzer import analyze, load_model
from analyzer.codebook import REASONS
from analyzer.train import fit_model, load_labelled
from conftest import REPO

DEFAULT = REPO / "models" / "default"


@pytest.fixture(scope="module")
def default_model():
    return load_model(DEFAULT)


def test_card_describes_the_model(default_model):
    card = json.loads((DEFAULT / "card.json").read_text())
    assert card["labels"] == sorted(REASONS) == default_model.labels
    assert set(card["definitions"]) == set(REASONS) and all(card["definitions"].values())
    assert card["training_data"]["rows"] == len(pd.read_csv(REPO / "data" / "corpus.csv"))
    assert 0.6 < card["cross_validation"]["micro_f1"] < 1
    assert "analyze train data/corpus.csv --out models/default" in card["command"]
    assert (DEFAULT / "model.skops").stat().st_size < 8_000_000  # small enough for git
    # The codebook's "general praise only when no specific driver is given" was learned from the corpus.
    assert ["general_praise", "good_support"] in card["decision_rules"]["exclusive_pairs"]
    assert "Decision rules" in (DEFAULT / "card.md").read_text()


def test_retraining_reproduces_the_shipped_model(default_model):
    """The one documented command rebuilds the same model: same corpus hash, same predictions."""
    data = load_labelled(REPO / "data" / "corpus.csv")
    card = json.loads((DEFAULT / "card.json").read_text())
    assert data.sha256 == card["training_data"]["sha256"], "corpus changed: retrain models/default"
    retrained = fit_model(data, name="default")
    probe = pd.read_csv(REPO / "data" / "example_export.csv", dtype=str, keep_default_na=False)
    texts = probe.iloc[:, 4].tolist() + data.frame["text"].sample(200, random_state=1).tolist()
    scores = np.r_[pd.to_numeric(probe.iloc[:, 3], errors="coerce"), np.full(200, 5.0)]
    assert retrained.predict(texts, scores) == default_model.predict(texts, scores)
    np.testing.assert_allclose(retrained.predict_proba(texts, scores), default_model.predict_proba(texts, scores),
                               atol=1e-12)


def test_reasons_read_like_the_codebook(default_model):
    got = default_model.predict([
        "Engineer never turned up and I'm still waiting to be connected",
        "You activated the wrong package and charged me for channels I never ordered",
        "Nobody showed me how to use the app, had to work it out myself",
        "Quick and easy to set up, works perfectly",
        "10",
    ], [0, 2, 5, 10, 10])
    assert "delay" in got[0]
    assert "misconfiguration" in got[1]
    assert "lack_of_training" in got[2]
    assert {"easy_process", "works_well"} <= set(got[3])
    assert got[4] == []
    praised = default_model.predict(["Great service, the lady on the phone was so helpful and patient"], [10])
    assert "good_support" in praised[0] and "general_praise" not in praised[0]


def test_analyze_adds_reasons_per_segment(shared_telecom, tmp_path):
    result = analyze(shared_telecom / "comments.csv")
    assert result.labels == sorted(REASONS)
    responses = result.responses
    assert {"reasons", "language"} <= set(responses.columns)
    assert all(f"p_{r}" in responses for r in REASONS)
    reasons = result.reasons.set_index(["reason", "segment"])
    # delay is the top detractor reason in this onboarding survey, and rarer among promoters
    assert reasons.loc[("delay", "detractor"), "share"] > 2 * reasons.loc[("delay", "promoter"), "share"]
    summary = result.summary()
    rows = [r for r in summary["reasons"] if r["segment"] == "all" and r["reason"] == "no_comment"]
    assert rows and rows[0]["n"] == int((responses["text"].str.strip() == "").sum())
