"""Outputs are safe to open: escaped HTML, neutralised spreadsheet formulas, atomic folders."""

import os
import signal
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import analyze
from analyzer.errors import OutputError
from analyzer.outputs import FORMULA_START, escape_cell, unescape_cell, write_result

PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">', '=1+2', '+SUM(A1)', '-2+3',
            '@cmd', '\t=tab', '\r=cr', "'=already quoted", '=HYPERLINK("http://evil","x")']


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_round_trip_and_safety(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not (isinstance(escaped, str) and escaped.startswith(FORMULA_START))


def test_html_report_escapes_every_user_string(write, tmp_path):
    lines = ["id,score,comment,<b>Plan</b>"]
    for i, payload in enumerate(PAYLOADS):
        quoted = '"' + payload.replace('"', '""') + '"'
        lines.append(f"{i},{i % 11},{quoted},<i>tier</i>")
    path = write("hostile.csv", "\n".join(lines) + "\n")
    result = analyze(path, model=None, group_cols=["<b>Plan</b>"])
    out = write_result(result, tmp_path / "out")
    page = (out / "report.html").read_text()
    assert "<script>" not in page and "<img" not in page and "<b>Plan" not in page
    assert "&lt;b&gt;Plan&lt;/b&gt;" in page and "&lt;i&gt;tier&lt;/i&gt;" in page
    assert "default-src 'none'" in page


def test_spreadsheet_library_sees_text_not_formulas(write, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    lines = ["id,score,comment"] + [f'{i},9,"{p.replace(chr(34), chr(34) * 2)}"' for i, p in enumerate(PAYLOADS)]
    result = analyze(write("f.csv", "\n".join(lines) + "\n"), model=None)
    out = write_result(result, tmp_path / "out")
    import csv
    book = openpyxl.Workbook()
    sheet = book.active
    with open(out / "responses.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", f"formula cell {cell.value!r}"


def test_interrupted_run_leaves_previous_outputs(tmp_path, write):
    rows = "\n".join(f"{i},{i % 11},comment {i}" for i in range(200_000))
    path = write("big.csv", "id,score,comment\n" + rows + "\n")
    out = tmp_path / "out"
    first = analyze(write("small.csv", "id,score,comment\n1,9,old\n"), model=None)
    write_result(first, out)
    before = sorted((p.name, p.read_bytes()) for p in out.iterdir())
    proc = subprocess.Popen([sys.executable, "-m", "analyzer", "run", str(path), "--model", "none",
                             "--out", str(out), "--force"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=4)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    after = sorted((p.name, p.read_bytes()) for p in out.iterdir())
    if after != before:
        # The kill came after the swap (or the run finished): then the new outputs must be complete.
        import json
        names = {n for n, _ in after}
        assert names >= {"responses.csv", "rejects.csv", "summary.json", "report.html"}
        summary = json.loads(dict(after)["summary.json"])
        assert summary["rows_read"] == 200_000
        assert dict(after)["responses.csv"].count(b"\r\n") == 200_001


def test_out_folder_never_replaces_the_inputs_or_the_current_folder(tmp_path, monkeypatch):
    folder = tmp_path / "results"
    folder.mkdir()
    export = folder / "export.csv"
    export.write_text("score,comment\n9,great\n3,slow\n")
    result = analyze(export, model=None)
    with pytest.raises(OutputError, match="would delete .*export.csv"):
        write_result(result, folder, force=True, inputs=(export,))
    monkeypatch.chdir(folder)
    with pytest.raises(OutputError, match="would delete the current folder"):
        write_result(result, ".", force=True)
    # Nothing deleted, no staging folder left behind.
    assert export.read_text().startswith("score,comment")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    assert sorted(p.name for p in folder.iterdir()) == ["export.csv"]


def test_tables_whose_names_collide_are_numbered_not_overwritten(write, tmp_path):
    rows = "\n".join(f"2026-0{1 + i % 3}-1{i % 9},{i % 11},c{i},{'AB'[i % 2]},{'xy'[i % 2]},M{i % 2}"
                     for i in range(30))
    path = write("dup.csv", "date,score,comment,Plan,plan,Month\n" + rows + "\n")
    result = analyze(path, model=None, group_cols=["Plan", "plan", "Month"])
    out = write_result(result, tmp_path / "out")
    written = sorted(p.name for p in out.glob("nps_by_*.csv"))
    assert written == ["nps_by_month.csv", "nps_by_month_2.csv", "nps_by_plan.csv", "nps_by_plan_2.csv"]
    assert "2026-01" in (out / "nps_by_month.csv").read_text()
    assert "M0" in (out / "nps_by_month_2.csv").read_text()
