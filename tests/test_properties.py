"""Property-based tests: arbitrary input never crashes the reader; counts always reconcile; NPS math
stays on its scale."""

import csv
import io
import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import analyze
from analyzer.aggregate import nps_interval
from analyzer.errors import InputError
from analyzer.validate import parse_scores

PROFILE = settings(max_examples=150, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROFILE
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000))
def test_nps_on_scale_and_interval_contains_estimate(p, n, d):
    est = nps_interval(p, n, d)
    if p + n + d == 0:
        assert math.isnan(est.nps)
        return
    assert -100 <= est.low <= est.nps <= est.high <= 100
    assert est.n == p + n + d


score_text = st.one_of(
    st.integers(-20, 30).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " 9 ", "9.0", "N/A", "ten", "7.5", "10 - Extremely likely", "١٠", "9,0", "0x9"]),
    st.text(max_size=8))


@PROFILE
@given(st.lists(score_text, min_size=1, max_size=40))
def test_every_score_is_valid_or_has_a_reason(values):
    scores, problems = parse_scores(pd.Series(values, dtype=object))
    for score, problem in zip(scores, problems):
        if pd.isna(score):
            assert problem
        else:
            assert 0 <= score <= 10 and problem == ""


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@PROFILE
@given(rows=st.lists(st.tuples(score_text, cell, cell), min_size=1, max_size=25),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       header=st.sampled_from([["score", "comment", "id"], ["NPS", "Why?", "Respondent ID"],
                               ["q1", "q2", "q3"]]))
def test_generated_exports_reconcile_or_are_refused(tmp_path_factory, rows, delimiter, encoding, header):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding, errors="replace")
    path = tmp_path_factory.mktemp("prop") / "export.csv"
    path.write_bytes(data)
    try:
        result = analyze(path, model=None)
    except InputError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return
    assert result.rows_read == result.rows_analysed + result.rows_rejected
    assert result.rows_read >= 1
    if result.rows_analysed:
        assert -100 <= result.nps.low <= result.nps.nps <= result.nps.high <= 100


@PROFILE
@given(st.binary(min_size=0, max_size=2000))
def test_arbitrary_bytes_never_traceback(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("bytes") / "blob.csv"
    path.write_bytes(blob)
    try:
        result = analyze(path, model=None)
    except InputError as exc:
        assert str(exc).strip()
        return
    assert result.rows_read == result.rows_analysed + result.rows_rejected
