import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyzer import analyze
from analyzer.cli import app
from analyzer.errors import InputError
from analyzer.outputs import read_responses, write_result

runner = CliRunner()

EXPORT = (
    "Response ID,Submitted,Plan,Likelihood to recommend,Tell us why\n"
    "a1,21/02/2018 19:39,Pro,10,Setup was quick\n"
    "a2,22/02/2018 10:00,Pro, 9 ,\n"
    "a3,01/03/2018 08:15,Basic,9.0,Support sorted my issue\n"
    "a4,02/03/2018 09:00,Basic,,no score here\n"
    "a5,13/03/2018 12:00,Basic,N/A,still no score\n"
    "a6,14/03/2018 12:00,Pro,11,out of range\n"
    "a7,15/03/2018 12:00,Basic,-1,negative\n"
    "a8,16/03/2018 12:00,Basic,ten,words\n"
    "a9,17/03/2018 12:00,Basic,7.5,fraction\n"
    "a10,18/03/2018 12:00,Pro,7,It's fine\n"
    "a11,19/03/2018 12:00,Pro,0,\"=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\"\n"
    "a12,20/03/2018 12:00,Pro,3,Engineer never came\n"
)


@pytest.fixture
def export(write):
    return write("export.csv", EXPORT)


def test_rows_reconcile_and_rejects_name_row_and_reason(export):
    result = analyze(export, model=None, group_cols=["Plan"])
    assert (result.rows_read, result.rows_analysed, result.rows_rejected) == (12, 6, 6)
    rejects = result.rejects.set_index("row")
    assert list(rejects.index) == [5, 6, 7, 8, 9, 10]
    assert rejects.loc[5, "reason"] == "missing score"
    assert rejects.loc[6, "reason"] == "missing score"
    assert "outside 0-10" in rejects.loc[7, "reason"] and "outside 0-10" in rejects.loc[8, "reason"]
    assert "not a number" in rejects.loc[9, "reason"]
    assert "not a whole number" in rejects.loc[10, "reason"]
    assert set(rejects["column"]) == {"Likelihood to recommend"}
    assert rejects.loc[9, "Tell us why"] == "words"  # original values travel with the reject
    est = result.nps
    assert (est.promoters, est.passives, est.detractors) == (3, 1, 2)
    assert est.nps == pytest.approx(100 * (3 - 2) / 6)


def test_detection_and_day_first_dates(export):
    result = analyze(export, model=None)
    cols = result.columns
    assert cols.score == "Likelihood to recommend" and cols.comment == "Tell us why"
    assert cols.id == "Response ID" and cols.date == "Submitted" and cols.date_format == "%d/%m/%Y %H:%M"
    assert "Plan" in cols.group_candidates
    periods = result.periods.set_index("value")
    assert periods.loc["2018-02", "n"] == 2 and periods.loc["2018-03", "n"] == 4


def test_group_and_quarter_breakdowns(export):
    result = analyze(export, model=None, group_cols=["Plan"], period="quarter")
    groups = result.groups("Plan").set_index("value")
    assert groups.loc["Pro", "n"] == 5 and groups.loc["Basic", "n"] == 1
    assert list(result.periods["value"]) == ["2018Q1"]


def test_overrides_and_unknown_override(export):
    result = analyze(export, model=None, comment_col="Plan")
    assert result.columns.comment == "Plan"
    with pytest.raises(InputError, match="'nope' is not a column"):
        analyze(export, model=None, score_col="nope")


def test_no_score_column_lists_columns(write):
    path = write("noscore.csv", "name,comment\nann,great\nbob,awful\n")
    with pytest.raises(InputError) as info:
        analyze(path, model=None)
    assert "'name', 'comment'" in str(info.value) and str(path) in str(info.value)


def test_value_only_score_detection(write):
    rows = "\n".join(f"x{i},{i % 11},comment number {i}" for i in range(40))
    result = analyze(write("plain.csv", "col_a,col_b,col_c\n" + rows + "\n"), model=None)
    assert result.columns.score == "col_b"


def test_score_like_group_column_is_not_the_score(write):
    # Qualtrics adds Q1_NPS_GROUP (1/2/3) beside the 0-10 answer.
    rows = "\n".join(f"{s},{1 if s < 7 else 2 if s < 9 else 3},why {s}" for s in [0, 3, 6, 7, 8, 9, 10] * 3)
    result = analyze(write("q.csv", "Q1,Q1_NPS_GROUP,Q2\n" + rows + "\n"), model=None)
    assert result.columns.score == "Q1"


def test_two_file_join(write):
    scores = write("scores.csv", "response_id,score\n1,10\n2,3\n3,8\n4,\n")
    comments = write("comments.csv", "response_id,comment\n1,Loved it\n3,Fine but slow\n9,orphan\n")
    result = analyze(scores, comments=comments, on="response_id", model=None)
    assert result.rows_read == 4 and result.rows_analysed == 3
    assert result.responses.set_index("response_id").loc["1", "comment"] == "Loved it"
    assert result.join.scores_without_comment == 2  # ids 2 and 4 (4 is also rejected: no score)
    assert list(result.join.comments_without_score["response_id"]) == ["9"]
    assert list(result.join.comments_without_score["reason"]) == ["no score row has this id"]
    assert result.summary()["join"]["comments_without_score"] == 1


