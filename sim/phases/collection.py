"""Phase 5, collection: escalate by DPD, then contact delinquent accounts along the ladder.

Escalation: at `bureau.report_dpd` the lender reports serious delinquency (once per episode:
until the account is current again); at `legal.dpd` it files a case (cost now, judgment
after `legal.delay_days`, see the charge-off phase); with `collection.repayment_plans`, at
`plan_dpd` the collector offers a borrower who cannot catch up a repayment plan.
Contacts: each delinquent account (active and past due, or charged off and still collected)
gets, on each channel, an attempt today with probability (contacts per week in its DPD
bucket) / 7, along the good customers' ladder if its score is at least
`collection.segment_min_score`, else along the main one. Attempts skip opted-out borrowers
on blocked channels and borrowers already at the 7-day cap; calls and letters also need a
collector's capacity, rationed by priority.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.config import CHANNELS
from sim.contacts import CONTACT_EVENTS, charge_attempts, contact_effects, contacts_this_week
from sim.loans import (
    TAKINGS_COLUMNS,
    TALLY_EVENTS,
    Takings,
    arrears,
    file_cases,
    reschedule,
)
from sim.params import PRIORITIES, ContactPolicy
from sim.population import ACTIVE, CHARGED_OFF, NO_LOAN, WEEK, dpd_bucket
from sim.rows import merge_rows, outside_sorted
from sim.streams import CONTACT, PLAN_ACCEPT, TIEBREAK, uniform, uniforms

HIGHEST_DPD, LOWEST_DPD, LARGEST_BALANCE, EXPECTED_RECOVERY, RANDOM_PRIORITY = (
    PRIORITIES.index(name) for name in ("highest_dpd", "lowest_dpd", "largest_balance",
                                        "expected_recovery", "random"))

if TYPE_CHECKING:
    from sim.params import MarketParams
    from sim.state import MarketState


def run(state: MarketState, params: MarketParams) -> None:
    """Escalate and contact delinquent accounts within caps and capacity.

    Reads: `dpd`, `status`, `deferral_until`, `opted_out`, the 7-day contact window, the
    ladder and channel specs, each collector's capacity, each lender's contact cap (lower
    while a regulator restricts it).
    Changes: the 7-day contact window, `legal_day`, bureau reports, ledgers (contact and legal
    costs), each lender's count of complaints and of attempts its collectors wanted and could
    not make, plus everything a contact changes (see `sim.contacts`).
    """
    pop, day = state.population, state.day
    pop.contacts_week[day % WEEK] = 0
    for collector in state.collectors:
        collector.used_today = 0
    _escalate(state, params)
    if params.config.collection.repayment_plans:
        offer_plans(state, params)

    accounts = pop.past_due_rows()  # charged-off claims keep counting days past due
    accounts = accounts[_in_collection_mask(state.columns, accounts, day)]
    channels = params.channels
    if accounts.size == 0 or not channels:
        return
    lenders = len(state.lenders)
    staff = staff_of(state)
    cap = np.array([lender.contact_cap() for lender in state.lenders], np.int64)
    result = _contact_accounts(state.columns, accounts, dpd_bucket(pop.dpd[accounts]), day,
                               params.contacts, cap, staff)
    counts, attempts, taken, wanted, complaints = (result.counts, result.attempts,
                                                   result.taken, result.wanted,
                                                   result.complaints)
    Takings(lenders, result.money, result.tally).settle(state)
    made = np.zeros(lenders, np.int64)
    np.add.at(made, staff.works_for, taken.sum(axis=0))
    # A contact's payment may have brought a reported loan current: its next episode is new.
    pop.reported_open = pop.reported_open[pop.dpd[pop.reported_open] > 0]
    for lender, k in zip(state.lenders, range(lenders), strict=True):
        lender.complaints_period += int(complaints[k])
        lender.wanted_attempts += int(wanted[k])
        lender.unmet_attempts += int(wanted[k] - made[k])
    events = state.events
    for c, (channel, by_lender, outcomes, by_collector) in enumerate(zip(
            channels, attempts.tolist(), counts.tolist(), taken.tolist(), strict=True)):
        if state.observers:
            state.contacted(result.contacted[result.contacted_channel == c], channel)
        charge_attempts(state, params, channel, by_lender)
        events[f"contacts_{channel}"] += sum(by_lender)
        if any(outcomes):
            for name, count in zip(_CONTACT_EVENT_NAMES[channel], outcomes, strict=True):
                events[name] += count
        for collector, used in zip(state.collectors, by_collector, strict=True):
            if used:
                collector.take(used, channel)


_CONTACT_EVENT_NAMES = {channel: [name.format(channel) for name in CONTACT_EVENTS]
                        for channel in CHANNELS}
"""The event names of `CONTACT_EVENTS` for each channel."""


def offer_plans(state: MarketState, params: MarketParams) -> None:
    """The collector offers a repayment plan to active loans reaching `collection.plan_dpd`
    days past due whose borrower lacks the cash to catch up and has not decided to stop
    paying, if the loan has a forbearance left (`deferral.max_per_loan`); the cast aside. A
    borrower takes it with `plan_acceptance`: the arrears are spread over the rest of the
    term plus `plan_months` (`sim.loans.reschedule`, no pause, no rate cut,
    past-due interest and fees waived)."""
    pop, config = state.population, params.config
    past_due = pop.past_due_rows()
    rows = state.cast.exclude(past_due[pop.dpd[past_due] == config.collection.plan_dpd])
    rows = rows[(pop.status[rows] == ACTIVE) & ~pop.strategic_default[rows]
                & (pop.cash[rows] < arrears(state.columns, rows))
                & (pop.deferrals_used[rows] < config.deferral.max_per_loan)]
    if rows.size == 0:
        return
    draws = uniforms(state.decision_key, rows, state.day, PLAN_ACCEPT)
    taken = rows[draws < config.collection.plan_acceptance]
    reschedule(state, params, taken, "plan", waive=True,
               extra_months=config.collection.plan_months, rate_cut=False)
    state.events["repayment_plans"] += taken.size
    state.note(taken, "repayment_plan")


def _escalate(state: MarketState, params: MarketParams) -> None:
    pop, day = state.population, state.day
    past_due = pop.past_due_rows()
    still_late = pop.reported_open[pop.dpd[pop.reported_open] > 0]
    report = past_due[pop.dpd[past_due] == params.config.bureau.report_dpd]
    report = report[pop.status[report] != NO_LOAN]
    report = outside_sorted(report, still_late)  # once per episode
    pop.reported_open = merge_rows(still_late, report)
    state.bureau.report(report, "reported", day)
    state.events["bureau_reports"] += report.size
    legal = params.config.legal
    if not legal.enabled:
        return
    filing = past_due[pop.dpd[past_due] == legal.dpd]
    filing = filing[(pop.status[filing] != NO_LOAN) & (pop.legal_day[filing] < 0)
                    & (pop.garnish_until[filing] <= day)]
    if filing.size == 0:
        return
    file_cases(state, params, filing)


class Staff(NamedTuple):
    """The collectors as the contact loop sees them, collector by collector (lender by
    lender, slot by slot): collector j works for lender `works_for[j]`, takes the accounts i
    with i % team[lender] == slot[j] and makes `capacity[j]` capacity-using attempts a day."""

    capacity: np.ndarray
    works_for: np.ndarray
    slot: np.ndarray
    team: np.ndarray  # collectors per lender, by lender


def staff_of(state: MarketState) -> Staff:
    """The state's collectors as a `Staff`."""
    return Staff(capacity=np.array([c.capacity for c in state.collectors], np.int64),
                 works_for=np.array([c.lender_index for c in state.collectors], np.int64),
                 slot=np.array([c.slot for c in state.collectors], np.int64),
                 team=np.array([len(x.collectors) for x in state.lenders], np.int64))


