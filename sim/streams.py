"""Counter-based random numbers for the life of each borrower slot.

A comparison forks one market into policy variants. If every phase drew from one generator,
the variants would consume different numbers of draws after the fork (one policy makes more
contacts, grants more deferrals...), and from then on the same borrower would meet other
job losses, illnesses and incomes under each policy: the comparison would no longer be on
common random numbers.

Life events are therefore not drawn from a stream at all: each one is a pure function of
(the run's life key, the borrower slot, a counter, a purpose), hashed with the SplitMix64
finaliser into a uniform number. The counter is the day for events of a day (is this
candidate day of a job loss kept? how much does the borrower earn on this pay day?) and the
slot's generation for the traits of a new person. Whatever a policy does, slot `i` on day `d` sees
the same numbers. Each row folds its shocks (kind and start day) into `life_digest`, so a
comparison can count the slots whose shocks after the fork are identical in every variant
(`common_shocks_share`). A departure is not a shock but a choice that depends on the policy
(a borrower leaves the market only without a loan), so a slot may hold another person in one
variant; `generation` counts the people a slot has held, and `common_people_share` reports
how many slots hold the same sequence of people.

Decisions (who needs a loan, how much they ask for, whether they forget or decide to stop
paying, whether a call reaches them, whether they complain, apply for a deferral or are
granted one...) draw the same way from a second key, the run's decision key, with the day as
the counter and a purpose per decision (`DECISION_PURPOSES`). A policy then changes only the
decisions it changes: the borrower who is called under one policy and not under the other
draws the same numbers for everything else, and a draw added anywhere shifts nothing else.
After the population is built, nothing draws from the model's generator.

Events that recur at a daily chance (a departure, a job loss, an illness, the need for a new
loan) are scheduled rather than polled: each slot keeps the day of its next candidate event,
a chain drawn ahead as geometric gaps at one fixed daily chance, `CANDIDATE_CHANCE`, from the
slot's stream (`next_candidate`). On a candidate day an event of chance p (which may vary
with the macro schedule and the person) happens if the slot is eligible and a thinning draw
falls under min(p, C) / C; where p exceeds C, an excess draw made every day adds the rest
(`happens_today`). This gives exactly the daily chance p, costs a draw per candidate day
instead of per row and day wherever chances stay under C (every shipped market outside a
macro shock), and, because the chain and both draws depend only on (key, slot, day,
purpose), couples any two markets: a slot meets the same candidate days and draws whatever
the policy, the person it holds or the rates, so a market with higher chances meets every
event of one with lower chances and some more.
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
JOB_LOSS_ACCEPT, ILLNESS_ACCEPT, LEAVE_ACCEPT = 7, 8, 9
"""Purposes of the thinning draw of a candidate day (is the event kept, with its own chance
over `CANDIDATE_CHANCE`?)."""
LEAVE_EXCESS, JOB_LOSS_EXCESS, ILLNESS_EXCESS = 10, 11, 12
"""Purposes of the daily draw that adds the part of a chance above `CANDIDATE_CHANCE`."""
DIGEST_JOB_LOSS, DIGEST_ILLNESS = 102, 103
"""Tags folded into a slot's life digest with the start day of each shock."""

# Purposes of decision draws (with the decision key). A draw per channel adds the channel's
# index (fewer than CHANNEL_SPAN channels). `normal` also uses purpose + 64.
NEED, LOAN_SIZE, LENDER_CHOICE, LENDING_ORDER, NEED_ACCEPT, NEED_EXCESS = 1, 2, 3, 4, 5, 6
FORGET, STOP, SELF_CURE = 10, 11, 12
DEFERRAL_APPLY, DEFERRAL_REVIEW, REFUSAL_COMPLAINT, PLAN_ACCEPT, ENFORCEABLE = 20, 21, 22, 23, 24
CHANNEL_SPAN = 8
CONTACT, TIEBREAK, RIGHT_PARTY, THIRD_PARTY_REACH, COMPLAIN, OPT_OUT, PROMPT = (
    128 + CHANNEL_SPAN * k for k in range(7))