def test_join_never_matches_blank_ids_and_reports_every_unjoined_comment(write):
    scores = write("scores.csv", "response_id,score\nA1,9\n,3\n,10\nA4,7\n")
    comments = write("comments.csv", "response_id,comment\n,whose is this\nA4,slow billing\n"
                                     "A4,second thoughts\nZ9,orphan\n")
    result = analyze(scores, comments=comments, on="response_id", model=None)
    text = result.responses["comment"].tolist()
    assert text == ["", "", "", "slow billing"]  # the blank-id comment is pinned on nobody
    unjoined = result.join.comments_without_score
    assert unjoined["row"].tolist() == [2, 4, 5]
    assert unjoined["reason"].tolist() == [
        "blank 'response_id'", "duplicate 'response_id': only the first comment with this id was joined",
        "no score row has this id"]
    # Every comment row is joined or listed: 1 joined + 3 listed = 4 rows.
    assert result.join.matched + len(unjoined) == 4
    summary = result.summary()["join"]
    assert summary["blank_comment_ids"] == 1 and summary["duplicate_comment_ids"] == 1


def test_comment_col_missing_from_comments_file_is_refused(write):
    scores = write("scores.csv", "response_id,score\n1,9\n")
    comments = write("comments.csv", "response_id,comment\n1,fine\n")
    with pytest.raises(InputError, match="comment column 'why' is not in the comments file"):
        analyze(scores, comments=comments, on="response_id", comment_col="why", model=None)


def test_input_columns_named_like_output_columns_are_kept(write):
    # A survey tool may well export "segment", "reason" or "row" columns of its own.
    path = write("own.csv", "row,score,reason,segment\n7,9,great product,SMB\n8,11,too dear,Enterprise\n"
                            "9,3,slow,Enterprise\n")
    result = analyze(path, group_cols=["segment"], model=None)
    assert result.columns.comment == "reason_input" and result.columns.groups == ["segment_input"]
    assert result.responses["segment_input"].tolist() == ["SMB", "Enterprise"]
    assert result.responses["segment"].tolist() == ["promoter", "detractor"]
    assert result.responses["row_input"].tolist() == ["7", "9"]
    assert result.rejects["reason_input"].tolist() == ["too dear"]
    assert result.rejects["reason"].str.contains("outside 0-10").all()
    assert set(result.groups("segment_input")["value"]) == {"SMB", "Enterprise"}
    assert any("input column 'segment' is called 'segment_input'" in w for w in result.warnings)


def test_outputs_summary_and_injection_round_trip(export, tmp_path):
    result = analyze(export, model=None)
    out = write_result(result, tmp_path / "out")
    summary = json.loads((out / "summary.json").read_text())
    for key in ("rows_read", "rows_analysed", "rows_rejected", "nps", "nps_interval", "segments", "reasons"):
        assert key in summary
    assert summary["rows_read"] == summary["rows_analysed"] + summary["rows_rejected"]
    assert summary["segments"]["promoter"] == {"n": 3, "share": 0.5}
    low, high = summary["nps_interval"]
    assert low <= summary["nps"] <= high
    raw = (out / "responses.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw  # neutralised for spreadsheets
    back = read_responses(out / "responses.csv")
    assert back.set_index("Response ID").loc["a11", "Tell us why"] == '=HYPERLINK("http://x","click")'
    rejects = pd.read_csv(out / "rejects.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(rejects.columns[:3]) == ["row", "column", "reason"] and len(rejects) == 6


def test_existing_output_needs_force(export, tmp_path):
    result = analyze(export, model=None)
    target = tmp_path / "out"
    write_result(result, target)
    with pytest.raises(InputError, match="--force"):
        write_result(result, target)
    write_result(result, target, force=True)
    assert sorted(p.name for p in target.iterdir()) == [
        "nps_by_month.csv", "rejects.csv", "report.html", "responses.csv", "segments.csv", "summary.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging leftovers


def test_cli_exit_codes_and_messages(export, write, tmp_path):
    ok = runner.invoke(app, ["run", str(export), "--model", "none", "--out", str(tmp_path / "o")])
    assert ok.exit_code == 0, ok.output
    assert "Rows read: 12" in ok.output and "NPS +16.7" in ok.output
    bad = runner.invoke(app, ["run", str(write("e.csv", b""))])
    assert bad.exit_code == 2
    assert "e.csv" in bad.output and "empty" in bad.output and "Traceback" not in bad.output
    missing = runner.invoke(app, ["run", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    again = runner.invoke(app, ["run", str(export), "--model", "none", "--out", str(tmp_path / "o")])
    assert again.exit_code == 2 and "--force" in again.output


def test_evaluate_with_model_none_is_refused_not_the_default(write):
    labelled = write("held.csv", "text,reasons\nstill waiting,delay\n")
    res = runner.invoke(app, ["evaluate", str(labelled), "--model", "none"])
    assert res.exit_code == 2 and "no model to evaluate" in res.output


def test_unjoined_comments_keep_their_text_when_the_comment_column_is_called_reason(write):
    scores = write("scores.csv", "response_id,score\n1,9\n")
    comments = write("comments.csv", "response_id,reason\n1,fine\n7,no score for me\n")
    result = analyze(scores, comments=comments, on="response_id", comment_col="reason", model=None)
    unjoined = result.join.comments_without_score
    assert unjoined["reason_input"].tolist() == ["no score for me"]
    assert unjoined["reason"].tolist() == ["no score row has this id"]
    assert result.responses["reason_comments"].tolist() == ["fine"]
