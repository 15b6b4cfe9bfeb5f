"""The loan lifecycle: every change to a loan, each stated once.

Open (`open_loans`), fall due (`fall_due`), age and charge late fees (`age`), pay by the
waterfall (`pay_account`, `try_to_pay_account`, `pay`), re-age under a deferral or a repayment
plan (`reschedule`), file and withdraw a case (`file_cases`, `withdraw_case`), judge
(`judge`), charge off (`charge_off`), sell (`sell`), close (`close_account`). The phases select
rows and call these; nothing else changes a loan. The definitions the rules share are here
too: arrears (`arrears_of`), being in a shock (`in_shock_of`), contractual days past due, the
next installment and willingness to pay after charge-off.

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

from sim.borrower_money import (
    CLAIMS_PAID,
    FEES_PAID,
    INTEREST_PAID,
    PAUSE_INTEREST,
    book,
    book_rows,
)
from sim.columns import Columns
from sim.default_status import restructured_in_distress, restructuring_value_lost
from sim.params import PaymentTerms
from sim.population import ACTIVE, CHARGED_OFF, NEVER, NO_LOAN
from sim.transitions import CHARGED_OFF_STATE, PAID_OFF_STATE
from sim.units import DAYS_PER_MONTH, to_cents

if TYPE_CHECKING:
    from sim.agents import Lender
    from sim.params import MarketParams
    from sim.state import MarketState

# Columns of `Takings.money` (cents per lender).
RECOVERED, PRINCIPAL, INTEREST, FEES, LEGACY = 0, 1, 2, 3, 4
TAKINGS_COLUMNS = 5
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

    def __init__(self, lenders: int, money: np.ndarray | None = None,
                 tally: np.ndarray | None = None) -> None:
        """Nothing moved yet, or what a compiled loop moved (`money`, `tally`)."""
        self.money = np.zeros((lenders, TAKINGS_COLUMNS), np.int64) if money is None else money
        self.tally = np.zeros(len(TALLY_EVENTS), np.int64) if tally is None else tally

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


@njit(cache=True)
def arrears(col: Columns, rows: np.ndarray) -> np.ndarray:
    """`arrears_of` for each of `rows`, in cents."""
    out = np.empty(rows.size, np.int64)
    for k in range(rows.size):
        out[k] = arrears_of(col, rows[k])
    return out


@njit(cache=True, inline="always")
def in_shock_of(col: Columns, i: int, day: int) -> bool:
    """Whether borrower `i` is in a job-loss or illness shock on `day`."""
    return col.jobless_until[i] > day or col.ill_until[i] > day


@njit(cache=True)
def in_shock(col: Columns, rows: np.ndarray, day: int) -> np.ndarray:
    """`in_shock_of` for each of `rows` (a mask)."""
    out = np.empty(rows.size, np.bool_)
    for k in range(rows.size):
        out[k] = in_shock_of(col, rows[k], day)
    return out


@njit(cache=True, inline="always")
def withdraw_case(col: Columns, i: int) -> None:
    """Withdraw a legal case filed against row `i`, if any (its judgment will not come)."""
    col.legal_day[i] = -1


@njit(cache=True)
def withdraw_cases(col: Columns, rows: np.ndarray) -> None:
    """`withdraw_case` for each of `rows`."""
    for i in rows:
        withdraw_case(col, i)


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
    col.default_until[i] = NEVER
    col.lender[i] = -1
    col.claim[i] = 0
    col.dpd[i] = 0
    withdraw_case(col, i)
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
        book(col.borrower_money, col.kind[i], col.score[i], CLAIMS_PAID, amount)
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
    book(col.borrower_money, col.kind[i], col.score[i], INTEREST_PAID, to_interest)
    book(col.borrower_money, col.kind[i], col.score[i], FEES_PAID, to_fees)
    if arrears_of(col, i) > 0:
        col.dpd[i] = min(col.dpd[i], contractual_dpd_of(col, i, day))
        return
    col.dpd[i] = 0
    col.strategic_default[i] = False
    withdraw_case(col, i)  # a case filed against a loan that caught up is withdrawn
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


@njit(cache=True, inline="always")
def installment_of(principal: float, monthly_rate: float, months: float) -> int:
    """Level monthly installment (cents, rounded up) that repays `principal` cents over
    `months` (at least 1) at `monthly_rate`."""
    months = max(np.float64(months), 1.0)
    if monthly_rate > 0:
        level = principal * monthly_rate / (1.0 - (1.0 + monthly_rate) ** -months)
    else:
        level = principal / months
    return np.int64(np.ceil(level))


@njit(cache=True)
def annuity_installment(principal: np.ndarray, monthly_rate: np.ndarray,
                        months: np.ndarray) -> np.ndarray:
    """`installment_of` for each loan (arrays of equal length)."""
    out = np.empty(principal.size, np.int64)
    for k in range(principal.size):
        out[k] = installment_of(np.float64(principal[k]), monthly_rate[k], months[k])
    return out


def open_loans(state: MarketState, params: MarketParams, lender: Lender, rows: np.ndarray,
               principal: np.ndarray, monthly_rate: np.ndarray,
               installment: np.ndarray) -> None:
    """Open loans for `rows` from `lender` today (`principal` and `installment` in cents):
    the loan columns, the first installment due in a month, the score at origination
    (`state.risk`), the lender's disbursement and today's counts."""
    pop, day = state.population, state.day
    _open_rows(state.columns, rows, lender.index, principal, monthly_rate, installment, day,
               params.lending.term_months)
    pop.schedule_due(rows, day + DAYS_PER_MONTH)
    pop.origin_day[rows] = day
    pop.origin_score[rows] = pop.score[rows]
    state.risk.originated(day, pop.score[rows])
    lent = int(principal.sum())
    lender.ledger.disburse(lent)
    state.flows["loans_spent"] += lent
    state.events["originations"] += rows.size
    state.events["originated_principal"] += lent


@njit(cache=True)
def _open_rows(col: Columns, rows: np.ndarray, lender: int, principal: np.ndarray,
               rate: np.ndarray, installment: np.ndarray, day: int, term_months: int) -> None:
    for k in range(rows.size):
        i = rows[k]
        col.lender[i] = lender
        col.status[i] = ACTIVE
        col.default_until[i] = NEVER
        col.principal[i] = principal[k]
        col.principal_due[i] = 0
        col.interest_due[i] = 0
        col.fees_due[i] = 0
        col.deferred_interest[i] = 0
        col.rate[i] = rate[k]
        col.installment[i] = installment[k]
        col.installments_left[i] = term_months
        col.last_due[i] = day
        col.dpd[i] = 0
        col.worst_dpd[i] = 0
        col.deferrals_used[i] = 0
        col.first_deferral_day[i] = NEVER
        col.redefaulted[i] = False
        col.strategic_default[i] = False
        withdraw_case(col, i)
        col.forborne_since[i] = NEVER
        col.forborne_dpd[i] = 0
        col.probation_start[i] = NEVER
        col.loans_taken[i] += 1


@njit(cache=True, inline="always")
def age(col: Columns, watched: np.ndarray, day: int,
        late_fee_cents: int) -> tuple[np.ndarray, np.ndarray, int]:
    """One more day past due for active loans in arrears outside a deferral pause (`late`)
    and for charged-off claims (`charged`); a late fee on each month's first day late.
    Returns (late, charged, late fees charged)."""
    late = np.empty(watched.size, np.int64)
    charged = np.empty(watched.size, np.int64)
    n_late = n_charged = fees = 0
    for i in watched:
        if col.status[i] == CHARGED_OFF:
            charged[n_charged] = i
            n_charged += 1
        elif (col.status[i] == ACTIVE and (col.dpd[i] > 0 or col.last_due[i] == day - 1)
              and arrears_of(col, i) > 0 and col.deferral_until[i] <= day):
            late[n_late] = i
            n_late += 1
    for i in late[:n_late]:
        col.dpd[i] += 1
        col.worst_dpd[i] = max(col.worst_dpd[i], col.dpd[i])
        if col.dpd[i] % DAYS_PER_MONTH == 1:
            col.fees_due[i] += late_fee_cents
            fees += 1
    for i in charged[:n_charged]:
        col.dpd[i] += 1
    return late[:n_late], charged[:n_charged], fees


@njit(cache=True, inline="always")
def fall_due(col: Columns, due: np.ndarray, day: int) -> np.ndarray:
    """Interest for the month accrues (on scheduled and on past-due principal) and one
    installment's principal falls due; the last installment carries all principal left, and
    any deferred charges fall due with it. Returns the rows with installments left (due
    again in a month)."""
    again = np.empty(due.size, np.int64)
    n = 0
    for i in due:
        principal_part, interest = next_installment_of(col, i)
        if col.installments_left[i] <= 1:
            col.next_due[i] = NEVER
        else:
            col.next_due[i] = day + DAYS_PER_MONTH
            again[n] = i
            n += 1
        col.principal_due[i] += principal_part
        col.interest_due[i] += interest + col.deferred_interest[i]
        col.deferred_interest[i] = 0
        col.installments_left[i] = max(col.installments_left[i] - 1, 0)
        col.last_due[i] = day
    return again[:n]


def reschedule(state: MarketState, params: MarketParams, rows: np.ndarray, mode: str,
               waive: bool, extra_months: int, rate_cut: bool = True) -> None:
    """Re-age the active loans `rows`: past-due principal back into the schedule, over the
    remaining installments, the unpaid ones and `extra_months` more; past-due interest and
    fees waived (`waive`) or carried to the first installment after; a filed case withdrawn;
    the loan forborne. `mode` 'extend' pauses payments for `deferral.extend_months`; any
    other resumes them in a month, with the rate cut by `deferral.rate_cut_share` if
    `rate_cut`. A deferral grant and a collector's repayment plan
    (`sim.phases.collection.offer_plans`) both come here."""
    if rows.size == 0:
        return
    pop, day = state.population, state.day
    cfg = params.config.deferral
    owed = arrears(state.columns, rows)
    unpaid_installments = -(-owed // np.maximum(pop.installment[rows], 1))
    charges = pop.interest_due[rows] + pop.fees_due[rows]  # owed on top of the principal
    rate_before = pop.rate[rows].copy()
    # Forborne from today (a second grant keeps the worst DPD at which one was granted).
    was_forborne = pop.forborne_since[rows] != NEVER
    pop.forborne_dpd[rows] = np.where(was_forborne,
                                      np.maximum(pop.forborne_dpd[rows], pop.dpd[rows]),
                                      pop.dpd[rows])
    pop.forborne_since[rows] = day
    if waive:
        interest = state.sum_by_lender(rows, pop.interest_due[rows])
        fees = state.sum_by_lender(rows, pop.fees_due[rows])
        for lender, i, f in zip(state.lenders, interest, fees, strict=True):
            lender.ledger.waive(i, f)
    else:
        # Kept, but not past due: payable (as interest) with the first installment after.
        pop.deferred_interest[rows] += pop.interest_due[rows] + pop.fees_due[rows]
    pop.interest_due[rows] = 0
    pop.fees_due[rows] = 0
    pop.principal_due[rows] = 0
    remaining = (pop.installments_left[rows].astype(np.int32) + unpaid_installments
                 + extra_months)
    remaining = np.maximum(remaining, 1)
    unpaid_months = np.zeros(rows.size)  # months of interest the pause does not charge
    cut = 0.0
    if mode == "extend":
        resume = day + cfg.extend_months * DAYS_PER_MONTH
        # The first installment after the pause charges one month; the rest accrue or not.
        months = np.maximum(resume - pop.last_due[rows] - DAYS_PER_MONTH, 0) / DAYS_PER_MONTH
        if cfg.accrue_interest:
            accrued = np.rint(pop.principal[rows] * pop.rate[rows] * months).astype(np.int64)
            pop.deferred_interest[rows] += accrued
            book_rows(pop.borrower_money, pop.kind, pop.score, rows, PAUSE_INTEREST, accrued)
        else:
            unpaid_months = months
        pop.schedule_due(rows, resume)
        pop.deferral_until[rows] = resume
        pop.probation_start[rows] = resume
        ends = np.full(rows.size, resume)
    else:
        if rate_cut:
            cut = cfg.rate_cut_share
        pop.rate[rows] *= 1.0 - cut
        pop.schedule_due(rows, day + DAYS_PER_MONTH)
        pop.probation_start[rows] = day
        ends = np.full(rows.size, day)
    rules = params.config.prudential_default
    lost = restructuring_value_lost(pop.principal[rows], charges, charges if waive else 0,
                                    rate_before, unpaid_months, cut, remaining)
    entered = restructured_in_distress(state.columns, rows, lost,
                                       rules.restructuring_loss_threshold,
                                       ends + rules.restructuring_probation_days)
    state.events["prudential_defaults"] += entered
    state.events["prudential_defaults_restructured"] += entered
    pop.installments_left[rows] = remaining.astype(np.int16)
    pop.installment[rows] = annuity_installment(pop.principal[rows], pop.rate[rows], remaining)
    pop.dpd[rows] = 0
    withdraw_cases(state.columns, rows)  # a case filed against a re-aged loan is withdrawn
    pop.deferrals_used[rows] += 1
    first = rows[pop.first_deferral_day[rows] == NEVER]
    pop.first_deferral_day[first] = day
    state.redefault_cohorts.first_deferred(day, first.size)
    if cfg.new_schedule_resets_refusal:
        pop.strategic_default[rows] = False  # the decision to pay is taken afresh after it


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


def sell(state: MarketState, params: MarketParams, rows: np.ndarray, price: np.ndarray) -> None:
    """Sell the claims `rows` to outside buyers for `price` cents each: the proceeds are
    recoveries (kept apart for claims charged off before the measured window), and the
    accounts close."""
    pop = state.population
    legacy = np.where(pop.chargeoff_day[rows] < pop.window_start[0], price, 0)
    for lender, total, old in zip(state.lenders, state.sum_by_lender(rows, price),
                                  state.sum_by_lender(rows, legacy), strict=True):
        lender.ledger.receive_recovery(total, sale=True, legacy=old)
    state.flows["debt_sales"] += int(price.sum())
    state.events["debts_sold"] += rows.size
    close_accounts(state, params, rows)


def file_cases(state: MarketState, params: MarketParams, rows: np.ndarray) -> None:
    """File legal cases against `rows`, to be judged after `legal.delay_days`; each costs
    its lender `legal.cost`."""
    legal = params.config.legal
    state.population.file_cases(rows, state.day + legal.delay_days)
    costs = np.full(rows.size, to_cents(legal.cost), np.int64)
    for lender, total in zip(state.lenders, state.sum_by_lender(rows, costs), strict=True):
        lender.ledger.pay_legal_cost(total)
    state.flows["legal_costs"] += int(costs.sum())
    state.events["legal_filed"] += rows.size


def judge(state: MarketState, params: MarketParams, rows: np.ndarray,
          enforced: np.ndarray) -> None:
    """Judgments against `rows` today: their active loans are charged off, the `enforced`
    ones become payment orders for `legal.order_months` (a share of income garnished on each
    pay day, `sim.phases.life`), and the judgment is reported to the bureau."""
    pop, day, legal = state.population, state.day, params.config.legal
    charge_off(state, rows[pop.status[rows] == ACTIVE])
    pop.garnish_until[enforced] = day + legal.order_months * DAYS_PER_MONTH
    withdraw_cases(state.columns, rows)
    state.events["legal_enforced"] += enforced.size
    state.events["legal_judgments"] += rows.size
    state.bureau.report(rows, "legal", day)