DECISION_PURPOSES = {
    "need": NEED, "need_accept": NEED_ACCEPT, "need_excess": NEED_EXCESS,
    "loan_size": LOAN_SIZE,
    "lender_choice": LENDER_CHOICE,
    "lending_order": LENDING_ORDER, "forget": FORGET, "stop": STOP, "self_cure": SELF_CURE,
    "deferral_apply": DEFERRAL_APPLY, "deferral_review": DEFERRAL_REVIEW,
    "refusal_complaint": REFUSAL_COMPLAINT, "plan_accept": PLAN_ACCEPT,
    "enforceable": ENFORCEABLE, "contact": CONTACT, "tiebreak": TIEBREAK,
    "right_party": RIGHT_PARTY, "third_party": THIRD_PARTY_REACH, "complain": COMPLAIN,
    "opt_out": OPT_OUT, "prompt": PROMPT,
}
"""Every decision drawn with the decision key, by name: one draw per (slot, day, purpose)."""

LATER = 2**30
"""Day of a candidate event that never comes (a chance of zero: the classroom cast's slots)."""

CANDIDATE_CHANCE = 0.02
"""Daily chance at which every slot's candidate days of recurring events (departures, job
losses, illnesses, needs for a loan) are drawn ahead. A computing device, not a behaviour:
any value gives the same distribution of events (`happens_today`); events whose chance stays
below it cost a draw per candidate day, those above it also a draw per row and day."""


def life_key(seed: int) -> np.uint64:
    """The life key of a run seeded `seed`: a 64-bit number from `SeedSequence([seed, 1])`
    (entropy 1 marks the life stream, so it is independent of the model's generator)."""
    return np.random.SeedSequence([int(seed), 1]).generate_state(1, np.uint64)[0]


def decision_key(seed: int) -> np.uint64:
    """The decision key of a run seeded `seed` (`SeedSequence([seed, 2])`), independent of the
    life key and of the model's generator."""
    return np.random.SeedSequence([int(seed), 2]).generate_state(1, np.uint64)[0]


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


@njit(cache=True, inline="always")
def next_candidate(key: np.uint64, slot: int, after_day: int, purpose: int,
                   chance: float) -> int:
    """The first day after `after_day` on which an event of daily `chance` comes to `slot`
    (`LATER` for a chance of zero): a geometric gap drawn from (`key`, slot, `after_day` + 1,
    purpose), so a slot's candidate days are a chain that depends only on its key."""
    if chance <= 0.0:
        return LATER
    gap = geometric(uniform(key, slot, after_day + 1, purpose), chance)
    return min(after_day + gap, LATER)


@njit(cache=True, inline="always")
def happens_today(key: np.uint64, slot: int, day: int, candidate_today: bool, chance: float,
                  accept_purpose: int, excess_purpose: int) -> bool:
    """Whether an event of daily `chance` happens to `slot` on `day` (C = `CANDIDATE_CHANCE`):
    on a candidate day, when a thinning draw falls under min(chance, C) / C; above C, also
    when a draw of the day falls under (chance - C) / (1 - C). The chance is then exactly
    C * min(chance, C) / C + (1 - C) * max(chance - C, 0) / (1 - C) = `chance`, and a higher
    chance keeps every event of a lower one."""
    if candidate_today and uniform(key, slot, day, accept_purpose) * CANDIDATE_CHANCE < chance:
        return True
    if chance > CANDIDATE_CHANCE:
        excess = (chance - CANDIDATE_CHANCE) / (1.0 - CANDIDATE_CHANCE)
        return uniform(key, slot, day, excess_purpose) < excess
    return False


@njit(cache=True)
def uniforms(key: np.uint64, rows: np.ndarray, day: int, purpose: int) -> np.ndarray:
    """`uniform(key, row, day, purpose)` for each of `rows`."""
    out = np.empty(rows.size)
    for k in range(rows.size):
        out[k] = uniform(key, rows[k], day, purpose)
    return out
