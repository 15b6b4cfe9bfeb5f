"""Contact attempts and what a contact does to a borrower.

`record_attempts` books the cost of attempts on a channel and counts them in the borrower's
rolling 7-day window; `contact_effects` applies what reaching a borrower does: stress,
awareness of deferral, complaints (more likely under stress, much more for third parties),
opt-outs, churn from the lender, and a prompt to pay. A call that reaches a third party
(family, employer; only when allowed) acts like reaching the borrower, who hears of it,
except that it does not tell them about deferral.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.payments import sum_by_lender, try_to_pay
from sim.population import CHARGED_OFF, FORGETFUL, WEEK
from sim.units import to_cents

if TYPE_CHECKING:
    from sim.model import CreditMarket


def record_attempts(model: CreditMarket, rows: np.ndarray, channel: str,
                    count_as_contact: bool = True) -> None:
    """Charge each lender the channel's cost for attempts on `rows`; collection contacts (not
    reminders) also count towards the borrower's 7-day cap."""
    if rows.size == 0:
        return
    if model.tracker is not None:
        model.tracker.contacted(rows, channel if count_as_contact else "reminder")
    cost = to_cents(getattr(model.config.channels, channel).cost)
    for lender, n in zip(model.lender_list,
                         sum_by_lender(model, rows, np.ones(rows.size, np.int64)), strict=True):
        lender.ledger.pay_contact_cost(channel, cost * n)
    model.flows["contact_costs"] += cost * rows.size
    if count_as_contact:
        pop = model.population
        pop.contacts_week[model.day % WEEK, rows] += 1
        model.events[f"contacts_{channel}"] += rows.size


def contact_effects(model: CreditMarket, rows: np.ndarray, channel: str) -> None:
    """Attempts on `rows` by `channel`: who is reached, and what reaching them does."""
    if rows.size == 0:
        return
    pop, day, rng = model.population, model.day, model.rng
    spec = getattr(model.config.channels, channel)
    policy = model.config.collection
    reached = rng.random(rows.size) < spec.rpc_rate
    model.events[f"rpc_{channel}"] += int(np.count_nonzero(reached))
    third_party = None  # or, where third parties can be reached, the mask of those touched
    if policy.third_party_contact and channel == "phone":
        heard = ~reached & (rng.random(rows.size) < policy.third_party_reach)
        touched_mask = reached | heard
        third_party = heard[touched_mask]
        touched = rows[touched_mask]
        model.events["third_party_contacts"] += int(np.count_nonzero(third_party))
    else:
        touched = rows[reached]
    if touched.size == 0:
        return

    stress_before = pop.current_stress(touched, day, policy.stress_half_life_days)
    stress = stress_before + spec.stress
    pop.stress[touched] = stress
    pop.stress_day[touched] = day
    if spec.informs_deferral:
        pop.aware[touched if third_party is None else touched[~third_party]] = True

    complaint_p = spec.complaint_probability * (
        1.0 + policy.complaint_stress_elasticity * stress_before)
    if third_party is not None:
        complaint_p = complaint_p.astype(np.float64)
        complaint_p[third_party] *= policy.third_party_complaint_multiplier
    complained = touched[rng.random(touched.size) < np.minimum(complaint_p, 1.0)]
    model.events["complaints"] += complained.size
    opting_out = complained[rng.random(complained.size) < policy.complaint_opt_out_probability]
    model.events["opt_outs"] += int(np.count_nonzero(~pop.opted_out[opting_out]))
    pop.opted_out[opting_out] = True

    bit = (np.uint8(1) << pop.lender[touched].astype(np.uint8)).astype(np.uint8)
    churning = (stress >= policy.churn_stress) & ((pop.churned[touched] & bit) == 0)
    pop.churned[touched[churning]] |= bit[churning]
    model.events["churned"] += int(np.count_nonzero(churning))

    prompt_p = np.full(touched.size, spec.pay_effect)
    prompt_p[pop.kind[touched] == FORGETFUL] = model.config.forgetful.contact_cure_probability
    holdout = pop.strategic_default[touched]
    prompt_p[holdout] = spec.pay_effect * model.config.strategic.contact_response
    prompt_p[pop.status[touched] == CHARGED_OFF] *= model.config.chargeoff.payment_willingness
    prompted = touched[rng.random(touched.size) < prompt_p]
    pop.strategic_default[prompted] = False
    paid = try_to_pay(model, prompted)
    model.events["payments_after_contact"] += int(np.count_nonzero(paid))
