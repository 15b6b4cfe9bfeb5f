"""Phase 7, charge-off and recovery: judgments, charge-offs, debt sales, end of collection.

A court judgment (filed in the collection phase) is a payment order: an active loan is charged
off, and if the judgment can be enforced (`legal.enforceable_share`), for `legal.order_months`
a share of the borrower's income is garnished on each pay day (`sim.phases.life`) until the
claim is paid; the claim is kept while the order runs.
A loan reaching `chargeoff.dpd` is charged off: its principal becomes a loss for the lender
and the whole debt (principal, interest, fees) becomes a claim the lender keeps collecting
for `recovery_window_days`, or sells after `sale_after_days` at `sale_price` per unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.loans import charge_off, close_accounts, judge, sell
from sim.population import ACTIVE, CHARGED_OFF, NO_LOAN
from sim.streams import ENFORCEABLE, uniforms

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState


def run(state: MarketState, params: MarketParams) -> None:
    """Settle judgments, charge off loans at the policy DPD, sell debt, close old claims.

    Reads: `legal_day`, `dpd`, `status`, `chargeoff_day`, `claim`, `garnish_until`.
    Changes: loan columns of the accounts concerned (`garnish_until` of judged claims),
    ledgers (charge-offs, recoveries of debt sold), bureau reports (legal, charged off);
    today's counts.
    """
    pop, day = state.population, state.day
    cfg = params.config.chargeoff
    _judgments(state, params)
    past_due = pop.past_due_rows()
    reaching = past_due[pop.dpd[past_due] >= cfg.dpd]
    charge_off(state, reaching[pop.status[reaching] == ACTIVE])

    charged = past_due[pop.status[past_due] == CHARGED_OFF]
    age = day - pop.chargeoff_day[charged]
    if cfg.debt_sale:
        sold = charged[(age == cfg.sale_after_days) & (pop.claim[charged] > 0)]
        if sold.size:
            sell(state, params, sold, np.rint(pop.claim[sold] * cfg.sale_price).astype(np.int64))
    expired = charged[(pop.status[charged] == CHARGED_OFF) & (age >= cfg.recovery_window_days)
                      & (pop.garnish_until[charged] <= day)]
    state.events["claims_written_off"] += expired.size
    close_accounts(state, params, expired)


def _judgments(state: MarketState, params: MarketParams) -> None:
    """Today's judgments; whether each can be enforced is drawn (the cast's are not: no
    draw)."""
    pop = state.population
    judged = pop.judged_on(state.day)
    judged = judged[pop.status[judged] != NO_LOAN]
    if judged.size == 0:
        return
    drawn = state.cast.exclude(judged)
    draws = uniforms(state.decision_key, drawn, state.day, ENFORCEABLE)
    enforced = drawn[draws < params.config.legal.enforceable_share]
    judge(state, params, judged, enforced)
