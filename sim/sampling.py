"""Drawing which rows an event happens to, at a cost that scales with the events."""

from __future__ import annotations

import numpy as np


def bernoulli_rows(rng: np.random.Generator, candidates: np.ndarray, p: float) -> np.ndarray:
    """The rows of `candidates` an event of probability `p` happens to, each independently.

    Draws the number of events from a binomial, then which rows without replacement, so the
    cost grows with the events rather than with the candidates. Rows come back sorted."""
    if candidates.size == 0 or p <= 0:
        return candidates[:0]
    count = rng.binomial(candidates.size, min(p, 1.0))
    if count == 0:
        return candidates[:0]
    return np.sort(rng.choice(candidates, count, replace=False))
