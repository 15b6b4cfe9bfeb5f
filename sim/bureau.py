"""The credit bureau: receives lenders' reports, moves scores after a reporting delay, bands them.

Lenders report events (on-time and missed installments, serious delinquency, legal judgments,
charge-offs); each report moves the borrower's score by the points the scenario gives, once
`reporting_delay_days` have passed. Negative reports (serious delinquency, legal, charge-off)
also set the borrower's `flag_day`, which lenders read when reviewing applications.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numba import njit

from sim.config import SCORE_BAND_EDGES, BureauConfig
from sim.population import SCORE_MAX, SCORE_MIN, BorrowerPopulation
from sim.rows import without_rows

EVENTS = ("on_time", "missed", "reported", "legal", "charged_off")
NEGATIVE_EVENTS = frozenset({"reported", "legal", "charged_off"})


_INNER_BAND_EDGES = np.asarray(SCORE_BAND_EDGES[1:-1])
"""Band edges between the lowest and highest score (a score at an edge is in the band above)."""


@njit(cache=True)
def score_band(score: np.ndarray) -> np.ndarray:
    """Band index 0-4 (poor, fair, good, very good, excellent) of each score (or of one
    score; compiled, so compiled phases call it too)."""
    return np.searchsorted(_INNER_BAND_EDGES, score, side="right")


class CreditBureau:
    """Queue of pending reports and the score update that applies them.

    Attributes:
        pending: day -> list of (rows, points, negative, day reported) waiting to take
            effect that day.
        departures: (day, rows) of borrowers who left the market (turnover) within the
            reporting delay; reports about them made before they left are dropped.
        reports: number of reports received, by event name.
    """

    def __init__(self, config: BureauConfig, population: BorrowerPopulation) -> None:
        self.config = config
        self.population = population
        self.points = {
            "on_time": config.on_time_points, "missed": config.missed_points,
            "reported": config.reported_points, "legal": config.legal_points,
            "charged_off": config.charged_off_points,
        }
        self.pending: dict[int, list[tuple[np.ndarray, int, bool, int]]] = defaultdict(list)
        self.departures: list[tuple[int, np.ndarray]] = []
        self.reports = dict.fromkeys(EVENTS, 0)
        self.on_report = None
        """Optional callable(rows, event, day) told of every report (borrower tracking)."""

    def report(self, rows: np.ndarray, event: str, day: int) -> None:
        """A lender reports `event` for borrowers `rows` (distinct rows) today."""
        if rows.size == 0:
            return
        self.reports[event] += int(rows.size)
        if self.on_report is not None:
            self.on_report(rows, event, day)
        effective = day + self.config.reporting_delay_days
        self.pending[effective].append((rows.copy(), self.points[event],
                                        event in NEGATIVE_EVENTS, day))

    def forget(self, rows: np.ndarray, day: int) -> None:
        """The borrowers of `rows` left the market on `day`: reports about them made before
        today will not be applied (to the new people in their rows)."""
        if rows.size:
            self.departures.append((day, rows.copy()))

    def apply_due(self, day: int) -> int:
        """Apply every report due today or earlier (a report made after this day's reporting
        phase with no delay waits for the next); returns how many were applied."""
        batch = [item for due in sorted(d for d in self.pending if d <= day)
                 for item in self.pending.pop(due)]
        pop = self.population
        applied = 0
        for rows, points, negative, reported in batch:
            left = [gone for departed, gone in self.departures if departed > reported]
            if left:
                rows = without_rows(rows, np.concatenate(left))
            _apply_report(pop.score, pop.score_counts, pop.flag_day, rows, points, negative, day)
            applied += rows.size
        # Reports still pending were made after day - delay: older departures cannot matter.
        horizon = day - self.config.reporting_delay_days
        self.departures = [(d, gone) for d, gone in self.departures if d > horizon]
        return applied


@njit(cache=True)
def _apply_report(score: np.ndarray, score_counts: np.ndarray, flag_day: np.ndarray,
                  rows: np.ndarray, points: int, negative: bool, day: int) -> None:
    """Move the scores of `rows` (distinct) by `points` within SCORE_MIN-SCORE_MAX, keeping
    the score histogram in step (as `BorrowerPopulation.set_scores`); a negative report also
    sets `flag_day`."""
    for i in rows:
        if points:
            old = score[i]
            new = min(max(old + points, SCORE_MIN), SCORE_MAX)
            score_counts[old] -= 1
            score_counts[new] += 1
            score[i] = new
        if negative:
            flag_day[i] = day
