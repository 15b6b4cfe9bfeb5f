"""Figures of one run, drawn from its daily metrics table (PNG, labelled with units)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.config import CHANNELS, SCORE_BAND_EDGES, SCORE_BAND_NAMES  # noqa: E402
from sim.transitions import ACTIVE_STATES, STATES, probabilities  # noqa: E402

WEEK = 7
MONTH = 30


def write_run_figures(frame: pd.DataFrame, final_scores: np.ndarray, folder: Path,
                      title: str, transitions: np.ndarray | None = None) -> list[Path]:
    """Draw every figure of a single run into `folder` (with `transitions`, the 5 x 7 monthly
    transition counts, also their matrix); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in time_series_figures().items():
        fig = draw(frame)
        fig.suptitle(title, fontsize=10)
        written.append(_save(fig, folder / f"{name}.png"))
    written.append(_save(_scores(frame, final_scores), folder / "scores.png"))
    if transitions is not None and transitions.sum() > 0:
        fig = transition_matrix_figure(transitions)
        fig.suptitle(title, fontsize=10)
        written.append(_save(fig, folder / "transitions.png"))
    return written


def transition_matrix_figure(counts: np.ndarray) -> plt.Figure:
    """The monthly transition matrix as a heat map of probabilities, each cell labelled."""
    probs = probabilities(counts)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    image = ax.imshow(np.nan_to_num(probs), cmap="Blues", vmin=0, vmax=1)
    for i in range(probs.shape[0]):
        for j in range(probs.shape[1]):
            if not np.isnan(probs[i, j]):
                ax.text(j, i, f"{100 * probs[i, j]:.1f}", ha="center", va="center", fontsize=8,
                        color="white" if probs[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(STATES)), [s.replace("_", " ") for s in STATES], rotation=30,
                  ha="right")
    ax.set_yticks(range(len(ACTIVE_STATES)), [s.replace("_", " ") for s in ACTIVE_STATES])
    ax.set_xlabel("state a month later")
    ax.set_ylabel("state at the start of the month")
    ax.set_title("Monthly transitions of loans (% of the row), steady-state window")
    fig.colorbar(image, ax=ax, label="probability")
    return fig


def time_series_figures() -> dict[str, Callable[[pd.DataFrame], plt.Figure]]:
    """The figures drawn from a daily metrics table alone, by name (also the dashboard's)."""
    return {"dpd_buckets": _dpd_buckets, "defaults_and_losses": _defaults_and_losses,
            "collection": _collection, "deferrals": _deferrals, "lender": _lender}


def _label(ax: plt.Axes, title: str, ylabel: str, xlabel: str = "day") -> None:
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _dpd_buckets(frame: pd.DataFrame) -> plt.Figure:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    buckets = ["loans_dpd_1_30", "loans_dpd_31_60", "loans_dpd_61_90", "loans_dpd_90_plus"]
    labels = ["1-30 DPD", "31-60 DPD", "61-90 DPD", "90+ DPD"]
    top.stackplot(frame["day"], [frame[b] for b in buckets], labels=labels, alpha=0.85)
    top.set_ylabel("delinquent loans")
    top.legend(loc="upper left", fontsize=8)
    top.set_title("Delinquent loans by days past due")
    bottom.plot(frame["day"], 100 * frame["dpd30_share"], label="30+ DPD")
    bottom.plot(frame["day"], 100 * frame["dpd90_share"], label="90+ DPD")
    bottom.set_ylabel("% of principal outstanding")
    bottom.set_xlabel("day")
    bottom.legend(fontsize=8)
    return fig


def _defaults_and_losses(frame: pd.DataFrame) -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(frame["day"], 100 * frame["default_rate"])
    _label(left, "Default rate (charged off / originated)", "% of loans originated")
    right.plot(frame["day"], frame["charged_off_principal_cum"], label="charged-off principal")
    right.plot(frame["day"], frame["recoveries_cum"], label="recoveries")
    right.plot(frame["day"], frame["bad_debt_loss"], label="bad-debt loss")
    _label(right, "Losses and recoveries", "currency units (cumulative)")
    right.legend(fontsize=8)
    return fig


def _collection(frame: pd.DataFrame) -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for channel in CHANNELS:
        weekly = frame[f"contacts_{channel}"].rolling(WEEK, min_periods=1).sum()
        left.plot(frame["day"], weekly, label=channel)
    _label(left, "Collection contacts by channel", "contact attempts per 7 days")
    left.legend(fontsize=8)
    right.plot(frame["day"], frame["collection_cost_cum"], label="contacts and reminders")
    right.plot(frame["day"], frame["legal_cost_cum"], label="legal")
    right.plot(frame["day"], frame["recoveries_cum"], label="recoveries", linestyle="--")
    _label(right, "Collection cost vs recoveries", "currency units (cumulative)")
    right.legend(fontsize=8)
    return fig


