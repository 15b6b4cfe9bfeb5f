"""Phase 3, repayment: DPD ages, late fees, installments fall due, borrowers pay or miss.

A borrower with an installment due today pays it unless they cannot (hardship: not enough
cash), will not (strategic: decided to default, `decides_to_stop`) or forget (forgetful,
without auto-repay; a reminder prevents most of these). Delinquent borrowers also try, now
and then, to pay their arrears unprompted (`self_cure_rate`). An account whose arrears are not
cleared by the end of its due day is 1 day past due the next day.

The phase runs as one compiled loop per step (numba) over the rows concerned, one borrower
after the other. Each draw is a counter-based decision draw of (slot, day, purpose)
(`sim.streams`): for an installment due, a forgetting draw (a forgetful borrower without
auto-repay) and a decision draw (a borrower who can pay and has something to decide: a
strategic borrower, or anyone whose lender looks likely to fail); for a delinquent account
not under a decision to stop paying, a self-cure draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.contacts import contacts_this_week, record_attempts
from sim.loans import Takings, age, arrears_of, fall_due, try_to_pay_account, willingness_of
from sim.params import RepaymentPolicy
from sim.population import FORGETFUL, NO_LOAN, STRATEGIC
from sim.rows import merge_rows
from sim.streams import FORGET, SELF_CURE, STOP, uniform
from sim.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState

# Slots of the phase's event counts, in the order of their names.
REPAYMENT_EVENTS = ("late_fees", "installments_due", "on_time_payments", "missed_installments",
                    "missed_strategic", "missed_forgetful", "missed_hardship")
(LATE_FEES, INSTALLMENTS_DUE, ON_TIME, MISSED, MISSED_STRATEGIC, MISSED_FORGETFUL,
 MISSED_HARDSHIP) = range(7)


def run(state: MarketState, params: MarketParams) -> None:
    """Age delinquent accounts, make installments fall due and let borrowers pay.

    Reads: loan columns, `cash`, `kind`, `autopay`, `strategic_default`, contacts this week.
    Changes: `dpd`, `worst_dpd`, `fees_due`, `interest_due`, `principal_due`,
    `installments_left`, `next_due`, `cash`, `strategic_default`; lender ledgers; bureau
    reports of on-time and missed installments; today's payment and miss counts.
    """
    pop, day = state.population, state.day
    due = pop.due_on(day)
    counts = np.zeros(len(REPAYMENT_EVENTS), np.int64)
    takings = Takings(len(state.lenders))
    # Arrears exist only on loans already past due or whose installment fell due yesterday:
    # the rows `watched` since yesterday's repayment phase.
    distress = np.array([lender.distress() for lender in state.lenders])
    rescheduled, reminded, on_time, missed = _repay(
        state.columns, pop.watched, due, day, params.repayment,
        params.enforcement, state.market_dpd30_share, distress, counts, takings.money,
        takings.tally)
    takings.settle(state)
    pop.schedule_due(rescheduled, day + DAYS_PER_MONTH)
    channel = params.config.collection.reminder_channel
    if channel != "none":
        record_attempts(state, params, reminded, channel, count_as_contact=False)
        state.events["reminders"] += reminded.size
    state.bureau.report(on_time, "on_time", day)
    state.bureau.report(missed, "missed", day)
    for name, count in zip(REPAYMENT_EVENTS, counts.tolist(), strict=True):
        state.events[name] += count
    pop.watched = merge_rows(pop.past_due_rows(), due)


@njit(cache=True)
def _repay(col: Columns, watched: np.ndarray, due: np.ndarray,
           day: int, policy: RepaymentPolicy, policy_enforcement: float,
           market_dpd30_share: float, distress: np.ndarray, counts: np.ndarray,
           money: np.ndarray,
           tally: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The phase over the `watched` rows and the installments `due` today (ascending;
    `distress[lender]`: how close to failure borrowers believe each lender is). Returns the
    rows whose next installment is now due in a month, the rows reminded, and the rows to
    report as paid on time and as missed."""
    late, charged, fees = age(col, watched, day, policy.late_fee_cents)
    counts[LATE_FEES] += fees
    rescheduled = fall_due(col, due, day)
    counts[INSTALLMENTS_DUE] += due.size
    reminded, on_time, missed = _scheduled_payments(
        col, due, day, policy, policy_enforcement, market_dpd30_share, distress,
        counts, money, tally)
    _self_cure(col, late, charged, day, policy, money, tally)
    return rescheduled, reminded, on_time, missed


@njit(cache=True, inline="always")
def perceived_enforcement(col: Columns, i: int, policy: RepaymentPolicy,
                          policy_enforcement: float) -> float:
    """Enforcement borrower `i` perceives (0-1): the policy's early bureau report and legal
    action, plus collection pressure: the contacts they received in the last 7 days, or, if
    more, the contacts a week that a first month late would bring (what they know of the
    lender's collection), both relative to the weekly cap."""
    recent = min(contacts_this_week(col, i) / policy.contact_cap, 1.0)
    pressure = max(recent, policy.expected_contacts)
    felt = policy_enforcement + policy.enforcement_weight_contacts * pressure
    return min(max(felt, 0.0), 1.0)


