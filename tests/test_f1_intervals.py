"""The accuracy figures' arithmetic: every F1 comes with an interval that means something."""

import numpy as np

from analyzer.train import f1_intervals, metrics_report


def _sample(rng, n):
    truth = rng.rand(n, 5) < 0.3
    pred = truth ^ (rng.rand(n, 5) < 0.15)  # about 15% of decisions wrong
    return truth, pred


def test_intervals_bracket_the_estimates_and_shrink_with_more_comments():
    rng = np.random.RandomState(3)
    truth, pred = _sample(rng, 200)
    report = metrics_report(truth.astype(int), pred.astype(int), list("abcde"))
    low, high = report["micro_f1_ci"]
    assert low < report["micro_f1"] < high
    low_m, high_m = report["macro_f1_ci"]
    assert low_m < report["macro_f1"] < high_m
    for row in report["per_label"]:
        assert row["f1_ci"][0] < row["f1"] < row["f1_ci"][1]
    big = f1_intervals(*_sample(rng, 5000))
    assert big["micro_f1"][1] - big["micro_f1"][0] < (high - low) / 3
    assert f1_intervals(truth, truth)["micro_f1"] == [1.0, 1.0]
    assert f1_intervals(truth, pred) == f1_intervals(truth, pred)  # seeded: the same figures every run


def test_a_label_with_few_examples_gets_a_wide_interval():
    rng = np.random.RandomState(5)
    truth, pred = _sample(rng, 400)
    truth[:, 4], pred[:, 4] = False, False
    truth[:3, 4] = pred[:2, 4] = True  # three examples, two found
    per_label = f1_intervals(truth, pred)["per_label"]
    widths = [hi - lo for lo, hi in per_label]
    assert widths[4] > 2 * max(widths[:4])


def test_micro_interval_matches_resampling_comments_directly():
    rng = np.random.RandomState(7)
    truth, pred = _sample(rng, 150)
    tp, n_pred, n_true = (truth & pred).sum(1), pred.sum(1), truth.sum(1)
    draws = np.random.RandomState(0)
    scores = []
    for _ in range(300):
        i = draws.randint(0, len(truth), len(truth))
        scores.append(2 * tp[i].sum() / (n_pred[i].sum() + n_true[i].sum()))
    expected = np.round(np.percentile(scores, [2.5, 97.5]), 4).tolist()
    assert f1_intervals(truth, pred, draws=300, seed=0)["micro_f1"] == expected
