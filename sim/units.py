"""Units and conventions shared by every module.

Money is stored as integer cents (int64) inside the model; scenario files give money in
currency units (floats with at most two decimals) and `to_cents` converts them once, at setup.
A month is 30 days and a year is 365 days: installments fall due every `DAYS_PER_MONTH` days
and annual rates are turned into daily probabilities with `DAYS_PER_YEAR`.
"""

from __future__ import annotations

import numpy as np

DAYS_PER_MONTH = 30
"""Days between two installments of a monthly loan, and the length of a pay cycle."""

DAYS_PER_YEAR = 365
"""Days used to turn an annual rate (events per year) into a daily probability."""

MONTHS_PER_YEAR = 12
"""Months used to turn an annual percentage rate into a monthly interest rate."""

CENTS = 100
"""Cents per currency unit."""


def to_cents(amount: float) -> int:
    """Currency units (float) to integer cents, rounded half to even."""
    return int(round(amount * CENTS))


def daily_probability(rate_per_year: float | np.ndarray) -> float | np.ndarray:
    """Probability that an event with a constant hazard of `rate_per_year` happens in one day."""
    return 1.0 - np.exp(-np.asarray(rate_per_year, dtype=float) / DAYS_PER_YEAR)
