"""Terminal rendering of results with rich tables. Rendering only: every number comes from the result."""

from __future__ import annotations

import math

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .aggregate import NO_COMMENT, NO_REASON
from .validate import SEGMENTS


def _pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _nps(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.1f}"


def render_result(result, console: Console) -> None:
    est = result.nps
    console.print(f"[bold]{escape(result.source)}[/bold]  layout: {result.layout}"
                  + (f", encoding: {result.encoding}" if result.encoding else "")
                  + (f", delimiter: {result.delimiter!r}" if result.delimiter else ""))
    console.print(f"Columns: {escape(result.columns.describe())}")
    console.print(f"Rows read: {result.rows_read}  analysed: {result.rows_analysed}  "
                  f"rejected: {result.rows_rejected}")
    if len(result.rejects):
        counts = result.rejects["reason"].value_counts()
        shown = "; ".join(f"{escape(str(r))}: {n}" for r, n in counts.head(6).items())
        console.print(f"Rejected rows by reason: {shown}")
    console.print()
    console.print(f"[bold]NPS {_nps(est.nps)}[/bold]  95% CI [{_nps(est.low)}, {_nps(est.high)}]  "
                  f"n = {est.n}")

    seg = Table(title="Segments", show_edge=False)
    seg.add_column("segment")
    seg.add_column("n", justify="right")
    seg.add_column("share", justify="right")
    for row in result.segments.itertuples():
        seg.add_row(row.segment, str(row.n), _pct(row.share))
    console.print(seg)

    if result.labels:
        _render_reasons(result, console)
    else:
        console.print("No reason model in use: reasons are not shown (see --model).")

    for col in result.columns.groups:
        _render_breakdown(console, f"NPS by {col}", result.groups(col))
    if result.period:
        _render_breakdown(console, f"NPS by {result.period}", result.periods)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


def _render_reasons(result, console: Console) -> None:
    reasons = result.reasons
    table = Table(title="Reasons: share of respondents in each segment (n)", show_edge=False)
    table.add_column("reason")
    for segment in (*SEGMENTS, "all"):
        table.add_column(segment, justify="right")
    pivot = {(r.reason, r.segment): r for r in reasons.itertuples()}
    order = sorted(result.labels, key=lambda r: -pivot[(r, "all")].n)
    for reason in [*order, NO_REASON, NO_COMMENT]:
        if pivot[(reason, "all")].n == 0 and reason in (NO_REASON, NO_COMMENT):
            continue
        cells = []
        for segment in (*SEGMENTS, "all"):
            r = pivot[(reason, segment)]
            cells.append(f"{_pct(r.share)} ({r.n})")
        table.add_row(reason.replace("_", " "), *cells)
    console.print(table)


def _render_breakdown(console: Console, title: str, frame) -> None:
    table = Table(title=escape(title), show_edge=False)
    for name, justify in (("value", "left"), ("n", "right"), ("NPS", "right"), ("95% CI", "right")):
        table.add_column(name, justify=justify)
    for row in frame.itertuples():
        table.add_row(escape(str(row.value)), str(row.n), _nps(row.nps),
                      f"[{_nps(row.nps_low)}, {_nps(row.nps_high)}]")
    console.print(table)
