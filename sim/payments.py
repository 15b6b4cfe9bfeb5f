"""Payment mechanics shared by the phases: attempts, the payment waterfall, closing accounts.

A payment on an active loan pays fees first, then interest, then past-due principal. A payment
on a charged-off loan reduces the claim and is a recovery for the lender. Borrowers pay from
their cash; a borrower who cannot pay in full pays `partial_pay_share` of their cash when
partial payments are allowed.

The rules for one account (`try_to_pay_account`, `pay_account`, `close_account`) are compiled
with numba so that compiled phase loops (`sim.phases.collection`) can call them row by row.
They work on the columns of `sim.columns.Columns` and add what they move to a `Takings`:
money per lender and event counts, which `Takings.settle` books into the lenders' ledgers and
the day's events. `pay` and `close_accounts` apply them to arrays of rows for the phases
written with numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.params import PaymentTerms
from sim.population import ACTIVE, CHARGED_OFF, NEVER, NO_LOAN
from sim.transitions import PAID_OFF_STATE
from sim.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState

# Columns of `Takings.money` (cents per lender).
RECOVERED, PRINCIPAL, INTEREST, FEES, LEGACY = 0, 1, 2, 3, 4
"""LEGACY: the part of RECOVERED on claims charged off before the measured window began
(`BorrowerPopulation.window_start`), kept apart so lifetime losses of the window's book do
not net off recoveries on older debt."""
# Slots of `Takings.tally`, in the order of their event names.
TALLY_EVENTS = ("payments_cents", "partial_payments", "paid_off")
PAYMENTS_CENTS, PARTIAL_PAYMENTS, PAID_OFF = 0, 1, 2


@njit(cache=True, inline="always")
def willingness_of(col: Columns, i: int, day: int, terms: PaymentTerms) -> float:
    """How willingly borrower `i` pays what they owe, relative to arrears on an active loan:
    `chargeoff_willingness` once a charge-off shows on their credit file (what the borrower
    sees, not the lender's internal booking), else 1. The bureau applies the report in the
    reporting phase of day charge-off + delay (at least the next day's), after the day's
    payments: the borrower sees it from the day after."""
    if (col.status[i] == CHARGED_OFF
            and day > col.chargeoff_day[i] + max(terms.reporting_delay_days, 1)):
        return terms.chargeoff_willingness
    return 1.0


class Takings:
    """What payment rules moved during one call: `money[lender, RECOVERED|PRINCIPAL|
    INTEREST|FEES|LEGACY]` in cents and `tally[slot]` counts of `TALLY_EVENTS`."""

    def __init__(self, lenders: int) -> None:
        self.money = np.zeros((lenders, 5), np.int64)
        self.tally = np.zeros(len(TALLY_EVENTS), np.int64)

    def settle(self, state: MarketState) -> None:
        """Book the money into the lenders' ledgers and the counts into today's events."""
        for lender, (recovered, principal, interest, fees, legacy) in zip(
                state.lenders, self.money.tolist(), strict=True):
            if recovered:
                lender.ledger.receive_recovery(recovered, legacy=legacy)
            if principal or interest or fees:
                lender.ledger.receive_payment(principal, interest, fees)
        for name, count in zip(TALLY_EVENTS, self.tally.tolist(), strict=True):
            state.events[name] += count


@njit(cache=True, inline="always")
def arrears_of(col: Columns, i: int) -> int:
    """Cents past due (or due today) on the active loan of row `i`."""
    return col.principal_due[i] + col.interest_due[i] + col.fees_due[i]


@njit(cache=True, inline="always")
def next_installment_of(col: Columns, i: int) -> tuple[int, int]:
    """What falls due at the next due date of the active loan of row `i`, in cents:
    (principal, interest). Interest is the month's on the scheduled and on the past-due
    principal; the principal is one installment less its interest, or all that is left at
    the last installment. Deferred charges fall due with it too (not included)."""
    scheduled = col.principal[i] - col.principal_due[i]
    scheduled_interest = np.int64(np.rint(scheduled * col.rate[i]))
    interest = scheduled_interest + np.int64(np.rint(col.principal_due[i] * col.rate[i]))
    if col.installments_left[i] <= 1:
        return scheduled, interest
    return min(max(col.installment[i] - scheduled_interest, 0), scheduled), interest


@njit(cache=True, inline="always")
def contractual_dpd_of(col: Columns, i: int, day: int) -> int:
    """Days past due of the oldest unpaid installment of the active loan of row `i`, counting
    the arrears as whole installments: one installment behind is (day - last due day)."""
    installment = max(col.installment[i], 1)
    behind = -(-arrears_of(col, i) // installment)
    return (behind - 1) * DAYS_PER_MONTH + (day - col.last_due[i])


@njit(cache=True, inline="always")
def close_account(col: Columns, i: int, day: int, terms: PaymentTerms) -> None:
    """End the loan relationship of row `i`: repaid, sold or past the recovery window. A
    repaid loan's end is recorded for the month's transitions."""
    if col.status[i] == ACTIVE and col.ended[i] == 0:
        col.ended[i] = PAID_OFF_STATE
    col.status[i] = NO_LOAN
    col.lender[i] = -1
    col.claim[i] = 0
    col.dpd[i] = 0
    col.legal_day[i] = -1
    col.garnish_until[i] = NEVER
    col.next_due[i] = NEVER
    col.deferral_until[i] = NEVER
    col.installments_left[i] = 0
    col.strategic_default[i] = False
    col.cooldown_until[i] = day + terms.cooldown_days


@njit(cache=True, inline="always")
def pay_account(col: Columns, i: int, amount: int, day: int, terms: PaymentTerms,
                money: np.ndarray, tally: np.ndarray) -> None:
    """Move `amount` cents (at most what is owed) from borrower `i` to their lender."""
    col.cash[i] -= amount
    tally[PAYMENTS_CENTS] += amount
    lender = max(col.lender[i], 0)
    if col.status[i] == CHARGED_OFF:
        col.claim[i] -= amount
        money[lender, RECOVERED] += amount
        if col.chargeoff_day[i] < col.window_start[0]:
            money[lender, LEGACY] += amount
        if col.claim[i] == 0:
            close_account(col, i, day, terms)
        return
    to_fees = min(amount, col.fees_due[i])
    left = amount - to_fees
    to_interest = min(left, col.interest_due[i])
    left -= to_interest
    to_principal = min(left, col.principal_due[i])
    col.fees_due[i] -= to_fees
    col.interest_due[i] -= to_interest
    col.principal_due[i] -= to_principal
    col.principal[i] -= to_principal
    money[lender, PRINCIPAL] += to_principal
    money[lender, INTEREST] += to_interest
    money[lender, FEES] += to_fees
    if arrears_of(col, i) > 0:
        col.dpd[i] = min(col.dpd[i], contractual_dpd_of(col, i, day))
        return
    col.dpd[i] = 0
    col.strategic_default[i] = False
    col.legal_day[i] = -1  # a case filed against a loan that caught up is withdrawn
    if col.principal[i] == 0 and col.deferred_interest[i] == 0:
        tally[PAID_OFF] += 1
        close_account(col, i, day, terms)


@njit(cache=True, inline="always")
def try_to_pay_account(col: Columns, i: int, day: int, terms: PaymentTerms,
                       money: np.ndarray, tally: np.ndarray) -> bool:
    """Borrower `i` (willing to pay) pays what they owe if their cash allows, else part of it
    when partial payments are allowed. Returns whether they paid a debt in full."""
    owed = col.claim[i] if col.status[i] == CHARGED_OFF else arrears_of(col, i)
    cash = col.cash[i]
    full = cash >= owed
    amount = owed if full else 0
    if not full and terms.partial_payments:
        amount = min(np.int64(np.floor(cash * terms.partial_pay_share)), owed)
    if amount > 0:
        pay_account(col, i, amount, day, terms, money, tally)
        if not full:
            tally[PARTIAL_PAYMENTS] += 1
    return full and owed > 0


@njit(cache=True)
def _pay_rows(col: Columns, rows: np.ndarray, amount: np.ndarray, day: int,
              terms: PaymentTerms, money: np.ndarray, tally: np.ndarray) -> None:
    for k in range(rows.size):
        pay_account(col, rows[k], amount[k], day, terms, money, tally)


@njit(cache=True)
def _close_rows(col: Columns, rows: np.ndarray, day: int, terms: PaymentTerms) -> None:
    for k in range(rows.size):
        close_account(col, rows[k], day, terms)


@njit(cache=True)
def _contractual_dpd_rows(col: Columns, rows: np.ndarray, day: int) -> np.ndarray:
    out = np.empty(rows.size, np.int32)
    for k in range(rows.size):
        out[k] = contractual_dpd_of(col, rows[k], day)
    return out


def pay(state: MarketState, params: MarketParams, rows: np.ndarray,
        amount: np.ndarray) -> None:
    """Move `amount` cents (at most what is owed) from borrowers `rows` (distinct) to their
    lenders."""
    if rows.size == 0:
        return
    takings = Takings(len(state.lenders))
    _pay_rows(state.columns, rows, np.asarray(amount, np.int64), state.day,
              params.payment, takings.money, takings.tally)
    takings.settle(state)


def contractual_dpd(state: MarketState, rows: np.ndarray) -> np.ndarray:
    """Days past due of the oldest unpaid installment of active loans `rows` (see
    `contractual_dpd_of`)."""
    return _contractual_dpd_rows(state.columns, np.asarray(rows, np.int64), state.day)


def close_accounts(state: MarketState, params: MarketParams, rows: np.ndarray) -> None:
    """End the loan relationship of `rows`: repaid, sold or past the recovery window."""
    if rows.size:
        _close_rows(state.columns, rows, state.day, params.payment)
