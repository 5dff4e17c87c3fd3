"""Finding the score, comment, id, date and grouping columns of an export.

Survey tools name columns however they like (``NPS_SCORE``, ``Q1``, ``How likely are you to recommend
us to a friend?``), so detection looks at names *and* at values of a sample of rows. Every guess can be
overridden, and what was chosen is always reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from .errors import InputError
from .validate import detect_date_format, parse_scores

SCORE_NAME = re.compile(r"nps|score|rating|recommend|likel|\bltr\b|rate us", re.I)
SCORE_NAME_STRONG = re.compile(r"likely to recommend|recommend|nps.?score|^score$|^nps$|ltr", re.I)
SCORE_NAME_WEAK = re.compile(r"group|segment|category|type|rating_?text|recaptcha|duration|progress",
                             re.I)
COMMENT_NAME = re.compile(
    r"comment|text|why|reason|feedback|verbatim|open.?ended|explain|tell us|suggest|improve|remark|"
    r"answer|response$|describe", re.I)
ID_NAME = re.compile(r"(^|[\s_])id$|^id|response.?id|respondent|uuid|record|account|customer.?(id|no|number)",
                     re.I)
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


def _nonempty(sample: pd.Series) -> pd.Series:
    s = sample.astype(str).str.strip()
    return s[s != ""]


def score_validity(values: pd.Series) -> tuple[float, int]:
    """Share of non-empty values that are valid scores, and how many distinct scores occur."""
    values = _nonempty(values)
    if values.empty:
        return 0.0, 0
    scores, _ = parse_scores(values)
    return float(scores.notna().mean()), int(scores.nunique())


def detect_columns(sample: pd.DataFrame, labels: dict[str, str], *, source: str,
                   score_col: str | None = None, comment_col: str | None = None,
                   id_col: str | None = None, date_col: str | None = None,
                   group_cols: list[str] | tuple[str, ...] = (), month_first: bool = False) -> ColumnMap:
    """Decide the role of each column from a sample of rows (strings)."""
    columns = list(sample.columns)
    for flag, name in (("--score-col", score_col), ("--comment-col", comment_col),
                       ("--id-col", id_col), ("--date-col", date_col),
                       *(("--group-col", g) for g in group_cols)):
        if name is not None and name not in columns:
            raise InputError(f"{flag} {name!r} is not a column; columns are: {_listing(columns)}",
                             path=source)

    score = score_col or _detect_score(sample, labels, source)
    taken = {score}
    date, date_format, notes = date_col, None, []
    if date is None:
        date = _detect_date(sample, labels, taken)
    if date is not None:
        date_format, share, ambiguous = detect_date_format(sample[date], month_first=month_first)
        if date_format is None or share < 0.5:
            notes.append(f"column {date!r} does not hold dates in a known format; not used as a date")
            date, date_format = None, None
        elif ambiguous:
            order = "month-first" if month_first else "day-first"
            notes.append(f"dates in {date!r} fit both day-first and month-first; read as {order}")
    taken.add(date)
    ident = id_col or _detect_id(sample, labels, taken)
    taken.add(ident)
    comment = comment_col or _detect_comment(sample, labels, taken)
    taken.add(comment)
    candidates = [c for c in _detect_groups(sample, labels, taken) if c not in group_cols]
    return ColumnMap(score=score, comment=comment, id=ident, date=date, date_format=date_format,
                     groups=list(group_cols), group_candidates=candidates, notes=notes)


def _listing(columns: list[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:40])
    return shown + (f", … ({len(columns)} in all)" if len(columns) > 40 else "")


def _detect_score(sample: pd.DataFrame, labels: dict[str, str], source: str) -> str:
    ranked = []
    for name in sample.columns:
        validity, distinct = score_validity(sample[name])
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
        values = _nonempty(sample[name])
        unique_ratio = values.nunique() / max(1, len(values))
        key = (named, bool(SCORE_NAME_STRONG.search(text)), distinct >= 3, validity,
               -unique_ratio, distinct)
        ranked.append((key, name))
    if not ranked:
        raise InputError(
            "no usable score column (whole numbers 0-10) was found; columns seen: "
            f"{_listing(list(sample.columns))}. Name one with --score-col.", path=source)
    ranked.sort(key=lambda kv: kv[0], reverse=True)
    return ranked[0][1]


def _detect_date(sample: pd.DataFrame, labels: dict[str, str], taken: set) -> str | None:
    best, best_share = None, 0.0
    for name in sample.columns:
        if name in taken:
            continue
        values = _nonempty(sample[name]).head(500)
        if values.empty or not values.str.contains(r"\d", regex=True).all():
            continue
        fmt, share, _ = detect_date_format(values)
        if fmt is None:
            continue
        share += 0.1 if DATE_NAME.search(_text_of(name, labels)) else 0.0
        if share > best_share and share >= 0.8:
            best, best_share = name, share
    return best


def _detect_id(sample: pd.DataFrame, labels: dict[str, str], taken: set) -> str | None:
    best, best_key = None, None
    for name in sample.columns:
        if name in taken:
            continue
        if not ID_NAME.search(name) or METADATA_NAME.search(name) and "id" not in name.lower():
            continue
        values = _nonempty(sample[name])
        if values.empty or values.str.len().max() > 64:
            continue
        unique = values.nunique() / len(values)
        if unique < 0.9:
            continue
        key = (bool(re.search(r"response|respondent", name, re.I)), unique, -sample.columns.get_loc(name))
        if best_key is None or key > best_key:
            best, best_key = name, key
    return best


def _detect_comment(sample: pd.DataFrame, labels: dict[str, str], taken: set) -> str | None:
    best, best_score = None, 0.0
    for name in sample.columns:
        if name in taken or METADATA_NAME.search(name):
            continue
        values = _nonempty(sample[name])
        if values.empty:
            continue
        wordy = values.str.contains(r"[^\W\d_]{2,}", regex=True).mean()
        if wordy < 0.3:
            continue
        mean_len = values.str.len().clip(upper=500).mean()
        spaces = values.str.contains(" ", regex=False).mean()
        distinct = values.nunique() / len(values)
        score = mean_len * (0.5 + spaces) * (0.3 + distinct) * wordy
        if COMMENT_NAME.search(_text_of(name, labels)):
            score *= 3
        if score > best_score and (mean_len >= 8 or COMMENT_NAME.search(_text_of(name, labels))):
            best, best_score = name, score
    return best


def _detect_groups(sample: pd.DataFrame, labels: dict[str, str], taken: set) -> list[str]:
    groups = []
    for name in sample.columns:
        if name in taken or METADATA_NAME.search(name):
            continue
        values = _nonempty(sample[name])
        if len(values) < 10:
            continue
        distinct = values.nunique()
        if 2 <= distinct <= 50 and distinct <= len(values) / 5 and values.str.len().mean() <= 40:
            groups.append(name)
    return groups
