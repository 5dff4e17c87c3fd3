"""scripts/industry_holdout.py: each industry is scored by a model that never saw it."""

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from analyzer.errors import InputError

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("industry_holdout", REPO / "scripts" / "industry_holdout.py")
industry_holdout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(industry_holdout)


@pytest.fixture(scope="module")
def small_corpus():
    corpus = pd.read_csv(REPO / "data" / "corpus.csv", keep_default_na=False)
    parts = [corpus[corpus.industry == name].head(400) for name in ("telecom", "insurance", "healthcare")]
    return pd.concat(parts, ignore_index=True)


def test_held_out_industry_is_scored_on_its_own_rows(small_corpus, tmp_path, capsys):
    path = tmp_path / "small.csv"
    small_corpus.to_csv(path, index=False)
    industry_holdout.main([str(path), "--only", "healthcare"])
    out = capsys.readouterr().out
    held = (small_corpus.industry == "healthcare").sum()
    found = re.search(r"healthcare\s+n=(\d+)\s+micro-F1 ([\d.]+) \[([\d.]+), ([\d.]+)\]\s+macro-F1 [\d.]+ \[", out)
    assert found, out
    rows, micro, low, high = int(found[1]), *map(float, found.groups()[1:])
    assert rows == held
    # Trained on two other industries only, yet far better than nothing.
    assert 0.3 < micro < 1.0 and low <= micro <= high
    assert f"mean micro-F1 over 1 held-out industry values {micro:.3f}" in out


def test_unknown_group_or_column_is_refused(small_corpus):
    with pytest.raises(SystemExit, match="no rows with industry = 'shipping'"):
        list(industry_holdout.holdout_scores(small_corpus, only=["shipping"]))
    with pytest.raises(SystemExit, match="no column 'sector'"):
        list(industry_holdout.holdout_scores(small_corpus, group_col="sector"))


def test_weight_column_weighs_the_training_rows(small_corpus):
    def healthcare_micro(frame):
        (_, _, report), = industry_holdout.holdout_scores(frame, only=["healthcare"])
        return report["micro_f1"]

    unweighted = healthcare_micro(small_corpus)
    assert healthcare_micro(small_corpus.assign(weight=1.0)) == unweighted
    # Weight 0 on every insurance row leaves, in effect, a telecom-only model: a different score.
    zeroed = small_corpus.assign(weight=(small_corpus.industry != "insurance").astype(float))
    assert healthcare_micro(zeroed) != unweighted
    with pytest.raises(InputError, match="weights must be numbers"):
        healthcare_micro(small_corpus.assign(weight="heavy"))
