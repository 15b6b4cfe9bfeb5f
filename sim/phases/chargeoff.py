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

from sim.payments import close_accounts
from sim.population import ACTIVE, CHARGED_OFF, NO_LOAN
from sim.transitions import CHARGED_OFF_STATE
from sim.units import DAYS_PER_MONTH

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
            price = np.rint(pop.claim[sold] * cfg.sale_price).astype(np.int64)
            legacy = np.where(pop.chargeoff_day[sold] < pop.window_start[0], price, 0)
            for lender, total, old in zip(state.lenders, state.sum_by_lender(sold, price),
                                          state.sum_by_lender(sold, legacy), strict=True):
                lender.ledger.receive_recovery(total, sale=True, legacy=old)
            state.flows["debt_sales"] += int(price.sum())
            state.events["debts_sold"] += sold.size
            close_accounts(state, params, sold)
    expired = charged[(pop.status[charged] == CHARGED_OFF) & (age >= cfg.recovery_window_days)
                      & (pop.garnish_until[charged] <= day)]
    state.events["claims_written_off"] += expired.size
    close_accounts(state, params, expired)


def charge_off(state: MarketState, rows: np.ndarray) -> None:
    """Charge off the active loans `rows`: principal to losses, the whole debt to a claim."""
    if rows.size == 0:
        return
    pop, day = state.population, state.day
    principal = pop.principal[rows]
    unpaid = pop.interest_due[rows] + pop.fees_due[rows] + pop.deferred_interest[rows]
    for lender, total, forgone in zip(state.lenders, state.sum_by_lender(rows, principal),
                                      state.sum_by_lender(rows, unpaid), strict=True):
        lender.ledger.charge_off(total, forgone)
    pop.claim[rows] = principal + unpaid
    pop.principal[rows] = 0
    pop.principal_due[rows] = 0
    pop.interest_due[rows] = 0
    pop.fees_due[rows] = 0
    pop.deferred_interest[rows] = 0
    pop.status[rows] = CHARGED_OFF
    state.transitions.loans_ended(rows, CHARGED_OFF_STATE)
    pop.chargeoff_day[rows] = day
    state.risk.defaulted(day, pop.origin_day[rows], pop.origin_score[rows])
    pop.deferral_until[rows] = np.minimum(pop.deferral_until[rows], day)
    state.bureau.report(rows, "charged_off", day)
    state.events["defaults"] += rows.size
    state.events["defaults_strategic"] += int(np.count_nonzero(pop.strategic_default[rows]))
    state.events["charged_off_principal"] += int(principal.sum())


def _judgments(state: MarketState, params: MarketParams) -> None:
    pop, day = state.population, state.day
    judged = pop.judged_on(day)
    judged = judged[pop.status[judged] != NO_LOAN]
    if judged.size == 0:
        return
    charge_off(state, judged[pop.status[judged] == ACTIVE])
    legal = params.config.legal
    drawn = state.cast.exclude(judged)  # the cast's judgments are not enforced: no draw
    enforced = drawn[state.rng.random(drawn.size) < legal.enforceable_share]
    pop.garnish_until[enforced] = day + legal.order_months * DAYS_PER_MONTH
    pop.legal_day[judged] = -1
    state.events["legal_enforced"] += enforced.size
    state.events["legal_judgments"] += judged.size
    state.bureau.report(judged, "legal", day)
