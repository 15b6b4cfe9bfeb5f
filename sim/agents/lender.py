"""Lenders: review applications by score, bureau record, debt-to-income and capital."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.ledger import Ledger
from sim.population import ACTIVE

if TYPE_CHECKING:
    from sim.model import CreditMarket

REJECTION_REASONS = ("score", "bureau_flag", "dti", "capital")
"""Reasons an application is rejected, in the order the review checks them."""

APPROVED = -1


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
        """Review applications (vectorised). Returns, per applicant, APPROVED (-1) or the index
        in REJECTION_REASONS of the first failed check. Capital is rationed in a seeded random
        order: applications are approved while their running total fits in today's cash."""
        model = self.model
        policy = model.config.lending
        pop = model.population
        reason = np.full(applicants.size, APPROVED, np.int8)
        reason[pop.score[applicants] < policy.min_score] = 0
        flagged = model.day - pop.flag_day[applicants] < policy.bureau_flag_lookback_days
        reason[(reason == APPROVED) & flagged] = 1
        too_much = installment > policy.max_dti * monthly_income
        reason[(reason == APPROVED) & too_much] = 2
        passed = np.flatnonzero(reason == APPROVED)
        if passed.size:
            order = passed[model.rng.permutation(passed.size)]
            fits = np.cumsum(amount[order]) <= max(self.ledger.cash, 0)
            reason[order[~fits]] = 3
        return reason
