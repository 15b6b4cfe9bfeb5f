"""Counter-based random numbers for the life of each borrower slot.

A comparison forks one market into policy variants. If every phase drew from one generator,
the variants would consume different numbers of draws after the fork (one policy makes more
contacts, grants more deferrals...), and from then on the same borrower would meet other
job losses, illnesses and incomes under each policy: the comparison would no longer be on
common random numbers.

Life events are therefore not drawn from a stream at all: each one is a pure function of
(the run's life key, the borrower slot, a counter, a purpose), hashed with the SplitMix64
finaliser into a uniform number. The counter is the day for daily events (does this slot's
borrower lose their job today? how much do they earn on this pay day?) and the slot's
generation for the traits of a new person. Whatever a policy does, slot `i` on day `d` sees
the same numbers. Each row folds its shocks (kind and start day) into `life_digest`, so a
comparison can count the slots whose shocks after the fork are identical in every variant
(`common_shocks_share`). A departure is not a shock but a choice that depends on the policy
(a borrower leaves the market only without a loan), so a slot may hold another person in one
variant; `generation` counts the people a slot has held, and `common_people_share` reports
how many slots hold the same sequence of people.

Decisions that depend on the policy's own state (who applies for a loan, who answers a call)
keep drawing from the model's generator (`col.rng`): they are part of the policy's effect.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

# Purposes of a life draw (the last argument of `uniform`).
LEAVE, JOB_LOSS, JOB_LOSS_LENGTH, ILLNESS, ILLNESS_LENGTH, PAY = range(1, 7)
PERSON = 16
"""First purpose of a new person's traits (`sim.people.draw_people` uses PERSON + k)."""
DIGEST_JOB_LOSS, DIGEST_ILLNESS = 102, 103
"""Tags folded into a slot's life digest with the start day of each shock."""


def life_key(seed: int) -> np.uint64:
    """The life key of a run seeded `seed`: a 64-bit number from `SeedSequence([seed, 1])`
    (entropy 1 marks the life stream, so it is independent of the model's generator)."""
    return np.random.SeedSequence([int(seed), 1]).generate_state(1, np.uint64)[0]


@njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser: a bijection of 64-bit integers that spreads every input bit."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def uniform(key: np.uint64, slot: int, counter: int, purpose: int) -> float:
    """A uniform number in [0, 1) that depends only on its four arguments."""
    z = mix64(key ^ (np.uint64(slot) * _GOLDEN))
    z = mix64(z ^ (np.uint64(counter) * _M1) ^ np.uint64(purpose))
    return np.float64(z >> _S11) * _TO_UNIT


@njit(cache=True, inline="always")
def normal(key: np.uint64, slot: int, counter: int, purpose: int) -> float:
    """A standard normal number (Box-Muller on the uniforms of `purpose` and `purpose + 64`)."""
    u1 = 1.0 - uniform(key, slot, counter, purpose)  # in (0, 1]: log(u1) is finite
    u2 = uniform(key, slot, counter, purpose + 64)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True, inline="always")
def geometric(u: float, p: float) -> int:
    """The geometric number of trials up to the first success (1, 2, ...) with success
    chance `p`, by inversion of the uniform `u`."""
    if p >= 1.0:
        return 1
    return max(1, int(np.ceil(np.log1p(-u) / np.log1p(-p))))


@njit(cache=True, inline="always")
def fold(digest: np.uint64, tag: int, day: int) -> np.uint64:
    """`digest` with the event (`tag`, `day`) folded in (order matters)."""
    return mix64(digest ^ (np.uint64(tag) * _GOLDEN) ^ np.uint64(day + 1))
