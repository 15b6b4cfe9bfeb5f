"""Phase 1, life: income on pay days, living expenses, and job-loss and illness shocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.borrower_money import GARNISHED, book_rows
from sim.columns import Columns
from sim.loans import arrears_of, next_installment_of, pay
from sim.params import LifeRates, life_rates, macro_multipliers
from sim.people import PeopleTraits, draw_people
from sim.population import ACTIVE, CHARGED_OFF, FRAGILE, NEVER, NO_LOAN
from sim.streams import (
    CANDIDATE_CHANCE,
    DIGEST_ILLNESS,
    DIGEST_JOB_LOSS,
    ILLNESS,
    ILLNESS_ACCEPT,
    ILLNESS_EXCESS,
    ILLNESS_LENGTH,
    JOB_LOSS,
    JOB_LOSS_ACCEPT,
    JOB_LOSS_EXCESS,
    JOB_LOSS_LENGTH,
    LEAVE,
    LEAVE_ACCEPT,
    LEAVE_EXCESS,
    PAY,
    fold,
    geometric,
    happens_today,
    next_candidate,
    normal,
    uniform,
)
from sim.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState


def run(state: MarketState, params: MarketParams) -> None:
    """Replace departing borrowers, start new shocks, then pay income and expenses to the
    borrowers whose pay day is today.

    Reads: turnover and shock rates, the macro schedule, `kind`, `income`, `pay_dom`, the
    rows' candidate days (`next_leave`, `next_job_loss`, `next_illness`).
    Changes: the rows of departing borrowers (new people), `jobless_until`, `ill_until`, the
    candidate days of the rows whose candidate day was today,
    `cash`; claims under a judgment's payment order (the garnished income is paid to the
    lender); the model's external flows (income, spending, cash of people leaving and joining).
    """
    pop, day = state.population, state.day
    # The cast's scripted shocks first: random events pass the cast's rows by, so this order
    # changes nothing for them, and the compiled loop then runs the whole phase at once.
    state.cast.start_shocks(pop, day)
    job_mult, ill_mult, _ = macro_multipliers(params.config, day)
    rates = params.life  # the scenario's rates outside macro windows
    if (job_mult, ill_mult) != (1.0, 1.0):
        rates = life_rates(params.config, job_mult, ill_mult)
    pay_rows = np.flatnonzero(pop.pay_dom == day % DAYS_PER_MONTH)  # a scan, not 8 bytes a row
    flows = np.zeros(len(LIFE_FLOWS), np.int64)
    garnished = np.zeros(pay_rows.size, np.int64)
    leaving = _live_a_day(state.columns, state.life_key, day, state.cast.size, rates,
                          params.people, state.top_proneness, pay_rows, flows, garnished)
    taken = garnished > 0
    if taken.any():
        book_rows(pop.borrower_money, pop.kind, pop.score, pay_rows[taken], GARNISHED,
                  garnished[taken])
        pay(state, params, pay_rows[taken], garnished[taken])
        state.events["legal_recovered"] += int(garnished.sum())
    cents = dict(zip(LIFE_FLOWS, flows.tolist(), strict=True))
    if leaving.size:
        state.bureau.forget(leaving, day)
        state.events["borrowers_replaced"] += leaving.size
        state.flows["turnover_cash_out"] += cents["turnover_cash_out"]
        state.flows["turnover_cash_in"] += cents["turnover_cash_in"]
    if pay_rows.size:
        state.flows["income"] += cents["income"]
        state.flows["living_expenses"] += cents["living_expenses"]


LIFE_FLOWS = ("turnover_cash_out", "turnover_cash_in", "income", "living_expenses")
"""External flows of the life phase (cents), in the order of `_live_a_day`'s `flows`."""