def _deferrals(frame: pd.DataFrame) -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for column in ("deferrals_requested", "deferrals_granted", "deferrals_refused"):
        monthly = frame[column].rolling(MONTH, min_periods=1).sum()
        left.plot(frame["day"], monthly, label=column.removeprefix("deferrals_"))
    _label(left, "Deferral requests and decisions", "deferrals per 30 days")
    left.legend(fontsize=8)
    right.plot(frame["day"], frame["loans_in_deferral"], label="loans in a payment pause")
    right.plot(frame["day"], frame["redefaults_cum"], label="re-defaults (cumulative)")
    _label(right, "Deferred loans", "loans")
    right.legend(fontsize=8)
    return fig


def _lender(frame: pd.DataFrame) -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(frame["day"], frame["lender_profit"])
    _label(left, "Lender profit", "currency units (cumulative)")
    right.plot(frame["day"], frame["balance_active"], label="principal outstanding")
    right.plot(frame["day"], frame["lender_cash"], label="cash")
    _label(right, "Lender book and cash", "currency units")
    right.legend(fontsize=8)
    return fig


def _scores(frame: pd.DataFrame, final_scores: np.ndarray) -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.hist(final_scores, bins=np.arange(350, 955, 10), color="tab:blue", alpha=0.8)
    for edge in SCORE_BAND_EDGES[1:-1]:
        left.axvline(edge, color="grey", linestyle=":", linewidth=1)
    left.set_xlabel("score (points)")
    left.set_ylabel("borrowers")
    left.set_title("Score distribution on the last day")
    left.set_xlim(350, 950)
    right.stackplot(frame["day"], [frame[f"score_{b}"] for b in SCORE_BAND_NAMES],
                    labels=[b.replace("_", " ") for b in SCORE_BAND_NAMES], alpha=0.85)
    right.set_xlabel("day")
    right.set_ylabel("borrowers")
    right.set_title("Score bands over time")
    right.legend(loc="lower left", fontsize=8)
    return fig


def borrower_timeline_figure(story: pd.DataFrame, title: str) -> plt.Figure:
    """One borrower's story from a `BorrowerTracker.frame(row)` table: cash and shocks, the
    loan's days past due with installments paid or missed, contacts by channel, and the score
    with bureau reports and deferral."""
    fig, axes = plt.subplots(4, 1, figsize=(8, 8), sharex=True,
                             gridspec_kw={"height_ratios": [2, 2, 1.5, 2]})
    days = story["day"]
    cash, loan, contacts, score = axes
    cash.plot(days, story["cash"], color="tab:blue", label="cash")
    cash.plot(days, story["income"], color="grey", linestyle="--", linewidth=1,
              label="usual monthly income")
    for column, colour in (("jobless", "tab:red"), ("ill", "tab:orange")):
        cash.fill_between(days, 0, 1, where=story[column], color=colour, alpha=0.2,
                          transform=cash.get_xaxis_transform(), label=column)
    cash.set_ylabel("currency units")
    cash.legend(fontsize=7, loc="upper left")
    cash.set_title(title, fontsize=10)

    loan.plot(days, story["dpd"], color="black", label="days past due")
    due = story[story["due_today"]]
    paid = due["arrears"] <= 0
    loan.scatter(due.loc[paid, "day"], [0] * int(paid.sum()), marker="o", color="tab:green",
                 label="installment paid", zorder=3)
    loan.scatter(due.loc[~paid, "day"], [0] * int((~paid).sum()), marker="x", color="tab:red",
                 label="installment missed", zorder=3)
    loan.fill_between(days, 0, 1, where=story["in_deferral"], color="tab:purple", alpha=0.15,
                      transform=loan.get_xaxis_transform(), label="deferral pause")
    loan.set_ylabel("DPD")
    loan.legend(fontsize=7, loc="upper left")

    kinds = [c.removeprefix("contacts_") for c in story.columns if c.startswith("contacts_")]
    for i, kind in enumerate(kinds):
        hits = story[story[f"contacts_{kind}"] > 0]
        contacts.scatter(hits["day"], [i] * len(hits), s=12 * hits[f"contacts_{kind}"],
                         label=kind)
    contacts.set_yticks(range(len(kinds)), kinds, fontsize=7)
    contacts.set_ylabel("contacts")

    score.plot(days, story["score"], color="tab:green")
    for _, row in story[story["reports"] != ""].iterrows():
        negative = any(e in row["reports"] for e in ("reported", "legal", "charged_off"))
        if negative:
            score.axvline(row["day"], color="tab:red", linewidth=0.8)
            score.text(row["day"], score.get_ylim()[1], row["reports"], rotation=90,
                       fontsize=6, va="top", color="tab:red")
    score.set_ylabel("score (points)")
    score.set_xlabel("day")
    fig.tight_layout()
    return fig
