"""Scans of the whole population, compiled: one pass, no temporary arrays.

`population_totals`: the daily metrics and the accounting checks both need a few totals over
every borrower (loans in a deferral pause, open claims, borrowers out of work or ill, active
loans, principal and cash in cents, the smallest cash, principal and claim, and once a week
the borrowers contacted in the last 7 days); numpy would scan the columns, and allocate a
temporary array, once per total. `late_book` totals the loans past due, from the few rows
that may be.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.config import DPD_BUCKETS
from sim.contacts import contacts_this_week
from sim.population import ACTIVE, CHARGED_OFF, WEEK
from sim.units import DAYS_PER_MONTH


class PopulationTotals(NamedTuple):
    """Totals over every borrower at the end of a day (money in cents)."""

    loans_in_deferral: int  # deferral_until > day
    claims_open: int  # charged off
    jobless: int
    ill: int
    active_loans: int
    principal: int
    cash: int
    min_cash: int
    min_principal: int
    min_claim: int
    contacted_7d: int  # borrowers with a contact attempt in the 7-day window (week ends only)
    contacted_4plus_7d: int  # ... with 4 or more


class LateBook(NamedTuple):
    """Active loans past due at the end of a day (money in cents)."""

    loans: np.ndarray  # by DPD bucket (1-30, 31-60, 61-90, 90+)
    balance: np.ndarray  # their principal by bucket (float64)
    principal: int  # principal of them all
    loans_dpd30: int  # loans 30 or more days past due
    balance_dpd30: int  # their principal
    balance_dpd90: int  # principal of the loans 90 or more days past due


def late_book(col: Columns, watched: np.ndarray) -> LateBook:
    """The `LateBook` of the active loans past due among `watched` (ascending rows, a
    superset of those past due: `BorrowerPopulation.watched`)."""
    return LateBook(*_late_book(col, watched))


def population_totals(col: Columns, day: int) -> PopulationTotals:
    """The `PopulationTotals` of `col` on `day`; the contact counts are counted on the last
    day of each 7-day week (days 6, 13, ...) and are 0 on other days."""
    return PopulationTotals(*_scan(col, day, day % WEEK == WEEK - 1))


@njit(cache=True)
def _scan(col: Columns, day: int, week_end: bool) -> tuple[int, ...]:
    contacted = contacted_4plus = 0
    deferral = claims = jobless = ill = active = 0
    principal = cash = 0
    min_cash = min_principal = min_claim = np.iinfo(np.int64).max
    for i in range(col.cash.size):
        deferral += col.deferral_until[i] > day
        claims += col.status[i] == CHARGED_OFF
        active += col.status[i] == ACTIVE
        jobless += col.jobless_until[i] > day
        ill += col.ill_until[i] > day
        principal += col.principal[i]
        cash += col.cash[i]
        min_cash = min(min_cash, col.cash[i])
        min_principal = min(min_principal, col.principal[i])
        min_claim = min(min_claim, col.claim[i])
        if week_end:
            contacts = contacts_this_week(col, i)
            contacted += contacts > 0
            contacted_4plus += contacts >= 4
    return (deferral, claims, jobless, ill, active, principal, cash, min_cash, min_principal,
            min_claim, contacted, contacted_4plus)


@njit(cache=True)
def _late_book(col: Columns, watched: np.ndarray) -> tuple:
    loans = np.zeros(len(DPD_BUCKETS), np.int64)
    balance = np.zeros(len(DPD_BUCKETS))
    principal = loans_dpd30 = balance_dpd30 = balance_dpd90 = 0
    for i in watched:
        if col.status[i] != ACTIVE or col.dpd[i] <= 0:
            continue
        bucket = min((col.dpd[i] - 1) // DAYS_PER_MONTH, len(DPD_BUCKETS) - 1)
        loans[bucket] += 1
        balance[bucket] += col.principal[i]
        principal += col.principal[i]
        if col.dpd[i] >= 30:
            loans_dpd30 += 1
            balance_dpd30 += col.principal[i]
        if col.dpd[i] >= 90:
            balance_dpd90 += col.principal[i]
    return loans, balance, principal, loans_dpd30, balance_dpd30, balance_dpd90
