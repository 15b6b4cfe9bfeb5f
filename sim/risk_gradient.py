"""How well the score ranks risk: the loans originated, by score at origination, and which of
them were charged off within a year.

`RiskRecorder` keeps, for every loan, the day it was originated and the borrower's score then,
and for every charge-off the same two facts and the day. A loan counts once it has been
observed for `DEFAULT_HORIZON_DAYS` after its origination: it defaulted if it was charged off
within them. `risk_gradient` gives the default rate by score band (quintiles of the score at
origination, lowest first) and `score_auc` the area under the ROC curve of the score for that
default (0.5: no ranking; 1: perfect).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.population import SCORE_MAX
from sim.units import DAYS_PER_YEAR

DEFAULT_HORIZON_DAYS = int(DAYS_PER_YEAR)
"""A loan's default is a charge-off within this many days of its origination."""
BANDS = 5
"""Score bands of `risk_gradient`: quintiles of the score at origination (a fifth of the
loans each: enough defaults per band at 30,000 borrowers for the fall to show band by band)."""


class RiskRecorder:
    """Originations and charge-offs with their origination day and score."""

    def __init__(self) -> None:
        self._originated: list[tuple[np.ndarray, np.ndarray]] = []
        self._defaulted: list[tuple[np.ndarray, np.ndarray]] = []

    def originated(self, day: int, scores: np.ndarray) -> None:
        """Loans opened on `day` to borrowers with `scores` (points)."""
        self._originated.append((np.full(scores.size, day, np.int32),
                                 scores.astype(np.int16)))

    def defaulted(self, day: int, origin_days: np.ndarray, origin_scores: np.ndarray) -> None:
        """Loans charged off on `day`, opened on `origin_days` at `origin_scores`."""
        within = day - origin_days <= DEFAULT_HORIZON_DAYS
        self._defaulted.append((origin_days[within].astype(np.int32),
                                origin_scores[within].astype(np.int16)))

    def _loans(self, from_day: int, last_day: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores at origination of the loans opened from `from_day` that have been observed
        for a year by `last_day`, and of those among them that defaulted."""
        latest = last_day - DEFAULT_HORIZON_DAYS

        def pick(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
            if not parts:
                return np.zeros(0, np.int16)
            days = np.concatenate([d for d, _ in parts])
            scores = np.concatenate([s for _, s in parts])
            return scores[(days >= from_day) & (days <= latest)]

        return pick(self._originated), pick(self._defaulted)

    def risk_gradient(self, from_day: int, last_day: int, bands: int = BANDS) -> pd.DataFrame:
        """Default rate within a year by score band (quintiles of the score at origination,
        lowest first): band, score_from, score_to (points), loans, defaults, default_rate."""
        scores, bad = self._loans(from_day, last_day)
        columns = ["band", "score_from", "score_to", "loans", "defaults", "default_rate"]
        if scores.size == 0:
            return pd.DataFrame(columns=columns)
        edges = np.unique(np.quantile(scores, np.linspace(0, 1, bands + 1)).round())
        if edges.size == 1:  # every loan at one score: one band
            edges = np.repeat(edges, 2)
        inner = edges[1:-1]
        loans = np.bincount(np.searchsorted(inner, scores, side="right"),
                            minlength=edges.size - 1)
        defaults = np.bincount(np.searchsorted(inner, bad, side="right"),
                               minlength=edges.size - 1)
        return pd.DataFrame({
            "band": np.arange(1, edges.size), "score_from": edges[:-1].astype(int),
            "score_to": edges[1:].astype(int), "loans": loans, "defaults": defaults,
            "default_rate": defaults / np.maximum(loans, 1)}, columns=columns)

    def score_auc(self, from_day: int, last_day: int) -> float:
        """Area under the ROC curve of the score at origination for a default within a year
        (the chance a loan that did not default had the higher score, ties counting half);
        NaN without both kinds of loans."""
        scores, bad = self._loans(from_day, last_day)
        good_counts = np.bincount(scores, minlength=SCORE_MAX + 1)
        bad_counts = np.bincount(bad, minlength=SCORE_MAX + 1)
        good_counts = good_counts - bad_counts
        n_good, n_bad = good_counts.sum(), bad_counts.sum()
        if n_good <= 0 or n_bad <= 0:
            return float("nan")
        bad_below = np.cumsum(bad_counts) - bad_counts  # bad loans with a lower score
        wins = (good_counts * (bad_below + 0.5 * bad_counts)).sum()
        return float(wins / (n_good * n_bad))
