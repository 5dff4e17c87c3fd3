"""A one-file HTML report of a result: NPS with its interval, segments, reasons per segment, breakdowns,
and example comments for each reason.

Comments are typed by strangers and the report is opened in browsers: every user-supplied string (comments,
column names, group values, file names) goes through :func:`html.escape`, and the page carries a Content
Security Policy that allows no script at all.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from .aggregate import NO_COMMENT, NO_REASON
from .validate import SEGMENTS

EXAMPLES_PER_REASON = 3
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;
text-align:right}td:first-child,th:first-child{text-align:left}.nps{font-size:2rem;font-weight:600}
.muted{color:#666}blockquote{margin:.3rem 0 .3rem 1rem;color:#333;white-space:pre-wrap}
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _nps(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.1f}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(result) -> str:
    est = result.nps
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>NPS report: {esc(result.source)}</title><style>{STYLE}</style></head><body>",
        f"<h1>NPS report</h1><p class='muted'>{esc(result.source)} · {esc(result.columns.describe())}</p>",
        f"<p class='nps'>NPS {_nps(est.nps)}</p>",
        f"<p>95% interval [{_nps(est.low)}, {_nps(est.high)}], n = {est.n}. Rows read {result.rows_read}, "
        f"analysed {result.rows_analysed}, rejected {result.rows_rejected}.</p>",
        "<h2>Segments</h2>",
        _table(["segment", "n", "share"], [[esc(r.segment), str(r.n), _pct(r.share)]
                                           for r in result.segments.itertuples()]),
    ]
    if result.labels:
        parts.append(_reason_section(result))
    for col in result.columns.groups:
        parts.append(f"<h2>NPS by {esc(col)}</h2>" + _breakdown(result.groups(col)))
    if result.period:
        parts.append(f"<h2>NPS by {esc(result.period)}</h2>" + _breakdown(result.periods))
    if result.warnings:
        parts.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{esc(w)}</li>" for w in result.warnings)
                     + "</ul>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _breakdown(frame: pd.DataFrame) -> str:
    return _table(["value", "n", "NPS", "95% CI"],
                  [[esc(r.value), str(r.n), _nps(r.nps), f"[{_nps(r.nps_low)}, {_nps(r.nps_high)}]"]
                   for r in frame.itertuples()])


def _reason_section(result) -> str:
    reasons = result.reasons
    pivot = {(r.reason, r.segment): r for r in reasons.itertuples()}
    order = sorted(result.labels, key=lambda r: -pivot[(r, "all")].n) + [NO_REASON, NO_COMMENT]
    rows = [[esc(reason)] + [f"{_pct(pivot[(reason, s)].share)} ({pivot[(reason, s)].n})"
                             for s in (*SEGMENTS, "all")] for reason in order]
    parts = ["<h2>Reasons: share of respondents in each segment</h2>",
             _table(["reason", *SEGMENTS, "all"], rows), "<h2>Example comments</h2>"]
    responses = result.responses
    comment = result.columns.comment
    for reason in order[: len(result.labels)]:
        column = f"p_{reason}"
        if column not in responses or comment is None:
            continue
        hits = responses[responses["reasons"].str.split(";").apply(lambda ids, r=reason: r in ids)]
        if hits.empty:
            continue
        top = hits.sort_values([column, "row"], ascending=[False, True]).head(EXAMPLES_PER_REASON)
        quotes = "".join(f"<blockquote>{esc(str(t)[:600])} <span class='muted'>({esc(s)})</span>"
                         "</blockquote>" for t, s in zip(top[comment], top["segment"]))
        parts.append(f"<h3>{esc(reason)}</h3>{quotes}")
    return "".join(parts)
