"""Measuring a window of a run as a risk team would: allowances at both ends, then a run-off.

`measure_window` takes a model standing at the first day of the measured window (after a
burn-in, or after the comparison's fork), books the expected-credit-loss allowance of the
book open then, runs the window, books the allowance at the horizon, and, if asked, follows
the book after the horizon with no new lending until every loan and claim has ended (the
run-off), so that losses that arrive after the horizon are counted. It returns the daily table
and the summary (`sim.summary`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import ScenarioConfig
from sim.model import CreditMarket
from sim.population import KIND_NAMES
from sim.provisions import book_by_state, expected_credit_loss, loss_given_default
from sim.risk_gradient import DEFAULT_HORIZON_DAYS
from sim.summary import BookDates, summarize
from sim.units import CENTS, DAYS_PER_YEAR

DEFAULT_RUNOFF_MAX_DAYS = 1460
"""Longest run-off (days) when none is given: past the longest term, deferral, charge-off
and recovery window of the shipped scenarios."""


@dataclass(frozen=True)
class MeasuredRun:
    """A run measured over its window: daily table, summary, the window's monthly
    transition counts, and the slots' life digests and generations at the horizon (for
    comparisons)."""

    frame: pd.DataFrame
    summary: dict[str, float]
    transitions: np.ndarray
    life_digest: np.ndarray
    generation: np.ndarray


def allowance(model: CreditMarket, from_day: int) -> float:
    """The model's expected-credit-loss allowance today, in currency units, with default
    chances from the monthly transitions since `from_day` and the loss given default seen on
    every charge-off so far (`sim.provisions`)."""
    counts = model.transitions.counts(from_day=from_day, to_day=model.day)
    if counts.sum() == 0:  # no month closed yet: use whatever there is
        counts = model.transitions.counts()
    ledgers = [lender.ledger for lender in model.lender_list]
    lgd = loss_given_default(sum(x.charged_off_principal for x in ledgers),
                             sum(x.recoveries for x in ledgers))
    return expected_credit_loss(book_by_state(model.population), counts, lgd) / CENTS


def measure_window(model: CreditMarket, config: ScenarioConfig, window_days: int,
                   runoff_max_days: int | None = None,
                   progress: Callable[[int], object] | None = None) -> MeasuredRun:
    """Run `window_days` days from today (the window's first day) and summarise the run with
    `config` (whose `run.steady_state_from_day` must be today); with `runoff_max_days`, run
    the book off after the horizon (see the module docstring)."""
    start = model.day
    model.population.window_start[0] = start
    model.population.life_digest[:] = 0  # from here on: the shocks met in the window
    history_from = max(0, start - int(DAYS_PER_YEAR))
    allowance_start = allowance(model, history_from)
    money_start = model.population.borrower_money.copy()
    model.run_days(window_days, progress=progress)
    allowance_end = allowance(model, start)
    money_window = model.population.borrower_money - money_start
    by_kind = np.bincount(model.population.kind, minlength=len(KIND_NAMES))
    # The slots' lives are compared at the horizon: run-offs of different lengths would
    # fold in different numbers of days.
    life_digest = model.population.life_digest.copy()
    generation = model.population.generation.copy()
    horizon_row = open_at_horizon = open_at_end = None
    if runoff_max_days is not None:
        horizon_row = model.metrics.rows - 1
        open_at_horizon, open_at_end = model.run_off(runoff_max_days, progress=progress)
    cohort = model.state.redefault_cohorts.counts(
        start, start + window_days, last_day=model.day - 1,
        book_closed=runoff_max_days is not None and not open_at_end)
    book = BookDates(allowance_start=allowance_start, allowance_end=allowance_end,
                     horizon_row=horizon_row, open_at_horizon=open_at_horizon or 0,
                     open_at_end=open_at_end or 0, redefault_cohort=cohort,
                     score_auc=model.risk.score_auc(auc_from(start, model.day - 1),
                                                    model.day - 1),
                     money_by_kind_band=money_window, borrowers_by_kind=by_kind)
    frame = model.metrics.frame()
    summary = summarize(frame, config, model.transitions, book)
    moves = model.transitions.counts(from_day=start, to_day=start + window_days)
    return MeasuredRun(frame=frame, summary=summary, transitions=moves,
                       life_digest=life_digest, generation=generation)


def auc_from(start: int, last_day: int) -> int:
    """First origination day of the loans that rank the score: the window's start when the
    run observes its loans for a year after it (the loans of the variant's own policy),
    else day 0."""
    return start if last_day - start >= DEFAULT_HORIZON_DAYS else 0
