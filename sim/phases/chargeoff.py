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

from sim.payments import close_accounts, sum_by_lender
from sim.population import ACTIVE, CHARGED_OFF, NO_LOAN
from sim.transitions import CHARGED_OFF_STATE
from sim.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.model import CreditMarket


def run(model: CreditMarket) -> None:
    """Settle judgments, charge off loans at the policy DPD, sell debt, close old claims.

    Reads: `legal_day`, `dpd`, `status`, `chargeoff_day`, `claim`, `garnish_until`.
    Changes: loan columns of the accounts concerned (`garnish_until` of judged claims),
    ledgers (charge-offs, recoveries of debt sold), bureau reports (legal, charged off);
    today's counts.
    """
    pop, day = model.population, model.day
    cfg = model.config.chargeoff
    _judgments(model)
    past_due = pop.past_due_rows()
    reaching = past_due[pop.dpd[past_due] >= cfg.dpd]
    charge_off(model, reaching[pop.status[reaching] == ACTIVE])

    charged = past_due[pop.status[past_due] == CHARGED_OFF]
    age = day - pop.chargeoff_day[charged]
    if cfg.debt_sale:
        sold = charged[(age == cfg.sale_after_days) & (pop.claim[charged] > 0)]
        if sold.size:
            price = np.rint(pop.claim[sold] * cfg.sale_price).astype(np.int64)
            legacy = np.where(pop.chargeoff_day[sold] < pop.window_start[0], price, 0)
            for lender, total, old in zip(model.lender_list, sum_by_lender(model, sold, price),
                                          sum_by_lender(model, sold, legacy), strict=True):
                lender.ledger.receive_recovery(total, sale=True, legacy=old)
            model.flows["debt_sales"] += int(price.sum())
            model.events["debts_sold"] += sold.size
            close_accounts(model, sold)
    expired = charged[(pop.status[charged] == CHARGED_OFF) & (age >= cfg.recovery_window_days)
                      & (pop.garnish_until[charged] <= day)]
    model.events["claims_written_off"] += expired.size
    close_accounts(model, expired)


def charge_off(model: CreditMarket, rows: np.ndarray) -> None:
    """Charge off the active loans `rows`: principal to losses, the whole debt to a claim."""
    if rows.size == 0:
        return
    pop = model.population
    principal = pop.principal[rows]
    unpaid = pop.interest_due[rows] + pop.fees_due[rows] + pop.deferred_interest[rows]
    for lender, total, forgone in zip(model.lender_list, sum_by_lender(model, rows, principal),
                                      sum_by_lender(model, rows, unpaid), strict=True):
        lender.ledger.charge_off(total, forgone)
    pop.claim[rows] = principal + unpaid
    pop.principal[rows] = 0
    pop.principal_due[rows] = 0
    pop.interest_due[rows] = 0
    pop.fees_due[rows] = 0
    pop.deferred_interest[rows] = 0
    pop.status[rows] = CHARGED_OFF
    model.transitions.loans_ended(rows, CHARGED_OFF_STATE)
    pop.chargeoff_day[rows] = model.day
    model.risk.defaulted(model.day, pop.origin_day[rows], pop.origin_score[rows])
    pop.deferral_until[rows] = np.minimum(pop.deferral_until[rows], model.day)
    model.bureau.report(rows, "charged_off", model.day)
    model.events["defaults"] += rows.size
    model.events["defaults_strategic"] += int(np.count_nonzero(pop.strategic_default[rows]))
    model.events["charged_off_principal"] += int(principal.sum())


def _judgments(model: CreditMarket) -> None:
    pop, day = model.population, model.day
    judged = pop.judged_on(day)
    judged = judged[pop.status[judged] != NO_LOAN]
    if judged.size == 0:
        return
    charge_off(model, judged[pop.status[judged] == ACTIVE])
    legal = model.config.legal
    drawn = model.cast.exclude(judged)  # the cast's judgments are not enforced: no draw
    enforced = drawn[model.rng.random(drawn.size) < legal.enforceable_share]
    pop.garnish_until[enforced] = day + legal.order_months * DAYS_PER_MONTH
    pop.legal_day[judged] = -1
    model.events["legal_enforced"] += enforced.size
    model.events["legal_judgments"] += judged.size
    model.bureau.report(judged, "legal", day)
