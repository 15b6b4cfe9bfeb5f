"""Contact attempts and what a contact does to a borrower.

`record_attempts` books the cost of attempts on a channel and counts them in the borrower's
rolling 7-day window; `contact_effects` applies what reaching a borrower does: stress,
awareness of deferral, complaints (more likely under stress, much more for third parties),
opt-outs, churn from the lender, and a prompt to pay. A call that reaches a third party
(family, employer; only when allowed) acts like reaching the borrower, who hears of it,
except that it does not tell them about deferral.

`contact_effects` is compiled with numba and called by the collection phase's compiled loop;
`sim.params.ContactPolicy` holds the scenario's collection settings in the form it reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.loans import try_to_pay_account, willingness_of
from sim.params import ContactPolicy
from sim.population import FORGETFUL, WEEK
from sim.streams import COMPLAIN, OPT_OUT, PROMPT, RIGHT_PARTY, THIRD_PARTY_REACH, uniform
from sim.units import to_cents

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState

# Columns of the per-channel outcome counts (`counts[channel, ...]`) and their event names
# (`{}` is the channel).
CONTACT_EVENTS = ("rpc_{}", "third_party_contacts", "complaints", "opt_outs", "churned",
                  "payments_after_contact")
RPC, THIRD_PARTY, COMPLAINTS, OPT_OUTS, CHURNED, PAYMENTS_AFTER = range(6)


def charge_attempts(state: MarketState, params: MarketParams, channel: str,
                    by_lender: list[int]) -> None:
    """Charge each lender the channel's cost for its attempts (`by_lender[k]` for lender k)."""
    cost = to_cents(getattr(params.config.channels, channel).cost)
    for lender, n in zip(state.lenders, by_lender, strict=True):
        lender.ledger.pay_contact_cost(channel, cost * n)
    state.flows["contact_costs"] += cost * sum(by_lender)


def record_attempts(state: MarketState, params: MarketParams, rows: np.ndarray, channel: str,
                    count_as_contact: bool = True) -> None:
    """Charge each lender the channel's cost for attempts on `rows`; collection contacts (not
    reminders) also count towards the borrower's 7-day cap."""
    if rows.size == 0:
        return
    state.contacted(rows, channel if count_as_contact else "reminder")
    charge_attempts(state, params, channel, state.count_by_lender(rows))
    if count_as_contact:
        state.population.contacts_week[state.day % WEEK, rows] += 1
        state.events[f"contacts_{channel}"] += rows.size


@njit(cache=True, inline="always")
def contacts_this_week(col: Columns, i: int) -> int:
    """Contact attempts on row `i` in the 7 daily slots of the rolling window (the collection
    phase clears today's slot first, so before it the window is the 7 days before today, and
    from it on the 6 days before today and today)."""
    total = 0
    for slot in range(WEEK):
        total += col.contacts_week[slot, i]
    return total


@njit(cache=True, inline="always")
def contact_effects(col: Columns, rows: np.ndarray, channel: int,
                    policy: ContactPolicy, day: int, counts: np.ndarray, money: np.ndarray,
                    tally: np.ndarray, complaints_by_lender: np.ndarray) -> None:
    """Attempts on `rows` (ascending) by ladder channel `channel`, one borrower after the
    other: whether the attempt reaches the borrower (`rpc_rate`) or, on a channel that may,
    a third party (`third_party_reach`, drawn for every attempt), and what reaching them does
    (`reach`). Outcomes are counted in `counts[channel]` (see `CONTACT_EVENTS`), complaints
    also in `complaints_by_lender`; payments go to `money` and `tally` (see
    `sim.loans.Takings`)."""
    for i in rows:
        reached = uniform(col.key, i, day, RIGHT_PARTY + channel) < policy.rpc_rate[channel]
        heard = (policy.reaches_third_party[channel] and uniform(
            col.key, i, day, THIRD_PARTY_REACH + channel) < policy.third_party_reach)
        third = heard and not reached
        counts[channel, RPC] += reached
        counts[channel, THIRD_PARTY] += third
        if reached or third:
            reach(col, i, channel, third, policy, day, counts, money, tally,
                  complaints_by_lender)


@njit(cache=True, inline="always")
def reach(col: Columns, i: int, channel: int, third: bool,
          policy: ContactPolicy, day: int, counts: np.ndarray, money: np.ndarray,
          tally: np.ndarray, complaints_by_lender: np.ndarray) -> None:
    """What reaching borrower `i` on `channel` does (through a third party if `third`): their
    stress rises (after decaying since it was last set), they hear of deferral (not through a
    third party), they may complain (more likely the more stressed they were; more through a
    third party) and then opt out, they churn from the lender if stressed enough, and they
    may be prompted to pay (a strategic defaulter less readily, a borrower who sees a
    charge-off on their file less willingly), which ends a decision to stop paying."""
    elapsed = np.float32(day - col.stress_day[i])
    stress_before = np.float32(
        col.stress[i] * np.float32(0.5) ** (elapsed / policy.stress_half_life_days))
    stress = np.float32(stress_before + policy.stress[channel])
    col.stress[i] = stress
    col.stress_day[i] = day
    if policy.informs_deferral[channel] and not third:
        col.aware[i] = True

    p = np.float64(policy.complaint_probability[channel] * (
        np.float32(1.0) + policy.complaint_stress_elasticity * stress_before))
    if third:
        p *= policy.third_party_complaint_multiplier
    if uniform(col.key, i, day, COMPLAIN + channel) < min(p, 1.0):
        counts[channel, COMPLAINTS] += 1
        complaints_by_lender[max(col.lender[i], 0)] += 1
        if uniform(col.key, i, day, OPT_OUT + channel) < policy.complaint_opt_out_probability:
            if not col.opted_out[i]:
                counts[channel, OPT_OUTS] += 1
            col.opted_out[i] = True

    bit = np.uint8(1 << col.lender[i])
    if stress >= policy.churn_stress and (col.churned[i] & bit) == 0:
        col.churned[i] |= bit
        counts[channel, CHURNED] += 1

    p = policy.pay_effect[channel]
    if col.kind[i] == FORGETFUL:
        p = policy.forgetful_cure_probability
    if col.strategic_default[i]:
        p = policy.pay_effect[channel] * policy.strategic_contact_response
    p *= willingness_of(col, i, day, policy.payment)
    if uniform(col.key, i, day, PROMPT + channel) < p:
        col.strategic_default[i] = False
        if try_to_pay_account(col, i, day, policy.payment, money, tally):
            counts[channel, PAYMENTS_AFTER] += 1