@njit(cache=True)
def _live_a_day(col: Columns, key: np.uint64, day: int, cast_size: int,
                rates: LifeRates, traits: PeopleTraits, top_proneness: np.ndarray,
                pay_rows: np.ndarray, flows: np.ndarray, garnished: np.ndarray) -> np.ndarray:
    """The phase: turnover, job losses (each cutting the row's income for good by
    `income_scar`), illnesses (a row's daily chance is its type's times its
    `shock_proneness`), pay day; adds the day's external flows to
    `flows` (LIFE_FLOWS), sets `garnished[k]` to the cents a payment order takes from the
    income of `pay_rows[k]` (kept out of living expenses; the caller pays it over), and
    returns the rows given new people. A borrower without a loan leaves, and a row not
    already in a shock starts one, when `sim.streams.happens_today` says so: on the slot's
    candidate days of that event (drawn ahead, `schedule_life`) and, for a chance above
    `CANDIDATE_CHANCE`, on any day. Every draw is counter-based and keyed on the slot and the
    day, whatever person the slot holds, so a row's life does not depend on what other
    phases drew. One pass over the rows, each row's departure (and new person) before its
    shocks; rows are independent, so this is the order of the phase, row by row. Rows below
    `cast_size` (the classroom cast) have no random events. `top_proneness[0]` is kept at
    least the highest proneness of anyone (`MarketState.top_proneness`)."""
    n = col.status.size
    leaving = np.empty(n, np.int64)
    n_leaving = 0
    leave_every_day = rates.turnover > CANDIDATE_CHANCE
    job_top = max(rates.job_loss_fragile, rates.job_loss_other)
    ill_top = max(rates.illness_fragile, rates.illness_other)
    one = np.empty(1, np.int64)
    # The column arrays as locals: read through the structure, each would be loaded again
    # for every row, which made this scan of every row cost more than the events it finds.
    next_leave, next_job_loss, next_illness = col.next_leave, col.next_job_loss, col.next_illness
    top = top_proneness[0]  # rises as newcomers come; written back after the loop
    every_row = leave_every_day or max(job_top, ill_top) * top > CANDIDATE_CHANCE
    for i in range(cast_size, n):
        leave_today = next_leave[i] == day
        job_loss_today = next_job_loss[i] == day
        illness_today = next_illness[i] == day
        if not (leave_today | job_loss_today | illness_today) and not every_row:
            continue
        candidate = leave_today
        if (candidate or leave_every_day) and col.status[i] == NO_LOAN and happens_today(
                key, i, day, candidate, rates.turnover, LEAVE_ACCEPT, LEAVE_EXCESS):
            leaving[n_leaving] = i
            n_leaving += 1
            flows[0] += col.cash[i]
            one[0] = i
            draw_people(col, key, one, day, traits)
            flows[1] += col.cash[i]
            top = max(top, col.shock_proneness[i])
            every_row = every_row or max(job_top, ill_top) * top > CANDIDATE_CHANCE
        if candidate:
            col.next_leave[i] = next_candidate(key, i, day, LEAVE, CANDIDATE_CHANCE)
        # Where even the most shock-prone person's chance is under CANDIDATE_CHANCE, only
        # candidate days can bring a shock.
        candidate = job_loss_today
        if candidate or job_top * top > CANDIDATE_CHANCE:
            chance = rates.job_loss_fragile if col.kind[i] == FRAGILE else rates.job_loss_other
            if _start_shock(col.jobless_until, col.life_digest, key, i, day, candidate,
                            min(col.shock_proneness[i] * chance, 1.0),
                            rates.job_loss_mean_days, JOB_LOSS_ACCEPT, JOB_LOSS_EXCESS,
                            JOB_LOSS_LENGTH, DIGEST_JOB_LOSS):
                col.income[i] = np.int64(np.rint(col.income[i] * (1.0 - rates.income_scar)))
            if candidate:
                col.next_job_loss[i] = next_candidate(key, i, day, JOB_LOSS, CANDIDATE_CHANCE)
        candidate = illness_today
        if candidate or ill_top * top > CANDIDATE_CHANCE:
            chance = rates.illness_fragile if col.kind[i] == FRAGILE else rates.illness_other
            _start_shock(col.ill_until, col.life_digest, key, i, day, candidate,
                         min(col.shock_proneness[i] * chance, 1.0), rates.illness_mean_days,
                         ILLNESS_ACCEPT, ILLNESS_EXCESS, ILLNESS_LENGTH, DIGEST_ILLNESS)
            if candidate:
                col.next_illness[i] = next_candidate(key, i, day, ILLNESS, CANDIDATE_CHANCE)
    top_proneness[0] = top
    if pay_rows.size:
        vol = rates.income_volatility
        noise = np.empty(pay_rows.size)
        for k in range(pay_rows.size):
            noise[k] = np.exp(-0.5 * vol * vol + vol * normal(key, pay_rows[k], day, PAY))
        earned, spent = _pay_day(col, pay_rows, noise, day, rates, garnished)
        flows[2] += earned
        flows[3] += spent
    return leaving[:n_leaving].copy()


