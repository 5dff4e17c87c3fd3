import pandas as pd
import pytest

from analyzer import analyze
from analyzer.errors import InputError
from analyzer.read import SNIFF_BYTES, open_table, read_all


def _consume(path, chunk_rows=50_000):
    table = open_table(path, chunk_rows=chunk_rows)
    return [chunk for chunk in table.chunks]


UNCLOSED = 'id,score,comment\n1,9,"Great, really\n2,3,slow support\n3,10,love it\n4,0,awful\n'


@pytest.mark.parametrize("text", [UNCLOSED, UNCLOSED.rstrip("\n"), UNCLOSED.replace("\n", "\r\n")])
def test_unterminated_quote_is_refused_naming_its_line(write, text):
    path = write("unclosed.csv", text)
    with pytest.raises(InputError, match="unterminated quote opened on line 2") as err:
        analyze(path, model=None)
    assert err.value.path == str(path) and err.value.row == 2


def test_unterminated_quote_after_a_multiline_field_names_the_opening_line(write):
    text = 'id,score,comment\n1,9,"two\nlines"\n2,3,"never closed\nmore\n'
    with pytest.raises(InputError, match="line 4") as err:
        _consume(write("late.csv", text))
    assert err.value.row == 3


@pytest.mark.parametrize("where", ["early", "late"])
def test_unterminated_quote_is_found_in_a_big_streamed_file(write, where):
    rows = [f"{i},{i % 11},fine comment number {i}" for i in range(40_000)]
    at = 10 if where == "early" else len(rows) - 5
    rows[at] = rows[at].replace("fine", '"fine')
    text = "id,score,comment\n" + "\n".join(rows) + "\n"
    assert len(text) > 2 * SNIFF_BYTES
    with pytest.raises(InputError, match=f"opened on line {at + 2} runs to the end of the file"):
        _consume(write("big.csv", text), chunk_rows=1000)


@pytest.mark.parametrize("ending", ["\n", ""])
def test_quoted_multiline_comments_still_read(write, ending):
    rows = [f'{i},{i % 11},"comment {i}\nsecond line, with comma\nthird ""quoted"""' for i in range(20_000)]
    text = "id,score,comment\n" + "\n".join(rows) + ending
    assert len(text) > 2 * SNIFF_BYTES
    chunks = _consume(write("multi.csv", text), chunk_rows=700)
    frame = pd.concat(c.frame for c in chunks)
    assert not any(c.bad for c in chunks) and len(frame) == 20_000
    assert frame.index[-1] == 20_001
    assert frame["comment"].iloc[-1] == 'comment 19999\nsecond line, with comma\nthird "quoted"'


def test_file_whose_last_line_is_a_lone_quote_is_refused(write):
    with pytest.raises(InputError, match="unterminated quote opened on line 3"):
        _consume(write("q.csv", 'id,score,comment\n1,9,ok\n"'))


def _nullable_frame():
    return pd.DataFrame({"score": [9, None, 8], "comment": ["great", "meh", None]}).convert_dtypes()


@pytest.mark.parametrize("kind", ["parquet", "dataframe"])
def test_nullable_missing_values_read_as_empty(tmp_path, kind):
    frame = _nullable_frame()
    if kind == "parquet":
        frame.to_parquet(tmp_path / "n.parquet")
        source = tmp_path / "n.parquet"
    else:
        source = frame
    _, read, bad = read_all(source)
    assert not bad
    assert list(read["score"]) == ["9", "", "8"]
    assert list(read["comment"]) == ["great", "meh", ""]
    result = analyze(source, model=None)
    assert result.rows_read == 3 and result.rows_analysed + result.rows_rejected == 3
    assert "<NA>" not in " ".join(result.rejects["reason"].astype(str))
    assert "<NA>" not in set(result.responses["comment"].astype(str))


def test_every_missing_marker_reads_as_empty():
    when = pd.Timestamp("2026-01-05 10:00:00")
    frame = pd.DataFrame({"score": pd.array([9, pd.NA, pd.NA, 7], dtype="Int64"),
                          "comment": ["a", None, float("nan"), pd.NA],
                          "when": [when, pd.NaT, when, pd.NaT]})
    _, read, _ = read_all(frame)
    assert list(read["score"]) == ["9", "", "", "7"]
    assert list(read["comment"]) == ["a", "", "", ""]
    assert list(read["when"]) == ["2026-01-05 10:00:00", "", "2026-01-05 10:00:00", ""]


@pytest.mark.parametrize("header, names", [
    ("score,Notes,Notes.1,Notes", ["score", "Notes", "Notes.1", "Notes.2"]),
    ("score.1,score,score", ["score.1", "score", "score.2"]),
    ("score,Notes,Notes,Notes.1", ["score", "Notes", "Notes.2", "Notes.1"]),
])
def test_duplicate_header_names_become_unique(write, header, names):
    width = header.count(",") + 1
    table, frame, _ = read_all(write("dup.csv", f"{header}\n" + ",".join(["9"] * width) + "\n"))
    assert table.columns == names and list(frame.columns) == names


def test_utf8_bom_before_cp1252_text_is_not_part_of_the_first_name(write):
    path = write("bomcp.csv",
                 b"\xef\xbb\xbfResponse ID,score,comment\r\n1,9,caf\xe9 was great\r\n2,3,bad\r\n")
    result = analyze(path, model=None, id_col="Response ID")
    assert result.encoding == "cp1252"
    assert result.columns.id == "Response ID"
    assert result.responses["comment"].iloc[0] == "caf\u00e9 was great"


def test_utf8_bom_before_cp1252_jsonl_first_line_is_read(write):
    path = write("bomcp.jsonl",
                 b'\xef\xbb\xbf{"score": 9, "comment": "caf\xe9"}\n{"score": 3, "comment": "bad"}\n')
    _, frame, bad = read_all(path)
    assert not bad and list(frame["comment"]) == ["caf\u00e9", "bad"]
