"""scripts/industry_holdout.py: each industry is scored by a model that never saw it."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("industry_holdout", REPO / "scripts" / "industry_holdout.py")
industry_holdout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(industry_holdout)


@pytest.fixture(scope="module")
def small_corpus():
    corpus = pd.read_csv(REPO / "data" / "corpus.csv", keep_default_na=False)
    parts = [corpus[corpus.industry == name].head(400) for name in ("telecom", "insurance", "healthcare")]
    return pd.concat(parts, ignore_index=True)


def test_held_out_industry_is_scored_on_its_own_rows(small_corpus):
    (group, rows, report), = industry_holdout.holdout_scores(small_corpus, only=["healthcare"])
    assert group == "healthcare"
    assert rows == report["n"] == (small_corpus.industry == "healthcare").sum()
    # Trained on two other industries only, yet far better than nothing.
    assert 0.3 < report["micro_f1"] < 1.0
    low, high = report["micro_f1_ci"]
    assert low <= report["micro_f1"] <= high


def test_unknown_group_or_column_is_refused(small_corpus):
    with pytest.raises(SystemExit, match="no rows with industry = 'shipping'"):
        list(industry_holdout.holdout_scores(small_corpus, only=["shipping"]))
    with pytest.raises(SystemExit, match="no column 'sector'"):
        list(industry_holdout.holdout_scores(small_corpus, group_col="sector"))
