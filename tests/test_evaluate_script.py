"""The accuracy script's arithmetic: its figures come with an interval that means something."""

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "evaluate_reasons.py"


def _load():
    spec = importlib.util.spec_from_file_location("evaluate_reasons", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_micro_f1_interval_brackets_the_estimate_and_shrinks_with_more_comments():
    evaluate = _load()
    rng = np.random.RandomState(3)

    def sample(n):
        truth = rng.rand(n, 5) < 0.3
        pred = truth ^ (rng.rand(n, 5) < 0.15)  # about 15% of decisions wrong
        tp = (truth & pred).sum()
        return truth, pred, 2 * tp / (truth.sum() + pred.sum())

    truth, pred, point = sample(200)
    low, high = evaluate.micro_f1_interval(truth, pred)
    assert low < point < high
    big_low, big_high = evaluate.micro_f1_interval(*sample(5000)[:2])
    assert big_high - big_low < (high - low) / 3
    assert evaluate.micro_f1_interval(truth, truth) == (1.0, 1.0)
    assert evaluate.micro_f1_interval(truth, pred) == (low, high)  # seeded: the same figures every run
