"""Phase 2, lending: borrowing needs, applications, review, pricing by band, disbursement.

Needs, loan requests, lender choice and pricing are one compiled loop (numba) over the
applicants; each lender then reviews its applications (`Lender.review`) and the approved loans
open in a second compiled loop. Every draw is a counter-based decision draw of (slot, day)
(`sim.streams`): a slot's needs come on its candidate days (`next_need`, drawn ahead at the
daily need chance), then a lender choice per applicant (only with several lenders) and a
loan size; the cast's applicants choose their lender the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.agents.lender import APPROVED, REJECTION_REASONS
from sim.bands import score_band
from sim.columns import Columns
from sim.loans import installment_of, open_loans
from sim.params import LendingTerms
from sim.population import NO_LOAN
from sim.streams import (
    CANDIDATE_CHANCE,
    LENDER_CHOICE,
    LOAN_SIZE,
    NEED,
    NEED_ACCEPT,
    NEED_EXCESS,
    happens_today,
    next_candidate,
    normal,
    uniform,
)
from sim.units import CENTS, MONTHS_PER_YEAR

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState


def run(state: MarketState, params: MarketParams) -> None:
    """Borrowers without a loan develop needs and apply; lenders review, price and disburse.

    Reads: `status`, `cooldown_until`, `churned`, `score`, `flag_day`, `income`, each
    lender's cash and credit policy (minimum score, APR markup, share of the amount asked
    that it grants).
    Changes: loan columns of approved borrowers, lender ledgers (disbursed), today's counts of
    applications, approvals and rejections by reason; an inquiry reported to the bureau for
    every application.
    """
    pop, day = state.population, state.day
    scripted, scripted_amount = state.cast.applications(pop, day)
    markup = np.array([lender.policy.apr_markup for lender in state.lenders])
    size_share = np.array([lender.policy.size_share for lender in state.lenders])
    applicants, lender_of, amount, rate, installment, income_now = _applications(
        state.columns, day, state.cast.size, len(state.lenders),
        params.lending, markup, size_share, scripted, scripted_amount)
    if applicants.size == 0:
        return
    state.events["applications"] += applicants.size
    if params.config.bureau.inquiry_points:  # the cast's scores move on payments only
        state.bureau.report(state.cast.exclude(applicants), "inquiry", day)
    for lender in state.lenders:
        mine = lender_of == lender.index
        if not mine.any():
            continue
        rows = applicants[mine]
        verdict = lender.review(rows, amount[mine], installment[mine], income_now[mine])
        for code, reason in enumerate(REJECTION_REASONS):
            state.events[f"rejected_{reason}"] += int(np.count_nonzero(verdict == code))
            state.note(rows[verdict == code], f"loan_refused_{reason}")
        ok = verdict == APPROVED
        state.note(rows[ok], "loan_approved")
        if not ok.any():
            continue
        approved = rows[ok]
        principal = amount[mine][ok]
        open_loans(state, params, lender, approved, principal, rate[mine][ok],
                   installment[mine][ok])
        lender.lent(day, principal, rate[mine][ok] * MONTHS_PER_YEAR)


@njit(cache=True)
def _applications(col: Columns, day: int, cast_size: int,
                  n_lenders: int, terms: LendingTerms, markup: np.ndarray,
                  size_share: np.ndarray, scripted: np.ndarray,
                  scripted_amount: np.ndarray) -> tuple[np.ndarray, ...]:
    """Today's applications: borrowers with a need (no loan, past any cool-down, not churned
    from every lender, not in the cast) and then the cast's `scripted` ones. Returns, per
    application, (row, lender chosen, amount in cents, monthly rate, installment in cents,
    monthly income today in cents). Lender k grants `size_share[k]` of the amount asked
    (whole currency units) and adds `markup[k]` to the band's APR, up to `terms.max_apr`."""
    key = col.key
    drawn = _needs_today(col, day, terms.need_daily)
    all_churned = (1 << n_lenders) - 1
    keep = np.empty(drawn.size, np.bool_)
    for k in range(drawn.size):
        i = drawn[k]
        keep[k] = (col.status[i] == NO_LOAN and col.cooldown_until[i] <= day
                   and col.churned[i] != all_churned and i >= cast_size)
    own = drawn[keep]
    k_own = own.size
    total = k_own + scripted.size
    rows = np.empty(total, np.int64)
    rows[:k_own] = own
    rows[k_own:] = scripted
    lender_of = np.zeros(total, np.int8)
    amount = np.empty(total, np.int64)
    if total == 0:
        return rows, lender_of, amount, np.empty(0), amount, np.empty(0)
    _choose_lenders(col.churned, own, n_lenders, key, day, lender_of[:k_own])
    for k in range(k_own):
        months = terms.months_of_income_median * np.exp(
            terms.size_sigma * normal(key, own[k], day, LOAN_SIZE))
        # Requests are in whole currency units, at least one.
        units = np.rint(np.float64(col.income[own[k]]) * months / CENTS)
        if size_share[lender_of[k]] < 1.0:
            units = np.rint(units * size_share[lender_of[k]])
        amount[k] = max(np.int64(units * CENTS), CENTS)
    amount[k_own:] = scripted_amount
    if scripted.size:
        _choose_lenders(col.churned, scripted, n_lenders, key, day, lender_of[k_own:])
    rate = np.empty(total)
    installment = np.empty(total, np.int64)
    income_now = np.empty(total)
    for k in range(total):
        i = rows[k]
        band_apr = terms.apr_by_band[score_band(col.score[i])]
        if markup[lender_of[k]] > 0:
            band_apr = max(min(band_apr + markup[lender_of[k]], terms.max_apr), band_apr)
        rate[k] = band_apr / MONTHS_PER_YEAR
        installment[k] = installment_of(np.float64(amount[k]), rate[k], terms.term_months)
        income_now[k] = np.float64(col.income[i])
        if col.jobless_until[i] > day:
            income_now[k] *= terms.income_replacement
    return rows, lender_of, amount, rate, installment, income_now


