"""NPS arithmetic and the partial sums that let the pipeline run chunk by chunk.

Everything reported is computed from counts: counts from chunks (or from workers, later) add up, and the
NPS, its interval and the reason shares are derived from the totals at the end.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .validate import SEGMENTS

Z95 = 1.96
NO_COMMENT = "no_comment"
NO_REASON = "no_reason"


@dataclass(frozen=True)
class NPSEstimate:
    """Net Promoter Score on the -100..100 scale with a 95% adjusted-Wald interval."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float
    low: float
    high: float

    def as_dict(self) -> dict:
        return {"n": self.n, "promoters": self.promoters, "passives": self.passives,
                "detractors": self.detractors, "nps": self.nps, "nps_interval": [self.low, self.high]}


def nps_interval(promoters: int, passives: int, detractors: int, z: float = Z95) -> NPSEstimate:
    """NPS with the adjusted-Wald interval (Rocks 2016).

    n' = n+3, p' = (P+3/4)/n', d' = (D+3/4)/n', var = p'+d'-(p'-d')², (p'-d') ± z·sqrt(var/n').
    Like every adjusted-Wald interval it is centred on the adjusted estimate p'-d', not on the raw NPS:
    the pseudo-counts pull a small sample's interval towards 0, which is what keeps one detractor
    from yielding a confident "below -26". The adjusted centre can leave the raw NPS just outside the
    interval at the extremes (one detractor: NPS -100, interval from -98.5), so the interval is widened
    to include it: conservative there, unchanged once n is more than a handful. Bounds are clipped to
    the scale. An empty sample has no NPS: ``nan`` with the widest interval.
    """
    for count in (promoters, passives, detractors):
        if count < 0 or int(count) != count:
            raise ValueError("segment counts must be whole numbers >= 0")
    n = promoters + passives + detractors
    if n == 0:
        return NPSEstimate(0, 0, 0, 0, math.nan, -100.0, 100.0)
    score = (promoters - detractors) / n
    n_adj = n + 3
    p_adj = (promoters + 0.75) / n_adj
    d_adj = (detractors + 0.75) / n_adj
    var = p_adj + d_adj - (p_adj - d_adj) ** 2
    margin = z * math.sqrt(var / n_adj)
    centre = p_adj - d_adj
    low = max(-1.0, min(score, centre - margin))
    high = min(1.0, max(score, centre + margin))
    return NPSEstimate(int(n), int(promoters), int(passives), int(detractors),
                       100 * score, 100 * low, 100 * high)


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval for a share k/n (reason shares), as fractions."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Tally:
    """Mergeable partial sums of one analysis.

    ``segments[(dimension, value, segment)]`` counts respondents; the overall split is the dimension
    ``"all"``. ``reasons[(segment, reason)]`` counts reason mentions.
    """

    rows_read: int = 0
    rows_analysed: int = 0
    rows_rejected: int = 0
    segments: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)

    def __iadd__(self, other: "Tally") -> "Tally":
        self.rows_read += other.rows_read
        self.rows_analysed += other.rows_analysed
        self.rows_rejected += other.rows_rejected
        self.segments.update(other.segments)
        self.reasons.update(other.reasons)
        return self

    def add_segments(self, dimension: str, values: pd.Series, segments: pd.Series) -> None:
        counts = pd.crosstab(values, segments)
        for value, row in counts.iterrows():
            for segment, n in row.items():
                if n:
                    self.segments[(dimension, str(value), segment)] += int(n)

    def estimate(self, dimension: str = "all", value: str = "all") -> NPSEstimate:
        get = self.segments.get
        return nps_interval(get((dimension, value, "promoter"), 0), get((dimension, value, "passive"), 0),
                            get((dimension, value, "detractor"), 0))

    def breakdown(self, dimension: str) -> pd.DataFrame:
        """One row per value of a dimension (a group column or the period) with its NPS."""
        values = sorted({v for (d, v, _s) in self.segments if d == dimension})
        rows = []
        for value in values:
            est = self.estimate(dimension, value)
            rows.append({"value": value, "n": est.n, "promoters": est.promoters, "passives": est.passives,
                         "detractors": est.detractors, "nps": est.nps, "nps_low": est.low,
                         "nps_high": est.high})
        return pd.DataFrame(rows, columns=["value", "n", "promoters", "passives", "detractors", "nps",
                                           "nps_low", "nps_high"])

    def segment_table(self) -> pd.DataFrame:
        est = self.estimate()
        counts = {"promoter": est.promoters, "passive": est.passives, "detractor": est.detractors}
        return pd.DataFrame(
            [{"segment": s, "n": counts[s], "share": counts[s] / est.n if est.n else math.nan}
             for s in SEGMENTS])

    def reason_table(self, labels: list[str]) -> pd.DataFrame:
        """Share of each reason within each segment (and overall).

        The denominator is every analysed respondent of the segment, so ``no_comment`` and
        ``no_reason`` rows sit on the same scale as the reasons. Shares within a segment can add up to
        more than 1: a comment may give several reasons.
        """
        est = self.estimate()
        sizes = {"promoter": est.promoters, "passive": est.passives, "detractor": est.detractors,
                 "all": est.n}
        rows = []
        for reason in [*labels, NO_REASON, NO_COMMENT]:
            for segment in (*SEGMENTS, "all"):
                if segment == "all":
                    k = sum(self.reasons.get((s, reason), 0) for s in SEGMENTS)
                else:
                    k = self.reasons.get((segment, reason), 0)
                n = sizes[segment]
                low, high = wilson_interval(k, n)
                rows.append({"reason": reason, "segment": segment, "n": int(k),
                             "share": k / n if n else math.nan, "share_low": low, "share_high": high,
                             "segment_n": int(n)})
        return pd.DataFrame(rows)
