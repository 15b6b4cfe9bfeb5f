"""Phase 5, collection: escalate by DPD, then contact delinquent accounts along the ladder.

Escalation: at `bureau.report_dpd` the lender reports serious delinquency; at `legal.dpd` it
files a case (cost now, judgment after `legal.delay_days`, see the charge-off phase).
Contacts: each delinquent account (active and past due, or charged off and still collected)
gets, on each channel, an attempt today with probability (contacts per week in its DPD
bucket) / 7. Attempts skip opted-out borrowers on blocked channels and borrowers already at
the 7-day cap; calls and letters also need a collector's capacity, rationed by priority.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.config import CHANNELS, DPD_BUCKETS, ScenarioConfig
from sim.contacts import contact_effects, record_attempts
from sim.payments import sum_by_lender
from sim.population import ACTIVE, CHARGED_OFF, NO_LOAN, WEEK, dpd_bucket
from sim.units import to_cents

if TYPE_CHECKING:
    from sim.model import CreditMarket


def run(model: CreditMarket) -> None:
    """Escalate and contact delinquent accounts within caps and capacity.

    Reads: `dpd`, `status`, `deferral_until`, `opted_out`, the 7-day contact window, the
    ladder and channel specs, collectors' capacity.
    Changes: the 7-day contact window, `legal_day`, bureau reports, ledgers (contact and legal
    costs), plus everything a contact changes (see `sim.contacts`).
    """
    pop, day, rng = model.population, model.day, model.rng
    pop.contacts_week[day % WEEK] = 0
    for collector in model.collector_list:
        collector.used_today = 0
    _escalate(model)

    accounts = pop.past_due_rows()  # charged-off claims keep counting days past due
    accounts = accounts[_worked(model, accounts)]
    if accounts.size == 0:
        return
    bucket = dpd_bucket(pop.dpd[accounts])
    cap = model.config.collection.max_contacts_per_7_days
    for channel, daily_p, blocked_by_opt_out, uses_capacity in model.contact_ladder:
        rows = accounts[rng.random(accounts.size) < daily_p[bucket]]
        rows = rows[_worked(model, rows)]  # an earlier channel's contact may have cured it
        if blocked_by_opt_out:
            rows = rows[~pop.opted_out[rows]]
        rows = rows[pop.contacts_last_7_days(rows) < cap]
        if uses_capacity:
            rows = _ration(model, rows, channel)
        record_attempts(model, rows, channel)
        contact_effects(model, rows, channel)


def contact_ladder(config: ScenarioConfig) -> list[tuple[str, np.ndarray, bool, bool]]:
    """The ladder's channels in use, in channel order, each as (channel, chance of an attempt
    today in each DPD bucket, blocked for opted-out borrowers, uses collector capacity)."""
    policy = config.collection
    ladder = []
    for channel in CHANNELS:
        weekly = np.array([getattr(getattr(policy.ladder, b), channel) for b in DPD_BUCKETS])
        if weekly.any():
            ladder.append((channel, weekly / WEEK, channel in policy.opt_out_channels,
                           getattr(config.channels, channel).uses_capacity))
    return ladder


def _worked(model: CreditMarket, rows: np.ndarray) -> np.ndarray:
    """Mask of `rows` in collection: active and past due outside a deferral pause, or charged
    off with a claim left."""
    pop, day = model.population, model.day
    status = pop.status[rows]
    return (((status == ACTIVE) & (pop.dpd[rows] > 0) & (pop.deferral_until[rows] <= day))
            | ((status == CHARGED_OFF) & (pop.claim[rows] > 0)))


def _escalate(model: CreditMarket) -> None:
    pop, day = model.population, model.day
    past_due = pop.past_due_rows()
    report = past_due[pop.dpd[past_due] == model.config.bureau.report_dpd]
    report = report[pop.status[report] != NO_LOAN]
    model.bureau.report(report, "reported", day)
    model.events["bureau_reports"] += report.size
    legal = model.config.legal
    if not legal.enabled:
        return
    filing = past_due[pop.dpd[past_due] == legal.dpd]
    filing = filing[(pop.status[filing] != NO_LOAN) & (pop.legal_day[filing] < 0)]
    if filing.size == 0:
        return
    pop.legal_day[filing] = day + legal.delay_days
    costs = np.full(filing.size, to_cents(legal.cost), np.int64)
    for lender, total in zip(model.lender_list, sum_by_lender(model, filing, costs),
                             strict=True):
        lender.ledger.pay_legal_cost(total)
    model.flows["legal_costs"] += int(costs.sum())
    model.events["legal_filed"] += filing.size


def _ration(model: CreditMarket, rows: np.ndarray, channel: str) -> np.ndarray:
    """Keep the attempts collectors have capacity for, each collector taking its caseload
    in priority order."""
    if rows.size == 0:
        return rows
    pop, rng = model.population, model.rng
    priority = model.config.collection.capacity_priority
    kept = []
    for collector in model.collector_list:
        mine = collector.caseload(rows[pop.lender[rows] == collector.lender_index])
        if mine.size == 0:
            continue
        tiebreak = rng.random(mine.size)
        if priority == "highest_dpd":
            order = np.lexsort((tiebreak, -pop.dpd[mine]))
        elif priority == "lowest_dpd":
            order = np.lexsort((tiebreak, pop.dpd[mine]))
        else:
            order = np.argsort(tiebreak)
        kept.append(collector.take(mine[order], channel))
    return np.sort(np.concatenate(kept)) if kept else rows[:0]
