"""The labelled corpus meets its datasheet: counts, ids, no duplicates, nothing from ../shared."""

import sys

from conftest import REPO, SHARED

sys.path.insert(0, str(REPO / "scripts"))
import check_corpus  # noqa: E402


def test_corpus_meets_minimums_without_duplicates():
    figures, problems = check_corpus.check(REPO / "data" / "corpus.csv", shared=None)
    assert problems == []
    assert figures["rows"] >= 3000 and figures["no_reason"] >= 150
    assert min(figures["reasons"].values()) >= 120
    assert len(figures["industries"]) >= 6


def test_near_duplicate_detector_finds_near_copies():
    pairs = check_corpus.near_duplicates(["The engineer never turned up on Tuesday!",
                                          "the engineer never turned up on tuesday",
                                          "Completely different comment about billing"])
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]


def test_nothing_from_shared_in_corpus(shared_telecom):
    figures, problems = check_corpus.check(REPO / "data" / "corpus.csv", shared=SHARED)
    assert figures["shared_matches"] == 0, problems
