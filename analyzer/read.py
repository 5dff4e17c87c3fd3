"""Reading survey exports as they really arrive.

A reader turns one file into a :class:`Table`: column names, the question text behind them (from
multi-row export headers), what was guessed about the file (encoding, delimiter, layout), and an iterator
of chunks. Chunks are plain DataFrames of strings indexed by input row number, so the rest of the pipeline
never needs the whole file in memory.

Row numbers are the ones a spreadsheet shows: in a CSV with one header row the first data row is row 2.
For formats without a header row (JSON lines, parquet, DataFrames) the first record is row 1.

Structural problems (a CSV row with more fields than the header, a JSON line that is not an object) are
not dropped: they come out of the chunk iterator as :class:`BadRow` records and end up in the rejects.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError

DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 256 * 1024
DEFAULT_CHUNK_ROWS = 50_000

# Multi-megabyte comments are real (pasted logs, e-mails); the csv module's default limit of 128 KiB
# would turn them into parse errors.
try:
    csv.field_size_limit(sys.maxsize)
except OverflowError:  # pragma: no cover - 32-bit platforms
    csv.field_size_limit(2**31 - 1)


@dataclass
class BadRow:
    """An input record that could not be read as a row of the table."""

    row: int
    reason: str
    values: list[str]


@dataclass
class Chunk:
    """A slice of input rows: ``frame`` holds the readable ones, ``bad`` the unreadable ones."""

    frame: pd.DataFrame
    bad: list[BadRow] = field(default_factory=list)


@dataclass
class Table:
    """An opened input: metadata plus a one-shot iterator of :class:`Chunk`."""

    source: str
    columns: list[str]
    labels: dict[str, str]
    layout: str
    chunks: Iterator[Chunk]
    encoding: str | None = None
    delimiter: str | None = None
    header_rows: int = 1
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Text files: encoding and delimiter


def detect_encoding(path: Path) -> tuple[str, str | None]:
    """Return ``(encoding, warning)`` for a text file; refuse binary data.

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as they are. Anything else that fails strict
    UTF-8 is read as cp1252 (or latin-1 where cp1252 leaves a byte undefined) and *announced*, because a
    silent guess turns "café" into mojibake that nobody notices until a report is wrong.
    """
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise InputError("the file is empty", path=str(path))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    _refuse_binary(head, path)

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad_at = offset + exc.start
                break
            offset += len(block)
        else:
            try:
                decoder.decode(b"", final=True)
                return encoding, None
            except UnicodeDecodeError:
                bad_at = offset
    line = _line_of_offset(path, bad_at)
    for fallback in ("cp1252", "latin-1"):
        try:
            with open(path, encoding=fallback, newline="") as fh:
                while fh.read(1 << 20):
                    pass
        except UnicodeDecodeError:
            continue
        return fallback, (
            f"{path}: not valid UTF-8 (first bad byte at line {line}); read as {fallback}. "
            "Check accented characters, or re-export the file as UTF-8."
        )
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _open_text(path: Path, encoding: str, newline: str | None = ""):
    fh = open(path, encoding=encoding, newline=newline, errors="strict")
    # A UTF-8 BOM before text that is not UTF-8 (an editor mixed encodings) decodes as "ï»¿" under the
    # fallback; left in, it sticks to the first column name or breaks the first JSON line.
    if encoding in ("cp1252", "latin-1") and fh.read(3) != codecs.BOM_UTF8.decode(encoding):
        fh.seek(0)
    return fh


def _line_of_offset(path: Path, offset: int) -> int:
    with open(path, "rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def _refuse_binary(head: bytes, path: Path) -> None:
    """Refuse data no survey tool writes as text: NUL bytes or a mass of control characters."""
    if head.startswith((b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0")):
        raise InputError(
            "this is a binary file (zip/xlsx, parquet or legacy Excel) with a text extension; "
            "give it its real extension (.xlsx, .parquet)", path=str(path))
    sample = head[:65536]
    if b"\x00" in sample:
        raise InputError("binary data (NUL bytes), not a text table", path=str(path))
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    if controls > max(8, len(sample) // 100):
        raise InputError("binary data (control bytes), not a text table", path=str(path))
    text = sample.decode("utf-8", errors="replace")
    if text.count("\ufffd") > max(8, len(text) // 10):
        raise InputError("binary data (undecodable bytes), not a text table", path=str(path))


def sniff_delimiter(sample: str, truncated: bool) -> str:
    """Pick the delimiter under which the first records have one consistent number of fields.

    csv.Sniffer is easily fooled by commas inside quoted comments; parsing with each candidate and
    checking that record lengths agree with the header is both simpler and sturdier.
    """
    best, best_key = ",", (-1.0, 0)
    for delim in DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(sample), delimiter=delim))
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records = records[:-1]
        records = [r for r in records if r][:50]
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        agree = sum(1 for r in records if len(r) == width) / len(records)
        key = (agree, width)
        if key > best_key:
            best, best_key = delim, key
    return best


# --------------------------------------------------------------------------------------------------
# Export layouts (applies to every tabular source)

QUALTRICS_IMPORT = '{"importid"'
SURVEYMONKEY_MARKERS = {"response", "open-ended response"}


def detect_layout(records: list[list[str]]) -> tuple[str, int, list[str], dict[str, str]]:
    """From the first records, return ``(layout, header_rows, column_names, question_labels)``."""
    if not records:
        return "plain", 1, [], {}
    first = [c.strip() for c in records[0]]
    if len(records) >= 3:
        third = [c.strip().lower() for c in records[2] if c.strip()]
        if third and sum(c.startswith(QUALTRICS_IMPORT) for c in third) >= max(1, len(third) // 2):
            names = _unique_names(first)
            labels = {n: q.strip() for n, q in zip(names, records[1]) if q.strip()}
            return "qualtrics", 3, names, labels
    if len(records) >= 2:
        second = [c.strip().lower() for c in records[1]]
        markers = sum(c in SURVEYMONKEY_MARKERS for c in second)
        if markers >= 2 or (markers and first and first[0].lower().startswith("respondent id")):
            names, question = [], ""
            for top, sub in zip(first + [""] * (len(records[1]) - len(first)), records[1]):
                question = top or question
                sub = sub.strip()
                plain = not sub or sub.lower() in SURVEYMONKEY_MARKERS or not question
                names.append((question or sub) if plain else f"{question} - {sub}")
            names = _unique_names(names)
            return "surveymonkey", 2, names, {n: n for n in names}
    return "plain", 1, _unique_names(first), {}


def _unique_names(raw: list[str]) -> list[str]:
    cleaned = [(name or "").strip().lstrip("\ufeff") or f"column_{i + 1}" for i, name in enumerate(raw)]
    # A suffixed name must not take one the header itself uses, here or further on ("Notes", "Notes.1",
    # "Notes"), or two columns would share it and the later one could not be asked for by name.
    taken = set(cleaned)
    names: list[str] = []
    seen: set[str] = set()
    for name in cleaned:
        if name in seen:
            n = 1
            while f"{name}.{n}" in taken:
                n += 1
            name = f"{name}.{n}"
            taken.add(name)
        seen.add(name)
        names.append(name)
    return names


# --------------------------------------------------------------------------------------------------
# Openers


def open_table(source, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Table:
    """Open a survey export (path or DataFrame) for chunked reading."""
    if isinstance(source, pd.DataFrame):
        return _open_frame(source, chunk_rows)
    path = Path(source)
    if not path.exists():
        raise InputError("no such file", path=str(path))
    if path.is_dir():
        raise InputError("is a folder, not a file", path=str(path))
    suffix = "".join(path.suffixes[-1:]).lower()
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if not magic:
        raise InputError("the file is empty", path=str(path))
    if suffix in (".xlsx", ".xlsm") or (magic == b"PK\x03\x04" and suffix not in (".csv", ".txt", ".tsv")):
        return _open_xlsx(path, chunk_rows)
    if suffix == ".parquet" or magic == b"PAR1":
        return _open_parquet(path, chunk_rows)
    if suffix in (".jsonl", ".ndjson"):
        return _open_jsonl(path, chunk_rows)
    if suffix == ".xls":
        raise InputError("legacy .xls files are not supported; save as .xlsx or CSV", path=str(path))
    return _open_delimited(path, chunk_rows)


def _open_delimited(path: Path, chunk_rows: int) -> Table:
    encoding, warning = detect_encoding(path)
    with _open_text(path, encoding) as fh:
        sample = fh.read(SNIFF_BYTES)
        truncated = bool(fh.read(1))
    if not sample.strip():
        raise InputError("the file has no text, only white space", path=str(path))
    delimiter = sniff_delimiter(sample, truncated)
    try:
        head = []
        for rec in csv.reader(io.StringIO(sample), delimiter=delimiter):
            head.append(rec)
            if len(head) == 3:
                break
    except csv.Error as exc:
        raise InputError(f"not a readable table ({exc})", path=str(path)) from None
    layout, header_rows, names, labels = detect_layout(head)

    def chunks() -> Iterator[Chunk]:
        with _open_text(path, encoding) as fh:
            records = _csv_records(fh, delimiter, str(path))
            row = 0
            for _ in range(header_rows):
                next(records, None)
                row += 1
            yield from _chunk_records(records, names, row, chunk_rows, str(path))

    table = Table(str(path), names, labels, layout, chunks(), encoding=encoding, delimiter=delimiter,
                  header_rows=header_rows)
    if warning:
        table.warnings.append(warning)
    return table


# Fed to the csv reader after the last line. Normally it parses as a record of its own; inside a quote
# still open at the end of the file it is swallowed into that field, because the csv module (not strict)
# ends such a field at the end of the file without complaint and one missing quote would silently fold
# every later row into a single comment.
_END_LINE = "analyzer end of file\n"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _csv_records(fh, delimiter: str, where: str) -> Iterator[list[str]]:
    """The csv records of ``fh``; refuses a quote that is still open at the end of the file."""
    at_end = False

    def lines():
        nonlocal at_end
        yield from fh
        at_end = True
        yield _END_LINE

    reader = csv.reader(lines(), delimiter=delimiter)
    for row, rec in enumerate(reader, start=1):
        if not at_end:
            yield rec
        elif rec != [_END_LINE.rstrip("\n")]:
            # The open field runs from its quote to the end of the file, so counting its line breaks
            # back from the file's last line (the end line is not part of the file) finds where it opened.
            field = rec[-1][:-len(_END_LINE)]
            breaks = len(_LINE_BREAK.findall(field)) - field.endswith(("\n", "\r"))
            opened = reader.line_num - 1 - breaks
            raise InputError(f"unterminated quote opened on line {opened} runs to the end of the file "
                             "(a missing closing quote?)", path=where, row=row)


def _chunk_records(records, names: list[str], row: int, chunk_rows: int, where: str) -> Iterator[Chunk]:
    """Group raw records into chunks, setting aside records wider than the header."""
    width = len(names)
    values: list[list[str]] = []
    index: list[int] = []
    bad: list[BadRow] = []
    try:
        for rec in records:
            row += 1
            if not rec or (len(rec) == 1 and rec[0] == "" and width > 1):
                # A blank line is not a response; it is still counted and reported.
                bad.append(BadRow(row, "blank line", []))
            elif len(rec) > width and any(v.strip() for v in rec[width:]):
                bad.append(BadRow(row, f"row has {len(rec)} fields but the header has {width} "
                                       "(unquoted delimiter in a value?)", list(rec)))
            else:
                if len(rec) != width:
                    rec = (rec + [""] * width)[:width]
                values.append(rec)
                index.append(row)
            if len(values) + len(bad) >= chunk_rows:
                yield _make_chunk(values, index, names, bad)
                values, index, bad = [], [], []
    except csv.Error as exc:
        raise InputError(f"cannot parse the file as a table ({exc})", path=where, row=row + 1) from None
    except UnicodeDecodeError as exc:  # pragma: no cover - encoding was verified beforehand
        raise InputError(f"undecodable bytes ({exc.reason})", path=where, row=row + 1) from None
    if values or bad:
        yield _make_chunk(values, index, names, bad)


def _make_chunk(values, index, names, bad) -> Chunk:
    frame = pd.DataFrame(values, columns=names, dtype=object)
    frame.index = pd.Index(index, name="row", dtype="int64")
    return Chunk(frame, list(bad))


def _cell_text(value) -> str:
    """Spreadsheet/parquet cell → the string a CSV export would have held."""
    if isinstance(value, str):
        return value
    # Nullable pandas columns hold pd.NA / NaT, whose str() ("<NA>", "NaT") would read as text.
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _open_records(source: str, rows: Iterator[list], chunk_rows: int, layout_hint: str) -> Table:
    """Shared path for row-oriented sources with a header (xlsx)."""
    head = []
    for rec in rows:
        head.append([_cell_text(v) for v in rec])
        if len(head) == 3:
            break
    if not head:
        raise InputError("the sheet is empty", path=source)
    layout, header_rows, names, labels = detect_layout(head)
    if layout == "plain":
        layout = layout_hint

    def records():
        for rec in head[header_rows:]:
            yield rec
        for rec in rows:
            yield [_cell_text(v) for v in rec]

    def chunks():
        yield from _chunk_records(_trim_trailing(records()), names, header_rows, chunk_rows, source)

    return Table(source, names, labels, layout, chunks(), header_rows=header_rows)


def _trim_trailing(records):
    # Spreadsheets often report trailing empty cells; they are not extra fields.
    for rec in records:
        while rec and rec[-1] == "":
            rec = rec[:-1]
        yield rec if rec else [""]


def _open_xlsx(path: Path, chunk_rows: int) -> Table:
    import openpyxl
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt archives
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                         path=str(path)) from None
    sheet = book.worksheets[0]
    table = _open_records(str(path), sheet.iter_rows(values_only=True), chunk_rows, "xlsx")
    if len(book.worksheets) > 1:
        table.warnings.append(f"{path}: read the first sheet ({sheet.title!r}) of {len(book.worksheets)}")
    return table


def _open_parquet(path: Path, chunk_rows: int) -> Table:
    import pyarrow.parquet as pq
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"not a readable parquet file ({exc})", path=str(path)) from None
    names = _unique_names(list(pf.schema_arrow.names))

    def chunks():
        start = 0
        for batch in pf.iter_batches(batch_size=chunk_rows):
            frame = batch.to_pandas()
            frame.columns = names
            frame = frame.map(_cell_text).astype(object)
            frame.index = pd.RangeIndex(start + 1, start + 1 + len(frame), name="row")
            start += len(frame)
            yield Chunk(frame)

    return Table(str(path), names, {}, "parquet", chunks(), header_rows=0)


def _open_jsonl(path: Path, chunk_rows: int) -> Table:
    encoding, warning = detect_encoding(path)
    names: list[str] = []
    with _open_text(path, encoding, newline=None) as fh:
        for n, line in enumerate(fh):
            if n >= 10_000:
                break
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                names.extend(k for k in obj if k not in names)
    if not names:
        raise InputError("no JSON objects found in the first lines (expected one object per line)",
                         path=str(path))

    def chunks():
        values, index, bad = [], [], []
        with _open_text(path, encoding, newline=None) as fh:
            for row, line in enumerate(fh, start=1):
                if not line.strip():
                    bad.append(BadRow(row, "blank line", []))
                else:
                    try:
                        obj = json.loads(line)
                    except ValueError as exc:
                        obj = None
                        bad.append(BadRow(row, f"not valid JSON ({exc.msg})", [line.rstrip("\n")]))
                    if obj is not None:
                        if not isinstance(obj, dict):
                            bad.append(BadRow(row, "JSON value is not an object", [line.rstrip("\n")]))
                        else:
                            extra = [k for k in obj if k not in names]
                            if extra:
                                bad.append(BadRow(row, f"unexpected keys {extra[:5]}",
                                                  [line.rstrip("\n")]))
                            else:
                                values.append([_json_text(obj.get(k)) for k in names])
                                index.append(row)
                if len(values) + len(bad) >= chunk_rows:
                    yield _make_chunk(values, index, names, bad)
                    values, index, bad = [], [], []
        if values or bad:
            yield _make_chunk(values, index, names, bad)

    table = Table(str(path), names, {}, "jsonl", chunks(), encoding=encoding, header_rows=0)
    if warning:
        table.warnings.append(warning)
    return table


def _json_text(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value).lower()
    return _cell_text(value)


def _open_frame(frame: pd.DataFrame, chunk_rows: int) -> Table:
    names = _unique_names([str(c) for c in frame.columns])

    def chunks():
        for start in range(0, len(frame), chunk_rows):
            part = frame.iloc[start:start + chunk_rows].copy()
            part.columns = names
            part = part.map(_cell_text).astype(object)
            part.index = pd.RangeIndex(start + 1, start + 1 + len(part), name="row")
            yield Chunk(part)

    return Table("<DataFrame>", names, {}, "dataframe", chunks(), header_rows=0)


def read_all(source) -> tuple[Table, pd.DataFrame, list[BadRow]]:
    """Read a whole (small) table into memory: for joins and notebooks."""
    table = open_table(source)
    frames, bad = [], []
    for chunk in table.chunks:
        frames.append(chunk.frame)
        bad.extend(chunk.bad)
    frame = pd.concat(frames) if frames else pd.DataFrame(columns=table.columns, dtype=object)
    return table, frame, bad
