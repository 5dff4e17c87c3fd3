"""The real telecom export in ../shared: detection with no flags, exact reconciliation, correct NPS."""

import json

import pytest
from typer.testing import CliRunner

from analyzer import analyze
from analyzer.cli import app


def test_real_export_without_flags(shared_telecom):
    result = analyze(shared_telecom / "comments.csv", model=None)
    cols = result.columns
    assert (cols.score, cols.comment, cols.id, cols.date) == (
        "NPS_SCORE", "text", "response_id", "CUSTOMER_RESPONSE_DATE")
    assert cols.date_format == "%d/%m/%Y %H:%M"
    assert (result.rows_read, result.rows_analysed, result.rows_rejected) == (1585, 1564, 21)
    assert set(result.rejects["reason"]) == {"missing score"}
    est = result.nps
    assert (est.promoters, est.passives, est.detractors) == (463, 252, 849)
    assert est.nps == pytest.approx(-24.68, abs=0.005)
    assert est.low < est.nps < est.high
    # every rejected row really has an empty score in the file
    import csv
    with open(shared_telecom / "comments.csv", newline="", encoding="utf-8") as fh:
        empty_rows = {i for i, row in enumerate(csv.DictReader(fh), start=2) if not row["NPS_SCORE"].strip()}
    assert set(result.rejects["row"]) == empty_rows
    # the survey tool's own segment agrees with ours on every analysed row
    rating = result.responses["NPS_RATING"].str.lower()
    assert (rating == result.responses["segment"]).all()


def test_real_export_cli_summary(shared_telecom, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(shared_telecom / "comments.csv"), "--model", "none",
                                   "--out", str(out), "--group-col", "SURVEY_SUB_TYPE"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows_read"] == 1585 and summary["rows_rejected"] == 21
    assert summary["nps"] == pytest.approx(-24.680307, abs=1e-5)
    assert summary["segments"]["detractor"]["n"] == 849
    assert len(summary["groups"]["SURVEY_SUB_TYPE"]) == 4
