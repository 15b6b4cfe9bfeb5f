"""Drawing which rows an event happens to, at a cost that scales with the events.

Each row has its own chance of an event today. Instead of drawing a number for every row,
`sample_rows` draws the number of rows an event of the largest chance would hit (a binomial)
and which rows (without replacement); the caller then keeps each drawn row with probability
(its own chance / the largest chance) and only if it is eligible. This thinning gives every
eligible row exactly its own chance, independently, and costs time in proportion to the
events, not to the population.
"""

from __future__ import annotations

import numpy as np


def sample_rows(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Sorted rows of a population of `n`, each drawn independently with probability `p`."""
    if n == 0 or p <= 0:
        return np.zeros(0, np.int64)
    count = rng.binomial(n, min(p, 1.0))
    if count == 0:
        return np.zeros(0, np.int64)
    return np.sort(rng.choice(n, count, replace=False))


def thin(rng: np.random.Generator, rows: np.ndarray, keep_probability: np.ndarray | float,
         eligible: np.ndarray | bool = True) -> np.ndarray:
    """Keep each of `rows` with `keep_probability` (a chance relative to the one it was drawn
    with) if it is `eligible`; one uniform draw per row, made whether eligible or not."""
    if rows.size == 0:
        return rows
    keep = (rng.random(rows.size) < keep_probability) & eligible
    return rows[keep]
