"""Extreme shapes: huge comments, one column, 10,000 columns, one row, duplicate ids."""

import pandas as pd
import pytest

from analyzer import analyze
from analyzer.errors import InputError
from analyzer.outputs import read_responses, write_result


def test_multi_megabyte_comment_is_kept_whole(write, tmp_path):
    huge = "the engineer never came and " * 110_000  # ~3 MB
    path = write("big.csv", f'id,score,comment\n1,2,"{huge}"\n2,9,fine\n')
    result = analyze(path, model=None)
    assert result.rows_analysed == 2
    out = write_result(result, tmp_path / "out")
    back = read_responses(out / "responses.csv")
    assert back.loc[0, "comment"] == huge


def test_one_column_of_scores(write):
    result = analyze(write("one.csv", "score\n" + "\n".join(["9", "3", "7", "10", ""]) + "\n"), model=None)
    assert result.columns.comment is None
    assert (result.rows_analysed, result.rows_rejected) == (4, 1)


def test_one_column_without_scores_is_refused(write):
    with pytest.raises(InputError, match="no usable score column"):
        analyze(write("one.csv", "comment\nhello there\nbye now\n"), model=None)


def test_ten_thousand_columns(write):
    header = ["id", "score", "comment"] + [f"extra_{i}" for i in range(10_000)]
    rows = [["1", "9", "great"] + ["x"] * 10_000, ["2", "4", "slow"] + [""] * 10_000]
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    result = analyze(write("wide.csv", text), model=None)
    assert result.columns.score == "score" and result.rows_analysed == 2


def test_single_row(write):
    result = analyze(write("single.csv", "score,comment\n10,Brilliant\n"), model=None)
    assert result.nps.n == 1 and result.nps.nps == 100
    assert result.nps.low < 100


def test_duplicate_ids_are_reported_and_kept(write):
    path = write("dup.csv", "response_id,score,comment\nA,9,good\nA,3,bad\nB,10,great\nB,10,great\n")
    result = analyze(path, model=None)
    assert result.rows_analysed == 4
    assert result.duplicate_ids == 2
    assert any("occur more than once" in w for w in result.warnings)
    assert result.summary()["duplicate_ids"] == 2


def test_chunked_reading_gives_the_same_answer(write):
    rows = "\n".join(f"r{i},{i % 11},comment {i}" for i in range(1000))
    path = write("many.csv", "id,score,comment\n" + rows + "\n")
    whole = analyze(path, model=None)
    chunked = analyze(path, model=None, chunk_rows=37)
    assert whole.nps == chunked.nps
    pd.testing.assert_frame_equal(whole.responses, chunked.responses)
