"""Scripted borrowers: the scenario's `[[cast]]`, named case studies inside a market.

Cast members take the first rows of the population. At the start their income, cash, score,
type and habits are set from the script; each day their scripted shocks start, and their
scripted loan applications and deferral requests join the other borrowers'. The random draws
that would give them other shocks, other loans, other requests or a replacement (turnover)
pass them by, and so do the mechanisms that would blur their story: their scores move on
payment events only (no fading history, no inquiries), a review never refuses their eligible
request by mistake, and their judgments are not enforced. Payments, contacts and the
lender's review otherwise treat them like anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.population import KIND_NAMES, NO_LOAN
from sim.units import to_cents

if TYPE_CHECKING:
    from sim.config import ScenarioConfig
    from sim.population import BorrowerPopulation


class Cast:
    """The scripted borrowers of a market.

    Attributes:
        members: the scenario's cast, in row order (member i is row i).
        rows: their rows, 0..len(members)-1.
        names: row -> name.
    """

    def __init__(self, config: ScenarioConfig) -> None:
        self.members = list(config.cast)
        self.size = len(self.members)
        self.rows = np.arange(self.size, dtype=np.int64)
        self.names = {i: m.name for i, m in enumerate(self.members)}
        self._asks = np.array([m.asks_for_deferral for m in self.members], bool)
        # Pending applications per member: the scripted days not yet used, ascending.
        self._pending = [sorted(m.loan_days) for m in self.members]

    def place(self, pop: BorrowerPopulation) -> None:
        """Give the cast's rows the scripted people (call once, before the first day)."""
        if not self.size:
            return
        for row, member in enumerate(self.members):
            pop.income[row] = to_cents(member.income)
            pop.cash[row] = to_cents(member.cash)
            pop.kind[row] = KIND_NAMES.index(member.kind)
            pop.pay_dom[row] = member.pay_day
            pop.autopay[row] = member.autopay
            pop.opted_out[row] = False
            pop.aware[row] = member.asks_for_deferral
        scores = np.array([m.score for m in self.members], np.int16)
        pop.set_scores(self.rows, scores)
        pop.score_anchor[self.rows] = scores
        pop.shock_proneness[self.rows] = 1.0

    def exclude(self, rows: np.ndarray) -> np.ndarray:
        """`rows` without the cast's (random events pass the cast by)."""
        if not self.size:
            return rows
        return rows[rows >= self.size]

    def start_shocks(self, pop: BorrowerPopulation, day: int) -> None:
        """Start the illnesses and job losses scripted for `day`."""
        for row, member in enumerate(self.members):
            if member.illness_day == day:
                pop.ill_until[row] = day + member.illness_days
            if member.job_loss_day == day:
                pop.jobless_until[row] = day + member.job_loss_days

    def applications(self, pop: BorrowerPopulation, day: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, amounts in cents) of the scripted loan applications made today: each member
        whose next scripted day has come, who holds no loan and is past any cooldown."""
        rows, amounts = [], []
        for row, member in enumerate(self.members):
            pending = self._pending[row]
            if (pending and pending[0] <= day and pop.status[row] == NO_LOAN
                    and pop.cooldown_until[row] <= day):
                pending.pop(0)
                rows.append(row)
                amounts.append(to_cents(member.loan_amount))
        return np.array(rows, np.int64), np.array(amounts, np.int64)

    def deferral_requests(self, open_rows: np.ndarray) -> np.ndarray:
        """The cast rows among `open_rows` (active loans that may ask today) whose script
        has them ask for deferral whenever they may."""
        mine = open_rows[open_rows < self.size]
        return mine[self._asks[mine]]

