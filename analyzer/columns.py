"""Finding the score, comment, id, date and grouping columns of an export.

Survey tools name columns however they like (``NPS_SCORE``, ``Q1``, ``How likely are you to recommend
us to a friend?``), so detection looks at names *and* at values of a sample of rows. Every guess can be
overridden, and what was chosen is always reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .errors import InputError
from .validate import detect_date_format, score_of

SCORE_NAME = re.compile(r"nps|score|rating|recommend|likel|\bltr\b|rate us", re.I)
SCORE_NAME_STRONG = re.compile(r"likely to recommend|recommend|nps.?score|^score$|^nps$|ltr", re.I)
SCORE_NAME_WEAK = re.compile(r"group|segment|category|type|rating_?text|recaptcha|duration|progress",
                             re.I)
COMMENT_NAME = re.compile(
    r"comment|text|why|reason|feedback|verbatim|open.?ended|explain|tell us|suggest|improve|remark|"
    r"answer|response$|describe", re.I)
ID_NAME = re.compile(r"(^|[\s_])id$|^id|response.?id|respondent|uuid|record|account|customer.?(id|no|number)",
                     re.I)
DATE_SHAPE = r"\d{1,4}[-/. ]\d{1,2}|\d{1,2} [A-Za-z]{3}|[A-Za-z]{3,9} \d{1,2}"
DATE_NAME = re.compile(r"date|time|submitted|created|recorded|timestamp|^day$|when", re.I)
# Export metadata: long or categorical, but never the comment or a useful group.
METADATA_NAME = re.compile(
    r"agent|e-?mail|ip.?address|^ip$|url|latitude|longitude|first.?name|last.?name|recipient|"
    r"distribution|language|status|finished|progress|duration|external|collector|custom data|"
    r"recaptcha|^q_", re.I)


@dataclass
class ColumnMap:
    """Which input column plays which role."""

    score: str
    comment: str | None = None
    id: str | None = None
    date: str | None = None
    date_format: str | None = None
    groups: list[str] = field(default_factory=list)
    group_candidates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"score={self.score!r}", f"comment={self.comment!r}", f"id={self.id!r}"]
        date = repr(self.date)
        if self.date and self.date_format:
            date += f" ({self.date_format})"
        parts.append(f"date={date}")
        if self.groups:
            parts.append(f"groups={self.groups!r}")
        if self.group_candidates:
            parts.append(f"other categories={self.group_candidates!r}")
        return ", ".join(parts)


def _text_of(name: str, labels: dict[str, str]) -> str:
    label = labels.get(name, "")
    return f"{name} {label}" if label and label != name else name


def column_values(sample: pd.DataFrame) -> dict[str, list[str]]:
    """Non-empty, stripped values of each column of a sample, as plain lists.

    Detection looks at every column, and exports can have thousands: plain Python over lists is far
    cheaper here than thousands of small pandas operations.
    """
    arr = sample.to_numpy(dtype=object)
    values = {}
    for j, name in enumerate(sample.columns):
        col = arr[:, j]
        values[name] = [v.strip() for v in col if isinstance(v, str) and v and not v.isspace()]
    return values


def score_validity(values: list[str]) -> tuple[float, int]:
    """Share of non-empty values that are valid scores, and how many distinct scores occur."""
    if not values:
        return 0.0, 0
    counts = Counter(values)
    scores = {v: score_of(v) for v in counts}
    valid = sum(n for v, n in counts.items() if scores[v] is not None)
    return valid / len(values), len({s for s in scores.values() if s is not None})


def detect_columns(sample: pd.DataFrame, labels: dict[str, str], *, source: str,
                   score_col: str | None = None, comment_col: str | None = None,
                   id_col: str | None = None, date_col: str | None = None,
                   group_cols: list[str] | tuple[str, ...] = (), month_first: bool = False) -> ColumnMap:
    """Decide the role of each column from a sample of rows (strings)."""
    columns = list(sample.columns)
    # Bound the cells inspected so that exports with thousands of columns stay quick.
    sample = sample.head(max(50, min(len(sample), 1_000_000 // max(1, len(columns)))))
    for flag, name in (("--score-col", score_col), ("--comment-col", comment_col),
                       ("--id-col", id_col), ("--date-col", date_col),
                       *(("--group-col", g) for g in group_cols)):
        if name is not None and name not in columns:
            raise InputError(f"{flag} {name!r} is not a column; columns are: {_listing(columns)}",
                             path=source)

    values = column_values(sample)
    score = score_col or _detect_score(values, labels, source)
    taken = {score}
    date, date_format, notes = date_col, None, []
    if date is None:
        date = _detect_date(values, labels, taken)
    if date is not None:
        date_format, share, ambiguous = detect_date_format(sample[date], month_first=month_first)
        if date_format is None or share < 0.5:
            notes.append(f"column {date!r} does not hold dates in a known format; not used as a date")
            date, date_format = None, None
        elif ambiguous:
            order = "month-first" if month_first else "day-first"
            notes.append(f"dates in {date!r} fit both day-first and month-first; read as {order}")
    taken.add(date)
    ident = id_col or find_id_column(values, labels, taken)
    taken.add(ident)
    comment = comment_col or find_comment_column(values, labels, taken)
    taken.add(comment)
    candidates = [c for c in _detect_groups(values, labels, taken) if c not in group_cols]
    return ColumnMap(score=score, comment=comment, id=ident, date=date, date_format=date_format,
                     groups=list(group_cols), group_candidates=candidates, notes=notes)


def _listing(columns: list[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:40])
    return shown + (f", … ({len(columns)} in all)" if len(columns) > 40 else "")


def _detect_score(values: dict[str, list[str]], labels: dict[str, str], source: str) -> str:
    ranked = []
    for position, (name, vals) in enumerate(values.items()):
        validity, distinct = score_validity(vals)
        if validity < 0.5:
            continue
        text = _text_of(name, labels)
        named = bool(SCORE_NAME.search(text))
        if not named and (validity < 0.9 or distinct < 3):
            continue
        if named and SCORE_NAME_WEAK.search(name) and not SCORE_NAME_STRONG.search(text):
            named = False
            if distinct < 4:
                continue
        # A column of unique values counting up is an id, not a score, even if it stays under 11.
        unique_ratio = len(set(vals)) / len(vals)
        key = (named, bool(SCORE_NAME_STRONG.search(text)), distinct >= 3, validity,
               -unique_ratio, distinct, -position)
        ranked.append((key, name))
    if not ranked:
        raise InputError(
            "no usable score column (whole numbers 0-10) was found; columns seen: "
            f"{_listing(list(values))}. Name one with --score-col.", path=source)
    return max(ranked)[1]


def _detect_date(values: dict[str, list[str]], labels: dict[str, str], taken: set) -> str | None:
    best, best_share = None, 0.0
    shape = re.compile(DATE_SHAPE)
    for name, vals in values.items():
        if name in taken or not vals:
            continue
        head = vals[:20]
        if sum(bool(shape.search(v)) for v in head) < 0.8 * len(head):
            continue
        fmt, share, _ = detect_date_format(pd.Series(vals[:500], dtype=object))
        if fmt is None:
            continue
        share += 0.1 if DATE_NAME.search(_text_of(name, labels)) else 0.0
        if share > best_share and share >= 0.8:
            best, best_share = name, share
    return best


def find_id_column(values: dict[str, list[str]], labels: dict[str, str], taken: set) -> str | None:
    best, best_key = None, None
    for position, (name, vals) in enumerate(values.items()):
        if name in taken or not vals:
            continue
        if not ID_NAME.search(name) or METADATA_NAME.search(name) and "id" not in name.lower():
            continue
        if max(len(v) for v in vals) > 64:
            continue
        unique = len(set(vals)) / len(vals)
        # Duplicated ids are a finding to report, not a reason to miss the id column.
        strong = re.search(r"^(id|response.?id|respondent.?id|responseid)$", name.strip(), re.I)
        if unique < (0.5 if strong else 0.9):
            continue
        key = (bool(re.search(r"response|respondent", name, re.I)), unique, -position)
        if best_key is None or key > best_key:
            best, best_key = name, key
    return best


WORDY = re.compile(r"[^\W\d_]{2,}")


def find_comment_column(values: dict[str, list[str]], labels: dict[str, str], taken: set) -> str | None:
    best, best_score = None, 0.0
    for name, vals in values.items():
        if name in taken or not vals or METADATA_NAME.search(name):
            continue
        wordy = sum(bool(WORDY.search(v)) for v in vals) / len(vals)
        if wordy < 0.3:
            continue
        mean_len = sum(min(len(v), 500) for v in vals) / len(vals)
        spaces = sum(" " in v for v in vals) / len(vals)
        distinct = len(set(vals)) / len(vals)
        hinted = bool(COMMENT_NAME.search(_text_of(name, labels)))
        score = mean_len * (0.5 + spaces) * (0.3 + distinct) * wordy * (3 if hinted else 1)
        if score > best_score and (mean_len >= 8 or hinted):
            best, best_score = name, score
    return best


def _detect_groups(values: dict[str, list[str]], labels: dict[str, str], taken: set) -> list[str]:
    groups = []
    for name, vals in values.items():
        if name in taken or len(vals) < 10 or METADATA_NAME.search(name):
            continue
        distinct = len(set(vals))
        if 2 <= distinct <= 50 and distinct <= len(vals) / 5 and sum(map(len, vals)) / len(vals) <= 40:
            groups.append(name)
    return groups
