"""Score bands of the bureau's scale (`sim.config.SCORE_BAND_NAMES`), for numpy and compiled
code alike: pricing by band (`sim.phases.lending`) and the borrowers' money by band
(`sim.borrower_money`) classify a score the same way."""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.config import SCORE_BAND_EDGES

_INNER_BAND_EDGES = np.asarray(SCORE_BAND_EDGES[1:-1])
"""Band edges between the lowest and highest score (a score at an edge is in the band above)."""


@njit(cache=True)
def score_band(score: np.ndarray) -> np.ndarray:
    """Band index 0-4 (poor, fair, good, very good, excellent) of each score (or of one
    score; compiled, so compiled phases call it too)."""
    return np.searchsorted(_INNER_BAND_EDGES, score, side="right")