@njit(cache=True, inline="always")
def decides_to_stop(col: Columns, i: int, day: int,
                    policy: RepaymentPolicy, policy_enforcement: float, peer: float,
                    fear: float) -> bool:
    """The decision to pay, taken at a due date by borrower `i`, who has the cash to pay
    (`peer`: the added propensity the market's delinquency gives; `fear`: how close to
    failure they believe their lender is, 0 for a sound one). Returns whether they decide to
    stop paying this loan.

    A strategic borrower stops with a propensity that enforcement felt now scales down
    (`perceived_enforcement`) and that peers' defaults, the chance of being forgiven (a
    hardship claim passing the review, if they know deferral exists), the collection stress
    they still carry and a lender expected to fail push up. Any other borrower stops only
    when their lender looks likely to fail (nothing is drawn otherwise)."""
    if col.kind[i] == STRATEGIC:
        felt = perceived_enforcement(col, i, policy, policy_enforcement)
        propensity = policy.base_propensity * (1.0 - felt) + peer
        if col.aware[i]:
            propensity += policy.forgiveness_weight * policy.forgiveness_chance
        if policy.grievance_weight > 0 and col.stress[i] > 0:
            elapsed = day - col.stress_day[i]
            stress = col.stress[i] * 0.5 ** (elapsed / policy.stress_half_life_days)
            propensity += policy.grievance_weight * min(stress / policy.churn_stress, 1.0)
        if fear > 0:
            propensity += policy.run_strategic_weight * fear * (1.0 - felt)
        return uniform(col.key, i, day, STOP) < min(max(propensity, 0.0), 1.0)
    if fear > 0 and policy.run_others_weight > 0:
        # A lender expected to fail offers no future credit to repay for: anyone who could
        # pay may walk away, less readily the more enforcement they feel.
        felt = perceived_enforcement(col, i, policy, policy_enforcement)
        return uniform(col.key, i, day, STOP) < policy.run_others_weight * fear * (1.0 - felt)
    return False


@njit(cache=True, inline="always")
def _scheduled_payments(col: Columns, due: np.ndarray, day: int,
                        policy: RepaymentPolicy, policy_enforcement: float,
                        market_dpd30_share: float, distress: np.ndarray, counts: np.ndarray,
                        money: np.ndarray,
                        tally: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each installment due, one borrower after the other: a reminder (if the lender sends
    them and the borrower has no auto-repay), a forgetful borrower without auto-repay may
    forget, a borrower with the cash takes the decision to pay (`decides_to_stop`), and
    whoever neither forgot nor refused pays what they can. Returns the rows reminded, paid on
    time and missed."""
    n = due.size
    reminded = np.zeros(n, np.bool_)
    on_time = np.zeros(n, np.bool_)
    missed = np.zeros(n, np.bool_)
    peer = policy.peer_weight * market_dpd30_share
    for k in range(n):
        i = due[k]
        was_current = col.dpd[i] == 0
        reminded[k] = policy.reminders and not col.autopay[i]
        forgot = False
        if col.kind[i] == FORGETFUL and not col.autopay[i]:
            forget_p = policy.miss_probability * (
                1.0 - policy.reminder_fix_share if reminded[k] else 1.0)
            forgot = uniform(col.key, i, day, FORGET) < forget_p
        if (not col.strategic_default[i] and col.cash[i] >= arrears_of(col, i)
                and decides_to_stop(col, i, day, policy, policy_enforcement, peer,
                                    distress[col.lender[i]])):
            col.strategic_default[i] = True
        refused = col.strategic_default[i]  # decided not to pay this loan
        paid = False
        if not forgot and not refused:
            paid = try_to_pay_account(col, i, day, policy.payment, money, tally)
        if paid:
            on_time[k] = was_current
            counts[ON_TIME] += was_current
        else:
            missed[k] = True
            counts[MISSED] += 1
            if refused:
                counts[MISSED_STRATEGIC] += 1
            elif forgot:
                counts[MISSED_FORGETFUL] += 1
            else:
                counts[MISSED_HARDSHIP] += 1
    return due[reminded], due[on_time], due[missed]


@njit(cache=True, inline="always")
def _self_cure(col: Columns, late: np.ndarray,
               charged: np.ndarray, day: int, policy: RepaymentPolicy, money: np.ndarray,
               tally: np.ndarray) -> None:
    """Delinquent borrowers (late ones first, then charged-off ones) try, one after the
    other, to pay their arrears unprompted, those who see a charge-off on their file less
    willingly (`willingness_of`); strategic defaulters never do."""
    for rows in (late, charged):
        for i in rows:
            if col.status[i] == NO_LOAN or col.strategic_default[i]:
                continue
            p = policy.self_cure_daily * willingness_of(col, i, day, policy.payment)
            if uniform(col.key, i, day, SELF_CURE) < p:
                try_to_pay_account(col, i, day, policy.payment, money, tally)
