"""Re-default of deferred loans as a cohort: each loan counted on the day of its first
deferral (or repayment plan), and re-defaulted if it reaches `deferral.redefault_dpd` days past
due within `deferral.redefault_window_days` of that day.

A re-default rate counted in a window (re-defaults in it over grants in it) is cut at the
horizon: a loan granted near the window's end has no time to re-default, so the rate depends on
the window's length and flatters a policy that grants late. The published figures (F11) follow
each modified loan for twelve months. `RedefaultCohorts` keeps, per grant day, how many loans
were first deferred that day and how many of them re-defaulted within the window of days;
`counts` gives the loans first deferred in a range of days and their re-defaults, counting only
grant days whose loans have been followed for the whole window (or all of them, when the book
has been run off to its end and no loan is left to re-default).
"""

from __future__ import annotations

import numpy as np


class RedefaultCohorts:
    """Loans by the day of their first deferral, and those of them that re-defaulted within
    `window_days` (counts, indexed by day)."""

    def __init__(self, window_days: int) -> None:
        self.window_days = int(window_days)
        self.granted = np.zeros(0, np.int64)
        self.redefaulted = np.zeros(0, np.int64)

    def make_room(self, day: int) -> None:
        """Grow the arrays to hold `day` (doubling, so a run grows them a few times)."""
        if day < self.granted.size:
            return
        size = max(2 * self.granted.size, day + 1, 512)
        for name in ("granted", "redefaulted"):
            grown = np.zeros(size, np.int64)
            old = getattr(self, name)
            grown[: old.size] = old
            setattr(self, name, grown)

    def first_deferred(self, day: int, count: int) -> None:
        """`count` loans were deferred on `day` for the first time."""
        self.make_room(day)
        self.granted[day] += count

    def counts(self, from_day: int, to_day: int, last_day: int,
               book_closed: bool) -> tuple[int, int]:
        """(loans first deferred on days `from_day` to `to_day` - 1, those of them that
        re-defaulted within the window), over the grant days followed for the whole window by
        `last_day` (every grant day if `book_closed`)."""
        end = to_day if book_closed else min(to_day, last_day - self.window_days + 1)
        end = min(end, self.granted.size)
        if end <= from_day:
            return 0, 0
        return (int(self.granted[from_day:end].sum()),
                int(self.redefaulted[from_day:end].sum()))
