"""Default as supervisors define it, and the provisions that follow a loan's stage.

A charge-off (`chargeoff.dpd`) is an accounting event. Supervisors define default otherwise
(the Basel/CRR definition with the EBA's guidelines, `[prudential_default]`): a loan is in
default from the day a trigger applies,

- it is `dpd_threshold` (90) or more days past due;
- it is forborne (granted a deferral or a plan, still on probation), was re-aged from more
  than `forborne_dpd_threshold` (30) days past due (the model's non-performing forborne loans,
  as in `dpd30_share_incl_forborne`) and is more than that many days past due again;
- it was restructured in distress: a deferral or plan cut the present value of what the
  borrower owes by more than `restructuring_loss_threshold` (1 %);
- it was charged off,

until it has gone `cure_probation_days` (90) without a trigger and without a day past due
(`restructuring_probation_days`, 365, after a distressed restructuring or any new schedule
given to a loan in default, from the later of the grant and the end of its pause: re-ageing
alone does not cure). Column `default_until` holds, for a loan in default, the
first day it may cure (NEVER when it is not in default); an account that closes leaves
default without a cure, and a new loan starts out of default. Every entry counts, so a loan
that cured and defaults again counts twice (EBA/GL/2017/16 would count a re-default soon
after a cure once: the rate here is an upper bound of theirs).

The same daily pass sums the lenders' provisions by stage: in default (stage 3, until it
cures) or `lending.provision_dpd` or more days past due, in full; `lending.stage2_dpd` or more
at `lending.stage2_provision_share`; forborne and performing (stage 2) at
`lending.forborne_provision_share`, so a re-aged loan is not provisioned as if it were
current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.population import ACTIVE, CHARGED_OFF, NEVER, NO_LOAN

if TYPE_CHECKING:
    from sim.config import ScenarioConfig

# Slots of the counts `review_defaults` returns, in the order of their event names.
DEFAULT_EVENTS = ("prudential_defaults", "prudential_defaults_dpd",
                  "prudential_defaults_forborne", "prudential_defaults_restructured",
                  "prudential_defaults_charged_off", "prudential_cures", "default_dpd_reached")
ENTERED, BY_DPD, BY_FORBORNE, BY_RESTRUCTURING, BY_CHARGE_OFF, CURED, DPD_REACHED = range(7)
"""`default_dpd_reached` counts active loans whose days past due reach
`prudential_default.dpd_threshold` today (days past due grow by one a day, so each entry into
90+ DPD once), whatever their default status: the days-past-due trigger alone."""


class DefaultRules(NamedTuple):
    """The settings the daily pass reads (`[prudential_default]` and the provisions of
    `[lending]`; days, shares)."""

    dpd_threshold: int
    forborne_dpd_threshold: int
    cure_probation_days: int
    provision_dpd: int
    stage2_dpd: int
    stage2_share: float
    forborne_share: float


def default_rules(config: ScenarioConfig) -> DefaultRules:
    """The scenario's `DefaultRules`."""
    rules, lending = config.prudential_default, config.lending
    return DefaultRules(dpd_threshold=rules.dpd_threshold,
                        forborne_dpd_threshold=rules.forborne_dpd_threshold,
                        cure_probation_days=rules.cure_probation_days,
                        provision_dpd=lending.provision_dpd, stage2_dpd=lending.stage2_dpd,
                        stage2_share=lending.stage2_provision_share,
                        forborne_share=lending.forborne_provision_share)


@njit(cache=True, inline="always")
def enter_default(col: Columns, i: int, until: int) -> bool:
    """The loan of row `i` is in default at least until day `until` (its cure probation
    ends then at the earliest). Returns whether it entered default now."""
    entered = col.default_until[i] == NEVER
    if col.default_until[i] < until:
        col.default_until[i] = until
    return entered


