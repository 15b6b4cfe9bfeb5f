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
from sim.i18n import fonts_for, tr  # noqa: E402
from sim.transitions import ACTIVE_STATES, STATES, probabilities  # noqa: E402

WEEK = 7
MONTH = 30

EVENT_TEXT = {
    "loan_approved": "loan approved",
    "loan_refused_score": "loan refused: score",
    "loan_refused_bureau_flag": "loan refused: bureau record",
    "loan_refused_dti": "loan refused: income",
    "loan_refused_capital": "loan refused: lender out of funds",
    "deferral_asked": "asked for deferral",
    "deferral_granted": "deferral granted",
    "deferral_refused": "deferral refused",
}
"""How the borrower timeline names the loan decisions and deferral steps of a tracked borrower
(`BorrowerTracker.notes`)."""

NEGATIVE_REPORTS = {"reported": "reported to the bureau", "legal": "legal judgment",
                    "charged_off": "charged off"}
"""Bureau reports the timeline marks on the score, and how it names them."""


def write_run_figures(frame: pd.DataFrame, final_scores: np.ndarray, folder: Path,
                      title: str, transitions: np.ndarray | None = None,
                      window: str | None = None) -> list[Path]:
    """Draw every figure of a single run into `folder` (with `transitions`, the 6 x 8 monthly
    transition counts of the measured window, also their matrix, titled with `window`, the
    window's description, e.g. "steady-state window, days 365-1094"); returns the files
    written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in time_series_figures().items():
        fig = draw(frame)
        fig.suptitle(title, fontsize=10)
        written.append(save_figure(fig, folder / f"{name}.png"))
    written.append(save_figure(_scores(frame, final_scores), folder / "scores.png"))
    if transitions is not None and transitions.sum() > 0:
        fig = transition_matrix_figure(transitions, window=window)
        fig.suptitle(title, fontsize=10)
        written.append(save_figure(fig, folder / "transitions.png"))
    return written


def transition_matrix_figure(counts: np.ndarray, language: str = "en",
                             window: str | None = None) -> plt.Figure:
    """The monthly transition matrix as a heat map of probabilities, each cell labelled;
    titled with `window` (what the counts cover) when given, else as the steady-state
    window's."""
    fonts_for(language)
    probs = probabilities(counts)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    image = ax.imshow(np.nan_to_num(probs), cmap="Blues", vmin=0, vmax=1)
    for i in range(probs.shape[0]):
        for j in range(probs.shape[1]):
            if not np.isnan(probs[i, j]):
                ax.text(j, i, f"{100 * probs[i, j]:.1f}", ha="center", va="center", fontsize=8,
                        color="white" if probs[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(STATES)), [tr(s.replace("_", " "), language) for s in STATES],
                  rotation=30, ha="right")
    ax.set_yticks(range(len(ACTIVE_STATES)),
                  [tr(s.replace("_", " "), language) for s in ACTIVE_STATES])
    ax.set_xlabel(tr("state a month later", language))
    ax.set_ylabel(tr("state at the start of the month", language))
    ax.set_title(tr("Monthly transitions of loans (% of the row), steady-state window", language)
                 if window is None else
                 f"{tr('Monthly transitions of loans (% of the row)', language)}\n{window}")
    fig.colorbar(image, ax=ax, label=tr("probability", language))
    return fig


def time_series_figures() -> dict[str, Callable[..., plt.Figure]]:
    """The figures drawn from a daily metrics table alone, by name (also the dashboard's);
    each is called as `draw(frame, language="en")`."""
    return {"dpd_buckets": _dpd_buckets, "defaults_and_losses": _defaults_and_losses,
            "collection": _collection, "deferrals": _deferrals, "lender": _lender,
            "credit_supply": _credit_supply}


def _label(ax: plt.Axes, title: str, ylabel: str, language: str, xlabel: str = "day") -> None:
    ax.set_title(tr(title, language))
    ax.set_ylabel(tr(ylabel, language))
    ax.set_xlabel(tr(xlabel, language))


SUPTITLE_INCHES = 0.45
"""Room kept at the top of a figure for its overall title (inches)."""


