"""The credit bureau: receives lenders' reports and moves scores after a reporting delay.

The score is a scorecard in three parts. Identity and stability: the starting score, drawn
with each person conditional on their latent risk (`sim.people`), is the score's anchor.
Payment history: lenders report events (on-time and missed installments, serious
delinquency, legal judgments, charge-offs); each report moves the borrower's score by the
points the scenario gives, once `reporting_delay_days` have passed. Behaviour: every
application for a loan is reported as an inquiry, which costs points the same way. The score
is the anchor plus the history the reports add up to, and every 30 days that history shrinks
by the share `history_half_life_days` implies, so recent events weigh more than old ones.
Negative reports (serious delinquency, legal, charge-off) also set the borrower's
`flag_day`, which lenders read when reviewing applications. Score bands: `sim.bands`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numba import njit

from sim.borrower_money import SCORE_POINTS_LOST, book
from sim.config import BureauConfig
from sim.population import SCORE_MAX, SCORE_MIN, BorrowerPopulation, set_score
from sim.rows import without_rows

EVENTS = ("on_time", "missed", "reported", "legal", "charged_off", "inquiry")
NEGATIVE_EVENTS = frozenset({"reported", "legal", "charged_off"})


class CreditBureau:
    """Queue of pending reports and the score update that applies them.

    Attributes:
        pending: day -> list of (rows, points, negative, day reported) waiting to take
            effect that day.
        departures: (day, rows) of borrowers who left the market (turnover) within the
            reporting delay; reports about them made before they left are dropped.
        reports: number of reports received, by event name.
    """

    def __init__(self, config: BureauConfig, population: BorrowerPopulation,
                 first_faded_row: int = 0) -> None:
        """`first_faded_row`: rows below it (the classroom cast) keep their history in full."""
        self.config = config
        self.population = population
        self.first_faded_row = first_faded_row
        self.adopt(config)
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
            _apply_report(pop.score, pop.score_counts, pop.score_history, pop.flag_day, rows,
                          points, negative, day, pop.kind, pop.borrower_money)
            applied += rows.size
        # Reports still pending were made after day - delay: older departures cannot matter.
        horizon = day - self.config.reporting_delay_days
        self.departures = [(d, gone) for d, gone in self.departures if d > horizon]
        return applied

    def adopt(self, config: BureauConfig) -> None:
        """Report and fade under a new policy's settings (a comparison's fork); reports
        already pending keep the points and day they were made with."""
        self.config = config
        self.points = {
            "on_time": config.on_time_points, "missed": config.missed_points,
            "reported": config.reported_points, "legal": config.legal_points,
            "charged_off": config.charged_off_points, "inquiry": config.inquiry_points,
        }

    def fade_history(self, day: int) -> None:
        """Every `FADE_PERIOD_DAYS` (from day 1 on), let every score's history fade by the
        share `history_half_life_days` implies: the history is kept exactly (a float), the
        score is the anchor plus the history, rounded."""
        half_life = self.config.history_half_life_days
        if half_life <= 0 or day == 0 or day % FADE_PERIOD_DAYS:
            return
        pop = self.population
        _fade(pop.score, pop.score_anchor, pop.score_history, pop.score_counts,
              self.first_faded_row, 0.5 ** (FADE_PERIOD_DAYS / half_life))


FADE_PERIOD_DAYS = 30
"""Days between two fadings of payment history (`CreditBureau.fade_history`)."""


@njit(cache=True)
def _fade(score: np.ndarray, anchor: np.ndarray, history: np.ndarray,
          score_counts: np.ndarray, first: int, keep: float) -> None:
    """Rows from `first` on keep the share `keep` of their history; each score becomes its
    anchor plus the history, rounded, within SCORE_MIN-SCORE_MAX, with the score histogram in
    step."""
    for i in range(first, score.size):
        if history[i] == 0.0:
            continue
        history[i] *= np.float32(keep)
        new = min(max(anchor[i] + np.int64(np.rint(history[i])), SCORE_MIN), SCORE_MAX)
        if new != score[i]:
            set_score(score, score_counts, i, new)


@njit(cache=True)
def _apply_report(score: np.ndarray, score_counts: np.ndarray, history: np.ndarray,
                  flag_day: np.ndarray, rows: np.ndarray, points: int, negative: bool,
                  day: int, kind: np.ndarray, money: np.ndarray) -> None:
    """Move the scores of `rows` (distinct) by `points` within SCORE_MIN-SCORE_MAX, keeping
    the score histogram in step (`sim.population.set_score`) and adding the move to
    the fading history; a negative report also sets `flag_day`. Points lost are booked to
    the borrowers' side of the money (`money`, `sim.borrower_money`)."""
    for i in rows:
        if points:
            old = score[i]
            new = min(max(old + points, SCORE_MIN), SCORE_MAX)
            if new < old:
                book(money, kind[i], old, SCORE_POINTS_LOST, old - new)
            set_score(score, score_counts, i, new)
            history[i] += np.float32(new - old)
        if negative:
            flag_day[i] = day