@njit(cache=True)
def restructured_in_distress(col: Columns, rows: np.ndarray, value_lost: np.ndarray,
                             threshold: float, until: np.ndarray) -> int:
    """Rows given a new schedule: those whose deferral or plan lost more than `threshold` of
    the obligation's value (`value_lost`, shares), and those already in default, are in
    default until at least `until` (days). Returns how many entered."""
    entered = 0
    for k in range(rows.size):
        if value_lost[k] > threshold or col.default_until[rows[k]] != NEVER:
            entered += enter_default(col, rows[k], until[k])
    return entered


def review_defaults(col: Columns, day: int, rules: DefaultRules, lenders: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """End-of-day pass over every row: loans enter default on a trigger, stay while past due
    and cure after their probation; returns (counts by `DEFAULT_EVENTS`, provisions per lender
    in cents)."""
    counts = np.zeros(len(DEFAULT_EVENTS), np.int64)
    provisions = np.zeros(lenders, np.float64)
    _review(col, day, rules, counts, provisions)
    return counts, provisions


@njit(cache=True)
def _review(col: Columns, day: int, rules: DefaultRules, counts: np.ndarray,
            provisions: np.ndarray) -> None:
    # A row can need anything only if it is past due beyond the lowest threshold, forborne
    # or in default: the rest are skipped on three loads.
    lowest = min(rules.stage2_dpd, rules.forborne_dpd_threshold + 1, rules.dpd_threshold,
                 rules.provision_dpd)
    dpd, until, forborne_since, status = (col.dpd, col.default_until, col.forborne_since,
                                          col.status)
    for i in range(dpd.size):
        if dpd[i] < lowest and until[i] == NEVER and forborne_since[i] == NEVER:
            continue
        if status[i] == NO_LOAN:
            until[i] = NEVER
            continue
        if status[i] == ACTIVE and dpd[i] == rules.dpd_threshold:
            counts[DPD_REACHED] += 1
        forborne = forborne_since[i] != NEVER
        if status[i] == CHARGED_OFF:
            trigger = BY_CHARGE_OFF
        elif dpd[i] >= rules.dpd_threshold:
            trigger = BY_DPD
        elif (forborne and dpd[i] > rules.forborne_dpd_threshold
              and col.forborne_dpd[i] > rules.forborne_dpd_threshold):
            trigger = BY_FORBORNE
        else:
            trigger = -1
        if trigger >= 0:
            if enter_default(col, i, day + rules.cure_probation_days):
                counts[ENTERED] += 1
                counts[trigger] += 1
        elif until[i] != NEVER:
            if dpd[i] > 0:
                until[i] = max(until[i], day + rules.cure_probation_days)
            elif day >= until[i]:
                until[i] = NEVER
                counts[CURED] += 1
        if status[i] != ACTIVE:
            continue
        if until[i] != NEVER or dpd[i] >= rules.provision_dpd:
            provisions[col.lender[i]] += col.principal[i]
        elif dpd[i] >= rules.stage2_dpd:
            provisions[col.lender[i]] += rules.stage2_share * col.principal[i]
        elif forborne:
            provisions[col.lender[i]] += rules.forborne_share * col.principal[i]


def restructuring_value_lost(principal: np.ndarray, charges: np.ndarray,
                             waived: np.ndarray | int, monthly_rate: np.ndarray,
                             unpaid_months: np.ndarray, rate_cut: float,
                             remaining_months: np.ndarray) -> np.ndarray:
    """Share of the obligation's present value (`principal` plus the interest and fees owed,
    `charges`, in cents) a deferral or plan gives up, discounted at the loan's own rate
    `monthly_rate`: the `waived` cents of interest and fees, plus the interest a pause does
    not charge (`unpaid_months` of it on the principal), plus a rate cut of `rate_cut` (share
    of the rate) over the `remaining_months` of the new schedule (the interest on the
    amortising balance, which averages half the principal, to first order)."""
    obligation = np.maximum(principal + charges, 1).astype(np.float64)
    forgone = waived + principal * monthly_rate * unpaid_months
    if rate_cut > 0:
        forgone = forgone + principal * monthly_rate * rate_cut * remaining_months / 2.0
    return forgone / obligation
