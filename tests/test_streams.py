"""Counter-based draws: candidate days drawn ahead give each day its chance, and depend only
on their key, slot and purpose."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from sim.streams import (
    CANDIDATE_CHANCE,
    LATER,
    happens_today,
    next_candidate,
    uniforms,
)


def _chain(key: np.uint64, slot: int, chance: float, days: int) -> list[int]:
    out, day = [], -1
    while True:
        day = next_candidate(key, slot, day, 1, chance)
        if day >= days:
            return out
        out.append(day)


def test_candidate_days_come_with_their_daily_chance():
    key, chance, days = np.uint64(12345), 0.01, 200_000
    days_hit = _chain(key, 3, chance, days)
    rate = len(days_hit) / days
    assert abs(rate - chance) < 4 * np.sqrt(chance / days)
    gaps = np.diff(days_hit)
    # Memoryless: a gap is as likely to be 1 day as a daily chance says.
    assert abs(np.mean(gaps == 1) - chance) < 0.01


def test_a_chain_depends_only_on_its_key_slot_and_purpose():
    key = np.uint64(99)
    assert _chain(key, 5, 0.02, 5000) == _chain(key, 5, 0.02, 5000)
    assert _chain(key, 5, 0.02, 5000) != _chain(key, 6, 0.02, 5000)
    assert _chain(np.uint64(98), 5, 0.02, 5000) != _chain(key, 5, 0.02, 5000)
    assert next_candidate(key, 5, 10, 1, 0.0) == LATER


def test_decision_draws_are_uniform_and_keyed_on_row_and_day():
    key, rows = np.uint64(7), np.arange(100_000)
    draws = uniforms(key, rows, 3, 11)
    assert draws.min() >= 0 and draws.max() < 1
    assert abs(draws.mean() - 0.5) < 0.005
    np.testing.assert_array_equal(uniforms(key, rows[::-1], 3, 11), draws[::-1])
    assert not np.array_equal(uniforms(key, rows, 4, 11), draws)
    assert not np.array_equal(uniforms(key, rows, 3, 12), draws)


@njit(cache=True)
def _event_days(key: np.uint64, slots: int, days: int, chance: np.ndarray) -> np.ndarray:
    """happens_today over each slot's chain of candidate days, as the life phase uses it,
    with a daily chance that may vary by day: a (slots, days) table of events."""
    out = np.zeros((slots, days), np.bool_)
    for i in range(slots):
        next_day = next_candidate(key, i, -1, 1, CANDIDATE_CHANCE)
        for day in range(days):
            candidate = next_day == day
            out[i, day] = happens_today(key, i, day, candidate, chance[day], 2, 3)
            if candidate:
                next_day = next_candidate(key, i, day, 1, CANDIDATE_CHANCE)
    return out


@pytest.mark.parametrize("chance", [0.0005, 0.005, CANDIDATE_CHANCE, 0.05, 0.4])
def test_events_on_a_chain_come_with_their_daily_chance(chance: float):
    slots, days = 2000, 500
    events = _event_days(np.uint64(4), slots, days, np.full(days, chance))
    n = slots * days
    assert abs(events.mean() - chance) < 4 * np.sqrt(chance * (1 - chance) / n)


def test_a_chance_that_changes_in_time_gets_each_days_chance():
    """A macro window that multiplies the chance by 40 (above CANDIDATE_CHANCE) for 100 days."""
    slots, days = 4000, 300
    chance = np.full(days, 0.001)
    chance[100:200] = 0.04
    events = _event_days(np.uint64(5), slots, days, chance)
    for part in (slice(0, 100), slice(100, 200), slice(200, 300)):
        p, n = chance[part][0], slots * 100
        assert abs(events[:, part].mean() - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_a_higher_chance_keeps_every_event_of_a_lower_one():
    """Common random numbers across worlds: whatever two chances two markets give a slot,
    on either side of CANDIDATE_CHANCE, the lower one's events are among the higher one's."""
    slots, days = 500, 400
    chances = [0.0, 0.001, 0.01, CANDIDATE_CHANCE, 0.03, 0.2, 1.0]
    tables = [_event_days(np.uint64(6), slots, days, np.full(days, c)) for c in chances]
    for low, high in zip(tables, tables[1:], strict=False):
        assert not (low & ~high).any()
        assert high.sum() > low.sum()
    assert tables[-1].all() and not tables[0].any()
