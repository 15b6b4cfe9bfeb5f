"""Scans of the whole population, compiled: one pass, no temporary arrays.

`population_totals`: the daily metrics need a few totals over every borrower (loans in a
deferral pause or under forbearance, open claims, borrowers out of work or ill, each lender's
accounts for the regulator, and once a week the borrowers contacted in the last 7 days);
numpy would scan the columns, and allocate a temporary array, once per total.
`book_totals`: the accounting checks' totals (active loans, principal and cash in cents, the
smallest cash, principal and claim), a second scan made only on the days the books are
checked. `loan_book` counts active loans by days past due, from the
few rows that may be past due, and sums up the score histogram.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.config import DPD_BUCKETS, SCORE_BAND_EDGES
from sim.contacts import contacts_this_week
from sim.population import ACTIVE, CHARGED_OFF, NEVER, NO_LOAN, WEEK, dpd_bucket


class PopulationTotals(NamedTuple):
    """Totals over every borrower at the end of a day that the daily metrics read (money in
    cents)."""

    loans_in_deferral: int  # deferral_until > day
    claims_open: int  # charged off
    jobless: int
    ill: int
    contacted_7d: int  # borrowers with a contact attempt in the 7-day window (week ends only)
    contacted_4plus_7d: int  # ... with 4 or more
    forborne_loans: int  # active loans under forbearance (granted a deferral, on probation)
    forborne_balance: int  # their principal
    forborne_np_loans: int  # forborne loans re-aged from 30+ DPD, now under 30 DPD
    forborne_np_balance: int  # their principal
    accounts_by_lender: np.ndarray  # each lender's accounts: active loans and open claims


class BookTotals(NamedTuple):
    """Totals over every borrower that the accounting checks compare with the ledgers and
    the external flows (money in cents)."""

    active_loans: int
    principal: int
    cash: int
    min_cash: int
    min_principal: int
    min_claim: int


class LoanBook(NamedTuple):
    """Active loans by DPD bucket and a summary of the score histogram, at the end of a day
    (money in cents)."""

    bucket_loans: np.ndarray  # active loans: current, 1-30, 31-60, 61-90, 90+ DPD (int64)
    bucket_balance: np.ndarray  # their principal, same buckets (float64)
    loans_active: int
    loans_dpd30: int  # active loans 30 or more days past due
    balance_dpd30: int  # their principal
    balance_dpd90: int  # principal of active loans 90 or more days past due
    band_counts: np.ndarray  # borrowers per score band (`sim.config.SCORE_BAND_NAMES`)
    score_total: int  # all borrowers' scores added up


def loan_book(col: Columns, watched: np.ndarray, active_loans: int,
              active_balance: int) -> LoanBook:
    """The day's `LoanBook`. The loans past due are found among `watched` (ascending rows, a
    superset of those past due: `BorrowerPopulation.watched`); the current ones are the rest
    of the `active_loans` and of their principal `active_balance` (from the ledgers)."""
    return LoanBook(*_loan_book(col, watched, active_loans, active_balance, _BAND_STARTS))


_BAND_STARTS = np.asarray(SCORE_BAND_EDGES[:-1], np.int64)
"""First score of each band; the last band runs to the top of the histogram."""


def population_totals(col: Columns, day: int, lenders: int) -> PopulationTotals:
    """The `PopulationTotals` of `col` on `day` in a market of `lenders` lenders; the contact
    counts are counted on the last day of each 7-day week (days 6, 13, ...) and are 0 on other
    days."""
    accounts = np.zeros(lenders, np.int64)
    return PopulationTotals(*_metric_scan(col, day, day % WEEK == WEEK - 1, accounts),
                            accounts)


def book_totals(col: Columns) -> BookTotals:
    """The `BookTotals` of `col`."""
    return BookTotals(*_book_scan(col))


@njit(cache=True)
def _metric_scan(col: Columns, day: int, week_end: bool, accounts: np.ndarray
                 ) -> tuple[int, ...]:
    contacted = contacted_4plus = 0
    deferral = claims = jobless = ill = 0
    forborne = forborne_balance = forborne_np = forborne_np_balance = 0
    # The columns as locals: read through the structure, each is loaded again for every row.
    status, deferral_until, jobless_until, ill_until = (col.status, col.deferral_until,
                                                        col.jobless_until, col.ill_until)
    forborne_since, forborne_dpd, dpd = col.forborne_since, col.forborne_dpd, col.dpd
    lender = col.lender
    for i in range(status.size):
        deferral += deferral_until[i] > day
        claims += status[i] == CHARGED_OFF
        if status[i] != NO_LOAN:
            accounts[lender[i]] += 1
        jobless += jobless_until[i] > day
        ill += ill_until[i] > day
        if forborne_since[i] != NEVER and status[i] == ACTIVE:
            forborne += 1
            forborne_balance += col.principal[i]
            if forborne_dpd[i] >= 30 and dpd[i] < 30:
                forborne_np += 1
                forborne_np_balance += col.principal[i]
    if week_end:
        for i in range(status.size):
            contacts = contacts_this_week(col, i)
            contacted += contacts > 0
            contacted_4plus += contacts >= 4
    return (deferral, claims, jobless, ill, contacted, contacted_4plus, forborne,
            forborne_balance, forborne_np, forborne_np_balance)


@njit(cache=True)
def _book_scan(col: Columns) -> tuple[int, ...]:
    active = principal = cash = 0
    min_cash = min_principal = min_claim = np.iinfo(np.int64).max
    status, principal_of, cash_of, claim_of = col.status, col.principal, col.cash, col.claim
    for i in range(status.size):
        active += status[i] == ACTIVE
        principal += principal_of[i]
        cash += cash_of[i]
        min_cash = min(min_cash, cash_of[i])
        min_principal = min(min_principal, principal_of[i])
        min_claim = min(min_claim, claim_of[i])
    return active, principal, cash, min_cash, min_principal, min_claim


@njit(cache=True)
def _loan_book(col: Columns, watched: np.ndarray, active_loans: int, active_balance: int,
               band_starts: np.ndarray) -> tuple:
    late = len(DPD_BUCKETS)
    bucket_loans = np.zeros(late + 1, np.int64)
    bucket_balance = np.zeros(late + 1)
    late_principal = loans_dpd30 = balance_dpd30 = balance_dpd90 = 0
    for i in watched:
        if col.status[i] != ACTIVE or col.dpd[i] <= 0:
            continue
        bucket = 1 + dpd_bucket(col.dpd[i])
        bucket_loans[bucket] += 1
        bucket_balance[bucket] += col.principal[i]
        late_principal += col.principal[i]
        if col.dpd[i] >= 30:
            loans_dpd30 += 1
            balance_dpd30 += col.principal[i]
        if col.dpd[i] >= 90:
            balance_dpd90 += col.principal[i]
    bucket_loans[0] = active_loans - bucket_loans[1:].sum()
    bucket_balance[0] = np.float64(active_balance - late_principal)
    counts = col.score_counts
    band_counts = np.zeros(band_starts.size, np.int64)
    score_total = 0
    for band in range(band_starts.size):
        end = band_starts[band + 1] if band + 1 < band_starts.size else counts.size
        for score in range(band_starts[band], end):
            band_counts[band] += counts[score]
    for score in range(counts.size):
        score_total += score * counts[score]
    return (bucket_loans, bucket_balance, bucket_loans.sum(), loans_dpd30, balance_dpd30,
            balance_dpd90, band_counts, score_total)
