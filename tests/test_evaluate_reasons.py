"""scripts/evaluate_reasons.py: the accuracy figures quoted in the README and the issue notes.

Run here on a small corpus and a "real" file cut from an industry the small corpus lacks, so the test
needs nothing from ../shared and takes seconds; the real run is `python scripts/evaluate_reasons.py`.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("evaluate_reasons", REPO / "scripts" / "evaluate_reasons.py")
evaluate_reasons = importlib.util.module_from_spec(spec)
spec.loader.exec_module(evaluate_reasons)


def test_halves_partition_the_rows_and_seed_zero_is_fixed():
    a, b = evaluate_reasons.halves(11)
    assert sorted(np.concatenate([a, b]).tolist()) == list(range(11)) and len(a) == 5
    # Seed 0 is the split every quoted figure uses: it must not move.
    assert a.tolist() == np.sort(np.random.RandomState(0).permutation(11)[:5]).tolist()
    assert np.array_equal(evaluate_reasons.halves(11)[0], a)
    assert not np.array_equal(evaluate_reasons.halves(11, seed=1)[0], a)


def test_split_summary_counts_directions_on_target():
    line = evaluate_reasons.split_summary([0.78, 0.80, 0.82, 0.79], "ours")
    assert "over 4 directions" in line and "mean 0.797" in line
    assert "min 0.780" in line and "max 0.820" in line and ">= 0.80 in 2 of 4" in line


@pytest.fixture(scope="module")
def small_files(tmp_path_factory):
    corpus = pd.read_csv(REPO / "data" / "corpus.csv", keep_default_na=False)
    folder = tmp_path_factory.mktemp("evaluate")
    small = pd.concat([corpus[corpus.industry == name].head(200) for name in ("telecom", "insurance")])
    held = corpus[corpus.industry == "healthcare"].head(80)
    # The "real" file may only use reasons the small corpus knows.
    known = {r for cell in small.reasons for r in cell.split(";") if r}
    held = held[held.reasons.map(lambda cell: set(filter(None, cell.split(";"))) <= known)]
    small.to_csv(folder / "corpus.csv", index=False)
    held[["text", "score", "reasons"]].to_csv(folder / "labelled.csv", index=False)
    return folder


def test_main_prints_every_section_with_repeated_splits(small_files, capsys):
    evaluate_reasons.main(["--labelled", str(small_files / "labelled.csv"),
                           "--corpus", str(small_files / "corpus.csv"), "--splits", "2"])
    out = capsys.readouterr().out
    n = len(pd.read_csv(small_files / "labelled.csv"))
    assert re.search(rf"default model \(default\)\s+micro-F1 [\d.]+ \[[\d.]+, [\d.]+\].* n={n}\n", out)
    for way, size in (("A->B", n - n // 2), ("B->A", n // 2)):
        assert re.search(rf"{way} ours \(\d+s\)\s+micro-F1 [\d.]+ \[.*n={size}\n", out), way
        assert re.search(rf"{way} baseline: TF-IDF \+ logistic regression\s+micro-F1 .*n={size}\n", out)
    seeds = re.findall(r"seed (\d) +ours micro-F1 A->B ([\d.]+)  B->A ([\d.]+)   TF-IDF \+ LR ([\d.]+)", out)
    assert [s[0] for s in seeds] == ["1", "2"], out
    ours = [float(v) for s in seeds for v in s[1:3]]
    mean = re.search(r"over 4 directions, ours +micro-F1 mean ([\d.]+) \(sd", out)
    assert mean and float(mean[1]) == pytest.approx(np.mean(ours), abs=1e-3)
    assert "over 4 directions, TF-IDF + LR" in out


def test_missing_validation_file_is_a_clear_skip(tmp_path, capsys):
    assert evaluate_reasons.main(["--labelled", str(tmp_path / "nope.csv")]) == 0
    assert "skipped:" in capsys.readouterr().out
