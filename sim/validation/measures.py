"""Per-run figures a validation check reads: summary measures, and measures of a shock window
taken from a run's daily series.

A shock measure needs the variant's first macro shock (`shocks.macro[0]`): its window runs from
`start_day` to `end_day` (absolute days, burn-in included).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.batch.comparison import Comparison
from sim.config import ScenarioConfig
from sim.units import DAYS_PER_MONTH


@dataclass
class ExperimentRuns:
    """The runs of one experiment, as its comparison wrote them."""

    comparison: Comparison
    runs: pd.DataFrame
    series: pd.DataFrame



SHOCK_AFTERMATH_DAYS = 90
"""Days after a shock's end still counted as its window by the shock measures (delinquency
peaks after job losses do)."""


def _shock_window(config: ScenarioConfig) -> tuple[int, int]:
    if not config.shocks.macro:
        raise ValueError("this measure needs a macro shock (shocks.macro) in the variant")
    shock = config.shocks.macro[0]
    return shock.start_day, shock.end_day


def _shock_peak(daily: pd.Series, config: ScenarioConfig) -> float:
    """Highest 30-day mean of `daily` (indexed by day) from the shock's start to
    SHOCK_AFTERMATH_DAYS after its end."""
    start, end = _shock_window(config)
    return float(daily.rolling(DAYS_PER_MONTH).mean().loc[start:end + SHOCK_AFTERMATH_DAYS]
                 .max())


def shock_peak_dpd30_share(series: pd.DataFrame, config: ScenarioConfig) -> float:
    """Highest 30-day mean of the 30+ DPD share of balances from the shock's start to
    SHOCK_AFTERMATH_DAYS after its end (compare F3)."""
    return _shock_peak(series.set_index("day")["dpd30_share"], config)


def shock_peak_deferral_share(series: pd.DataFrame, config: ScenarioConfig) -> float:
    """Highest 30-day mean of the share of active loans in a deferral pause, from the shock's
    start to SHOCK_AFTERMATH_DAYS after its end (compare F8: the published figures are shares
    of loans in forbearance at the peak, a stock on one date, not a count of entries)."""
    by_day = series.set_index("day")
    return _shock_peak((by_day["loans_in_deferral"] / by_day["loans_active"]).where(
        by_day["loans_active"] > 0), config)


SERIES_MEASURES: dict[str, Callable[[pd.DataFrame, ScenarioConfig], float]] = {
    "shock_peak_dpd30_share": shock_peak_dpd30_share,
    "shock_peak_deferral_share": shock_peak_deferral_share,
}
"""Measures computed from one run's daily series and its variant's config."""


def per_run(runs: pd.DataFrame, series: pd.DataFrame, variant: str, measure: str,
            config: ScenarioConfig) -> pd.Series:
    """The measure for each replicate of `variant` (indexed by replicate)."""
    mine = runs[runs["variant"] == variant].set_index("replicate").sort_index()
    if measure in mine.columns:
        return mine[measure].astype(float)
    if measure not in SERIES_MEASURES:
        raise KeyError(measure)
    frames = series[series["variant"] == variant]
    values = {int(r): SERIES_MEASURES[measure](frame, config)
              for r, frame in frames.groupby("replicate")}
    return pd.Series(values, dtype=float).sort_index()


def relative_lift(treated: pd.Series, reference: pd.Series) -> np.ndarray:
    """Paired relative change, treated over reference, in percent, replicate by replicate."""
    both = pd.concat([treated, reference], axis=1, join="inner").to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * (both[:, 0] / both[:, 1] - 1.0)
