"""Phase 3, repayment: DPD ages, late fees, installments fall due, borrowers pay or miss.

A borrower with an installment due today pays it unless they cannot (hardship: not enough
cash), will not (strategic: decided to default) or forget (forgetful, without auto-repay;
a reminder prevents most of these). Delinquent borrowers also try, now and then, to pay their
arrears unprompted (`self_cure_rate`). An account whose arrears are not cleared by the end of
its due day is 1 day past due the next day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.contacts import record_attempts
from sim.payments import try_to_pay
from sim.population import ACTIVE, CHARGED_OFF, FORGETFUL, NEVER, NO_LOAN, STRATEGIC
from sim.rows import union_rows
from sim.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.model import CreditMarket


def run(model: CreditMarket) -> None:
    """Age delinquent accounts, make installments fall due and let borrowers pay.

    Reads: loan columns, `cash`, `kind`, `autopay`, `strategic_default`, contacts this week.
    Changes: `dpd`, `worst_dpd`, `fees_due`, `interest_due`, `principal_due`,
    `installments_left`, `next_due`, `cash`, `strategic_default`; lender ledgers; bureau
    reports of on-time and missed installments; today's payment and miss counts.
    """
    pop, day = model.population, model.day
    # Arrears exist only on loans already past due or whose installment fell due yesterday:
    # the rows `watched` since yesterday's repayment phase.
    watched = pop.watched
    late = watched[(pop.dpd[watched] > 0) | (pop.last_due[watched] == day - 1)]
    late = late[pop.status[late] == ACTIVE]
    late = late[(pop.arrears(late) > 0) & (pop.deferral_until[late] <= day)]
    charged = watched[pop.status[watched] == CHARGED_OFF]
    _age(model, late, charged)

    due = pop.due_on(day)
    fall_due(model, due)
    if due.size:
        _scheduled_payments(model, due)
    _self_cure(model, late, charged)
    pop.watched = union_rows(pop.past_due_rows(), due)


def _age(model: CreditMarket, late: np.ndarray, charged: np.ndarray) -> None:
    pop = model.population
    pop.dpd[late] += 1
    pop.worst_dpd[late] = np.maximum(pop.worst_dpd[late], pop.dpd[late])
    pop.dpd[charged] += 1
    fee_day = late[pop.dpd[late] % DAYS_PER_MONTH == 1]
    pop.fees_due[fee_day] += pop.late_fee_cents
    model.events["late_fees"] += fee_day.size


def fall_due(model: CreditMarket, rows: np.ndarray) -> None:
    """Interest for the month accrues (on scheduled and on past-due principal) and one
    installment's principal falls due on `rows`; the last installment carries all principal
    left, and any deferred charges fall due with it."""
    if rows.size == 0:
        return
    pop = model.population
    scheduled = pop.principal[rows] - pop.principal_due[rows]
    rate = pop.rate[rows]
    scheduled_interest = np.rint(scheduled * rate).astype(np.int64)
    interest = scheduled_interest + np.rint(pop.principal_due[rows] * rate).astype(np.int64)
    last = pop.installments_left[rows] <= 1
    principal_part = np.clip(pop.installment[rows] - scheduled_interest, 0, scheduled)
    principal_part = np.where(last, scheduled, principal_part)
    pop.principal_due[rows] += principal_part
    pop.interest_due[rows] += interest + pop.deferred_interest[rows]
    pop.deferred_interest[rows] = 0
    pop.installments_left[rows] = np.maximum(pop.installments_left[rows] - 1, 0)
    pop.next_due[rows[last]] = NEVER
    pop.schedule_due(rows[~last], model.day + DAYS_PER_MONTH)
    pop.last_due[rows] = model.day
    model.events["installments_due"] += rows.size


def perceived_enforcement(model: CreditMarket, rows: np.ndarray) -> np.ndarray:
    """Enforcement strategic borrowers `rows` perceive (0-1): the policy's early bureau report
    and legal action, plus the contacts they received in the last 7 days."""
    strategic = model.config.strategic
    cap = max(model.config.collection.max_contacts_per_7_days, 1)
    recent = model.population.contacts_last_7_days(rows) / cap
    felt = model.policy_enforcement + strategic.enforcement_weight_contacts * np.minimum(recent, 1)
    return np.clip(felt, 0.0, 1.0)


def _scheduled_payments(model: CreditMarket, due: np.ndarray) -> None:
    pop, rng, day = model.population, model.rng, model.day
    kind = pop.kind[due]
    was_current = pop.dpd[due] == 0

    reminded = np.zeros(due.size, bool)
    channel = model.config.collection.reminder_channel
    if channel != "none":
        reminded = ~pop.autopay[due]
        record_attempts(model, due[reminded], channel, count_as_contact=False)
        model.events["reminders"] += int(np.count_nonzero(reminded))

    forget_p = model.config.forgetful.miss_probability * np.where(
        reminded, 1.0 - model.config.forgetful.reminder_fix_share, 1.0)
    forgot = (kind == FORGETFUL) & ~pop.autopay[due] & (rng.random(due.size) < forget_p)

    strategic = kind == STRATEGIC
    deciding = strategic & ~pop.strategic_default[due]
    if deciding.any():
        s = model.config.strategic
        propensity = (s.base_propensity * (1.0 - perceived_enforcement(model, due[deciding]))
                      + s.peer_weight * model.market_dpd30_share)
        defects = rng.random(int(deciding.sum())) < np.clip(propensity, 0.0, 1.0)
        pop.strategic_default[due[deciding][defects]] = True
    refused = strategic & pop.strategic_default[due]

    willing = ~forgot & ~refused
    paid = np.zeros(due.size, bool)
    paid[willing] = try_to_pay(model, due[willing])
    missed = ~paid
    model.bureau.report(due[paid & was_current], "on_time", day)
    model.bureau.report(due[missed], "missed", day)
    model.events["on_time_payments"] += int(np.count_nonzero(paid & was_current))
    model.events["missed_installments"] += int(np.count_nonzero(missed))
    model.events["missed_strategic"] += int(np.count_nonzero(missed & refused))
    model.events["missed_forgetful"] += int(np.count_nonzero(missed & forgot))
    model.events["missed_hardship"] += int(np.count_nonzero(missed & willing))


def _self_cure(model: CreditMarket, late: np.ndarray, charged: np.ndarray) -> None:
    pop, rng = model.population, model.rng
    delinquent = np.concatenate([late, charged])
    delinquent = delinquent[pop.status[delinquent] != NO_LOAN]
    p = model.config.repayment.self_cure_rate / DAYS_PER_MONTH * np.where(
        pop.status[delinquent] == CHARGED_OFF, model.config.chargeoff.payment_willingness, 1.0)
    trying = delinquent[rng.random(delinquent.size) < p]
    trying = trying[~pop.strategic_default[trying]]
    try_to_pay(model, trying)