@njit(cache=True)
def schedule_needs(col: Columns, rows: np.ndarray, after_day: int) -> None:
    """Draw the first candidate days after `after_day` of a need for a loan for the slots
    `rows` (at the start of a run)."""
    for i in rows:
        col.next_need[i] = next_candidate(col.key, i, after_day, NEED, CANDIDATE_CHANCE)


@njit(cache=True)
def _needs_today(col: Columns, day: int, need_daily: float) -> np.ndarray:
    """The slots that need a loan today (ascending), by `sim.streams.happens_today` on their
    candidate days of a need (`next_need`) and, for a chance above `CANDIDATE_CHANCE`, on any
    day. Candidate days that passed while lending was closed bring no need: the chain is
    drawn afresh from yesterday."""
    n = col.status.size
    drawn = np.empty(n, np.int64)
    m = 0
    every_day = need_daily > CANDIDATE_CHANCE
    next_need = col.next_need  # a local: through the structure it is loaded for every row
    for i in range(n):
        if next_need[i] > day and not every_day:
            continue
        if next_need[i] < day:
            next_need[i] = next_candidate(col.key, i, day - 1, NEED, CANDIDATE_CHANCE)
        candidate = next_need[i] == day
        if (candidate or every_day) and happens_today(col.key, i, day, candidate, need_daily,
                                                      NEED_ACCEPT, NEED_EXCESS):
            drawn[m] = i
            m += 1
        if candidate:
            next_need[i] = next_candidate(col.key, i, day, NEED, CANDIDATE_CHANCE)
    return drawn[:m].copy()


@njit(cache=True, inline="always")
def _choose_lenders(churned: np.ndarray, rows: np.ndarray, n_lenders: int,
                    key: np.uint64, day: int, out: np.ndarray) -> None:
    """Pick, for each of `rows`, a lender uniformly among those they have not churned from
    (one decision draw each, only with several lenders)."""
    if n_lenders == 1:
        return
    for k in range(rows.size):
        allowed = 0
        for lender in range(n_lenders):
            allowed += (churned[rows[k]] >> lender) & 1 == 0
        pick = uniform(key, rows[k], day, LENDER_CHOICE) * allowed
        chosen = 0
        seen = 0
        for lender in range(n_lenders):
            seen += (churned[rows[k]] >> lender) & 1 == 0
            chosen += seen <= pick
        out[k] = chosen


