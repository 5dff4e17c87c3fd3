"""Validating scores and dates, and assigning NPS segments.

A valid score is a whole number 0-10. Survey tools write it as ``9``, `` 9 ``, ``9.0`` (a float column),
``9,0`` (a European export) or ``9 - Extremely likely`` (a choice label); all of these are 9. Anything else
is not guessed at: the row is rejected with a reason an analyst can act on.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

SEGMENTS = ("promoter", "passive", "detractor")

# group 1: the integer part; group 2: a fractional part (must be all zeros to count)
_NUMBER = r"^[+]?(\d+)(?:[.,](\d+))?$"
_LABELLED = r"^(\d{1,2})\s*[-–—:]\s*[^\d].*likely.*$"


_ONE_NUMBER = re.compile(_NUMBER)
_ONE_LABELLED = re.compile(_LABELLED, re.I)


def score_of(text: str) -> int | None:
    """Scalar :func:`parse_scores` for one string: the score, or None if it is not a valid one."""
    text = text.strip()
    m = _ONE_NUMBER.match(text)
    if m:
        if m.group(2) is not None and m.group(2).strip("0"):
            return None
        value = int(m.group(1))
    else:
        m = _ONE_LABELLED.match(text)
        if not m:
            return None
        value = int(m.group(1))
    return value if 0 <= value <= 10 else None


def segment_of(score: int) -> str:
    """The NPS segment of one whole 0-10 score."""
    if not 0 <= score <= 10 or int(score) != score:
        raise ValueError(f"not an NPS score: {score!r}")
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def parse_scores(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised score parsing.

    Returns ``(scores, problems)``: ``scores`` is a nullable Int64 series (NA where invalid) and
    ``problems`` holds a human reason for every invalid value (empty string where valid).
    """
    text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
    number = text.str.extract(_NUMBER)
    labelled = text.str.extract(_LABELLED, flags=2)[0]  # re.IGNORECASE
    whole = number[0].where(number[1].isna() | number[1].fillna("").str.fullmatch(r"0+"))
    whole = whole.fillna(labelled)
    value = pd.to_numeric(whole, errors="coerce")
    ok = value.between(0, 10)
    scores = value.where(ok).astype("Int64")

    problems = pd.Series("", index=raw.index, dtype=object)
    empty = text.eq("") | text.str.lower().isin({"nan", "none", "null", "na", "n/a", "-", "--"})
    numeric = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    fraction = numeric.notna() & number[0].notna() & whole.isna()
    out_of_range = value.notna() & ~ok
    negative = numeric.notna() & (numeric < 0)
    problems[~ok] = "score " + _quote(text[~ok]) + " is not a number"
    problems[fraction] = "score " + _quote(text[fraction]) + " is not a whole number"
    problems[out_of_range | (negative & ~fraction)] = (
        "score " + _quote(text[out_of_range | (negative & ~fraction)]) + " is outside 0-10")
    problems[empty] = "missing score"
    problems[ok] = ""
    return scores, problems


def _quote(values: pd.Series) -> pd.Series:
    shown = values.str.slice(0, 40)
    return "'" + shown + "'"


def segments_of(scores: pd.Series) -> pd.Series:
    """Vectorised :func:`segment_of` for a series of valid whole scores."""
    s = scores.to_numpy(dtype="float64", na_value=np.nan)
    seg = np.select([s >= 9, s >= 7, s >= 0], ["promoter", "passive", "detractor"], default="")
    return pd.Series(seg, index=scores.index, dtype=object)


# --------------------------------------------------------------------------------------------------
# Dates

# Tried in order; the first to parse (nearly) every sampled value wins. Day-first before month-first:
# most of the world writes 21/02/2018, and a value like that settles the question by failing the other.
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y %H:%M", "%d/%m/%y",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m/%d/%y",
    "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d",
    "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
)


# ISO timestamps as APIs and spreadsheets write them: fractional seconds, "Z" or a UTC offset. The
# response's own wall-clock time is what puts it in a day, week or month, so the rest is dropped.
_ISO_TAIL = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$")


def _date_text(raw: pd.Series) -> pd.Series:
    return raw.astype(str).str.strip().str.replace(_ISO_TAIL, r"\1", regex=True)


def detect_date_format(sample: pd.Series, month_first: bool = False) -> tuple[str | None, float, bool]:
    """Return ``(format, share_parsed, ambiguous)`` for the best date format of a sample of strings.

    ``ambiguous`` is true when both a day-first and a month-first reading fit every value (no day above
    12 was seen); ``month_first`` chooses for that case (SurveyMonkey exports are US-style).
    """
    values = _date_text(sample)
    values = values[values != ""]
    if values.empty:
        return None, 0.0, False
    shares = {}
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(values, format=fmt, errors="coerce")
        shares[fmt] = float(parsed.notna().mean())
    best = max(DATE_FORMATS, key=lambda f: (shares[f] >= 0.95, shares[f], -DATE_FORMATS.index(f)))
    share = shares[best]
    ambiguous = False
    if "%d/%m" in best or "%d.%m" in best or "%d-%m" in best:
        twin = best.replace("%d/%m", "%m/%d").replace("%d.%m", "%m.%d").replace("%d-%m", "%m-%d")
        twin_share = float(pd.to_datetime(values, format=twin, errors="coerce").notna().mean())
        if twin_share >= share:
            ambiguous = True
            if month_first:
                best = twin
    return best, share, ambiguous


def parse_dates(raw: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(_date_text(raw), format=fmt, errors="coerce")


# Pandas names a weekly period by the day it ends on: "W-SUN" gives ISO weeks, Monday to Sunday.
PERIODS = {"week": "W-SUN", "month": "M", "quarter": "Q"}


def period_labels(dates: pd.Series, period: str) -> pd.Series:
    """Label each date with its period (``2018-02``, ``2018Q1``, ``2018-02-19/2018-02-25``)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {sorted(PERIODS)}")
    labels = dates.dt.to_period(PERIODS[period]).astype(str)
    return labels.where(dates.notna(), "unknown date")