class ContactDay(NamedTuple):
    """What the day's contact attempts did."""

    counts: np.ndarray  # channel x CONTACT_EVENTS
    attempts: np.ndarray  # channel x lender
    taken: np.ndarray  # channel x collector: capacity-using attempts made
    wanted: np.ndarray  # by lender: capacity-using attempts wanted
    complaints: np.ndarray  # by lender
    contacted: np.ndarray  # the rows attempted, in the order of the attempts
    contacted_channel: np.ndarray  # and the channel of each
    money: np.ndarray  # payments, as `sim.loans.Takings.money`
    tally: np.ndarray  # as `sim.loans.Takings.tally`


@njit(cache=True)
def _contact_accounts(col: Columns, accounts: np.ndarray, bucket: np.ndarray, day: int,
                      policy: ContactPolicy, cap: np.ndarray, staff: Staff) -> ContactDay:
    """The ladder's channels in order over `accounts` (ascending, in DPD buckets `bucket`):
    each account gets an attempt on a channel with the bucket's daily chance, if it is still
    in collection (an earlier channel's contact may have cured it), not opted out of the
    channel and under its lender's 7-day cap `cap[lender]`, and, on capacity-using channels,
    if its collector has capacity left (`Staff`). Attempts count in the 7-day window; what
    they did is returned."""
    key = col.key
    today = day % WEEK
    channels, lenders = policy.daily_p.shape[0], cap.size
    counts = np.zeros((channels, len(CONTACT_EVENTS)), np.int64)
    attempts = np.zeros((channels, lenders), np.int64)
    taken = np.zeros((channels, staff.capacity.size), np.int64)
    wanted = np.zeros(lenders, np.int64)
    complaints = np.zeros(lenders, np.int64)
    contacted = np.empty(accounts.size * channels, np.int64)
    contacted_channel = np.empty(accounts.size * channels, np.int64)
    money = np.zeros((lenders, TAKINGS_COLUMNS), np.int64)
    tally = np.zeros(len(TALLY_EVENTS), np.int64)
    used = np.zeros(staff.capacity.size, np.int64)
    draws = np.empty(accounts.size)
    # Scores do not move during contacts (bureau reports apply later): read each account's
    # once, not once per channel (a cache miss each, on rows spread over the columns).
    good = np.empty(accounts.size, np.bool_)
    for k in range(accounts.size):
        good[k] = col.score[accounts[k]] >= policy.good_min_score
    n = 0
    for c in range(channels):
        for k in range(accounts.size):
            draws[k] = uniform(key, accounts[k], day, CONTACT + c)
        rows = np.empty(accounts.size, np.int64)
        m = 0
        for k in range(accounts.size):
            chance = (policy.daily_p_good[c, bucket[k]] if good[k]
                      else policy.daily_p[c, bucket[k]])
            if not draws[k] < chance:
                continue
            i = accounts[k]
            if not in_collection(col, i, day):
                continue
            if policy.blocked_by_opt_out[c] and col.opted_out[i]:
                continue
            if contacts_this_week(col, i) >= cap[max(col.lender[i], 0)]:
                continue
            rows[m] = i
            m += 1
        rows = rows[:m]
        if policy.uses_capacity[c]:
            for i in rows:
                wanted[max(col.lender[i], 0)] += 1
            rows = _ration(col, day, rows, c, policy, staff, used, taken)
        for i in rows:
            col.contacts_week[today, i] += 1
            attempts[c, max(col.lender[i], 0)] += 1
            contacted[n] = i
            contacted_channel[n] = c
            n += 1
        if rows.size:
            contact_effects(col, rows, c, policy, day, counts, money, tally, complaints)
    return ContactDay(counts, attempts, taken, wanted, complaints, contacted[:n].copy(),
                      contacted_channel[:n].copy(), money, tally)


