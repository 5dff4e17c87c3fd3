"""The analysis: read → validate → classify → aggregate, one chunk of rows at a time.

:func:`analyze` is the library entry point; the CLI, notebooks and tests all call it. It returns an
:class:`AnalysisResult` of pandas DataFrames. Per-chunk work happens in :func:`analyse_chunk`, which only
adds to a :class:`~analyzer.aggregate.Tally` of counts, so totals never need the whole file at once.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .aggregate import NO_COMMENT, NO_REASON, NPSEstimate, Tally
from .columns import ColumnMap, find_comment_column, find_id_column, column_values, detect_columns
from .errors import InputError
from .read import DEFAULT_CHUNK_ROWS, BadRow, open_table, read_all
from .validate import parse_dates, parse_scores, period_labels, segments_of

SUMMARY_VERSION = 1
NO_SCORE_ROW = "no score row has this id"
# Columns the outputs add next to the input's (responses.csv, rejects.csv); p_<label> per reason too.
OUTPUT_COLUMNS = frozenset({"row", "column", "reason", "raw", "segment", "reasons", "language",
                            "_has_comment"})


@dataclass
class JoinReport:
    """How a separate comments file matched the scores file."""

    comments_source: str
    on: str
    matched: int = 0
    scores_without_comment: int = 0
    comments_without_score: pd.DataFrame | None = None
    duplicate_comment_ids: int = 0
    blank_comment_ids: int = 0

    def as_dict(self) -> dict:
        return {"comments_file": self.comments_source, "on": self.on, "matched": self.matched,
                "scores_without_comment": self.scores_without_comment,
                "comments_without_score": 0 if self.comments_without_score is None
                else int(len(self.comments_without_score)),
                "duplicate_comment_ids": self.duplicate_comment_ids,
                "blank_comment_ids": self.blank_comment_ids}


@dataclass
class AnalysisResult:
    """Everything one analysis produced; DataFrames for notebooks, :meth:`summary` for JSON."""

    source: str
    layout: str
    columns: ColumnMap
    tally: Tally
    responses: pd.DataFrame
    rejects: pd.DataFrame
    labels: list[str] = field(default_factory=list)
    model_name: str | None = None
    period: str | None = None
    warnings: list[str] = field(default_factory=list)
    join: JoinReport | None = None
    encoding: str | None = None
    delimiter: str | None = None
    duplicate_ids: int = 0
    languages: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return self.tally.rows_read

    @property
    def rows_analysed(self) -> int:
        return self.tally.rows_analysed

    @property
    def rows_rejected(self) -> int:
        return self.tally.rows_rejected

    @property
    def nps(self) -> NPSEstimate:
        return self.tally.estimate()

    @property
    def segments(self) -> pd.DataFrame:
        return self.tally.segment_table()

    def groups(self, column: str) -> pd.DataFrame:
        return self.tally.breakdown(f"group:{column}")

    @property
    def periods(self) -> pd.DataFrame | None:
        return self.tally.breakdown("period") if self.period else None

    @property
    def reasons(self) -> pd.DataFrame | None:
        return self.tally.reason_table(self.labels) if self.labels else None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The aggregate tables, by name: what ``--out`` writes next to ``summary.json``."""
        out = {"segments": self.segments}
        if self.labels:
            out["reasons_by_segment"] = self.reasons

        def add(name, frame):
            # Files are named by slug, and "Plan" and "plan", or a "Month" column and the month
            # table, share one: number the later ones rather than overwrite.
            unique, k = name, 2
            while unique in out:
                unique, k = f"{name}_{k}", k + 1
            out[unique] = frame

        if self.period:
            add(f"nps_by_{self.period}", self.periods)
        for col in self.columns.groups:
            add(f"nps_by_{_slug(col)}", self.groups(col))
        return out

    def summary(self) -> dict:
        """The content of ``summary.json``: plain JSON types, NaN written as null."""
        est = self.nps
        out = {
            "summary_version": SUMMARY_VERSION,
            "source": self.source,
            "layout": self.layout,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "columns": {"score": self.columns.score, "comment": self.columns.comment,
                        "id": self.columns.id, "date": self.columns.date,
                        "date_format": self.columns.date_format, "groups": self.columns.groups},
            "rows_read": self.rows_read,
            "rows_analysed": self.rows_analysed,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": self.rejects["reason"].value_counts().sort_index().to_dict()
            if len(self.rejects) else {},
            "n": est.n,
            "nps": _num(est.nps),
            "nps_interval": [_num(est.low), _num(est.high)],
            "segments": {row.segment: {"n": int(row.n), "share": _num(row.share)}
                         for row in self.segments.itertuples()},
            "comments": {"with_comment": int(self.responses["_has_comment"].sum())
                         if "_has_comment" in self.responses else None},
            "duplicate_ids": self.duplicate_ids,
            "model": self.model_name,
            "reasons": [],
            "groups": {},
            "periods": None,
            "languages": self.languages,
            "warnings": list(self.warnings),
        }
        out["comments"]["without_comment"] = est.n - (out["comments"]["with_comment"] or 0)
        if self.labels:
            out["reasons"] = [{"reason": r.reason, "segment": r.segment, "n": int(r.n),
                               "share": _num(r.share), "share_interval": [_num(r.share_low),
                                                                          _num(r.share_high)],
                               "segment_n": int(r.segment_n)}
                              for r in self.reasons.itertuples()]
        for col in self.columns.groups:
            out["groups"][col] = _records(self.groups(col))
        if self.period:
            out["periods"] = {"period": self.period, "rows": _records(self.periods)}
        if self.join:
            out["join"] = self.join.as_dict()
        return out


