"""Monthly transition matrices of loans between delinquency states, as credit-risk teams read them.

Every 30 days (at the end of days 29, 59, ...) each loan that was active at the previous month
boundary is classified by where it is now: current, 1-30, 31-60, 61-90 or 90+ days past due,
forborne, charged off, or paid off. A forborne loan (granted a deferral and not yet through
its probation, `deferral.probation_days`) is in the forborne state while it is at most 30 days
past due, as supervisors report forborne exposures apart, and in its DPD bucket beyond: a
re-aged loan moves to "forborne", never to "current", so the cure rate counts only loans that
caught up by paying, and a forborne loan that defaults again rolls like any other. A loan that ended
during the month counts where it ended (its first end: a loan charged off and then sold counts
as charged off), even if the borrower has taken a new loan since. Counts are kept month by
month, so a summary can use the months of the steady-state window only; rows of the matrix
are the six active states, columns all eight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numba import njit

from sim.population import ACTIVE, CHARGED_OFF, NEVER, dpd_bucket
from sim.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.population import BorrowerPopulation

STATES: tuple[str, ...] = ("current", "dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus",
                           "forborne", "charged_off", "paid_off")
"""Columns of a transition matrix (destinations)."""
ACTIVE_STATES: tuple[str, ...] = STATES[:6]
"""Rows of a transition matrix (origins): the states of an active loan."""
FORBORNE_STATE, CHARGED_OFF_STATE, PAID_OFF_STATE = 5, 6, 7
FORBORNE_DPD_LIMIT = 30
"""A forborne loan more than this many days past due is classified by its days past due
(its probation starts again), as the EBA re-classifies forborne exposures 30+ days past due."""
NO_STATE = -1


@njit(cache=True, inline="always")
def loan_state(status: int, dpd: int, forborne: bool) -> int:
    """State index of a loan now: 0-4 for an active loan by days past due, 5 for a forborne
    one at most 30 days past due, 6 for a charged-off claim, -1 for no loan."""
    if status == ACTIVE:
        if forborne and dpd <= FORBORNE_DPD_LIMIT:
            return FORBORNE_STATE
        return 0 if dpd <= 0 else 1 + dpd_bucket(dpd)
    return CHARGED_OFF_STATE if status == CHARGED_OFF else NO_STATE


@njit(cache=True)
def loan_states(status: np.ndarray, dpd: np.ndarray, forborne_since: np.ndarray) -> np.ndarray:
    """`loan_state` of every row (int8)."""
    out = np.empty(status.size, np.int8)
    for i in range(status.size):
        out[i] = loan_state(status[i], dpd[i], forborne_since[i] != NEVER)
    return out


@njit(cache=True)
def _close_month(status: np.ndarray, dpd: np.ndarray, forborne_since: np.ndarray,
                 state: np.ndarray, ended: np.ndarray, counts: np.ndarray) -> int:
    """Count each tracked loan's move from `state` to where it ended or is now, then make
    today's states of active loans the new `state` and clear `ended`, in one pass. Returns
    the first row whose tracked loan left no trace (-1 if none)."""
    for i in range(status.size):
        now = loan_state(status[i], dpd[i], forborne_since[i] != NEVER)
        if state[i] >= 0:
            destination = ended[i] if ended[i] > 0 else now
            if destination < 0:
                return i
            counts[state[i], destination] += 1
        state[i] = now if now < CHARGED_OFF_STATE else NO_STATE
        ended[i] = 0
    return -1


class TransitionRecorder:
    """Month-by-month counts of loans moving between `STATES`.

    Attributes:
        state: per borrower row, the state of its loan at the last month boundary (int8; -1
            if it had no active loan then).
        ended: per row, 0, or the state in which the loan tracked in `state` first ended
            since the boundary (charged off or paid off).
        months: (first day of the month, 6 x 8 int64 counts) for each month closed so far.
    """

    def __init__(self, n: int) -> None:
        self.state = np.full(n, NO_STATE, np.int8)
        self.ended = np.zeros(n, np.int8)
        self.months: list[tuple[int, np.ndarray]] = []

    def loans_ended(self, rows: np.ndarray, how: int) -> None:
        """Loans of `rows` end now as `how` (CHARGED_OFF_STATE or PAID_OFF_STATE); only the
        first end since the boundary counts."""
        first = rows[self.ended[rows] == 0]
        self.ended[first] = how

    def close_month_if_due(self, pop: BorrowerPopulation, day: int) -> None:
        """At the end of the last day of a 30-day month, count the month's transitions."""
        if (day + 1) % DAYS_PER_MONTH:
            return
        counts = np.zeros((len(ACTIVE_STATES), len(STATES)), np.int64)
        lost = _close_month(pop.status, pop.dpd, pop.forborne_since, self.state, self.ended,
                            counts)
        # A tracked loan that left no trace would have to have ended unrecorded.
        if lost >= 0:
            raise RuntimeError(f"the loan of row {lost}, active at the month boundary, ended "
                               "without a record")
        self.months.append((day + 1 - DAYS_PER_MONTH, counts))

    def counts(self, from_day: int = 0, to_day: int | None = None) -> np.ndarray:
        """Transitions summed over the months starting on or after `from_day` and ending by
        `to_day` (exclusive; default: every month closed so far) (6 x 8)."""
        total = np.zeros((len(ACTIVE_STATES), len(STATES)), np.int64)
        for start, counts in self.months:
            if start >= from_day and (to_day is None or start + DAYS_PER_MONTH <= to_day):
                total += counts
        return total


def probabilities(counts: np.ndarray) -> np.ndarray:
    """Row-normalised transition probabilities (rows with no loans are NaN)."""
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)


def roll_rate_30_60(counts: np.ndarray) -> float:
    """Share of loans 31-60 days past due (30 days late) that are 61-90 days past due (60
    days late) a month later (compare F5)."""
    row = counts[ACTIVE_STATES.index("dpd_31_60")]
    return float(row[STATES.index("dpd_61_90")] / row.sum()) if row.sum() else float("nan")


def cure_rate(counts: np.ndarray) -> float:
    """Share of loans 30 or more days late (31+ DPD) that caught up by paying within a month:
    current a month later, or repaid in full (a loan whose last installment has fallen due
    is repaid when it catches up; compare F6, the monthly cure rate of delinquent loans). A
    loan re-aged by a deferral moves to the forborne state, so it is not counted as cured."""
    late = counts[2:5]
    cured = late[:, STATES.index("current")].sum() + late[:, PAID_OFF_STATE].sum()
    return float(cured / late.sum()) if late.sum() else float("nan")


def as_frame(counts: np.ndarray) -> pd.DataFrame:
    """Tidy table: one row per (from, to) with the count and the probability."""
    probs = probabilities(counts)
    return pd.DataFrame([{"from_state": a, "to_state": b, "loans": int(counts[i, j]),
                          "probability": float(probs[i, j])}
                         for i, a in enumerate(ACTIVE_STATES) for j, b in enumerate(STATES)])
