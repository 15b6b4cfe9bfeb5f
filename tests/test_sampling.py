"""Event sampling by thinning gives each eligible row its own chance, independently."""

from __future__ import annotations

import numpy as np

from sim.sampling import sample_rows, thin


def test_sample_rows_hits_each_row_with_probability_p() -> None:
    rng = np.random.default_rng(5)
    hits = np.zeros(500)
    trials = 2000
    for _ in range(trials):
        rows = sample_rows(rng, 500, 0.1)
        assert np.all(np.diff(rows) > 0)  # sorted, no repeats
        hits[rows] += 1
    rate = hits / trials
    assert abs(rate.mean() - 0.1) < 0.005
    assert rate.min() > 0.06 and rate.max() < 0.14


def test_thinning_gives_each_row_its_own_chance_and_skips_the_ineligible() -> None:
    rng = np.random.default_rng(6)
    n, high, trials = 400, 0.2, 3000
    own = np.where(np.arange(n) % 2 == 0, high, 0.05)
    eligible = np.arange(n) % 5 != 0
    hits = np.zeros(n)
    for _ in range(trials):
        drawn = sample_rows(rng, n, high)
        kept = thin(rng, drawn, own[drawn] / high, eligible=eligible[drawn])
        hits[kept] += 1
    rate = hits / trials
    assert rate[~eligible].max() == 0
    for chance in (high, 0.05):
        group = eligible & (own == chance)
        assert abs(rate[group].mean() - chance) < 0.01 * (1 + 10 * chance)


def test_nothing_is_drawn_at_zero_chance_or_from_nobody() -> None:
    rng = np.random.default_rng(7)
    assert sample_rows(rng, 1000, 0.0).size == 0
    assert sample_rows(rng, 0, 0.5).size == 0


def test_sample_rows_draws_exactly_what_numpy_would() -> None:
    """The compiled sampler reproduces numpy's binomial and choice without replacement, draw
    for draw, on both of numpy's paths (Floyd's algorithm and the tail shuffle)."""
    for seed, n, p in ((1, 10_000, 0.003), (2, 500, 0.4), (3, 20_000, 0.3), (4, 1, 1.0)):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        rows = sample_rows(ours, n, p)
        count = numpys.binomial(n, p)
        expected = np.sort(numpys.choice(n, count, replace=False))
        assert np.array_equal(rows, expected)
        assert ours.random() == numpys.random()  # the streams are in the same place after
