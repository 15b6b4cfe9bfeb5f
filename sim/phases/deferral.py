"""Phase 4, deferral: borrowers in difficulty apply, lenders review by policy and grant.

Aware borrowers with an active loan who are in a shock or past due apply at `apply_rate`
(strategic defaulters more readily); aware strategic borrowers who are current and in no
shock claim hardship falsely at `strategic.false_claim_rate` where the lender offers
deferral (a strategic applicant in no shock makes a false claim, current or not); nobody
asks more than once every `reapply_after_days`. Where deferral is not offered nobody asks
(and nothing is a false claim) unless `requests_without_offer`; the lender refuses if it is
off;
otherwise each application costs it `review_cost`, and it refuses if the loan used its
limit; otherwise it checks eligibility (hardship, force majeure, small balance with a good
record). Its review errs by kind of
applicant: it refuses an eligible one with probability `wrongful_refusal_share`, grants an
honest ineligible one with probability 1 - `verification_accuracy` and a false claim with
probability 1 - `false_claim_detection`. A grant re-ages the loan (DPD back to 0, past-due
principal rescheduled over the remaining term plus the unpaid installments, a filed case
withdrawn, the borrower's decision to stop paying taken afresh at the next due date) and
either pauses payments for `extend_months` or cuts the rate. The loan is then forborne:
reported apart, never a cure, until it has performed through `probation_days`. A refused
applicant in a shock may complain (`refusal_complaint_probability`), which counts for the
regulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.loans import in_shock, reschedule
from sim.params import macro_multipliers
from sim.population import ACTIVE, NEVER, NO_LOAN, STRATEGIC
from sim.streams import DEFERRAL_APPLY, DEFERRAL_REVIEW, REFUSAL_COMPLAINT, uniforms
from sim.transitions import FORBORNE_DPD_LIMIT
from sim.units import DAYS_PER_MONTH, to_cents

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState


def run(state: MarketState, params: MarketParams) -> None:
    """Take applications, review them and grant new schedules; mark re-defaults.

    Reads: loan columns, shocks, `aware`, `strategic_default`, the macro schedule.
    Changes: loan terms of granted loans (`rate`, `installment`, `installments_left`,
    `next_due`, `deferral_until`, dues, `dpd`), `deferrals_used`, `first_deferral_day`,
    `deferral_asked_day`, `redefaulted`; ledgers (waived interest and fees); today's counts.
    """
    pop, day, key = state.population, state.day, state.decision_key
    cfg = params.config.deferral
    cohorts = state.redefault_cohorts
    cohorts.make_room(day)
    state.events["redefaults"] += _mark_redefaults(state.columns, pop.watched, cfg.redefault_dpd,
                                                   day, cohorts.window_days, cohorts.redefaulted)
    _review_forbearance(state.columns, day, cfg.probation_days)

    if not (cfg.enabled or cfg.requests_without_offer or state.cast.size):
        return  # nobody asks a lender that offers no deferral
    strategic = params.config.strategic
    open_rows = _open_to_apply(state.columns, day, cfg.reapply_after_days,
                               cfg.enabled and strategic.false_claim_rate > 0,
                               state.cast.size)
    candidates = state.cast.exclude(open_rows)
    scripted = state.cast.deferral_requests(open_rows)
    if candidates.size == 0 and scripted.size == 0:
        return
    shocked = in_shock(state.columns, candidates, day)
    current = pop.dpd[candidates] == 0
    # Not in a shock, a strategic applicant claims hardship falsely (current ones only ask
    # because they can claim it; past-due ones ask as anyone in difficulty does).
    false_claim = ~shocked & (pop.kind[candidates] == STRATEGIC)
    rate = np.where(false_claim & current, strategic.false_claim_rate,
                    cfg.apply_rate) / DAYS_PER_MONTH
    rate *= np.where(pop.strategic_default[candidates], strategic.deferral_apply_multiplier, 1.0)
    drawn = uniforms(key, candidates, day, DEFERRAL_APPLY) < np.minimum(rate, 1.0)
    if not cfg.enabled:
        # Without a programme there is nothing to claim falsely: a request is a plain one,
        # and only made where borrowers ask without an offer (the cast's are scripted).
        drawn &= cfg.requests_without_offer
        false_claim[:] = False
    applicants, false_claim = candidates[drawn], false_claim[drawn]
    if scripted.size:
        applicants = np.concatenate([applicants, scripted])
        false_claim = np.concatenate([false_claim, np.zeros(scripted.size, bool)])
    if applicants.size == 0:
        return
    pop.deferral_asked_day[applicants] = day
    state.events["deferrals_requested"] += applicants.size
    state.events["deferral_false_claims"] += int(np.count_nonzero(false_claim))
    state.note(applicants, "deferral_asked")

    if not cfg.enabled:
        state.events["deferrals_refused"] += applicants.size
        state.note(applicants, "deferral_refused")
        _complain_of_refusals(state, params, applicants)
        return
    _pay_review_cost(state, params, applicants)
    _, _, force_majeure = macro_multipliers(params.config, day)
    shocked = in_shock(state.columns, applicants, day)
    draws = uniforms(key, applicants, day, DEFERRAL_REVIEW)
    granted = np.zeros(applicants.size, bool)
    eligible = np.zeros(applicants.size, bool)
    for lender in state.lenders:  # each lender reviews the applications made to it
        mine = pop.lender[applicants] == lender.index
        if mine.any():
            granted[mine], eligible[mine] = lender.review_deferrals(
                applicants[mine], false_claim[mine], shocked[mine], force_majeure, draws[mine])
    state.events["deferrals_granted"] += int(np.count_nonzero(granted))
    state.events["deferrals_granted_ineligible"] += int(np.count_nonzero(granted & ~eligible))
    state.events["deferrals_refused"] += int(np.count_nonzero(~granted))
    state.note(applicants[granted], "deferral_granted")
    state.note(applicants[~granted], "deferral_refused")
    _complain_of_refusals(state, params, applicants[~granted])
    grant(state, params, applicants[granted])


def _complain_of_refusals(state: MarketState, params: MarketParams,
                          refused: np.ndarray) -> None:
    """Refused applicants in a shock (the cast aside) complain with
    `deferral.refusal_complaint_probability`; the complaints count for the regulator."""
    p = params.config.deferral.refusal_complaint_probability
    hardship = state.cast.exclude(refused)
    hardship = hardship[in_shock(state.columns, hardship, state.day)]
    if p == 0 or hardship.size == 0:
        return
    draws = uniforms(state.decision_key, hardship, state.day, REFUSAL_COMPLAINT)
    complaining = hardship[draws < p]
    state.events["complaints"] += complaining.size
    for lender, count in zip(state.lenders, state.count_by_lender(complaining), strict=True):
        lender.complaints_period += count


def _pay_review_cost(state: MarketState, params: MarketParams, applicants: np.ndarray) -> None:
    """Each lender pays `deferral.review_cost` per application it reviews (staff cost)."""
    cost = to_cents(params.config.deferral.review_cost)
    if cost == 0:
        return
    costs = state.sum_by_lender(applicants, np.full(applicants.size, cost, np.int64))
    for lender, total in zip(state.lenders, costs, strict=True):
        if total:
            lender.ledger.pay_staff_cost(total)
            state.flows["staff_costs"] += total


def grant(state: MarketState, params: MarketParams, rows: np.ndarray) -> None:
    """Give `rows` a new schedule by the policy's mode (see the module docstring)."""
    cfg = params.config.deferral
    reschedule(state, params, rows, cfg.mode, cfg.waive_arrears_interest, extra_months=0)


