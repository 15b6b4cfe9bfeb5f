"""The policy frontier: the policies no other policy beats on both of two losses.

A point (x, y) is dominated when another point has x' <= x and y' <= y with at least one
strictly smaller; the frontier is every point that is not dominated (lower is better on both
axes). Points that are exactly equal do not dominate each other, so both stay.

Means over a few replicates are noisy, and a frontier drawn through noisy means favours lucky
points. `frontier_shares` therefore resamples the replicates (the same draw for every point:
they share their seeds) and counts how often each point is on the frontier of the resampled
means: a policy that is on it in only a few resamples is not reliably better than the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def pareto_mask(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True for the non-dominated points of (x, y), both to be minimised; NaN points are
    never on the frontier. O(n log n)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    mask = np.zeros(len(x), dtype=bool)
    valid = np.flatnonzero(~(np.isnan(x) | np.isnan(y)))
    order = valid[np.lexsort((y[valid], x[valid]))]
    best_y = np.inf  # lowest y among points with a strictly smaller x
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and x[order[j]] == x[order[i]]:
            j += 1
        group = order[i:j]  # same x, ascending y
        low = y[group[0]]
        if low < best_y:
            mask[group[y[group] == low]] = True
        best_y = min(best_y, low)
        i = j
    return mask


def frontier_table(points: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """The rows of `points` on the frontier of columns `x` and `y`, sorted by `x`."""
    mask = pareto_mask(points[x].to_numpy(float), points[y].to_numpy(float))
    return points[mask].sort_values([x, y], ignore_index=True)


def dominated_by(points: pd.DataFrame, row: pd.Series, x: str, y: str) -> pd.DataFrame:
    """The rows of `points` that dominate `row` on (`x`, `y`)."""
    better = (points[x] <= row[x]) & (points[y] <= row[y]) & (
        (points[x] < row[x]) | (points[y] < row[y]))
    return points[better]


def frontier_shares(x: np.ndarray, y: np.ndarray, resamples: int = 200,
                    seed: int = 0) -> np.ndarray:
    """Share of bootstrap resamples of the replicates in which each point is on the frontier.
    `x` and `y` are (points, replicates) arrays of one replicate's outcome each (NaN where
    missing); replicate j of every point shares its seed, so a resample draws the same
    replicates for every point. NaN for all points with fewer than two replicates."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    points, replicates = x.shape
    if replicates < 2:
        return np.full(points, np.nan)
    rng = np.random.default_rng(seed)
    hits = np.zeros(points)
    for _ in range(resamples):
        pick = rng.integers(0, replicates, replicates)
        with np.errstate(invalid="ignore"):
            hits += pareto_mask(np.nanmean(x[:, pick], axis=1), np.nanmean(y[:, pick], axis=1))
    return hits / resamples
