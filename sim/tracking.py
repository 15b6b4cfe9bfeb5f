"""Day-by-day stories of a few chosen borrowers, for the dashboard's borrower inspector and for
teaching: cash, shocks, loan state, installments, contacts by channel, deferral, bureau reports
and score.

Tracking is off unless asked for (`CreditMarket.track(rows)`); then the phases tell the tracker
about contacts and bureau reports that touch tracked rows, and the model records the tracked
rows' columns at the end of each day. Its cost grows with the tracked rows only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config import CHANNELS
from sim.loans import arrears
from sim.population import ACTIVE, CHARGED_OFF

if TYPE_CHECKING:
    from sim.columns import Columns
    from sim.population import BorrowerPopulation

CONTACT_KINDS: tuple[str, ...] = ("reminder", *CHANNELS)
"""What a borrower can be contacted by: a due-day reminder, or a collection channel."""


class BorrowerTracker:
    """Records the daily story of the borrower rows `rows`.

    Attributes:
        rows: the tracked rows, ascending.
        days: one dict per tracked row per day (see `frame` for the columns).
        reports: (day, row, event) of each bureau report made about a tracked row.
        notes: (day, row, event) of each loan decision and deferral request about a tracked
            row ("loan_approved", "loan_refused_<reason>", "deferral_asked", "deferral_granted",
            "deferral_refused").
    """

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = np.unique(np.asarray(rows, np.int64))
        self.days: list[dict[str, object]] = []
        self.reports: list[tuple[int, int, str]] = []
        self.notes: list[tuple[int, int, str]] = []
        # (row, "reports" or "events") -> today's entries, emptied each day by `record`
        self._today: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
        self._contacts: dict[tuple[int, str], int] = defaultdict(int)

    def add(self, rows) -> None:
        """Follow `rows` too, from now on."""
        self.rows = np.union1d(self.rows, np.asarray(rows, np.int64))

    def _mine(self, rows: np.ndarray) -> np.ndarray:
        return rows[np.isin(rows, self.rows)]

    def contacted(self, rows: np.ndarray, kind: str) -> None:
        """Contact attempts on `rows` today by `kind` (a channel, or "reminder")."""
        for row in self._mine(rows).tolist():
            self._contacts[(row, kind)] += 1

    def reported(self, rows: np.ndarray, event: str, day: int) -> None:
        """A lender reported `event` to the bureau about `rows` today."""
        for row in self._mine(rows).tolist():
            self.reports.append((day, row, event))
            self._today[(row, "reports")].append(event)

    def noted(self, rows: np.ndarray, event: str) -> None:
        """A loan decision or deferral step `event` about `rows` today."""
        for row in self._mine(rows).tolist():
            self._today[(row, "events")].append(event)

    def day_ended(self, pop: BorrowerPopulation, columns: Columns, day: int) -> None:
        """The tracked rows' state at the end of `day` (`pop` and its compiled view
        `columns`)."""
        owed = dict(zip(self.rows.tolist(), arrears(columns, self.rows).tolist(), strict=True))
        for row in self.rows.tolist():
            status = int(pop.status[row])
            record = {
                "day": day, "borrower": row, "cash": pop.cash[row] / 100.0,
                "income": pop.income[row] / 100.0, "jobless": bool(pop.jobless_until[row] > day),
                "ill": bool(pop.ill_until[row] > day), "score": int(pop.score[row]),
                "has_loan": status == ACTIVE, "charged_off": status == CHARGED_OFF,
                "dpd": int(pop.dpd[row]), "due_today": bool(pop.last_due[row] == day
                                                            and status == ACTIVE),
                "arrears": owed[row] / 100.0,
                "in_deferral": bool(pop.deferral_until[row] > day),
                "loans_taken": int(pop.loans_taken[row]),
                "reports": ",".join(self._today.get((row, "reports"), ())),
                "events": ",".join(self._today.get((row, "events"), ())),
            }
            for kind in CONTACT_KINDS:
                record[f"contacts_{kind}"] = self._contacts.get((row, kind), 0)
            self.days.append(record)
        self.notes.extend((day, row, event) for (row, column), events in self._today.items()
                          if column == "events" for event in events)
        self._today.clear()
        self._contacts.clear()

    def frame(self, row: int | None = None) -> pd.DataFrame:
        """The recorded days (of one borrower if `row` is given), one row per borrower-day."""
        table = pd.DataFrame(self.days)
        if row is not None and len(table):
            table = table[table["borrower"] == row].reset_index(drop=True)
        return table
