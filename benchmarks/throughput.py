"""Throughput and memory of `analyze`, as ratios against pandas reading the same file in the same run.

    python benchmarks/throughput.py [--rows 100000] [--model models/default]

Builds a synthetic export from the team's corpus (fixed seed), then times, each in a fresh process:
  baseline  pandas.read_csv of the file (dtype=str)
  no-model  analyze(..., model=None): read, validate, segment, aggregate
  model     analyze(..., model=default): the above plus language check and reason classification
Prints seconds, rows/s, peak RSS, and each figure as a ratio to the baseline. Single timings on shared
machines are noisy; the ratios are what to compare between runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
kind, path, model = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if kind == "baseline":
    import pandas as pd
    rows = len(pd.read_csv(path, dtype=str, keep_default_na=False))
else:
    import analyzer
    result = analyzer.analyze(path, model=None if kind == "no-model" else model)
    rows = result.rows_read
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"kind": kind, "rows": rows, "seconds": elapsed, "peak_mb": peak}))
"""


def make_export(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with open(REPO / "data" / "corpus.csv", newline="", encoding="utf-8") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["response_id", "date", "plan", "score", "comment"])
        for i in range(rows):
            out.writerow([f"R{i}", f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026",
                          rng.choice(["Basic", "Pro", "Team"]), rng.randint(0, 10), rng.choice(texts)])


def run(kind: str, path: Path, model: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), model], capture_output=True,
                         text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        make_export(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"synthetic export: {args.rows} rows, {size_mb:.1f} MB")
        results = [run(kind, path, args.model) for kind in ("baseline", "no-model", "model")]
    base = results[0]
    print(f"{'run':<10}{'seconds':>10}{'rows/s':>12}{'peak MB':>10}{'time x':>9}{'memory x':>10}")
    for r in results:
        print(f"{r['kind']:<10}{r['seconds']:>10.2f}{r['rows'] / r['seconds']:>12.0f}{r['peak_mb']:>10.0f}"
              f"{r['seconds'] / base['seconds']:>9.1f}{r['peak_mb'] / base['peak_mb']:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
