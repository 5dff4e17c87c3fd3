"""Build data/example_export.csv: a small survey export made from the team's own corpus.

    python scripts/make_example.py

It looks like what a survey tool exports (its own column names, day-first dates, a plan column, a few
rows with no or broken scores) so that `analyze data/example_export.csv` shows every part of the output.
Deterministic: a fixed seed.
"""

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
rng = random.Random(20261122)

with open(REPO / "data" / "corpus.csv", newline="", encoding="utf-8") as fh:
    # The first SaaS writer's rows only, so that later corpus rounds leave the example unchanged.
    rows = [r for r in csv.DictReader(fh) if r["source_note"].startswith("writer saas;")]
picked = rng.sample(rows, 150)
start = datetime(2026, 7, 1, 9, 0)
broken = {7: "", 19: "N/A", 33: "11", 58: "", 91: "7.5"}
with open(REPO / "data" / "example_export.csv", "w", newline="", encoding="utf-8") as fh:
    out = csv.writer(fh)
    out.writerow(["Response ID", "Submitted", "Plan", "How likely are you to recommend us? (0-10)",
                  "Why did you give that score?"])
    for i, row in enumerate(picked):
        when = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        score = broken.get(i, row["score"] if i % 10 else f"{row['score']}.0")
        out.writerow([f"R_{1000 + i}", when.strftime("%d/%m/%Y %H:%M"),
                      rng.choice(["Starter", "Team", "Team", "Enterprise"]), score,
                      "" if i % 23 == 5 else row["text"]])
print("wrote data/example_export.csv")
