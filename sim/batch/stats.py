"""Replicate statistics: means with t-based 95% confidence intervals, and paired differences.

With n replicates of a measure, the interval is mean +- t(0.975, n-1) * sd / sqrt(n), sd with
n-1 degrees of freedom, for a measure that can take any value. A share (`SHARES`: a part over
its whole, in [0, 1]) gets the same t-interval on the logit scale, by the delta method:
logit(mean) +- t(0.975, n-1) * se / (mean * (1 - mean)), mapped back, so it stays inside
(0, 1), contains the mean, and is close to the plain interval where that one fits inside
[0, 1]; a rate that cannot be negative (`RATES`: events per loan, per week, per 1,000, per
year) gets it on the log scale, log(mean) +- t * se / mean, so it stays above 0. A mean of 0
(or 1 for a share) has every replicate there, and a zero-width interval. The transform is
used only when every replicate lies in the measure's range.

Differences between variants are paired by replicate (the same seed), which removes the luck
they share; their p-value is the paired t-test's. The smallest difference the comparison could
detect (`detectable`) is the true paired difference that a two-sided test at 5 % would find
with 80 % power:
(t(0.975, n-1) + t(0.80, n-1)) * sd / sqrt(n).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.summary import PAID_BY_BAND, PAID_BY_KIND

COMPARED_MEASURES: tuple[str, ...] = (
    "prudential_default_rate", "dpd90_reached_rate", "lifetime_prudential_default_rate",
    "redefault_rate_12m",
    "lifetime_loss_rate", "lifetime_net_loss", "lifetime_profit", "risk_adjusted_profit",
    "lifetime_borrower_paid", "borrower_paid_per_borrower", "fees_per_delinquent_year",
    *PAID_BY_KIND, *PAID_BY_BAND, "borrower_fees_paid", "borrower_garnished",
    "pause_interest_charged", "score_points_lost_per_borrower",
    "prudential_default_forborne_share", "prudential_cures_per_default", "prudential_defaults",
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
    "window_start_day", "window_end_day",
)
"""End-of-run measures that the comparison summarises and differences."""

CONFIDENCE = 0.95
POWER = 0.80

SHARES: frozenset[str] = frozenset({
    "dpd30_share", "dpd90_share", "dpd30_share_incl_forborne", "forborne_share",
    "strategic_miss_share", "strategic_default_share", "on_time_rate", "rpc_rate_phone",
    "contacted_4plus_share", "roll_rate_30_60", "cure_rate", "approval_rate",
    "willingness_to_pay", "runoff_open_share", "common_shocks_share", "common_people_share",
    "lender_distress", "approval_rate_30d", "willingness_30d", "redefault_rate_12m",
    "prudential_default_forborne_share"})
"""Measures that are a part over its whole (bounded by 0 and 1): logit intervals. Not every
measure whose unit reads "share of": `default_rate` and `redefault_rate` count events of
loans from before the window, recoveries can exceed the principal, a capital ratio can be
negative and the drifts are signed."""
RATES: frozenset[str] = frozenset({
    "default_rate", "annual_default_rate", "deferral_rate", "redefault_rate", "recovery_rate",
    "lifetime_recovery_rate", "contacts_per_delinquent_week", "harm_per_delinquent_week",
    "complaints_per_1000", "churn_rate", "mean_apr", "collection_cost", "regulatory_cost",
    "cost_of_funds", "runoff_days", "default_rate_30d", "prudential_default_rate",
    "dpd90_reached_rate",
    "prudential_cures_per_default", "borrower_fees_paid", "borrower_garnished",
    "pause_interest_charged", "score_points_lost_per_borrower",
    "fees_per_delinquent_year", "lifetime_prudential_default_rate"})
"""Measures that cannot be negative but have no upper bound: log intervals."""


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


def measure_interval(measure: str, values: np.ndarray
                     ) -> tuple[float, float, float, float, int]:
    """(mean, sd, ci_low, ci_high, n) of the replicates of `measure`: a t-interval, on the
    logit scale for a share and on the log scale for a rate (module docstring)."""
    mean, sd, low, high, n = mean_interval(values)
    kind = "share" if measure in SHARES else "rate" if measure in RATES else None
    if kind is None or np.isnan(low):
        return mean, sd, low, high, n
    return (mean, sd, *bounded_interval(np.asarray(values, dtype=float), kind), n)


def bounded_interval(values: np.ndarray, kind: str) -> tuple[float, float]:
    """95 % interval of the mean of `values` on the logit (`kind` "share") or log ("rate")
    scale by the delta method; the plain t-interval when a value lies outside the range."""
    mean, sd, low, high, n = mean_interval(values)
    values = values[~np.isnan(values)]
    inside = (values >= 0).all() and (kind == "rate" or (values <= 1).all())
    if not inside or np.isnan(low):
        return low, high
    if mean == 0 or (kind == "share" and mean == 1):
        return mean, mean
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / np.sqrt(n)
    if kind == "rate":
        return float(mean * np.exp(-half / mean)), float(mean * np.exp(half / mean))
    centre, spread = np.log(mean / (1 - mean)), half / (mean * (1 - mean))
    return (float(1 / (1 + np.exp(-(centre - spread)))),
            float(1 / (1 + np.exp(-(centre + spread)))))


def summarize_runs(runs: pd.DataFrame, variants: list[str],
                   measures: tuple[str, ...] = COMPARED_MEASURES) -> pd.DataFrame:
    """Tidy table: variant, metric, mean, std, ci_low, ci_high, n."""
    rows = []
    for variant in variants:
        mine = runs[runs["variant"] == variant] if len(runs) else runs
        for measure in measures:
            values = mine[measure].to_numpy() if len(mine) else np.array([])
            mean, sd, low, high, n = measure_interval(measure, values)
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


def q_values(p_values: pd.Series) -> pd.Series:
    """Benjamini-Hochberg adjusted p-values of `p_values` (false discovery rate over those
    given; NaN where the p-value is NaN)."""
    out = pd.Series(np.nan, index=p_values.index)
    tested = p_values.dropna()
    if len(tested):
        out[tested.index] = stats.false_discovery_control(tested.to_numpy(float))
    return out
