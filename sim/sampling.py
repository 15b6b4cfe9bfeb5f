"""Drawing which rows an event happens to, at a cost that scales with the events.

Each row has its own chance of an event today. Instead of drawing a number for every row,
`sample_rows` draws the number of rows an event of the largest chance would hit (a binomial)
and which rows (without replacement); the caller then keeps each drawn row with probability
(its own chance / the largest chance) and only if it is eligible (`thin`). This thinning
gives every eligible row exactly its own chance, independently, and costs time in proportion
to the events, not to the population.

The functions are compiled (numba) so that compiled phases can call them; called from
Python they work the same. They draw exactly what numpy's `Generator.binomial`,
`Generator.choice(n, k, replace=False)` and `Generator.random(k)` would draw, in the same
order, so a seed gives the same rows either way (`tests/test_sampling.py` checks this).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# numpy's `Generator.choice` without replacement shuffles a whole index when the population
# is larger than this and more than 1/_TAIL_SHUFFLE_FRACTION of it is drawn; otherwise it
# uses Floyd's algorithm with a hash set. Both are reproduced draw for draw.
_TAIL_SHUFFLE_MIN_POPULATION = 10_000
_TAIL_SHUFFLE_FRACTION = 50


@njit(cache=True, inline="always")
def sample_rows(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Sorted rows of a population of `n`, each drawn independently with probability `p`."""
    if n == 0 or p <= 0:
        return np.zeros(0, np.int64)
    count = rng.binomial(n, min(p, 1.0))
    if count == 0:
        return np.zeros(0, np.int64)
    rows = choice_without_replacement(rng, n, count)
    rows.sort()
    return rows


@njit(cache=True, inline="always")
def thin(rng: np.random.Generator, rows: np.ndarray, keep_probability: np.ndarray,
         eligible: np.ndarray) -> np.ndarray:
    """Keep each of `rows` with `keep_probability` (a chance relative to the one it was drawn
    with) if it is `eligible`; one uniform draw per row, made whether eligible or not."""
    kept = np.empty(rows.size, np.int64)
    count = 0
    for k in range(rows.size):
        if rng.random() < keep_probability[k] and eligible[k]:
            kept[count] = rows[k]
            count += 1
    return kept[:count]


@njit(cache=True)
def choice_without_replacement(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """`size` distinct integers of 0..n-1 in random order: the same values, in the same order,
    with the same draws, as numpy's `rng.choice(n, size, replace=False)`."""
    if n > _TAIL_SHUFFLE_MIN_POPULATION and size > n // _TAIL_SHUFFLE_FRACTION:
        index = np.arange(n)
        _shuffle_tail(rng, index, max(n - size, 1))
        return index[n - size:].copy()
    out = np.empty(size, np.int64)
    mask = _mask_above(int(1.2 * size))
    table = np.full(mask + 1, -1, np.int64)  # open-addressing hash set of values taken
    for j in range(n - size, n):
        value = rng.integers(0, j + 1)
        slot = value & mask
        while table[slot] != -1 and table[slot] != value:
            slot = (slot + 1) & mask
        if table[slot] == -1:
            table[slot] = value
        else:  # value already taken: take j instead (Floyd)
            value = j
            slot = j & mask
            while table[slot] != -1:
                slot = (slot + 1) & mask
            table[slot] = j
        out[j - n + size] = value
    _shuffle_tail(rng, out, 1)
    return out


@njit(cache=True, inline="always")
def _shuffle_tail(rng: np.random.Generator, values: np.ndarray, first: int) -> None:
    """Fisher-Yates over positions `first`..end, from the end (numpy's `_shuffle_int`)."""
    for i in range(values.size - 1, first - 1, -1):
        j = rng.integers(0, i + 1)
        values[i], values[j] = values[j], values[i]


@njit(cache=True, inline="always")
def _mask_above(value: int) -> int:
    """The smallest 2**k - 1 at least `value`."""
    mask = value
    shift = 1
    while shift < 64:
        mask |= mask >> shift
        shift *= 2
    return mask
