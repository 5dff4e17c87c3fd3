import json

import pandas as pd
import pytest

from analyzer import analyze
from analyzer.errors import InputError
from analyzer.read import open_table, read_all

ROWS = [("r1", "10", "Great, fast install"), ("r2", "3", "Waited, six weeks; no call back"),
        ("r3", "7", "ok"), ("r4", "9", "Helpful staff")]


def delimited(sep: str) -> str:
    lines = [sep.join(["id", "score", "comment"])]
    for rid, score, text in ROWS:
        quoted = f'"{text}"' if sep in text or "," in text or ";" in text else text
        lines.append(sep.join([rid, score, quoted]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(write, sep):
    path = write("export.csv", delimited(sep))
    result = analyze(path, model=None)
    assert result.delimiter == sep
    assert result.rows_read == 4 and result.rows_analysed == 4
    assert result.columns.score == "score" and result.columns.comment == "comment"
    assert list(result.responses["comment"]) == [r[2] for r in ROWS]


def test_quoted_newlines_and_bom(write):
    text = 'id,score,comment\r\nA,9,"line one\nline two, with comma"\r\nB,2,"say ""hi"""\r\n'
    path = write("bom.csv", b"\xef\xbb\xbf" + text.encode())
    _, frame, bad = read_all(path)
    assert not bad
    assert list(frame.columns) == ["id", "score", "comment"]
    assert frame.loc[2, "comment"] == "line one\nline two, with comma"
    assert frame.loc[3, "comment"] == 'say "hi"'


def test_cp1252_fallback_is_announced(write):
    path = write("legacy.csv", "id,score,comment\n1,9,Caf\u00e9 staff were l\u2019ovely\n",
                 encoding="cp1252")
    result = analyze(path, model=None)
    assert result.encoding == "cp1252"
    assert any("not valid UTF-8" in w and "line 2" in w for w in result.warnings)
    assert result.responses["comment"].iloc[0] == "Caf\u00e9 staff were l\u2019ovely"


def test_utf16_excel_text(write):
    path = write("unicode.txt", "\ufeffid\tscore\tcomment\n1\t9\tTr\u00e8s bien\n", encoding="utf-16-le")
    result = analyze(path, model=None)
    assert result.rows_analysed == 1 and result.delimiter == "\t"


def test_row_wider_than_header_is_rejected_not_dropped(write):
    path = write("wide.csv", "id,score,comment\n1,9,fine\n2,8,unquoted, comma\n3,2,bad\n")
    result = analyze(path, model=None)
    assert result.rows_read == 3 and result.rows_analysed == 2 and result.rows_rejected == 1
    rej = result.rejects.iloc[0]
    assert rej["row"] == 3 and "4 fields but the header has 3" in rej["reason"]


def test_qualtrics_three_header_rows(write):
    header = ["StartDate", "EndDate", "Status", "ResponseId", "Q1", "Q2", "UserAgent"]
    questions = ["Start Date", "End Date", "Response Type", "Response ID",
                 "How likely are you to recommend us to a friend or colleague?",
                 "What is the main reason for your score?", "User agent"]
    imports = ['{"ImportId":"startDate","timeZone":"UTC"}', '{"ImportId":"endDate"}',
               '{"ImportId":"status"}', '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}',
               '{"ImportId":"QID2_TEXT"}', '{"ImportId":"userAgent"}']
    rows = [["2026-01-05 10:00:00", "2026-01-05 10:02:00", "IP Address", "R_1", "9",
             "Quick setup, works well", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"],
            ["2026-01-06 11:00:00", "2026-01-06 11:05:00", "IP Address", "R_2", "2",
             "Support never called back", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605"]]
    import csv
    import io
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in [header, questions, imports, *rows]:
        w.writerow(r)
    path = write("qualtrics.csv", buf.getvalue())
    result = analyze(path, model=None)
    assert result.layout == "qualtrics"
    assert result.columns.score == "Q1" and result.columns.comment == "Q2"
    assert result.columns.id == "ResponseId" and result.columns.date in ("StartDate", "EndDate")
    assert result.rows_read == 2 and list(result.responses["row"]) == [4, 5]


def test_surveymonkey_two_header_rows(write):
    text = ("Respondent ID,Collector ID,Start Date,End Date,IP Address,"
            "How likely is it that you would recommend us to a friend?,Why?\n"
            ",,,,,Response,Open-Ended Response\n"
            "114,431,11/21/2026 10:15:33 AM,11/21/2026 10:16:02 AM,1.2.3.4,10,Loved the onboarding\n"
            "115,431,11/22/2026 09:01:10 AM,11/22/2026 09:02:00 AM,1.2.3.5,4,Billing was confusing\n")
    result = analyze(write("sm.csv", text), model=None)
    assert result.layout == "surveymonkey"
    assert result.columns.score.startswith("How likely")
    assert result.columns.comment == "Why?"
    assert result.columns.id == "Respondent ID"
    assert result.columns.date_format.startswith("%m/%d/%Y")
    assert result.nps.promoters == 1 and result.nps.detractors == 1


def test_xlsx_parquet_jsonl(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b", "c"], "nps": [10, 6, None],
                          "comment": ["Brilliant", "Too slow", "no score"]})
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    frame.to_parquet(tmp_path / "x.parquet")
    with open(tmp_path / "x.jsonl", "w") as fh:
        for rec in frame.to_dict("records"):
            fh.write(json.dumps({k: (None if v != v else v) for k, v in rec.items()}) + "\n")
        fh.write("{not json\n")
    for name in ("x.xlsx", "x.parquet", "x.jsonl"):
        result = analyze(tmp_path / name, model=None)
        assert result.columns.score == "nps", name
        assert result.rows_analysed == 2, name
        assert result.rows_read == result.rows_analysed + result.rows_rejected
    assert result.rows_rejected == 2  # missing score + the broken JSON line, both reported
    assert "not valid JSON" in " ".join(result.rejects["reason"])


@pytest.mark.parametrize("content, message", [
    (b"", "empty"), (b"\x00\x01\x02\x03binary\x00\xff" * 50, "binary"),
    (bytes(range(256)) * 40, "binary"), (b"   \n\n  ", "no text"),
])
def test_unreadable_files_refused(write, content, message):
    with pytest.raises(InputError, match=message):
        analyze(write("bad.csv", content), model=None)


def test_header_only_refused(write):
    with pytest.raises(InputError, match="no data rows"):
        analyze(write("h.csv", "id,score,comment\n"), model=None)


def test_zip_with_csv_extension_is_named(write):
    with pytest.raises(InputError, match="real extension"):
        open_table(write("x.csv", b"PK\x03\x04" + b"\x00" * 100))
