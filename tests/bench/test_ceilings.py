"""The benchmark's own arithmetic: a wrong quantile would be a wrong claim."""

import math

from bench.ceilings import quantile, subtract


def test_quantile_interpolates_inside_the_bucket_like_histogram_quantile():
    # 100 samples: 50 under 0.1 s, 40 in (0.1, 0.2], 10 in (0.2, 0.5].
    buckets = {0.1: 50, 0.2: 90, 0.5: 100, math.inf: 100}
    assert quantile(buckets, 0.5) == 0.1
    assert math.isclose(quantile(buckets, 0.7), 0.15)
    assert math.isclose(quantile(buckets, 0.99), 0.2 + 0.3 * 0.9)


def test_a_window_counts_only_what_happened_between_two_scrapes():
    before = {0.1: 10, 1.0: 10, math.inf: 10}
    after = {0.1: 10, 1.0: 30, math.inf: 30}
    window = subtract(after, before)
    assert window == {0.1: 0, 1.0: 20, math.inf: 20}
    assert 0.1 < quantile(window, 0.5) < 1.0


def test_no_samples_gives_no_figure():
    assert math.isnan(quantile({0.1: 0, math.inf: 0}, 0.99))