@njit(cache=True)
def schedule_life(col: Columns, key: np.uint64, rows: np.ndarray, after_day: int) -> None:
    """Draw the first candidate days after `after_day` of a departure, a job loss and an
    illness of the slots `rows` (at the start of a run)."""
    for i in rows:
        col.next_leave[i] = next_candidate(key, i, after_day, LEAVE, CANDIDATE_CHANCE)
        col.next_job_loss[i] = next_candidate(key, i, after_day, JOB_LOSS, CANDIDATE_CHANCE)
        col.next_illness[i] = next_candidate(key, i, after_day, ILLNESS, CANDIDATE_CHANCE)


@njit(cache=True, inline="always")
def _start_shock(until: np.ndarray, digest: np.ndarray, key: np.uint64, i: int, day: int,
                 candidate: bool, chance: float, mean_days: float, accept_purpose: int,
                 excess_purpose: int, length_purpose: int, tag: int) -> bool:
    """If row `i` is not in this kind of shock (which ends on day `until[i]`), start one when
    `happens_today` says so for its daily `chance` (`candidate`: today is a candidate day of
    the slot), lasting a geometric number of days with mean `mean_days`; the draws are
    counter-based (`sim.streams`) and the start is folded into the row's digest. Returns
    whether a shock started."""
    if until[i] > day:
        return False
    if not happens_today(key, i, day, candidate, chance, accept_purpose, excess_purpose):
        return False
    until[i] = day + geometric(uniform(key, i, day, length_purpose), 1.0 / mean_days)
    digest[i] = fold(digest[i], tag, day)
    return True


@njit(cache=True, inline="always")
def _pay_day(col: Columns, rows: np.ndarray, noise: np.ndarray, day: int,
             rates: LifeRates, garnished: np.ndarray) -> tuple[int, int]:
    """Borrowers `rows` earn their income times `noise` (benefits only while jobless) and
    spend their living expenses (more while ill) as far as their cash allows, less what is
    set aside: a payment order's share of the income (`garnished[k]`, at most the claim),
    or what auto-repay withholds (`autopay_withholds`: for a borrower with auto-repay and an
    active loan, the arrears and what falls due in the next month). Returns the cents
    earned and spent."""
    earned_total = spent_total = 0
    for k in range(rows.size):
        i = rows[k]
        income = np.float64(col.income[i])
        earned = income * noise[k]
        if col.jobless_until[i] > day:
            earned *= rates.income_replacement
        expenses = income * rates.expense_ratio
        if col.ill_until[i] > day:
            expenses += income * rates.illness_cost_share
        earned_cents = np.int64(np.rint(earned))
        available = col.cash[i] + earned_cents
        withheld = 0
        if (col.status[i] == CHARGED_OFF and col.garnish_until[i] > day
                and col.jobless_until[i] <= day):  # benefits are not garnished
            spare = max(earned_cents - np.int64(np.rint(expenses)), 0)
            garnished[k] = min(np.int64(np.rint(rates.garnish_share * earned_cents)), spare,
                               col.claim[i], available)
            withheld = garnished[k]
        elif rates.autopay_withholds and col.autopay[i] and col.status[i] == ACTIVE:
            owed = arrears_of(col, i)
            if col.next_due[i] != NEVER and col.next_due[i] - day <= DAYS_PER_MONTH:
                principal, interest = next_installment_of(col, i)
                owed += principal + interest + col.deferred_interest[i]
            withheld = min(owed, available)
        spent = min(np.int64(np.rint(expenses)), available - withheld)
        col.cash[i] = available - spent
        earned_total += earned_cents
        spent_total += spent
    return earned_total, spent_total
