"""Population-wide counts and sums of the day, in one compiled pass over every borrower.

The daily metrics and the accounting checks both need a few totals over the whole population
(loans in a deferral pause, open claims, borrowers out of work or ill, active loans, principal
and cash in cents, and the smallest cash, principal and claim); numpy would scan the columns
once per total.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.population import ACTIVE, CHARGED_OFF


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


def population_totals(col: Columns, day: int) -> PopulationTotals:
    """The `PopulationTotals` of `col` on `day`."""
    return PopulationTotals(*_scan(col, day))


@njit(cache=True)
def _scan(col: Columns, day: int) -> tuple[int, int, int, int, int, int, int, int, int, int]:
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
    return (deferral, claims, jobless, ill, active, principal, cash, min_cash, min_principal,
            min_claim)