def _slug(name: str) -> str:
    import re
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower() or "group"


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else round(x, 6)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: (_num(v) if isinstance(v, (float, np.floating)) else
                 int(v) if isinstance(v, (int, np.integer)) else v)
             for k, v in row.items()} for row in frame.to_dict("records")]


# --------------------------------------------------------------------------------------------------


def analyze(source, *, comments=None, on: str | None = None, score_col: str | None = None,
            comment_col: str | None = None, id_col: str | None = None, date_col: str | None = None,
            group_cols: list[str] | tuple[str, ...] = (), period: str = "month", model="default",
            chunk_rows: int = DEFAULT_CHUNK_ROWS) -> AnalysisResult:
    """Analyse a survey export (a path or a DataFrame).

    ``model`` is ``"default"`` (the shipped model if installed), ``None`` (no reasons), a path to a model
    folder, or a loaded :class:`~analyzer.model.ReasonModel`.
    """
    from .model import resolve_model  # deferred: spaCy is only imported when reasons are wanted

    table = open_table(source, chunk_rows=chunk_rows)
    chunks = iter(table.chunks)
    first = next(chunks, None)
    if first is None or (first.frame.empty and not first.bad):
        raise InputError("has a header but no data rows" if table.columns else "no rows",
                         path=table.source)
    reason_model = resolve_model(model)
    labels = list(reason_model.labels) if reason_model is not None else []
    reserved = OUTPUT_COLUMNS | {f"p_{label}" for label in labels}
    renames = _renames_for(table.columns, reserved)
    notes = [f"input column {old!r} is called {new!r} in the outputs, which have a {old!r} of their own"
             for old, new in renames.items()]
    table_labels = {renames.get(k, k): v for k, v in table.labels.items()}
    comments_comment_col = comment_col  # with --comments, a column of the comments file
    score_col, comment_col, id_col, date_col, on = (
        renames.get(c, c) if c is not None else None for c in (score_col, comment_col, id_col, date_col, on))
    group_cols = [renames.get(c, c) for c in group_cols]
    sample = first.frame.head(5000).rename(columns=renames)
    if sample.empty:
        sample = pd.DataFrame(columns=[renames.get(c, c) for c in table.columns], dtype=object)

    join = None
    comment_lookup = None
    if comments is not None:
        comment_lookup, join, comment_name = _load_comments(comments, on, id_col, comments_comment_col,
                                                            join_renamed=renames)
        if comment_name in reserved or comment_name in sample.columns:
            # A comments-file column must neither hide a scores-file column nor an output column.
            joined = _free_name(comment_name, reserved | set(sample.columns), "_comments")
            notes.append(f"comment column {comment_name!r} of the comments file is called {joined!r} "
                         "in the outputs")
            comment_name = joined
        if join.on not in sample.columns:
            raise InputError(f"join column {join.on!r} is not in the scores file; columns are: "
                             f"{', '.join(map(repr, table.columns))}", path=table.source)
        id_col = join.on
        comment_col = comment_name
        sample = sample.assign(**{comment_name: sample[join.on].astype(str).str.strip()
                                  .map(comment_lookup).fillna("")})

    columns = detect_columns(sample, table_labels, source=table.source, score_col=score_col,
                             comment_col=comment_col, id_col=id_col, date_col=date_col,
                             group_cols=group_cols, month_first=table.layout == "surveymonkey")
    use_period = period if columns.date else None

    tally = Tally()
    responses, rejects = [], []
    warnings = list(table.warnings) + notes + columns.notes
    id_counts: Counter = Counter()
    stats: Counter = Counter()
    score_keys: set[str] = set()

    def process(chunk):
        frame = chunk.frame.rename(columns=renames) if renames else chunk.frame
        if comment_lookup is not None:
            keys = frame[join.on].astype(str).str.strip()
            found = keys.map(comment_lookup)
            join.scores_without_comment += int(found.isna().sum())
            score_keys.update(keys)
            frame = frame.assign(**{columns.comment: found.fillna("")})
        kept, rejected = analyse_chunk(frame, chunk.bad, columns, tally, model=reason_model,
                                       period=use_period, stats=stats)
        if columns.id:
            ids = kept[columns.id]
            id_counts.update(ids[ids != ""])
        responses.append(kept)
        rejects.append(rejected)

    process(first)
    for chunk in chunks:
        process(chunk)

    if join is not None:
        join.matched = sum(1 for k in comment_lookup if k in score_keys)
        leftovers = join.comments_without_score
        joined = leftovers["reason"].eq(NO_SCORE_ROW) & leftovers[join.on].astype(str).str.strip().isin(
            score_keys)
        join.comments_without_score = leftovers[~joined].reset_index(drop=True)
        if join.scores_without_comment or len(join.comments_without_score):
            warnings.append(
                f"join on {join.on!r}: {join.scores_without_comment} score rows have no comment, "
                f"{len(join.comments_without_score)} comment rows were not joined (why: "
                "unmatched_comments.csv)")
    duplicate_ids = sum(1 for n in id_counts.values() if n > 1)
    if duplicate_ids:
        warnings.append(f"{duplicate_ids} id values in {columns.id!r} occur more than once "
                        "(all rows kept)")
    languages = {k.split(":", 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("language:")}
    truncated = stats["truncated"]
    if truncated:
        warnings.append(f"{truncated} comments are longer than {reason_model.max_chars} characters: their "
                        "reasons come from the first part only (outputs keep the full text)")
    if languages:
        other = sum(v for k, v in languages.items() if k not in ("en", ""))
        if other:
            warnings.append(f"{other} comments look non-English; they get no reasons")

    result = AnalysisResult(
        source=table.source, layout=table.layout, columns=columns, tally=tally,
        responses=pd.concat(responses) if responses else pd.DataFrame(),
        rejects=pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(),
        labels=labels, model_name=getattr(reason_model, "name", None), period=use_period,
        warnings=warnings, join=join, encoding=table.encoding, delimiter=table.delimiter,
        duplicate_ids=duplicate_ids, languages=languages)
    assert result.rows_read == result.rows_analysed + result.rows_rejected
    return result


def analyse_chunk(frame: pd.DataFrame, bad: list[BadRow], columns: ColumnMap, tally: Tally, *,
                  model=None, period: str | None = None,
                  stats: Counter | None = None):
    """Validate, classify and count one chunk. Returns ``(responses, rejects)`` frames.

    ``stats`` collects side counts for warnings (languages seen, comments cut for featurising)."""
    stats = stats if stats is not None else Counter()
    scores, problems = parse_scores(frame[columns.score])
    valid = scores.notna()
    tally.rows_read += len(frame) + len(bad)
    tally.rows_analysed += int(valid.sum())
    tally.rows_rejected += int((~valid).sum()) + len(bad)

    rejected = frame.loc[~valid].copy()
    rejected.insert(0, "reason", problems[~valid])
    rejected.insert(0, "column", columns.score)
    rejected.insert(0, "row", rejected.index.to_numpy())
    if bad:
        structural = pd.DataFrame({"row": [b.row for b in bad], "column": "",
                                   "reason": [b.reason for b in bad],
                                   "raw": [json.dumps(b.values, ensure_ascii=False) for b in bad]})
        rejected = pd.concat([rejected, structural], ignore_index=True).sort_values("row", kind="stable")
    rejected = rejected.reset_index(drop=True)

    kept = frame.loc[valid].copy()
    kept_scores = scores[valid].astype(int)
    kept["segment"] = segments_of(kept_scores)
    tally.add_segments("all", pd.Series("all", index=kept.index), kept["segment"])
    for col in columns.groups:
        tally.add_segments(f"group:{col}", kept[col].str.strip().replace("", "(blank)"), kept["segment"])
    if period and columns.date:
        dates = parse_dates(kept[columns.date], columns.date_format)
        tally.add_segments("period", period_labels(dates, period), kept["segment"])

    text = kept[columns.comment].astype(str) if columns.comment else pd.Series("", index=kept.index)
    has_comment = text.str.strip().ne("")
    kept["_has_comment"] = has_comment
    if model is not None:
        reasons, proba, lang = model.predict_frame(text, kept_scores)
        if model.max_chars:
            stats["truncated"] += int((text.str.len() > model.max_chars).sum())
        kept["reasons"] = reasons
        for label in model.labels:
            kept[f"p_{label}"] = proba[label].round(4)
        if lang is not None:
            kept["language"] = lang
            for code, n in lang[has_comment].value_counts().items():
                stats[f"language:{code}"] += int(n)
        for segment, reason_list, commented in zip(kept["segment"], reasons, has_comment):
            if not commented:
                tally.reasons[(segment, NO_COMMENT)] += 1
            elif not reason_list:
                tally.reasons[(segment, NO_REASON)] += 1
            else:
                for reason in reason_list.split(";"):
                    tally.reasons[(segment, reason)] += 1
    kept.insert(0, "row", kept.index.to_numpy())
    # The row number is a column; an index of the same name would make pandas calls ambiguous.
    return kept.rename_axis(None), rejected


def _free_name(name: str, taken: set[str], suffix: str) -> str:
    new, k = f"{name}{suffix}", 2
    while new in taken:
        new, k = f"{name}{suffix}{k}", k + 1
    return new


def _renames_for(columns, reserved: set[str]) -> dict[str, str]:
    """Input columns named like a column the outputs add, renamed ``<name>_input``: kept, never
    overwritten by ours, and never mistaken for ours."""
    taken = set(columns) | reserved
    renames = {}
    for name in columns:
        if name in reserved:
            renames[name] = _free_name(name, taken, "_input")
            taken.add(renames[name])
    return renames


def _load_comments(comments, on, id_col, comment_col, join_renamed=None):
    """Read a separate comments file into an id → comment mapping (first occurrence wins).

    ``on`` and ``id_col`` name scores-file columns, possibly renamed (``join_renamed``: original →
    new); in the comments file the join column keeps its original name."""
    table, frame, bad = read_all(comments)
    original = {new: old for old, new in (join_renamed or {}).items()}
    on = on or id_col
    if on is not None and on in original and on not in frame.columns:
        frame = frame.rename(columns={original[on]: on})
    if on is None:
        on = find_id_column(column_values(frame.head(5000)), table.labels, set())
        if on is None:
            raise InputError("cannot tell which column joins the files; pass --on COLUMN",
                             path=table.source)
    if on not in frame.columns:
        raise InputError(f"join column {on!r} is not in the comments file; columns are: "
                         f"{', '.join(map(repr, frame.columns))}", path=table.source)
    if comment_col is not None and comment_col not in frame.columns:
        raise InputError(f"comment column {comment_col!r} is not in the comments file; columns are: "
                         f"{', '.join(map(repr, frame.columns))}", path=table.source)
    name = comment_col
    if name is None:
        name = find_comment_column(column_values(frame.head(5000)), table.labels, {on})
        if name is None:
            raise InputError("no free-text comment column found; pass --comment-col",
                             path=table.source)
    keys = frame[on].astype(str).str.strip()
    # A blank id is no id: joined, it would pin one comment on every score row with a blank id.
    blank = keys.eq("")
    duplicated = keys.duplicated(keep="first") & ~blank
    usable = ~blank & ~duplicated
    lookup = dict(zip(keys[usable], frame.loc[usable, name]))
    # Every comment row that is not joined is written out with why, so none is lost unseen.
    shown = _free_name(name, {"row", "reason", on}, "_input") if name in ("row", "reason") else name
    leftovers = pd.DataFrame({
        "row": frame.index.to_numpy(), on: frame[on].to_numpy(), shown: frame[name].to_numpy(),
        "reason": np.select([blank.to_numpy(), duplicated.to_numpy()],
                            [f"blank {on!r}", f"duplicate {on!r}: only the first comment with this id "
                                              "was joined"], NO_SCORE_ROW)})
    report = JoinReport(comments_source=table.source, on=on, duplicate_comment_ids=int(duplicated.sum()),
                        blank_comment_ids=int(blank.sum()), comments_without_score=leftovers)
    if bad:
        report.comments_without_score = pd.concat(
            [report.comments_without_score,
             pd.DataFrame({"row": [b.row for b in bad], on: "", shown: "",
                           "reason": [b.reason for b in bad]})], ignore_index=True)
    return lookup, report, name
