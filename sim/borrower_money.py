"""The borrowers' side of the money: what they pay and lose, by borrower type and score band.

A lender's income is its borrowers' outlay. Every payment passes through
`sim.loans.pay_account`, which books here what it paid of interest, of fees and of charged-off
claims; the life phase books what a payment order garnished (part of the claims paid), a
deferral grant what interest its pause adds to the loan (the lump due when payments resume),
and the bureau the score points negative reports take. Each amount is added to
`BorrowerPopulation.borrower_money[kind, band, item]`: the borrower's type (`KIND_NAMES`), the
band of their score at that moment (`SCORE_BAND_NAMES`) and one of `ITEMS`, cumulative since
day 0 (cents; points for `score_points_lost`), so a summary takes the difference over any
window and says who bears it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.bands import score_band

ITEMS: tuple[str, ...] = ("interest_paid", "fees_paid", "claims_paid", "garnished",
                          "pause_interest_charged", "score_points_lost")
"""What is booked: interest and fees paid on active loans, payments on charged-off claims
(garnishment included), the part of those taken by a payment order, interest added to a
loan for its payment pause, and score points lost to negative reports."""
INTEREST_PAID, FEES_PAID, CLAIMS_PAID, GARNISHED, PAUSE_INTEREST, SCORE_POINTS_LOST = range(6)
PAID_ITEMS = (INTEREST_PAID, FEES_PAID, CLAIMS_PAID)
"""The items that are money leaving the borrowers (garnishment is part of claims paid)."""

@njit(cache=True, inline="always")
def book(grid: np.ndarray, kind: int, score: int, item: int, amount: int) -> None:
    """Add `amount` of `item` for a borrower of type `kind` with score `score`."""
    if amount:
        grid[kind, score_band(score), item] += amount


@njit(cache=True)
def book_rows(grid: np.ndarray, kind: np.ndarray, score: np.ndarray, rows: np.ndarray,
              item: int, amounts: np.ndarray) -> None:
    """`book` for each of `rows` (with `amounts[k]` for row `rows[k]`)."""
    for k in range(rows.size):
        i = rows[k]
        book(grid, kind[i], score[i], item, amounts[k])
