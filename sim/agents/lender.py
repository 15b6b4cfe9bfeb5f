"""Lenders: review applications by score, bureau record, debt-to-income and capital."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numba import njit

from sim.columns import Columns
from sim.ledger import Ledger
from sim.population import ACTIVE

if TYPE_CHECKING:
    from sim.model import CreditMarket

REJECTION_REASONS = ("score", "bureau_flag", "dti", "capital")
"""Reasons an application is rejected, in the order the review checks them."""

APPROVED = -1
SCORE_TOO_LOW, BUREAU_FLAG, DTI_TOO_HIGH, NO_CAPITAL = range(len(REJECTION_REASONS))


class Lender(mesa.Agent):
    """A lender with a policy (the scenario's lending, deferral and collection sections) and a
    ledger in cents.

    Attributes:
        index: position of the lender (0..lenders-1), the value of the borrower column `lender`.
        ledger: the lender's cumulative accounts.
        collectors: the collectors working this lender's delinquent accounts.
    """

    def __init__(self, model: CreditMarket, index: int, capital_cents: int) -> None:
        super().__init__(model)
        self.index = index
        self.ledger = Ledger(capital=capital_cents)
        self.collectors: list = []

    def book(self) -> np.ndarray:
        """Rows of the borrowers with an active loan from this lender."""
        pop = self.model.population
        return np.flatnonzero((pop.lender == self.index) & (pop.status == ACTIVE))

    def outstanding(self) -> int:
        """Principal of this lender's active loans, in cents."""
        pop = self.model.population
        return int(pop.principal[pop.lender == self.index].sum())

    def review(self, applicants: np.ndarray, amount: np.ndarray, installment: np.ndarray,
               monthly_income: np.ndarray) -> np.ndarray:
        """Review applications (a compiled loop). Returns, per applicant, APPROVED (-1) or the
        index in REJECTION_REASONS of the first failed check. Capital is rationed in a seeded
        random order (a permutation of the applications that pass the other checks):
        applications are approved while their running total fits in today's cash."""
        model = self.model
        policy = model.config.lending
        return _review(model.columns, applicants, amount, installment, monthly_income,
                       model.day, policy.min_score, policy.bureau_flag_lookback_days,
                       policy.max_dti, max(self.ledger.cash, 0))


@njit(cache=True)
def _review(col: Columns, applicants: np.ndarray, amount: np.ndarray, installment: np.ndarray,
            monthly_income: np.ndarray, day: int, min_score: int, flag_lookback_days: int,
            max_dti: float, cash: int) -> np.ndarray:
    reason = np.full(applicants.size, APPROVED, np.int8)
    passed = np.empty(applicants.size, np.int64)
    n_passed = 0
    for k in range(applicants.size):
        i = applicants[k]
        if col.score[i] < min_score:
            reason[k] = SCORE_TOO_LOW
        elif day - col.flag_day[i] < flag_lookback_days:
            reason[k] = BUREAU_FLAG
        elif installment[k] > max_dti * monthly_income[k]:
            reason[k] = DTI_TOO_HIGH
        else:
            passed[n_passed] = k
            n_passed += 1
    if n_passed:
        order = passed[:n_passed][col.rng.permutation(n_passed)]
        lent = 0
        for k in order:
            lent += amount[k]
            if lent > cash:
                reason[k] = NO_CAPITAL
    return reason
