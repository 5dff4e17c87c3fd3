import json
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest

from analyzer import analyze
from analyzer.errors import ModelError
from analyzer.model import ReasonModel, load_model, save_model
from analyzer.train import make_pipeline

TEXTS = ["engineer never came, still waiting", "waited weeks for install", "staff were so helpful",
         "lovely helpful agent", "router broken again", "internet keeps dropping"]


@pytest.fixture(scope="module")
def small_model():
    X = pd.DataFrame({"text": TEXTS * 6, "score": [2, 3, 10, 9, 1, 2] * 6})
    Y = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]] * 6)
    pipe = make_pipeline(classifier__cv=2, features__min_df=1).fit(X, Y)
    return ReasonModel(pipe, ["delay", "good_support", "product_failure"],
                       card={"name": "toy", "labels": ["delay", "good_support", "product_failure"]},
                       name="toy")


def test_round_trip_predicts_identically(small_model, tmp_path):
    folder = save_model(small_model, tmp_path / "m")
    assert {p.name for p in folder.iterdir()} == {"model.skops", "card.json", "card.md"}
    loaded = load_model(folder)
    a = small_model.predict_proba(TEXTS, [1, 2, 10, 9, 0, 3])
    b = loaded.predict_proba(TEXTS, [1, 2, 10, 9, 0, 3])
    pd.testing.assert_frame_equal(a, b)
    card = json.loads((folder / "card.json").read_text())
    assert card["labels"] == small_model.labels and "scikit-learn" in card["versions"]


def test_model_in_analyze(small_model, write):
    path = write("e.csv", "id,score,comment\n1,2,Engineer never came\n2,10,so helpful\n3,5,\n")
    result = analyze(path, model=small_model)
    assert "p_delay" in result.responses and "reasons" in result.responses
    assert result.responses.set_index("id").loc["1", "reasons"] == "delay"
    assert result.responses.set_index("id").loc["3", "reasons"] == ""  # no comment, no reason
    reasons = result.summary()["reasons"]
    assert {"reason", "segment", "n", "share"} <= set(reasons[0])
    no_comment = [r for r in reasons if r["reason"] == "no_comment" and r["segment"] == "all"][0]
    assert no_comment["n"] == 1


def test_pickle_is_refused(small_model, tmp_path):
    folder = save_model(small_model, tmp_path / "m")
    (folder / "model.skops").write_bytes(pickle.dumps({"evil": 1}))
    with pytest.raises(ModelError, match="pickle"):
        load_model(folder)


def test_truncated_archive_is_refused(small_model, tmp_path):
    folder = save_model(small_model, tmp_path / "m")
    data = (folder / "model.skops").read_bytes()
    (folder / "model.skops").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="refused"):
        load_model(folder)


def test_unexpected_type_is_refused(tmp_path, small_model):
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier

    folder = save_model(small_model, tmp_path / "m")
    (folder / "model.skops").write_bytes(sio.dumps({"x": RandomForestClassifier()}))
    with pytest.raises(ModelError, match="never holds"):
        load_model(folder)


def test_incompatible_version_says_how_to_retrain(small_model, tmp_path):
    folder = save_model(small_model, tmp_path / "m")
    card = json.loads((folder / "card.json").read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="analyze train"):
        load_model(folder)


def test_model_of_an_older_format_says_how_to_retrain(small_model, tmp_path):
    # Format 1 models had three score features; today's featurizer makes fourteen.
    folder = save_model(small_model, tmp_path / "m")
    card = json.loads((folder / "card.json").read_text())
    card["format_version"] = 1
    card["versions"]["analyzer_format"] = "1"
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="format 1.*analyze train"):
        load_model(folder)


def test_missing_card_is_refused(small_model, tmp_path):
    folder = save_model(small_model, tmp_path / "m")
    (folder / "card.json").unlink()
    with pytest.raises(ModelError, match="card"):
        load_model(folder)
    assert zipfile.is_zipfile(folder / "model.skops")


def test_saving_leaves_the_model_in_memory_intact(small_model, tmp_path):
    import pickle

    texts = ["still waiting", "so helpful", "broken again"]
    before = small_model.predict_proba(texts, [1, 10, 2])
    save_model(small_model, tmp_path / "m")
    featurizer = pickle.loads(pickle.dumps(small_model.pipeline[0]))
    assert featurizer.word_vectorizer_.vocabulary_ == small_model.pipeline[0].word_vectorizer_.vocabulary_
    pd.testing.assert_frame_equal(small_model.predict_proba(texts, [1, 10, 2]), before)


def test_model_file_of_another_model_is_refused(small_model, tmp_path):
    # Labels and thresholds in a card describe one model file; beside another they would mislabel.
    folder = save_model(small_model, tmp_path / "m")
    import copy

    pipeline = copy.deepcopy(small_model.pipeline)
    pipeline[-1].thresholds_ = pipeline[-1].thresholds_ + 0.01
    other_folder = save_model(ReasonModel(pipeline, ["slow", "kind", "broken"], name="other"), tmp_path / "o")
    (folder / "model.skops").write_bytes((other_folder / "model.skops").read_bytes())
    with pytest.raises(ModelError, match="different models.*copy the whole model folder"):
        load_model(folder)


def test_card_without_the_model_hash_says_how_to_retrain(small_model, tmp_path):
    folder = save_model(small_model, tmp_path / "m")
    card = json.loads((folder / "card.json").read_text())
    assert len(card["model_sha256"]) == 64
    del card["model_sha256"]
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="older version.*analyze train"):
        load_model(folder)


def test_model_folder_named_like_a_skops_file_loads(small_model, tmp_path):
    folder = save_model(small_model, tmp_path / "mdl.skops")
    assert folder.is_dir()
    scores = [2, 3, 10, 9, 1, 2]
    assert load_model(folder).predict(TEXTS, scores) == small_model.predict(TEXTS, scores)
    assert load_model(folder / "model.skops").labels == small_model.labels  # the file itself still works
