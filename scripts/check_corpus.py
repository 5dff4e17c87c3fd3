"""Validate the labelled corpus in data/: ids, counts, duplicates, and no leakage from ../shared.

    python scripts/check_corpus.py [data/corpus.csv] [--shared ../shared]

Prints the figures and a list of problems; exits 1 if there are any. The tests run it.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.codebook import REASONS  # noqa: E402

COLUMNS = ["text", "score", "reasons", "industry", "source_note"]
MIN_PER_REASON = 120
MIN_NO_REASON = 150
MIN_ROWS = 3000
MIN_MULTI_SHARE = 0.30
MIN_INDUSTRIES = 6
NEAR_DUPLICATE = 0.8
SHINGLE = 5


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    t = normalise(text)
    if len(t) <= k:
        return {t}
    return {t[i:i + k] for i in range(len(t) - k + 1)}


def near_duplicates(texts: list[str], threshold: float = NEAR_DUPLICATE) -> list[tuple[int, int, float]]:
    """Pairs with character 5-gram Jaccard similarity above ``threshold`` (sparse, all pairs)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        for g in shingles(text):
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(texts), len(vocab)))
    m.data[:] = 1
    sizes = np.asarray(m.sum(axis=1)).ravel()
    inter = (m @ m.T).tocoo()
    pairs = []
    for i, j, n in zip(inter.row, inter.col, inter.data):
        if i < j:
            jac = n / (sizes[i] + sizes[j] - n)
            if jac > threshold:
                pairs.append((int(i), int(j), float(jac)))
    return pairs


def read_corpus(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            raise SystemExit(f"{path}: columns must be {COLUMNS}, found {reader.fieldnames}")
        return list(reader)


def shared_texts(shared: Path) -> list[str]:
    found = []
    for file in sorted(shared.rglob("*.csv")):
        with open(file, newline="", encoding="utf-8", errors="replace") as fh:
            for row in csv.DictReader(fh):
                text = row.get("text") or ""
                if len(normalise(text)) >= 20:
                    found.append(text)
    return found


def check(path: Path, shared: Path | None) -> tuple[dict, list[str]]:
    rows = read_corpus(path)
    problems: list[str] = []
    counts: Counter = Counter()
    by_industry: dict[str, Counter] = {}
    multi = none = 0
    for n, row in enumerate(rows, start=2):
        ids = [r for r in row["reasons"].split(";") if r]
        unknown = [r for r in ids if r not in REASONS]
        if unknown:
            problems.append(f"row {n}: unknown reason ids {unknown}")
        if len(set(ids)) != len(ids):
            problems.append(f"row {n}: repeated reason id")
        if not row["score"].isdigit() or not 0 <= int(row["score"]) <= 10:
            problems.append(f"row {n}: score {row['score']!r} is not 0-10")
        if not row["industry"].strip():
            problems.append(f"row {n}: no industry")
        counts.update(ids)
        by_industry.setdefault(row["industry"], Counter()).update([*ids, "(rows)"] if ids else
                                                                  ["(none)", "(rows)"])
        multi += len(ids) >= 2
        none += not ids
    texts = [r["text"] for r in rows]
    exact = [t for t, c in Counter(normalise(t) for t in texts).items() if c > 1]
    if exact:
        problems.append(f"{len(exact)} exact duplicate texts, e.g. {exact[:3]}")
    near = near_duplicates(texts)
    for i, j, jac in near[:10]:
        problems.append(f"near duplicates (Jaccard {jac:.2f}): row {i + 2} {texts[i][:50]!r} ~ "
                        f"row {j + 2} {texts[j][:50]!r}")
    if len(rows) < MIN_ROWS:
        problems.append(f"{len(rows)} rows; at least {MIN_ROWS} required")
    for reason in REASONS:
        if counts[reason] < MIN_PER_REASON:
            problems.append(f"{reason}: {counts[reason]} comments; at least {MIN_PER_REASON} required")
    if none < MIN_NO_REASON:
        problems.append(f"{none} comments with no reason; at least {MIN_NO_REASON} required")
    if multi / max(1, len(rows)) < MIN_MULTI_SHARE:
        problems.append(f"only {multi / len(rows):.0%} of comments have two or more reasons")
    if len(by_industry) < MIN_INDUSTRIES:
        problems.append(f"{len(by_industry)} industries; at least {MIN_INDUSTRIES} required")
    leaks = 0
    if shared is not None and shared.exists():
        ours = {normalise(t) for t in texts}
        held_out = shared_texts(shared)
        leaks = sum(1 for t in held_out if normalise(t) in ours)
        # Near copies too: reuse the 5-gram Jaccard over the union, counting cross pairs only.
        combined = texts + held_out
        cross = [(i, j) for i, j, _ in near_duplicates(combined) if i < len(texts) <= j]
        leaks += len(cross)
        if leaks:
            problems.append(f"{leaks} corpus comments match comments in {shared} (copied or paraphrased)")
    lengths = np.array([len(t.split()) for t in texts])
    figures = {
        "rows": len(rows), "reasons": dict(sorted(counts.items())), "no_reason": none,
        "multi_reason_share": round(multi / max(1, len(rows)), 3),
        "industries": {k: v["(rows)"] for k, v in sorted(by_industry.items())},
        "labels_by_industry": {k: dict(sorted((r, n) for r, n in v.items() if r != "(rows)"))
                               for k, v in sorted(by_industry.items())},
        "length_words": {"median": float(np.median(lengths)), "p90": float(np.percentile(lengths, 90)),
                         "max": int(lengths.max()), "share_1_6": round(float((lengths <= 6).mean()), 3)},
        "near_duplicate_pairs": len(near), "shared_matches": leaks,
    }
    return figures, problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(REPO / "data" / "corpus.csv"))
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    args = parser.parse_args(argv)
    figures, problems = check(Path(args.corpus), Path(args.shared))
    for key, value in figures.items():
        print(f"{key}: {value}")
    for p in problems:
        print(f"PROBLEM: {p}")
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
