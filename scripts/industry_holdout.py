"""How well the reason model carries over to an industry it never saw (no ../shared needed).

    python scripts/industry_holdout.py [CORPUS] [--group-col industry] [--only telecom,insurance]

For each industry (each value of --group-col), trains the default pipeline on the corpus without that
industry's rows and scores it on them: micro- and macro-F1 with 95% bootstrap intervals. It is the
corpus's own stand-in for "a company nobody has looked at". To see what a set of rows adds, run it on two
corpora, e.g. the current one and an earlier one from git, with the same --only list: a held-out
industry's training set is then the same rows plus the ones added. A ``weight`` column, if present,
weighs the training rows as in ``analyze train``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.card import format_interval  # noqa: E402
from analyzer.model import ReasonModel  # noqa: E402
from analyzer.train import decided_reasons, load_labelled, make_pipeline, metrics_report  # noqa: E402


def holdout_scores(corpus: pd.DataFrame, group_col: str = "industry", only: list[str] | None = None):
    """Yield ``(industry, rows, report)`` for each held-out industry, in sorted order."""
    if group_col not in corpus.columns:
        raise SystemExit(f"no column {group_col!r}; columns are {list(corpus.columns)}")
    # Parsed and checked once; each split is then a row mask over the same frame and label matrix.
    data = load_labelled(corpus[[c for c in ("text", "score", "reasons", "weight") if c in corpus]])
    groups = sorted(corpus[group_col].unique())
    for group in only or groups:
        if group not in groups:
            raise SystemExit(f"no rows with {group_col} = {group!r}; values are {groups}")
        held = (corpus[group_col] == group).to_numpy()
        train = data.frame[~held].reset_index(drop=True)
        fit_params = {} if data.weights is None else {"classifier__sample_weight": data.weights[~held]}
        pipe = make_pipeline().fit(train, data.Y[~held], **fit_params)
        predicted = decided_reasons(ReasonModel(pipeline=pipe, labels=data.labels),
                                    data.frame[held].reset_index(drop=True), data.labels)
        yield group, int(held.sum()), metrics_report(data.Y[held], predicted, data.labels)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(REPO / "data" / "corpus.csv"),
                        help="labelled CSV with text, score, reasons and the group column "
                             "(default: data/corpus.csv)")
    parser.add_argument("--group-col", default="industry",
                        help="column whose values are held out one at a time (default: industry)")
    parser.add_argument("--only", help="comma-separated industries to hold out (default: all)")
    args = parser.parse_args(argv)
    corpus = pd.read_csv(args.corpus, keep_default_na=False, dtype={"text": str, "reasons": str})
    only = [g.strip() for g in args.only.split(",")] if args.only else None
    micro, weights = [], []
    print(f"{args.corpus}: {len(corpus)} rows; each {args.group_col} held out in turn")
    for group, rows, rep in holdout_scores(corpus, args.group_col, only):
        print(f"  {group:<20} n={rows:<5} micro-F1 {rep['micro_f1']:.3f}{format_interval(rep['micro_f1_ci'])}"
              f"  macro-F1 {rep['macro_f1']:.3f}{format_interval(rep['macro_f1_ci'])}", flush=True)
        micro.append(rep["micro_f1"])
        weights.append(rows)
    print(f"mean micro-F1 over {len(micro)} held-out {args.group_col} values {np.mean(micro):.3f} "
          f"(weighted by rows {np.average(micro, weights=weights):.3f})")


if __name__ == "__main__":
    main()
