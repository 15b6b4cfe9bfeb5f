"""Row-set helpers equal their numpy definitions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.rows import merge_rows, outside_sorted, union_rows, without_rows

row_lists = st.lists(st.integers(0, 60), max_size=40)
# The helpers are compiled: the first example loads (or compiles) them, which takes longer
# than hypothesis' default deadline per example.
compiled = settings(deadline=None)


@compiled
@given(st.lists(row_lists, min_size=1, max_size=4))
def test_union_rows_is_union1d(parts: list[list[int]]) -> None:
    arrays = [np.unique(np.array(p, np.int64)) for p in parts]
    assert np.array_equal(union_rows(*arrays), np.union1d(arrays[0], np.concatenate(arrays)))


@compiled
@given(row_lists, row_lists)
def test_without_rows_is_isin_complement(rows: list[int], removed: list[int]) -> None:
    rows_a, removed_a = np.array(rows, np.int64), np.array(removed, np.int64)
    expected = rows_a[~np.isin(rows_a, removed_a)]
    assert np.array_equal(without_rows(rows_a, removed_a), expected)


@compiled
@given(row_lists, row_lists)
def test_merge_rows_is_union1d_of_ascending_rows(a: list[int], b: list[int]) -> None:
    a_rows, b_rows = np.unique(np.array(a, np.int64)), np.unique(np.array(b, np.int64))
    merged = merge_rows(a_rows, b_rows)
    assert merged.dtype == np.int64
    assert np.array_equal(merged, np.union1d(a_rows, b_rows))


@compiled
@given(row_lists, row_lists)
def test_outside_sorted_is_isin_complement(rows: list[int], removed: list[int]) -> None:
    rows_a, ascending = np.array(rows, np.int64), np.unique(np.array(removed, np.int64))
    expected = rows_a[~np.isin(rows_a, ascending)]
    assert np.array_equal(outside_sorted(rows_a, ascending), expected)
