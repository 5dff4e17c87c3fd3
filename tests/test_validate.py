import pandas as pd
import pytest

from analyzer.validate import detect_date_format, parse_dates, parse_scores, period_labels


@pytest.mark.parametrize("raw, expected", [
    ("9", 9), (" 9 ", 9), ("9.0", 9), ("10", 10), ("0", 0), ("0.00", 0), ("9,0", 9), ("+7", 7),
    ("10 - Extremely likely", 10), ("0 - Not at all likely", 0),
])
def test_valid_scores(raw, expected):
    scores, problems = parse_scores(pd.Series([raw]))
    assert scores[0] == expected
    assert problems[0] == ""


@pytest.mark.parametrize("raw, reason", [
    ("", "missing score"), ("N/A", "missing score"), ("11", "outside 0-10"), ("-1", "outside 0-10"),
    ("ten", "not a number"), ("7.5", "not a whole number"), ("9 stars", "not a number"),
    ("100", "outside 0-10"), ("1e1", "not a number"),
])
def test_invalid_scores(raw, reason):
    scores, problems = parse_scores(pd.Series([raw]))
    assert pd.isna(scores[0])
    assert reason in problems[0]


def test_day_first_dates():
    sample = pd.Series(["21/02/2018 19:39", "01/05/2018 20:23", "03/05/2018 19:36"])
    fmt, share, ambiguous = detect_date_format(sample)
    assert fmt == "%d/%m/%Y %H:%M" and share == 1.0 and not ambiguous
    parsed = parse_dates(sample, fmt)
    assert parsed[0].month == 2 and parsed[0].day == 21
    assert parsed[1].month == 5 and parsed[1].day == 1


def test_month_first_dates_detected_by_values():
    fmt, _, ambiguous = detect_date_format(pd.Series(["02/21/2018", "12/13/2019"]))
    assert fmt == "%m/%d/%Y" and not ambiguous


def test_ambiguous_dates_reported():
    fmt, _, ambiguous = detect_date_format(pd.Series(["01/02/2018", "03/04/2018"]))
    assert ambiguous and fmt == "%d/%m/%Y"
    fmt, _, _ = detect_date_format(pd.Series(["01/02/2018", "03/04/2018"]), month_first=True)
    assert fmt == "%m/%d/%Y"


def test_weeks_run_monday_to_sunday():
    # 2026-02-16 is a Monday, 2026-02-22 a Sunday: one ISO week; the next Monday starts another.
    dates = pd.Series(pd.to_datetime(["2026-02-16", "2026-02-17", "2026-02-22", "2026-02-23", None]))
    labels = period_labels(dates, "week").tolist()
    assert labels == ["2026-02-16/2026-02-22"] * 3 + ["2026-02-23/2026-03-01", "unknown date"]


def test_iso_timestamps_with_fractions_and_offsets_are_dates():
    raw = pd.Series(["2026-01-05T10:00:03.137Z", "2026-01-31T23:30:00-05:00", "2026-02-02T09:15:00+0100",
                     "2026-02-03T10:00:00.123456"])
    assert detect_date_format(raw)[:2] == ("%Y-%m-%dT%H:%M:%S", 1.0)
    dates = parse_dates(raw, "%Y-%m-%dT%H:%M:%S")
    # The respondent's wall-clock time decides the month: 23:30 on 31 January is January.
    assert period_labels(dates, "month").tolist() == ["2026-01", "2026-01", "2026-02", "2026-02"]
    # As an xlsx cell with milliseconds reaches us:
    assert parse_dates(pd.Series(["2026-01-05 10:00:03.137000"]), "%Y-%m-%d %H:%M:%S").notna().all()
