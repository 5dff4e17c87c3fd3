import math

import pytest

from analyzer.aggregate import Tally, nps_interval, wilson_interval
from analyzer.validate import segment_of


def test_segments_boundaries():
    assert [segment_of(s) for s in range(11)] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    for bad in (-1, 11, 7.5):
        with pytest.raises(ValueError):
            segment_of(bad)


def test_nps_hand_computed():
    # P=50, passives=30, D=20, n=100. NPS = 30.
    # n'=103, p'=50.75/103=0.492718, d'=20.75/103=0.201456
    # var = 0.694175 - 0.084833 = 0.609342 ; se = sqrt(var/103) = 0.076915 ; margin = 0.150753
    # centre p'-d' = 30/103 = 0.291262
    est = nps_interval(50, 30, 20)
    assert est.n == 100
    assert est.nps == pytest.approx(30.0)
    assert est.low == pytest.approx(29.1262 - 15.0753, abs=1e-3)
    assert est.high == pytest.approx(29.1262 + 15.0753, abs=1e-3)


def test_nps_telecom_figures_by_hand():
    # 463 promoters, 252 passives, 849 detractors (the telecom export): NPS = -386/1564*100
    est = nps_interval(463, 252, 849)
    assert est.nps == pytest.approx(-24.680307, abs=1e-5)
    n1 = 1567
    p, d = 463.75 / n1, 849.75 / n1
    margin = 1.96 * math.sqrt((p + d - (p - d) ** 2) / n1) * 100
    centre = (p - d) * 100
    assert est.low == pytest.approx(centre - margin)
    assert est.high == pytest.approx(centre + margin)
    assert round(margin, 2) == 4.37  # 1.96*sqrt(0.77755/1567)


def test_small_and_extreme_samples_stay_on_scale():
    one = nps_interval(1, 0, 0)  # all promoters: plain Wald would give a zero-width interval
    assert one.nps == 100 and one.high == 100 and one.low < 100
    assert nps_interval(0, 0, 5).nps == -100
    # One detractor is not evidence of an NPS below -26: the adjusted centre (-25) and margin (73.5)
    # reach well above 0; the low end is widened from -98.5 to include the NPS itself.
    single = nps_interval(0, 0, 1)
    assert single.low == -100 and single.high == pytest.approx(48.5, abs=0.01)
    five = nps_interval(5, 0, 0)
    assert five.high == 100 and five.low == pytest.approx(17.5, abs=0.1)
    empty = nps_interval(0, 0, 0)
    assert math.isnan(empty.nps) and empty.n == 0


def test_negative_or_fractional_counts_refused():
    with pytest.raises(ValueError):
        nps_interval(-1, 0, 2)
    with pytest.raises(ValueError):
        nps_interval(1.5, 0, 2)


def test_wilson_hand_computed():
    low, high = wilson_interval(10, 100)
    assert low == pytest.approx(0.0552, abs=1e-4)
    assert high == pytest.approx(0.1744, abs=1e-4)


def test_tally_merges_like_one_pass():
    import pandas as pd

    a, b, whole = Tally(), Tally(), Tally()
    seg1 = pd.Series(["promoter", "detractor", "passive"])
    seg2 = pd.Series(["promoter", "promoter"])
    a.add_segments("all", pd.Series(["all"] * 3), seg1)
    b.add_segments("all", pd.Series(["all"] * 2), seg2)
    whole.add_segments("all", pd.Series(["all"] * 5), pd.concat([seg1, seg2], ignore_index=True))
    a += b
    assert a.estimate() == whole.estimate()
    assert a.estimate().promoters == 3
