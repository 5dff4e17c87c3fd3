"""Writing outputs that are safe to open and never half-written.

* **Formula injection.** A comment such as ``=HYPERLINK("http://evil", "click")`` becomes a live
  formula when a colleague opens the CSV in a spreadsheet. Following OWASP, every text cell that starts
  with ``=``, ``+``, ``-``, ``@``, tab or carriage return is written with a leading apostrophe
  (``'=HYPERLINK(...)``), which spreadsheets show as text. The convention is reversible: a cell that
  starts with an apostrophe followed by one of those characters had the apostrophe added by us, and
  :func:`unescape_cell` / :func:`read_responses` remove it. Original cells that already started with
  ``'=`` get a second apostrophe, so the round trip is exact.
* **Atomicity.** Each file is written to a temporary name in the same folder and renamed into place;
  a whole output folder is built beside the target and swapped in, so an interrupted run leaves either
  the previous outputs or the complete new ones.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .errors import OutputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Neutralise a text cell that a spreadsheet would execute (see module docs)."""
    if isinstance(value, str) and value:
        if value.startswith(FORMULA_START):
            return "'" + value
        if value.startswith("'") and value[1:2] and value[1:].lstrip("'").startswith(FORMULA_START):
            return "'" + value
    return value


def unescape_cell(value):
    """Inverse of :func:`escape_cell`."""
    if isinstance(value, str) and value.startswith("'") and value[1:].lstrip("'").startswith(FORMULA_START):
        return value[1:]
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [escape_cell(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(escape_cell)
    return out


def read_responses(path) -> pd.DataFrame:
    """Read a ``responses.csv`` (or ``rejects.csv``) back with the original text restored."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [unescape_cell(c) for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].map(unescape_cell)
    return frame


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600 files; outputs are for colleagues too, so use the ordinary mode.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV in UTF-8 with BOM (Excel then reads accents correctly), injection-safe, atomically."""
    # CRLF terminators (RFC 4180) also make the csv writer quote any field holding a bare "\r", which
    # spreadsheets would otherwise read as a row break, turning the rest of the cell into a new row.
    data = escape_frame(frame).to_csv(index=False, lineterminator="\r\n")
    atomic_write_bytes(path, b"\xef\xbb\xbf" + data.encode("utf-8"))


def write_json(obj, path: Path) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def check_output_folder(target, force: bool = False, keep=()) -> Path:
    """Refuse an output folder that may not be (re)placed; return it resolved.

    Callers that work for minutes before writing (training) call this first, so a refusal costs nothing.
    """
    # Resolved, so that "." or "out/.." name a real folder (and a real staging name beside it).
    resolved = Path(target).resolve()
    if resolved.exists() and not resolved.is_dir():
        raise OutputError("exists and is not a folder", path=str(target))
    if resolved.exists() and any(resolved.iterdir()) and not force:
        raise OutputError("output folder exists and is not empty; pass --force to replace it",
                          path=str(target))
    # Replacing a folder deletes what is in it: never the inputs, never the folder we work in.
    protected = [("the current folder", Path.cwd())] + [(str(k), Path(k)) for k in keep if k is not None]
    for what, inside in protected:
        if inside.resolve().is_relative_to(resolved):
            raise OutputError(f"replacing this folder would delete {what}; choose another --out",
                              path=str(target))
    return resolved


class OutputFolder:
    """Build a set of output files in a staging folder, then swap it in place of ``target``.

    Use as a context manager; on error or interrupt the staging folder is removed and ``target`` is
    untouched.
    """

    def __init__(self, target, force: bool = False, keep=()):
        self.target = check_output_folder(target, force, keep)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging: Path | None = None

    def __enter__(self) -> Path:
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=self.target.parent))
        os.chmod(self.staging, 0o777 & ~_umask())
        return self.staging

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return False
        backup = None
        if self.target.exists():
            backup = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            os.replace(self.target, backup)
        os.replace(self.staging, self.target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
        return False


def write_result(result, out_dir, *, force: bool = False, inputs=()) -> Path:
    """Write ``responses.csv``, ``rejects.csv``, ``summary.json`` (and join leftovers) for a result.

    ``inputs``: files the folder must not contain, since replacing it would delete them."""
    with OutputFolder(out_dir, force=force, keep=inputs) as staging:
        responses = result.responses.drop(columns=["_has_comment"], errors="ignore")
        write_csv(responses, staging / "responses.csv")
        rejects = result.rejects
        if rejects.empty:
            rejects = pd.DataFrame(columns=["row", "column", "reason"])
        write_csv(rejects, staging / "rejects.csv")
        if result.join is not None and result.join.comments_without_score is not None:
            write_csv(result.join.comments_without_score, staging / "unmatched_comments.csv")
        for table_name, frame in result.tables().items():
            write_csv(frame, staging / f"{table_name}.csv")
        write_json(result.summary(), staging / "summary.json")
        from .report import render_html
        atomic_write_text(staging / "report.html", render_html(result))
    return Path(out_dir)
