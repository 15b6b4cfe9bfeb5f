"""Payment mechanics shared by the phases: attempts, the payment waterfall, closing accounts.

A payment on an active loan pays fees first, then interest, then past-due principal. A payment
on a charged-off loan reduces the claim and is a recovery for the lender. Borrowers pay from
their cash; a borrower who cannot pay in full pays `partial_pay_share` of their cash when
partial payments are allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.population import ACTIVE, CHARGED_OFF, NEVER, NO_LOAN
from sim.transitions import PAID_OFF_STATE
from sim.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.model import CreditMarket


def sum_by_lender(model: CreditMarket, rows: np.ndarray, values: np.ndarray) -> list[int]:
    """Exact integer sums of `values` (cents) over `rows`, per lender index."""
    if len(model.lender_list) == 1:
        return [int(values.sum())]
    lender = model.population.lender[rows]
    return [int(values[lender == k].sum()) for k in range(len(model.lender_list))]


def try_to_pay(model: CreditMarket, rows: np.ndarray) -> np.ndarray:
    """Borrowers `rows` (willing to pay) pay what they owe if their cash allows, else part of
    it. Returns the mask of rows that paid in full."""
    if rows.size == 0:
        return np.zeros(0, bool)
    pop = model.population
    owed = pop.owed(rows)
    cash = pop.cash[rows]
    full = cash >= owed
    amount = np.where(full, owed, 0)
    repayment = model.config.repayment
    if repayment.partial_payments:
        partial = np.floor(cash * repayment.partial_pay_share).astype(np.int64)
        amount = np.where(full, owed, np.minimum(partial, owed))
    paying = amount > 0
    pay(model, rows[paying], amount[paying])
    model.events["partial_payments"] += int(np.count_nonzero(paying & ~full))
    return full & (owed > 0)


def pay(model: CreditMarket, rows: np.ndarray, amount: np.ndarray) -> None:
    """Move `amount` cents (at most what is owed) from borrowers `rows` to their lenders."""
    if rows.size == 0:
        return
    pop = model.population
    pop.cash[rows] -= amount
    model.events["payments_cents"] += int(amount.sum())
    charged = pop.status[rows] == CHARGED_OFF
    if charged.any():
        c_rows, c_amount = rows[charged], amount[charged]
        pop.claim[c_rows] -= c_amount
        for lender, total in zip(model.lender_list, sum_by_lender(model, c_rows, c_amount),
                                 strict=True):
            lender.ledger.receive_recovery(total)
        close_accounts(model, c_rows[pop.claim[c_rows] == 0])
    active = ~charged
    if not active.any():
        return
    a_rows, left = rows[active], amount[active]
    to_fees = np.minimum(left, pop.fees_due[a_rows])
    left = left - to_fees
    to_interest = np.minimum(left, pop.interest_due[a_rows])
    left = left - to_interest
    to_principal = np.minimum(left, pop.principal_due[a_rows])
    pop.fees_due[a_rows] -= to_fees
    pop.interest_due[a_rows] -= to_interest
    pop.principal_due[a_rows] -= to_principal
    pop.principal[a_rows] -= to_principal
    sums = zip(sum_by_lender(model, a_rows, to_principal),
               sum_by_lender(model, a_rows, to_interest),
               sum_by_lender(model, a_rows, to_fees), strict=True)
    for lender, (principal, interest, fees) in zip(model.lender_list, sums, strict=True):
        lender.ledger.receive_payment(principal, interest, fees)
    arrears = pop.arrears(a_rows)
    behind = a_rows[arrears > 0]
    pop.dpd[behind] = np.minimum(pop.dpd[behind], contractual_dpd(model, behind))
    cleared = a_rows[arrears == 0]
    pop.dpd[cleared] = 0
    pop.strategic_default[cleared] = False
    pop.legal_day[cleared] = -1  # a case filed against a loan that caught up is withdrawn
    finished = cleared[(pop.principal[cleared] == 0) & (pop.deferred_interest[cleared] == 0)]
    model.events["paid_off"] += finished.size
    close_accounts(model, finished)


def contractual_dpd(model: CreditMarket, rows: np.ndarray) -> np.ndarray:
    """Days past due of the oldest unpaid installment of active loans `rows`, counting the
    arrears as whole installments: one installment behind is (today - last due day)."""
    pop = model.population
    installment = np.maximum(pop.installment[rows], 1)
    behind = -(-pop.arrears(rows) // installment)
    return ((behind - 1) * DAYS_PER_MONTH + (model.day - pop.last_due[rows])).astype(np.int32)


def close_accounts(model: CreditMarket, rows: np.ndarray) -> None:
    """End the loan relationship of `rows`: repaid, sold, judged or past the recovery window."""
    if rows.size == 0:
        return
    pop = model.population
    repaid = rows[pop.status[rows] == ACTIVE]
    model.transitions.loans_ended(repaid, PAID_OFF_STATE)
    pop.status[rows] = NO_LOAN
    pop.lender[rows] = -1
    pop.claim[rows] = 0
    pop.dpd[rows] = 0
    pop.legal_day[rows] = -1
    pop.next_due[rows] = NEVER
    pop.deferral_until[rows] = NEVER
    pop.installments_left[rows] = 0
    pop.strategic_default[rows] = False
    pop.cooldown_until[rows] = model.day + model.config.lending.repeat_cooldown_days