def save_figure(fig: plt.Figure, path: Path) -> Path:
    """Lay out (leaving room for an overall title), write (PNG, 110 dpi) and close a figure;
    returns its path."""
    top = 1 - SUPTITLE_INCHES / fig.get_figheight() if fig.get_suptitle() else 1
    fig.tight_layout(rect=(0, 0, 1, top))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def save_figures(draws: dict[str, Callable[[], plt.Figure]], folder: Path) -> list[Path]:
    """Draw each figure and save it as `folder/<name>.png`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    return [save_figure(draw(), folder / f"{name}.png") for name, draw in draws.items()]


def _dpd_buckets(frame: pd.DataFrame, language: str = "en") -> plt.Figure:
    fonts_for(language)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    buckets = ["loans_dpd_1_30", "loans_dpd_31_60", "loans_dpd_61_90", "loans_dpd_90_plus"]
    labels = [tr("1-30 DPD", language), tr("31-60 DPD", language), tr("61-90 DPD", language),
              tr("90+ DPD", language)]
    top.stackplot(frame["day"], [frame[b] for b in buckets], labels=labels, alpha=0.85)
    top.set_ylabel(tr("delinquent loans", language))
    top.legend(loc="upper left", fontsize=8)
    top.set_title(tr("Delinquent loans by days past due", language))
    bottom.plot(frame["day"], 100 * frame["dpd30_share"], label=tr("30+ DPD", language))
    bottom.plot(frame["day"], 100 * frame["dpd90_share"], label=tr("90+ DPD", language))
    bottom.set_ylabel(tr("% of principal outstanding", language))
    bottom.set_xlabel(tr("day", language))
    bottom.legend(fontsize=8)
    return fig


def _defaults_and_losses(frame: pd.DataFrame, language: str = "en") -> plt.Figure:
    fonts_for(language)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(frame["day"], 100 * frame["default_rate"])
    _label(left, "Default rate (charged off / originated)", "% of loans originated", language)
    right.plot(frame["day"], frame["charged_off_principal_cum"],
               label=tr("charged-off principal", language))
    right.plot(frame["day"], frame["recoveries_cum"], label=tr("recoveries", language))
    right.plot(frame["day"], frame["bad_debt_loss"], label=tr("bad-debt loss", language))
    _label(right, "Losses and recoveries", "currency units (cumulative)", language)
    right.legend(fontsize=8)
    return fig


def _collection(frame: pd.DataFrame, language: str = "en") -> plt.Figure:
    fonts_for(language)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for channel in CHANNELS:
        weekly = frame[f"contacts_{channel}"].rolling(WEEK, min_periods=1).sum()
        left.plot(frame["day"], weekly, label=tr(channel, language))
    _label(left, "Collection contacts by channel", "contact attempts per 7 days", language)
    left.legend(fontsize=8)
    right.plot(frame["day"], frame["collection_cost_cum"],
               label=tr("contacts and reminders", language))
    right.plot(frame["day"], frame["legal_cost_cum"], label=tr("legal", language))
    right.plot(frame["day"], frame["recoveries_cum"],
               label=tr("recoveries", language), linestyle="--")
    _label(right, "Collection cost vs recoveries", "currency units (cumulative)", language)
    right.legend(fontsize=8)
    return fig


def _deferrals(frame: pd.DataFrame, language: str = "en") -> plt.Figure:
    fonts_for(language)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for column in ("deferrals_requested", "deferrals_granted", "deferrals_refused"):
        monthly = frame[column].rolling(MONTH, min_periods=1).sum()
        left.plot(frame["day"], monthly, label=tr(column.removeprefix("deferrals_"), language))
    _label(left, "Deferral requests and decisions", "deferrals per 30 days", language)
    left.legend(fontsize=8)
    right.plot(frame["day"], frame["loans_in_deferral"],
               label=tr("loans in a payment pause", language))
    right.plot(frame["day"], frame["redefaults_cum"],
               label=tr("re-defaults (cumulative)", language))
    _label(right, "Deferred loans", "loans", language)
    right.legend(fontsize=8)
    return fig


def _lender(frame: pd.DataFrame, language: str = "en") -> plt.Figure:
    fonts_for(language)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(frame["day"], frame["lender_profit"])
    _label(left, "Lender profit", "currency units (cumulative)", language)
    right.plot(frame["day"], frame["balance_active"], label=tr("principal outstanding", language))
    right.plot(frame["day"], frame["lender_cash"], label=tr("cash", language))
    _label(right, "Lender book and cash", "currency units", language)
    right.legend(fontsize=8)
    return fig


def _credit_supply(frame: pd.DataFrame, language: str = "en") -> plt.Figure:
    fonts_for(language)
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4))
    left.plot(frame["day"], frame["lending_min_score"])
    _label(left, "Minimum score accepted", "score points", language)
    middle.plot(frame["day"], 100 * frame["mean_apr"])
    _label(middle, "APR of new loans", "% a year, last 30 days' loans", language)
    right.plot(frame["day"], 100 * frame["lender_capital_ratio"],
               label=tr("capital ratio", language))
    right.plot(frame["day"], 100 * frame["lender_distress"],
               label=tr("distress borrowers perceive (x 100)", language))
    _label(right, "Lender health", "% of assets", language)
    right.legend(fontsize=8)
    return fig


def _scores(frame: pd.DataFrame, final_scores: np.ndarray, language: str = "en") -> plt.Figure:
    fonts_for(language)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.hist(final_scores, bins=np.arange(350, 955, 10), color="tab:blue", alpha=0.8)
    for edge in SCORE_BAND_EDGES[1:-1]:
        left.axvline(edge, color="grey", linestyle=":", linewidth=1)
    left.set_xlabel(tr("score (points)", language))
    left.set_ylabel(tr("borrowers", language))
    left.set_title(tr("Score distribution on the last day", language))
    left.set_xlim(350, 950)
    right.stackplot(frame["day"], [frame[f"score_{b}"] for b in SCORE_BAND_NAMES],
                    labels=[tr(b.replace("_", " "), language) for b in SCORE_BAND_NAMES],
                    alpha=0.85)
    right.set_xlabel(tr("day", language))
    right.set_ylabel(tr("borrowers", language))
    right.set_title(tr("Score bands over time", language))
    right.legend(loc="lower left", fontsize=8)
    return fig


def borrower_timeline_figure(story: pd.DataFrame, title: str,
                             language: str = "en") -> plt.Figure:
    """One borrower's story from a `BorrowerTracker.frame(row)` table: cash and shocks, the
    loan's days past due with installments paid or missed, contacts by channel, the score
    with bureau reports, and loan decisions and deferral requests; labels in `language`."""
    fonts_for(language)
    fig, axes = plt.subplots(4, 1, figsize=(8, 8), sharex=True,
                             gridspec_kw={"height_ratios": [2, 2, 1.5, 2]})
    days = story["day"]
    cash, loan, contacts, score = axes
    cash.plot(days, story["cash"], color="tab:blue", label=tr("cash", language))
    cash.plot(days, story["income"], color="grey", linestyle="--", linewidth=1,
              label=tr("usual monthly income", language))
    for column, colour in (("jobless", "tab:red"), ("ill", "tab:orange")):
        cash.fill_between(days, 0, 1, where=story[column], color=colour, alpha=0.2,
                          transform=cash.get_xaxis_transform(), label=tr(column, language))
    cash.set_ylabel(tr("currency units", language))
    cash.legend(fontsize=7, loc="upper left")
    cash.set_title(title, fontsize=10)

    loan.plot(days, story["dpd"], color="black", label=tr("days past due", language))
    due = story[story["due_today"]]
    paid = due["arrears"] <= 0
    loan.scatter(due.loc[paid, "day"], [0] * int(paid.sum()), marker="o", color="tab:green",
                 label=tr("installment paid", language), zorder=3)
    loan.scatter(due.loc[~paid, "day"], [0] * int((~paid).sum()), marker="x", color="tab:red",
                 label=tr("installment missed", language), zorder=3)
    loan.fill_between(days, 0, 1, where=story["in_deferral"], color="tab:purple", alpha=0.15,
                      transform=loan.get_xaxis_transform(), label=tr("deferral pause", language))
    loan.set_ylabel(tr("DPD", language))
    loan.legend(fontsize=7, loc="upper left")

    kinds = [c.removeprefix("contacts_") for c in story.columns if c.startswith("contacts_")]
    for i, kind in enumerate(kinds):
        hits = story[story[f"contacts_{kind}"] > 0]
        contacts.scatter(hits["day"], [i] * len(hits), s=12 * hits[f"contacts_{kind}"],
                         label=kind)
    contacts.set_yticks(range(len(kinds)), [tr(k, language) for k in kinds], fontsize=7)
    contacts.set_ylabel(tr("contacts", language))

    noted = story[story["events"] != ""] if "events" in story else story.iloc[:0]
    for _, row in noted.iterrows():
        refused = "refused" in row["events"]
        colour = "tab:red" if refused else "tab:purple"
        loan.axvline(row["day"], color=colour, linewidth=0.8, linestyle=":")
        loan.text(row["day"], loan.get_ylim()[1],
                  ", ".join(tr(EVENT_TEXT.get(e, e), language) for e in row["events"].split(",")),
                  rotation=90, fontsize=6, va="top", color=colour)

    score.plot(days, story["score"], color="tab:green")
    for _, row in story[story["reports"] != ""].iterrows():
        negative = [e for e in row["reports"].split(",") if e in NEGATIVE_REPORTS]
        if negative:
            score.axvline(row["day"], color="tab:red", linewidth=0.8)
            score.text(row["day"], score.get_ylim()[1],
                       ", ".join(tr(NEGATIVE_REPORTS[e], language) for e in negative),
                       rotation=90, fontsize=6, va="top", color="tab:red")
    score.set_ylabel(tr("score (points)", language))
    score.set_xlabel(tr("day", language))
    fig.tight_layout()
    return fig