@njit(cache=True, inline="always")
def in_collection(col: Columns, i: int, day: int) -> bool:
    """Whether row `i` is in collection: active and past due outside a deferral pause, or
    charged off with a claim left."""
    if col.status[i] == ACTIVE:
        return col.dpd[i] > 0 and col.deferral_until[i] <= day
    return col.status[i] == CHARGED_OFF and col.claim[i] > 0


@njit(cache=True)
def _in_collection_mask(col: Columns, rows: np.ndarray, day: int) -> np.ndarray:
    mask = np.empty(rows.size, np.bool_)
    for k in range(rows.size):
        mask[k] = in_collection(col, rows[k], day)
    return mask


@njit(cache=True, inline="always")
def _ration(col: Columns, day: int, rows: np.ndarray, channel: int,
            policy: ContactPolicy, staff: Staff, used: np.ndarray,
            taken: np.ndarray) -> np.ndarray:
    """Keep the attempts on `rows` (ascending) collectors have capacity for, each collector
    (lender by lender, slot by slot) taking its caseload in priority order (see
    `priority_key`), ties and the `random` priority by a uniform draw per account."""
    kept = np.empty(rows.size, np.int64)
    n = 0
    for j in range(used.size):
        lender = staff.works_for[j]
        mine = rows[(col.lender[rows] == lender)
                    & (rows % staff.team[lender] == staff.slot[j])]
        if mine.size == 0:
            continue
        tiebreak = np.empty(mine.size)
        for k in range(mine.size):
            tiebreak[k] = uniform(col.key, mine[k], day, TIEBREAK + channel)
        order = np.argsort(tiebreak, kind="mergesort")
        if policy.priority != RANDOM_PRIORITY:
            key = np.empty(mine.size)
            for k in range(mine.size):
                key[k] = priority_key(col, mine[order[k]], policy)
            order = order[np.argsort(key, kind="mergesort")]
        room = max(staff.capacity[j] - used[j], 0)
        chosen = mine[order][:room]
        used[j] += chosen.size
        taken[channel, j] += chosen.size
        kept[n:n + chosen.size] = chosen
        n += chosen.size
    return np.sort(kept[:n])


@njit(cache=True, inline="always")
def priority_key(col: Columns, i: int, policy: ContactPolicy) -> float:
    """Sort key of account `i` for a collector short of capacity (smallest first): highest
    or lowest DPD, largest balance owed (principal and claim), or largest expected recovery
    (balance times exp(-dpd / recovery_decay_days))."""
    dpd = np.float64(col.dpd[i])
    balance = np.float64(col.principal[i] + col.claim[i])
    if policy.priority == HIGHEST_DPD:
        return -dpd
    if policy.priority == LOWEST_DPD:
        return dpd
    if policy.priority == LARGEST_BALANCE:
        return -balance
    return -balance * np.exp(-dpd / policy.recovery_decay_days)