@njit(cache=True)
def _open_to_apply(col: Columns, day: int, reapply_after_days: int, false_claims: bool,
                   cast_size: int = 0) -> np.ndarray:
    """Rows (ascending) that may apply today: in difficulty (in a shock, or past due) or, if
    `false_claims`, strategic and current (not the cast's, whose requests are scripted), with
    an active loan outside a deferral pause, aware of deferral and not asked in the last
    `reapply_after_days`."""
    found = np.empty(col.status.size, np.int64)
    n = 0
    # The columns as locals: read through the structure, each is loaded again for every row.
    status, aware, deferral_until = col.status, col.aware, col.deferral_until
    kind, dpd, jobless_until, ill_until = col.kind, col.dpd, col.jobless_until, col.ill_until
    asked = col.deferral_asked_day
    for i in range(status.size):
        # Without branches (bitwise tests, every row written, counted if it qualifies): the
        # tests fail at random across rows, so branches were mispredicted more than kept.
        in_difficulty = (jobless_until[i] > day) | (ill_until[i] > day) | (dpd[i] > 0)
        claims = false_claims & (i >= cast_size) & (kind[i] == STRATEGIC) & (dpd[i] == 0)
        found[n] = i
        n += ((status[i] == ACTIVE) & aware[i] & (deferral_until[i] <= day)
              & (in_difficulty | claims) & (day - asked[i] >= reapply_after_days))
    return found[:n].copy()


@njit(cache=True)
def _mark_redefaults(col: Columns, watched: np.ndarray, redefault_dpd: int, day: int,
                     window_days: int, by_first_deferral: np.ndarray) -> int:
    """Mark deferred loans (and claims) that reached `redefault_dpd` days past due as
    re-defaulted, once; returns how many were marked today, and counts in
    `by_first_deferral[d]` those first deferred on day d at most `window_days` ago (the
    cohort rate, `sim.redefaults`). `watched`: rows that may be past due
    (`BorrowerPopulation.watched`)."""
    marked = 0
    for i in watched:
        if (col.dpd[i] > 0 and col.dpd[i] >= redefault_dpd
                and col.first_deferral_day[i] != NEVER and not col.redefaulted[i]
                and col.status[i] != NO_LOAN):
            col.redefaulted[i] = True
            marked += 1
            first = col.first_deferral_day[i]
            if day - first <= window_days:
                by_first_deferral[first] += 1
    return marked


@njit(cache=True)
def _review_forbearance(col: Columns, day: int, probation_days: int) -> None:
    """Forbearance ends with the loan, or once the loan is current and `probation_days` have
    passed since its pause ended without it being more than 30 days past due (the EBA's
    test); a forborne loan more than 30 days past due starts its probation again tomorrow."""
    forborne_since = col.forborne_since  # a local: through the structure, loaded every row
    for i in range(forborne_since.size):
        if forborne_since[i] == NEVER:
            continue
        if col.status[i] != ACTIVE:
            col.forborne_since[i] = NEVER
            col.forborne_dpd[i] = 0
            col.probation_start[i] = NEVER
        elif col.dpd[i] > FORBORNE_DPD_LIMIT:
            col.probation_start[i] = day + 1
        elif col.dpd[i] == 0 and day - col.probation_start[i] >= probation_days:
            col.forborne_since[i] = NEVER
            col.forborne_dpd[i] = 0
            col.probation_start[i] = NEVER
