"""Replicate statistics: means with t-based 95% confidence intervals, and paired differences.

With n replicates of a measure, the interval is mean +- t(0.975, n-1) * sd / sqrt(n), sd with
n-1 degrees of freedom. Differences between variants are paired by replicate (the same seed),
which removes the luck they share; their p-value is the paired t-test's. The smallest
difference the comparison could detect (`detectable`) is the true paired difference that a
two-sided test at 5 % would find with 80 % power:
(t(0.975, n-1) + t(0.80, n-1)) * sd / sqrt(n).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

COMPARED_MEASURES: tuple[str, ...] = (
    "lifetime_loss_rate", "lifetime_net_loss", "lifetime_profit", "risk_adjusted_profit",
    "dpd30_share_incl_forborne", "forborne_share", "cure_rate", "roll_rate_30_60",
    "runoff_open_share", "runoff_days", "common_shocks_share", "common_people_share",
    "burn_in_drift", "burn_in_book_drift", "lifetime_recovery_rate", "cost_of_funds",
    "allowance_start", "allowance_end", "regulatory_cost", "lending_min_score_mean",
    "lending_min_score_peak", "mean_apr", "capital_ratio_end", "capital_ratio_low",
    "willingness_to_pay",
    "default_rate", "bad_debt_loss", "recovery_rate", "collection_cost", "net_loss",
    "dpd30_share", "dpd90_share", "deferral_rate", "redefault_rate", "complaints_per_1000",
    "contacts_per_delinquent_week", "harm_per_delinquent_week", "churn_rate", "approval_rate",
    "mean_score", "lender_profit", "annual_default_rate", "annual_net_chargeoff_rate",
)
"""End-of-run measures that the comparison summarises and differences."""

CONFIDENCE = 0.95
POWER = 0.80


def mean_interval(values: np.ndarray) -> tuple[float, float, float, float, int]:
    """(mean, sd, ci_low, ci_high, n) of a sample; the interval is NaN for fewer than two."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = values.size
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(values.mean())
    if n < 2:
        return (mean, np.nan, np.nan, np.nan, n)
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / np.sqrt(n)
    return (mean, sd, mean - half, mean + half, n)


def summarize_runs(runs: pd.DataFrame, variants: list[str],
                   measures: tuple[str, ...] = COMPARED_MEASURES) -> pd.DataFrame:
    """Tidy table: variant, metric, mean, std, ci_low, ci_high, n."""
    rows = []
    for variant in variants:
        mine = runs[runs["variant"] == variant] if len(runs) else runs
        for measure in measures:
            values = mine[measure].to_numpy() if len(mine) else np.array([])
            mean, sd, low, high, n = mean_interval(values)
            rows.append({"variant": variant, "metric": measure, "mean": mean, "std": sd,
                         "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(rows)


def paired_differences(runs: pd.DataFrame, variants: list[str],
                       measures: tuple[str, ...] = COMPARED_MEASURES) -> pd.DataFrame:
    """Each variant minus the first, paired by replicate: variant, reference, metric,
    mean_difference, ci_low, ci_high, p_value, detectable, pairing_variance_ratio, n."""
    reference = variants[0]
    rows = []
    if not len(runs):
        return pd.DataFrame(rows)
    base = runs[runs["variant"] == reference].set_index("replicate")
    for variant in variants[1:]:
        other = runs[runs["variant"] == variant].set_index("replicate")
        common = base.index.intersection(other.index)
        for measure in measures:
            diff = (other.loc[common, measure] - base.loc[common, measure]).to_numpy(float)
            mean, sd, low, high, n = mean_interval(diff)
            rows.append({"variant": variant, "reference": reference, "metric": measure,
                         "mean_difference": mean, "ci_low": low, "ci_high": high,
                         "p_value": paired_p_value(diff),
                         "detectable": detectable_difference(sd, n),
                         "pairing_variance_ratio": pairing_variance_ratio(
                             base.loc[common, measure].to_numpy(float),
                             other.loc[common, measure].to_numpy(float)),
                         "n": n})
    return pd.DataFrame(rows)


def pairing_variance_ratio(reference: np.ndarray, other: np.ndarray) -> float:
    """Variance of the paired differences over the variance the difference of two independent
    samples would have (var(a) + var(b)): below 1 when common random numbers share luck
    between the variants, 1 when they share none (NaN if undefined)."""
    ok = ~(np.isnan(reference) | np.isnan(other))
    a, b = reference[ok], other[ok]
    if a.size < 2:
        return float("nan")
    independent = a.var(ddof=1) + b.var(ddof=1)
    return float((b - a).var(ddof=1) / independent) if independent > 0 else float("nan")


def detectable_difference(sd: float, n: int) -> float:
    """The smallest true mean difference a paired two-sided t-test at 5 % detects with 80 %
    power, for differences with standard deviation `sd` over `n` replicates (NaN below 2)."""
    if n < 2 or not np.isfinite(sd):
        return float("nan")
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) + stats.t.ppf(POWER, n - 1)
    return float(t * sd / np.sqrt(n))


def paired_p_value(differences: np.ndarray) -> float:
    """Two-sided paired t-test p-value of differences (1.0 if they are all zero, NaN for
    fewer than two)."""
    differences = np.asarray(differences, dtype=float)
    if differences.size < 2:
        return float("nan")
    if np.all(differences == differences[0]):
        return 1.0 if differences[0] == 0 else 0.0
    return float(stats.ttest_1samp(differences, 0.0).pvalue)
