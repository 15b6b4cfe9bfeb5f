"""Phase 1, life: income on pay days, living expenses, and job-loss and illness shocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.columns import Columns
from sim.population import FRAGILE, NO_LOAN
from sim.sampling import sample_rows, thin
from sim.units import DAYS_PER_MONTH, daily_probability

if TYPE_CHECKING:
    from sim.model import CreditMarket


def macro_multipliers(model: CreditMarket, day: int) -> tuple[float, float, bool]:
    """(job-loss multiplier, illness multiplier, force majeure) of the macro schedule on
    `day`; overlapping windows multiply."""
    job, ill, force = 1.0, 1.0, False
    for window in model.config.shocks.macro:
        if window.start_day <= day <= window.end_day:
            job *= window.job_loss_multiplier
            ill *= window.illness_multiplier
            force = force or window.force_majeure
    return job, ill, force


def _turnover(model: CreditMarket) -> None:
    """Borrowers without a loan or open debt leave at `turnover_rate`; new people replace
    them in the same rows."""
    pop, rng = model.population, model.rng
    p = daily_probability(model.config.borrowers.turnover_rate)
    if p <= 0:
        return
    leaving = sample_rows(rng, pop.n, p)
    leaving = model.cast.exclude(leaving[pop.status[leaving] == NO_LOAN])
    if leaving.size:
        model.flows["turnover_cash_out"] += int(pop.cash[leaving].sum())
        model.bureau.forget(leaving, model.day)
        pop.draw_people(leaving, model.config, rng)
        model.flows["turnover_cash_in"] += int(pop.cash[leaving].sum())
        model.events["borrowers_replaced"] += leaving.size


def run(model: CreditMarket) -> None:
    """Replace departing borrowers, start new shocks, then pay income and expenses to the
    borrowers whose pay day is today.

    Reads: turnover and shock rates, the macro schedule, `kind`, `income`, `pay_dom`.
    Changes: the rows of departing borrowers (new people), `jobless_until`, `ill_until`,
    `cash`; the model's external flows (income, spending, cash of people leaving and joining).
    """
    pop, day, rng = model.population, model.day, model.rng
    _turnover(model)
    shocks = model.config.shocks
    job_mult, ill_mult, _ = macro_multipliers(model, day)
    fragile_multiplier = model.config.borrowers.hardship_shock_multiplier
    for until, rate, mult, mean_days in (
        (pop.jobless_until, shocks.job_loss_rate, job_mult, shocks.job_loss_mean_days),
        (pop.ill_until, shocks.illness_rate, ill_mult, shocks.illness_mean_days),
    ):
        p_fragile = float(daily_probability(rate * mult * fragile_multiplier))
        if p_fragile <= 0:
            continue
        p_other = float(daily_probability(rate * mult))
        drawn = sample_rows(rng, pop.n, p_fragile)
        relative = np.where(pop.kind[drawn] == FRAGILE, 1.0, p_other / p_fragile)
        rows = model.cast.exclude(thin(rng, drawn, relative, eligible=until[drawn] <= day))
        if rows.size:
            until[rows] = day + rng.geometric(1.0 / mean_days, rows.size)
    model.cast.start_shocks(pop, day)

    rows = model.pay_day_rows[day % DAYS_PER_MONTH]
    if rows.size == 0:
        return
    b = model.config.borrowers
    vol = b.income_volatility
    noise = np.exp(rng.normal(-0.5 * vol * vol, vol, rows.size))
    earned, spent = _pay_day(model.columns, rows, noise, day,
                             shocks.job_loss_income_replacement, b.expense_ratio,
                             shocks.illness_cost_share)
    model.flows["income"] += earned
    model.flows["living_expenses"] += spent


@njit(cache=True)
def _pay_day(col: Columns, rows: np.ndarray, noise: np.ndarray, day: int,
             income_replacement: float, expense_ratio: float,
             illness_cost_share: float) -> tuple[int, int]:
    """Borrowers `rows` earn their income times `noise` (benefits only while jobless) and
    spend their living expenses (more while ill) as far as their cash allows. Returns the
    cents earned and spent."""
    earned_total = spent_total = 0
    for k in range(rows.size):
        i = rows[k]
        income = np.float64(col.income[i])
        earned = income * noise[k]
        if col.jobless_until[i] > day:
            earned *= income_replacement
        expenses = income * expense_ratio
        if col.ill_until[i] > day:
            expenses += income * illness_cost_share
        earned_cents = np.int64(np.rint(earned))
        available = col.cash[i] + earned_cents
        spent = min(np.int64(np.rint(expenses)), available)
        col.cash[i] = available - spent
        earned_total += earned_cents
        spent_total += spent
    return earned_total, spent_total
