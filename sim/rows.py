"""Sets of borrower rows as ascending index arrays.

The work is compiled (numba): on the few hundred rows a phase handles, numpy's fixed cost per
call (a dozen calls for a union) outweighed the work itself.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def union_rows(*parts: np.ndarray) -> np.ndarray:
    """Ascending rows (int64) found in any of `parts`, each row once; equal to `np.union1d`."""
    if len(parts) == 1:
        return _sorted_unique(np.asarray(parts[0], np.int64))
    return _sorted_unique(np.concatenate(parts).astype(np.int64, copy=False))


@njit(cache=True)
def _sorted_unique(rows: np.ndarray) -> np.ndarray:
    merged = np.sort(rows)
    out = np.empty(merged.size, np.int64)
    n = 0
    for k in range(merged.size):
        if n == 0 or merged[k] != out[n - 1]:
            out[n] = merged[k]
            n += 1
    return out[:n]


@njit(cache=True)
def merge_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Ascending rows (int64) found in `a` or `b`, each once, where `a` and `b` are ascending
    without repeats: equal to `np.union1d(a, b)`, in one pass over both instead of a sort."""
    out = np.empty(a.size + b.size, np.int64)
    i = j = n = 0
    while i < a.size and j < b.size:
        if a[i] < b[j]:
            out[n] = a[i]
            i += 1
        elif b[j] < a[i]:
            out[n] = b[j]
            j += 1
        else:
            out[n] = a[i]
            i += 1
            j += 1
        n += 1
    while i < a.size:
        out[n] = a[i]
        i += 1
        n += 1
    while j < b.size:
        out[n] = b[j]
        j += 1
        n += 1
    return out[:n]


@njit(cache=True)
def outside_sorted(rows: np.ndarray, ascending: np.ndarray) -> np.ndarray:
    """`rows` (any order) without those found in `ascending` (ascending), order kept: equal to
    `rows[~np.isin(rows, ascending)]`, by a binary search per row instead of sorting both."""
    keep = np.empty(rows.size, np.bool_)
    for k in range(rows.size):
        at = np.searchsorted(ascending, rows[k])
        keep[k] = at == ascending.size or ascending[at] != rows[k]
    return rows[keep]


@njit(cache=True)
def without_rows(rows: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """`rows` (any order) without those found in `removed`, order kept. Equal to
    `rows[~np.isin(rows, removed)]`."""
    if rows.size == 0 or removed.size == 0:
        return rows
    return outside_sorted(rows, np.sort(removed))
