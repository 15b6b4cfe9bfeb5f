"""Figures of a comparison: every variant with its replicate spread (95% CI bands and bars)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.batch.stats import measure_interval  # noqa: E402
from sim.report.figures import save_figures  # noqa: E402
from sim.units import DAYS_PER_YEAR  # noqa: E402

BUCKETS = ("loans_dpd_1_30", "loans_dpd_31_60", "loans_dpd_61_90", "loans_dpd_90_plus")
BUCKET_LABELS = ("1-30 DPD", "31-60 DPD", "61-90 DPD", "90+ DPD")


def write_comparison_figures(series: pd.DataFrame, summary: pd.DataFrame,
                             runs: pd.DataFrame, scores: dict[str, list[list[int]]],
                             score_bins: np.ndarray, variants: list[str], folder: Path,
                             burn_in_days: int, horizon_day: int | None = None) -> list[Path]:
    """Draw every comparison figure into `folder`; returns the files written. `horizon_day`:
    the last day of the window, after which the books run off (marked on the time axes)."""
    series = series.assign(default_rate_30d=_rolling_default_rate(series),
                           approval_rate_30d=_rolling_ratio(series, "originations",
                                                            "applications"),
                           willingness_30d=1.0 - _rolling_ratio(series, "missed_strategic",
                                                                "installments_due"))
    marks = (burn_in_days, horizon_day)
    figures = {
        # Up to the horizon: in a run-off the book shrinks to nothing and a rate over it
        # says nothing.
        "default_rate_over_time": lambda: _over_time(
            series[series["day"] <= horizon_day] if horizon_day else series, variants,
            "default_rate_30d", 100, "% of active loans a year",
            "Annual default rate, last 30 days", (burn_in_days, None)),
        "losses": lambda: _bars(summary, variants, ["lifetime_net_loss", "bad_debt_loss",
                                                    "collection_cost"],
                                "currency units", "Lifetime net loss (the book run off to its "
                                "end) beside the window's losses (95% CI)"),
        "dpd_composition": lambda: _dpd_composition(series, variants, marks),
        "score_distributions": lambda: _scores(scores, score_bins, variants),
        "cost_vs_recoveries": lambda: _cost_vs_recoveries(runs, variants),
        "credit_supply": lambda: _panels(
            series, variants, marks, "Credit supply: what lenders offer as their books move",
            [("approval_rate_30d", 100, "% of applications, last 30 days", "Approval rate"),
             ("lending_min_score", 1, "score points", "Minimum score accepted"),
             ("mean_apr", 100, "% a year, last 30 days' loans", "APR of new loans")]),
        "lender_health": lambda: _panels(
            series, variants, marks, "Lender health and borrowers' willingness to pay",
            [("lender_capital_ratio", 100, "% of assets", "Capital ratio (equity / assets)"),
             ("lender_distress", 1, "0 = sound, 1 = failing", "Distress borrowers perceive"),
             ("willingness_30d", 100, "% of installments due, last 30 days",
              "Installments not refused")]),
        "borrower_harm": lambda: _bars(summary, variants,
                                       ["contacts_per_delinquent_week", "complaints_per_1000"],
                                       "see each panel", "Borrower harm (95% CI)",
                                       units={"contacts_per_delinquent_week":
                                              "contacts per delinquent account-week",
                                              "complaints_per_1000":
                                              "complaints per 1,000 borrowers"}),
    }
    return save_figures(figures, folder)


def _band(series: pd.DataFrame, variant: str, column: str) -> tuple[np.ndarray, ...]:
    """Days, mean, and 95 % interval over replicates of `column` for `variant`, day by day (a
    share's band stays inside [0, 1] and a rate's above 0: `sim.batch.stats`)."""
    mine = series[series["variant"] == variant]
    table = mine.pivot(index="day", columns="replicate", values=column)
    days = table.index.to_numpy()
    stats = np.array([measure_interval(column, row) for row in table.to_numpy()], dtype=float)
    return days, stats[:, 0], stats[:, 2], stats[:, 3]


def _rolling_default_rate(series: pd.DataFrame, days: int = 30) -> np.ndarray:
    """Per run and day: charge-offs over the last `days` days over the mean active loans of
    those days, annualised (NaN until `days` days have passed)."""
    # Charge-offs over the mean of the active loans, times DAYS_PER_YEAR / days, is
    # charge-offs over their sum, times DAYS_PER_YEAR.
    return _rolling_ratio(series, "defaults", "loans_active", days) * DAYS_PER_YEAR


def _rolling_ratio(series: pd.DataFrame, numerator: str, denominator: str,
                   days: int = 30) -> np.ndarray:
    """Per run and day: `numerator` over `denominator`, both summed over the last `days`
    days (NaN until `days` days have passed or when the denominator is 0)."""
    out = np.full(len(series), np.nan)
    for _, run in series.groupby(["variant", "replicate"]).groups.items():
        rows = series.loc[run].sort_values("day")
        den = rows[denominator].rolling(days).sum()
        ratio = rows[numerator].rolling(days).sum() / den.where(den > 0)
        out[series.index.get_indexer(rows.index)] = ratio.to_numpy()
    return out


def _panels(series: pd.DataFrame, variants: list[str], marks: tuple[int, int | None],
            title: str, panels: list[tuple[str, float, str, str]]) -> plt.Figure:
    """One panel per (column, scale, unit, name), every variant's mean and 95% CI over time,
    up to the horizon (a run-off stops lending, so supply says nothing there)."""
    horizon_day = marks[1]
    shown = series[series["day"] <= horizon_day] if horizon_day else series
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    for ax, (column, scale, unit, name) in zip(axes[0], panels, strict=True):
        for variant in variants:
            days, mean, low, high = _band(shown, variant, column)
            line, = ax.plot(days, scale * mean, label=variant)
            ax.fill_between(days, scale * low, scale * high, alpha=0.2,
                            color=line.get_color())
        ax.set_title(name)
        ax.set_xlabel("day")
        ax.set_ylabel(unit)
        _fork_line(ax, (marks[0], None))
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"{title} (mean and 95% CI over replicates)")
    fig.tight_layout()
    return fig


def _fork_line(ax: plt.Axes, marks: tuple[int, int | None]) -> None:
    """Mark the fork (end of the burn-in) and the horizon (start of the run-off)."""
    burn_in_days, horizon_day = marks
    for day, text in ((burn_in_days, " policies fork"), (horizon_day, " run-off")):
        if day:
            ax.axvline(day, color="grey", linestyle=":", linewidth=1)
            ax.text(day, ax.get_ylim()[1], text, va="top", fontsize=8, color="grey")


def _over_time(series: pd.DataFrame, variants: list[str], column: str, scale: float,
               ylabel: str, title: str, marks: tuple[int, int | None]) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for variant in variants:
        days, mean, low, high = _band(series, variant, column)
        line, = ax.plot(days, scale * mean, label=variant)
        ax.fill_between(days, scale * np.nan_to_num(low, nan=mean[0]),
                        scale * np.nan_to_num(high, nan=mean[0]), alpha=0.2,
                        color=line.get_color())
    ax.set_xlabel("day")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title}: mean and 95% CI over replicates")
    ax.legend()
    _fork_line(ax, marks)
    return fig


def _bars(summary: pd.DataFrame, variants: list[str], measures: list[str], ylabel: str,
          title: str, units: dict[str, str] | None = None) -> plt.Figure:
    fig, axes = plt.subplots(1, len(measures), figsize=(4 * len(measures), 4), squeeze=False)
    for ax, measure in zip(axes[0], measures, strict=True):
        rows = summary[summary["metric"] == measure].set_index("variant").loc[variants]
        err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
        ax.bar(variants, rows["mean"], yerr=np.nan_to_num(err), capsize=6,
               color=[f"C{i}" for i in range(len(variants))])
        ax.set_title(measure.replace("_", " "))
        ax.set_ylabel((units or {}).get(measure, ylabel))
    fig.suptitle(title)
    return fig


def _dpd_composition(series: pd.DataFrame, variants: list[str],
                     marks: tuple[int, int | None]) -> plt.Figure:
    fig, axes = plt.subplots(1, len(variants), figsize=(5 * len(variants), 4), sharey=True,
                             squeeze=False)
    for ax, variant in zip(axes[0], variants, strict=True):
        mine = series[series["variant"] == variant].groupby("day")[list(BUCKETS)].mean()
        ax.stackplot(mine.index, [mine[b] for b in BUCKETS], labels=BUCKET_LABELS, alpha=0.85)
        ax.set_title(f"{variant}: delinquent loans (mean of replicates)")
        ax.set_xlabel("day")
        _fork_line(ax, marks)
    axes[0][0].set_ylabel("loans")
    axes[0][0].legend(loc="upper left", fontsize=8)
    return fig


def _scores(scores: dict[str, list[list[int]]], bins: np.ndarray,
            variants: list[str]) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    centres = (bins[:-1] + bins[1:]) / 2
    for variant in variants:
        if variant in scores:
            counts = np.mean(np.asarray(scores[variant], dtype=float), axis=0)
            ax.step(centres, counts, where="mid", label=variant)
    ax.set_xlabel("score on the last day (points)")
    ax.set_ylabel("borrowers per 10-point bin (mean of replicates)")
    ax.set_title("End score distributions")
    ax.legend()
    return fig


def _cost_vs_recoveries(runs: pd.DataFrame, variants: list[str]) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6.5, 5))
    for variant in variants:
        mine = runs[runs["variant"] == variant]
        ax.scatter(mine["collection_cost"], mine["recoveries"], label=variant, alpha=0.7)
    ax.set_xlabel("collection cost (currency units)")
    ax.set_ylabel("recoveries (currency units)")
    ax.set_title("Collection cost vs recoveries, one point per replicate")
    ax.legend()
    return fig
