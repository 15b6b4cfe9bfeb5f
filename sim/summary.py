"""End-of-run summary: the headline measures of one simulation, from its daily metrics.

Cumulative measures are read on the last day of the window (the horizon); rates of a steady
state (30+ and 90+ DPD shares, annual default and net charge-off rates) are taken over the
window from `run.steady_state_from_day` to the horizon, so the months in which the book fills
up do not count. Lifetime measures follow the book open at the window's start and the loans
lent in the window to their end, through a run-off after the horizon (`sim.lifetime`);
without a run-off they are NaN, and so are they when the run-off stopped with more than
`RUNOFF_OPEN_LIMIT` of the book still open (the losses still to come are not counted).
A run no longer than `run.steady_state_from_day` is measured whole; `window_start_day` and
`window_end_day` record the window actually used and `measure_status` says, measure by
measure, what a value cannot be trusted for (a window that is not a steady state, a run-off
that did not finish, a score never observed for a year, a fork that was not stationary).
`docs/accounting.md` explains each measure.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.borrower_money import ITEMS, PAID_ITEMS
from sim.config import CHANNELS, SCORE_BAND_NAMES, ScenarioConfig
from sim.population import KIND_NAMES
from sim.scenario import ScenarioError
from sim.transitions import TransitionRecorder, cure_rate, roll_rate_30_60
from sim.units import CENTS, DAYS_PER_YEAR


@dataclass(frozen=True)
class SummaryMeasure:
    """One end-of-run measure: name, unit and meaning."""

    name: str
    unit: str
    doc: str


LIFETIME_MEASURES: tuple[SummaryMeasure, ...] = (
    SummaryMeasure("lifetime_loss_rate", "share of principal", "Net credit loss (principal "
                   "charged off from the window's start to the end of the run-off, less "
                   "recoveries on it) over the principal open at the start plus the "
                   "principal lent in the window."),
    SummaryMeasure("lifetime_recovery_rate", "share of charged-off principal", "Recoveries "
                   "on the principal charged off from the window's start to the end of the "
                   "run-off, over that principal."),
    SummaryMeasure("lifetime_net_loss", "currency units", "What the book open at the "
                   "window's start and the loans lent in it cost the lender, to the end of the "
                   "run-off: principal charged off, plus interest and fees forgone (waived at "
                   "deferrals or written into charged-off claims), less every recovery, plus "
                   "collection, legal and hiring cost and fines."),
    SummaryMeasure("lifetime_profit", "currency units", "Interest and fees received less cost "
                   "of funds, net charge-offs (every recovery counted), collection, legal and "
                   "hiring cost and fines, from the window's start to the end of the run-off "
                   "(every loan closed: no allowance left)."),
    SummaryMeasure("lifetime_prudential_default_rate", "defaults per loan", "Entries into "
                   "default as supervisors define it (`prudential_default_rate`), from the "
                   "window's start to the end of the run-off, over the loans active at the "
                   "window's start plus those lent in it."),
    SummaryMeasure("lifetime_borrower_paid", "currency units", "What borrowers paid of "
                   "interest, fees and charged-off claims from the window's start to the end of "
                   "the run-off: the borrowers' side of `lifetime_profit`."),
    SummaryMeasure("runoff_open_share", "share of accounts", "Accounts (loans and claims) open "
                   "at the horizon that were still open when the run-off stopped (~0)."),
    SummaryMeasure("runoff_days", "days", "Days the run-off lasted."),
)
RUNOFF_OPEN_LIMIT = 0.005
"""Largest `runoff_open_share` (share of the accounts open at the horizon) for which the
run-off counts as finished; above it the other lifetime measures are NaN."""
STATIONARITY_TOLERANCE = 0.1
"""Largest |`burn_in_drift`| and |`burn_in_book_drift`| (share of the level) of a window that
starts from a steady state (a comparison may set its own)."""


def stationarity(mean: float, ci_low: float, ci_high: float, tolerance: float) -> str:
    """Verdict on a drift over the replicates (its mean and 95 % interval, shares of the
    level): "met" when the interval lies within +-`tolerance` (or, with a single replicate,
    the value does); "not met" when a drift is detected (the interval excludes zero) and its
    mean is beyond the tolerance; "not measured" without a value; otherwise "undecided": the
    interval reaches beyond the tolerance although the mean is within it or no drift is
    detected, so this many replicates and borrowers cannot tell (one run's drift of a 30+ DPD
    share of about 1 % is noisy: docs/validation.md)."""
    if math.isnan(mean):
        return "not measured"
    if math.isnan(ci_low) or math.isnan(ci_high):
        return "met" if abs(mean) <= tolerance else "not met"
    if -tolerance <= ci_low and ci_high <= tolerance:
        return "met"
    if abs(mean) > tolerance and (ci_low > 0 or ci_high < 0):
        return "not met"
    return "undecided"
"""Measures of the book's whole life, from a run-off (NaN without one)."""

PAID_BY_KIND: tuple[str, ...] = tuple(f"borrower_paid_per_{kind}_borrower"
                                      for kind in KIND_NAMES)
"""What borrowers of each type paid, per borrower of that type (`KIND_NAMES` order)."""
PAID_BY_BAND: tuple[str, ...] = tuple(f"borrower_paid_per_{band}_score"
                                      for band in SCORE_BAND_NAMES)
"""What borrowers paid while in each score band, per borrower in it (`SCORE_BAND_NAMES`)."""

BORROWER_MONEY_MEASURES: tuple[SummaryMeasure, ...] = (
    SummaryMeasure("borrower_paid", "currency units", "Interest, fees and payments on "
                   "charged-off claims (garnishment included) that borrowers paid in the "
                   "window (`sim.borrower_money`)."),
    SummaryMeasure("borrower_paid_per_borrower", "currency units per borrower",
                   "`borrower_paid` per borrower in the market."),
    SummaryMeasure("borrower_fees_paid", "currency units", "Late fees borrowers paid in the "
                   "window."),
    SummaryMeasure("fees_per_delinquent_year", "currency units per delinquent account-year",
                   "Late fees borrowers paid in the window per year an account spent past due "
                   "or charged off: the money side of `harm_per_delinquent_week`."),
    SummaryMeasure("borrower_garnished", "currency units", "Income taken from borrowers by "
                   "payment orders (after legal judgments) in the window."),
    SummaryMeasure("pause_interest_charged", "currency units", "Interest added to deferred "
                   "loans for their payment pause in the window: the lump due when payments "
                   "resume (`deferral.accrue_interest`)."),
    SummaryMeasure("score_points_lost_per_borrower", "score points per borrower", "Score "
                   "points negative bureau reports took in the window, per borrower."),
    *(SummaryMeasure(name, "currency units per borrower",
                     f"`borrower_paid` of {kind} borrowers, per {kind} borrower in the market at "
                     "the horizon (who bears it; NaN without the window's breakdown).")
      for name, kind in zip(PAID_BY_KIND, KIND_NAMES, strict=True)),
    *(SummaryMeasure(name, "currency units per borrower",
                     f"`borrower_paid` by borrowers whose score was {band.replace('_', ' ')} "
                     "when they paid, per borrower in that band (mean over the window).")
      for name, band in zip(PAID_BY_BAND, SCORE_BAND_NAMES, strict=True)),
)
"""The borrowers' side of the money (`sim.borrower_money`)."""

SUMMARY_MEASURES: tuple[SummaryMeasure, ...] = (
    SummaryMeasure("prudential_default_rate", "share of active loans per year", "Entries into "
                   "default as supervisors define it (90+ DPD, a forborne loan 30+ DPD, a "
                   "distressed restructuring, a charge-off; `sim.default_status`) in the "
                   "window over the mean number of active loans, annualised: the Basel/CRR "
                   "default rate (compare `annual_default_rate`, charge-offs)."),
    SummaryMeasure("prudential_defaults", "loans", "Entries into default in the window."),
    SummaryMeasure("dpd90_reached_rate", "share of active loans per year", "Loans reaching "
                   "`prudential_default.dpd_threshold` (90) days past due in the window, over "
                   "the mean number of active loans, annualised: the days-past-due trigger "
                   "alone, whatever the loan's default status (no restructuring, no "
                   "forbearance trigger; a loan that falls to 90 DPD twice counts twice)."),
    SummaryMeasure("prudential_default_forborne_share", "share of entries", "Of the window's "
                   "entries into default, those of forborne loans past 30 DPD and of "
                   "distressed restructurings."),
    SummaryMeasure("prudential_cures_per_default", "cures per entry", "Loans that left "
                   "default by cure (through their probation) in the window, per entry into "
                   "default in it (different loans: a ratio of flows, not a cohort's cure "
                   "rate)."),
    SummaryMeasure("originations", "loans", "Loans originated in the window."),
    SummaryMeasure("defaults", "loans", "Loans charged off in the window."),
    SummaryMeasure("default_rate", "share of loans", "Loans charged off over loans "
                   "originated, both in the window (not a cohort rate: see lifetime_loss_rate)."),
    SummaryMeasure("annual_default_rate", "share of active loans per year", "Charge-offs in "
                   "the steady-state window over the mean number of active loans, annualised."),
    SummaryMeasure("annual_net_chargeoff_rate", "share of balances per year", "Charged-off "
                   "principal less recoveries in the window over the mean balance, annualised "
                   "(compare F4)."),
    SummaryMeasure("dpd30_share", "share of balances", "Mean share of principal 30+ DPD in "
                   "the window (compare F1)."),
    SummaryMeasure("dpd90_share", "share of balances", "Mean share of principal 90+ DPD in "
                   "the window (compare F2)."),
    SummaryMeasure("dpd30_share_incl_forborne", "share of balances", "Mean share of principal "
                   "30+ DPD or forborne from 30+ DPD (re-aged, on probation) in the window."),
    SummaryMeasure("forborne_share", "share of balances", "Mean share of principal under "
                   "forbearance (granted a deferral, not through probation) in the window."),
    SummaryMeasure("bad_debt_loss", "currency units", "Principal charged off in the window "
                   "minus recoveries in the window."),
    SummaryMeasure("recoveries", "currency units", "Recoveries on charged-off loans in "
                   "the window (debt sales included)."),
    SummaryMeasure("recovery_rate", "share of charged-off principal", "Recoveries in the "
                   "window on loans charged off in the window, over the principal charged off "
                   "in the window (immature at the horizon: see lifetime_recovery_rate)."),
    SummaryMeasure("collection_cost", "currency units", "Reminders, collection contacts, "
                   "legal cases and hiring collectors, in the window."),
    SummaryMeasure("regulatory_cost", "currency units", "Regulators' fines for complaints in "
                   "the window (see [regulation])."),
    SummaryMeasure("net_loss", "currency units", "Bad-debt loss plus collection cost and "
                   "fines, in the window."),
    SummaryMeasure("contacts", "contacts", "Collection contact attempts in the window."),
    SummaryMeasure("contacts_per_delinquent_week", "contacts per account-week", "Contact "
                   "attempts per week an account spent delinquent or in collection."),
    SummaryMeasure("harm_per_delinquent_week", "contacts and complaints per account-week",
                   "Borrower harm: collection contact attempts plus complaints, per week an "
                   "account spent delinquent or in collection (the sweeps' policy frontier)."),
    SummaryMeasure("complaints_per_1000", "complaints per 1,000 borrowers", "Complaints in "
                   "the window per 1,000 borrowers."),
    SummaryMeasure("churn_rate", "share of borrowers", "Borrower-lender pairs broken by "
                   "collection pressure in the window, per borrower."),
    SummaryMeasure("deferral_rate", "deferrals per loan originated", "Deferrals granted "
                   "in the window per loan originated in the window: a rate, not a share (a "
                   "loan can be deferred more than once, and loans lent before the window are "
                   "deferred in it, so it can exceed 1)."),
    SummaryMeasure("redefault_rate", "share of deferrals", "Deferred loans that re-defaulted, "
                   "over deferrals granted, in the window (compare F11)."),
    SummaryMeasure("redefault_rate_12m", "share of loans first deferred", "Loans first "
                   "deferred (or put on a plan) in the window that reached the re-default DPD "
                   "within `deferral.redefault_window_days` of it, followed past the horizon "
                   "(NaN unless a run-off or the run's end covers the whole window of days; "
                   "compare F11)."),
    SummaryMeasure("strategic_miss_share", "share of missed installments", "Missed "
                   "installments in the window that were strategic (compare F10)."),
    SummaryMeasure("strategic_default_share", "share of defaults", "Charge-offs in the window "
                   "of borrowers who had decided not to pay although they could (compare "
                   "F10)."),
    SummaryMeasure("on_time_rate", "share of installments", "Installments falling due in the "
                   "window that were paid on their due day by borrowers who were current."),
    SummaryMeasure("rpc_rate_phone", "share of calls", "Collection calls in the window that "
                   "reached the borrower (compare F14)."),
    SummaryMeasure("contacted_4plus_share", "share of contacted borrowers", "Borrowers with "
                   "4 or more collection contact attempts in a 7-day week, over those with "
                   "any, pooled over the window's weeks (compare F13)."),
    SummaryMeasure("roll_rate_30_60", "share of loans per month", "Loans 31-60 DPD that are "
                   "61-90 DPD a month later, over the window's months (compare F5)."),
    SummaryMeasure("cure_rate", "share of loans per month", "Loans 31+ DPD that are current "
                   "a month later, over the window's months (compare F6)."),
    SummaryMeasure("approval_rate", "share of applications", "Applications approved in "
                   "the window."),
    SummaryMeasure("mean_score", "score points", "Mean bureau score at the horizon."),
    SummaryMeasure("score_auc", "0-1", "Area under the ROC curve of the score at "
                   "origination for a charge-off within a year, over the loans observed for a "
                   "year: those of the window when the run (with its run-off) observes them "
                   "for a year, else every loan from day 0 (0.5: the score does not rank "
                   "risk; see risk_gradient.csv)."),
    SummaryMeasure("lender_profit", "currency units", "Lenders' cash-basis profit in the "
                   "window: interest and fees less net charge-offs, collection, legal and hiring "
                   "cost and fines (no cost of funds, no provisions)."),
    SummaryMeasure("cost_of_funds", "currency units", "`lending.cost_of_funds_rate` on the "
                   "principal outstanding over the window."),
    SummaryMeasure("allowance_start", "currency units", "Expected-credit-loss allowance on "
                   "the book at the window's start (`sim.provisions`)."),
    SummaryMeasure("allowance_end", "currency units", "Expected-credit-loss allowance on the "
                   "book at the horizon."),
    SummaryMeasure("risk_adjusted_profit", "currency units", "Over the window: interest and "
                   "fees received less cost of funds, net charge-offs, collection, legal and "
                   "hiring cost, fines and the increase in the allowance."),
    SummaryMeasure("lending_min_score_mean", "score points", "Lenders' minimum score, "
                   "mean over the window (the scenario's own unless [supply] responds)."),
    SummaryMeasure("lending_min_score_peak", "score points", "Lenders' highest minimum score "
                   "in the window."),
    SummaryMeasure("mean_apr", "annual rate", "Principal-weighted APR of the loans "
                   "originated, mean over the window's days."),
    SummaryMeasure("capital_ratio_end", "share of assets", "Lenders' equity over assets at "
                   "the horizon."),
    SummaryMeasure("capital_ratio_low", "share of assets", "Lenders' lowest capital ratio in "
                   "the window."),
    SummaryMeasure("willingness_to_pay", "share of installments", "Installments falling due "
                   "in the window that borrowers did not refuse (refusals: strategic "
                   "defaulters and borrowers walking away from a lender they expect to fail)."),
    SummaryMeasure("burn_in_drift", "share of the level per year", "Change per year of the "
                   "30+ DPD share, from a line fitted to the two years before the window, "
                   "relative to its level: near 0 when the window starts from a steady state."),
    SummaryMeasure("burn_in_book_drift", "share of the level per year", "Change per year of "
                   "the principal outstanding, from a line fitted to the two years before the "
                   "window, relative to its level: near 0 when the book has stopped growing."),
    SummaryMeasure("window_start_day", "day", "First day of the window the rates are "
                   "taken over: `run.steady_state_from_day`, or 0 when the run is no longer "
                   "than that (then the window is the whole run, not a steady state)."),
    SummaryMeasure("window_end_day", "day", "Last day of the window (the horizon)."),
    *BORROWER_MONEY_MEASURES,
    *LIFETIME_MEASURES,
)

COMPARISON_MEASURES: tuple[SummaryMeasure, ...] = (
    SummaryMeasure("common_shocks_share", "share of shocked slots", "Of the borrower slots "
                   "that met a shock in the window under any variant of a replicate, those "
                   "whose shocks were identical under every variant (~1: common random "
                   "numbers)."),
    SummaryMeasure("common_people_share", "share of slots", "Borrower slots that held the "
                   "same sequence of people under every variant of a replicate."),
)
"""Measures a comparison adds to each run by setting its variants side by side."""

MEASURE_NAMES: tuple[str, ...] = tuple(m.name for m in SUMMARY_MEASURES)
MEASURE_UNITS: dict[str, str] = {m.name: m.unit
                                 for m in (*SUMMARY_MEASURES, *COMPARISON_MEASURES)}


def check_measure(name: str, source: str, key: str) -> None:
    """Raise a ScenarioError naming `source` and `key` unless `name` is a summary measure
    (with the nearest measure for a typo, else the list of them)."""
    if name in MEASURE_NAMES:
        return
    close = difflib.get_close_matches(name, MEASURE_NAMES, n=1)
    raise ScenarioError(source, key, f"'{name}' is not a summary measure" + (
        f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(MEASURE_NAMES)}"))


@dataclass(frozen=True)
class BookDates:
    """What a summary needs beyond the daily table: the allowance at the window's start and
    at the horizon (currency units), and, after a run-off, the row of the horizon in the
    daily table and the accounts open at the horizon and at the run-off's end; the loans
    first deferred in the window and those of them that re-defaulted within the cohort's
    window of days (`sim.redefaults`); what borrowers paid and lost in the window by type,
    score band and item (`sim.borrower_money`) and the borrowers of each type at the
    horizon."""

    allowance_start: float = float("nan")
    allowance_end: float = float("nan")
    horizon_row: int | None = None
    open_at_horizon: int = 0
    open_at_end: int = 0
    score_auc: float = float("nan")
    redefault_cohort: tuple[int, int] = (0, 0)
    money_by_kind_band: np.ndarray | None = None
    borrowers_by_kind: np.ndarray | None = None


def summarize(frame: pd.DataFrame, config: ScenarioConfig,
              transitions: TransitionRecorder | None = None,
              book: BookDates | None = None) -> dict[str, float]:
    """The SUMMARY_MEASURES of one run, from its daily metrics table, its monthly transitions
    (without them the roll and cure rates are NaN) and `book` (without it the allowances,
    the risk-adjusted profit and the lifetime measures are NaN)."""
    book = book or BookDates()
    full = frame
    if book.horizon_row is not None:
        frame = frame.iloc[: book.horizon_row + 1]
    last = frame.iloc[-1]
    start = window_start(config.run.steady_state_from_day, len(frame))
    window = frame.iloc[start:]
    before = frame.iloc[start - 1] if start > 0 else None
    span = len(window)
    annualise = DAYS_PER_YEAR / span

    def growth(column: str) -> float:
        return float(last[column] - (before[column] if before is not None else 0.0))

    mean_loans = window["loans_active"].mean()
    mean_balance = window["balance_active"].mean()
    net_chargeoffs = growth("charged_off_principal_cum") - growth("recoveries_cum")
    delinquent_columns = [c for c in frame.columns if c.startswith("loans_dpd_")]
    delinquent_days = (window[delinquent_columns].sum(axis=1) + window["claims_open"]).sum()
    contacts = growth("contacts_cum")
    complaints = growth("complaints_cum")
    collection_cost = (growth("collection_cost_cum") + growth("legal_cost_cum")
                       + growth("staff_cost_cum"))
    regulatory_cost = growth("regulatory_cost_cum")
    bad_debt = net_chargeoffs
    missed = window["missed_installments"].sum()
    borrowers = config.run.borrowers
    moves = (transitions.counts(from_day=start, to_day=len(frame))
             if transitions is not None else None)
    nan = float("nan")
    cost_of_funds = _cost_of_funds(window, config)
    income = growth("interest_income_cum") + growth("fee_income_cum")
    risk_adjusted = (income - cost_of_funds - net_chargeoffs - collection_cost
                     - regulatory_cost - (book.allowance_end - book.allowance_start))
    return {
        "originations": growth("originations_cum"),
        "defaults": growth("defaults_cum"),
        "default_rate": _ratio(growth("defaults_cum"), growth("originations_cum")),
        "annual_default_rate": _ratio(window["defaults"].sum(), mean_loans) * annualise,
        "annual_net_chargeoff_rate": _ratio(net_chargeoffs, mean_balance) * annualise,
        "dpd30_share": float(window["dpd30_share"].mean()),
        "dpd90_share": float(window["dpd90_share"].mean()),
        "dpd30_share_incl_forborne": float(window["dpd30_share_incl_forborne"].mean()),
        "forborne_share": float(window["forborne_share"].mean()),
        "bad_debt_loss": bad_debt,
        "recoveries": growth("recoveries_cum"),
        "recovery_rate": _ratio(growth("recoveries_cum") - growth("legacy_recoveries_cum"),
                                growth("charged_off_principal_cum")),
        "collection_cost": collection_cost,
        "net_loss": bad_debt + collection_cost + regulatory_cost,
        "regulatory_cost": regulatory_cost,
        "contacts": contacts,
        "contacts_per_delinquent_week": _ratio(contacts, delinquent_days / 7),
        "harm_per_delinquent_week": _ratio(contacts + complaints, delinquent_days / 7),
        "complaints_per_1000": complaints / borrowers * 1000,
        "churn_rate": growth("churned_cum") / borrowers,
        "deferral_rate": _ratio(growth("deferrals_granted_cum"), growth("originations_cum")),
        "redefault_rate": _ratio(growth("redefaults_cum"), growth("deferrals_granted_cum")),
        "redefault_rate_12m": (book.redefault_cohort[1] / book.redefault_cohort[0]
                               if book.redefault_cohort[0] else nan),
        "strategic_miss_share": _ratio(window["missed_strategic"].sum(), missed),
        "strategic_default_share": _ratio(window["defaults_strategic"].sum(),
                                          window["defaults"].sum()),
        "on_time_rate": _ratio(window["on_time_payments"].sum(),
                               window["installments_due"].sum()),
        "rpc_rate_phone": _ratio(window["rpc_phone"].sum(), window["contacts_phone"].sum()),
        "contacted_4plus_share": _ratio(window["contacted_4plus_7d"].sum(),
                                        window["contacted_7d"].sum()),
        "roll_rate_30_60": roll_rate_30_60(moves) if moves is not None else nan,
        "cure_rate": cure_rate(moves) if moves is not None else nan,
        "approval_rate": _ratio(window["originations"].sum(), window["applications"].sum()),
        "mean_score": float(last["mean_score"]),
        "score_auc": book.score_auc,
        "lender_profit": income - net_chargeoffs - collection_cost - regulatory_cost,
        "cost_of_funds": cost_of_funds,
        "allowance_start": book.allowance_start,
        "allowance_end": book.allowance_end,
        "risk_adjusted_profit": risk_adjusted,
        "lending_min_score_mean": float(window["lending_min_score"].mean()),
        "lending_min_score_peak": float(window["lending_min_score"].max()),
        "mean_apr": float(window["mean_apr"].mean()),
        "capital_ratio_end": float(last["lender_capital_ratio"]),
        "capital_ratio_low": float(window["lender_capital_ratio"].min()),
        "willingness_to_pay": 1.0 - _ratio(window["missed_strategic"].sum(),
                                           window["installments_due"].sum()),
        "burn_in_drift": burn_in_drift(frame, start),
        "burn_in_book_drift": burn_in_drift(frame, start, column="balance_active"),
        "window_start_day": float(start),
        "window_end_day": float(len(frame) - 1),
        "prudential_default_rate": _ratio(window["prudential_defaults"].sum(),
                                          mean_loans) * annualise,
        "prudential_defaults": float(window["prudential_defaults"].sum()),
        "dpd90_reached_rate": _ratio(window["default_dpd_reached"].sum(),
                                     mean_loans) * annualise,
        "prudential_default_forborne_share": _ratio(
            window["prudential_defaults_forborne"].sum()
            + window["prudential_defaults_restructured"].sum(),
            window["prudential_defaults"].sum()),
        "prudential_cures_per_default": _ratio(window["prudential_cures"].sum(),
                                       window["prudential_defaults"].sum()),
        **borrower_money(window, growth, delinquent_days, book, borrowers),
        **lifetime(full, start, book, config),
    }


def borrower_money(window: pd.DataFrame, growth: Callable[[str], float],
                   delinquent_days: float, book: BookDates, borrowers: int
                   ) -> dict[str, float]:
    """The BORROWER_MONEY_MEASURES of a window (`growth(column)`: a cumulative column's
    change over it; `delinquent_days`: account-days past due or charged off in it)."""
    paid = sum(growth(f"borrower_{ITEMS[k]}_cum") for k in PAID_ITEMS)
    out = {
        "borrower_paid": paid,
        "borrower_paid_per_borrower": paid / borrowers,
        "borrower_fees_paid": growth("borrower_fees_paid_cum"),
        "borrower_garnished": growth("borrower_garnished_cum"),
        "pause_interest_charged": growth("borrower_pause_interest_charged_cum"),
        "score_points_lost_per_borrower": growth("borrower_score_points_lost_cum") / borrowers,
        "fees_per_delinquent_year": _ratio(growth("borrower_fees_paid_cum"),
                                           delinquent_days / DAYS_PER_YEAR),
    }
    grid, kinds = book.money_by_kind_band, book.borrowers_by_kind
    paid_grid = (grid[:, :, list(PAID_ITEMS)].sum(axis=2) / CENTS if grid is not None
                 else None)
    for k, name in enumerate(PAID_BY_KIND):
        out[name] = (
            _ratio(paid_grid[k].sum(), kinds[k]) if paid_grid is not None and kinds is not None
            else float("nan"))
    for b, (name, band) in enumerate(zip(PAID_BY_BAND, SCORE_BAND_NAMES, strict=True)):
        out[name] = (
            _ratio(paid_grid[:, b].sum(), window[f"score_{band}"].mean())
            if paid_grid is not None else float("nan"))
    return out


def lifetime(frame: pd.DataFrame, start: int, book: BookDates,
             config: ScenarioConfig) -> dict[str, float]:
    """The LIFETIME_MEASURES: from the window's start (row `start`) through the run-off that
    follows the horizon (`book.horizon_row`); NaN without a run-off, and all but
    `runoff_open_share` and `runoff_days` NaN when more than `RUNOFF_OPEN_LIMIT` of the
    accounts open at the horizon were still open when the run-off stopped (their losses are
    still to come: a 0 there would be no loss only because none had arrived yet)."""
    if book.horizon_row is None:
        return {m.name: float("nan") for m in LIFETIME_MEASURES}
    end, horizon = frame.iloc[-1], frame.iloc[book.horizon_row]
    before = frame.iloc[start - 1] if start > 0 else None

    def since_start(row: pd.Series, column: str) -> float:
        return float(row[column] - (before[column] if before is not None else 0.0))

    charged_off = since_start(end, "charged_off_principal_cum")
    recovered = since_start(end, "recoveries_cum")
    legacy = since_start(end, "legacy_recoveries_cum")
    # The loss rate is the loans' own: recoveries on claims charged off before the window
    # (an older book) do not offset it. The money measures take every cash flow of the
    # book after the window's start, those recoveries and the cost of collecting them alike.
    credit_loss = charged_off - (recovered - legacy)
    exposure = ((before["balance_active"] if before is not None else 0.0)
                + since_start(horizon, "originated_principal_cum"))
    costs = sum(since_start(end, f"{kind}_cost_cum")
                for kind in ("collection", "legal", "staff", "regulatory"))
    income = since_start(end, "interest_income_cum") + since_start(end, "fee_income_cum")
    forgone = (since_start(end, "interest_fees_waived_cum")
               + since_start(end, "interest_fees_charged_off_cum"))
    open_share = _ratio(book.open_at_end, book.open_at_horizon)
    if open_share > RUNOFF_OPEN_LIMIT:
        return {**{m.name: float("nan") for m in LIFETIME_MEASURES},
                "runoff_open_share": open_share,
                "runoff_days": float(len(frame) - 1 - book.horizon_row)}
    loans = ((before["loans_active"] if before is not None else 0.0)
             + since_start(horizon, "originations_cum"))
    return {
        "lifetime_prudential_default_rate": _ratio(
            since_start(end, "prudential_defaults_cum"), loans),
        "lifetime_borrower_paid": sum(since_start(end, f"borrower_{ITEMS[k]}_cum")
                                      for k in PAID_ITEMS),
        "lifetime_loss_rate": _ratio(credit_loss, exposure),
        "lifetime_recovery_rate": _ratio(recovered - legacy, charged_off),
        "lifetime_net_loss": charged_off + forgone - recovered + costs,
        "lifetime_profit": (income - _cost_of_funds(frame.iloc[start:], config)
                            - (charged_off - recovered) - costs),
        "runoff_open_share": open_share,
        "runoff_days": float(len(frame) - 1 - book.horizon_row),
    }


def window_start(steady_state_from_day: int, rows: int) -> int:
    """First day (row) of the measured window of a run of `rows` days up to its horizon:
    `steady_state_from_day`, or 0 when the run is no longer than that (measured whole)."""
    return steady_state_from_day if steady_state_from_day < rows else 0


def window_text(start: int, end: int, steady_state_from_day: int, short: bool = False) -> str:
    """How a report (or, `short`, a figure title) names the window of days `start` to `end`:
    a steady-state window, or the whole run when the run was no longer than
    `steady_state_from_day`."""
    if start == steady_state_from_day:
        return f"steady-state window, days {start}-{end}"
    if short:
        return f"whole run, days {start}-{end} (not a steady state)"
    return (f"whole run, days {start}-{end}: not a steady state (the run is no longer than "
            f"run.steady_state_from_day = {steady_state_from_day})")


def measure_status(summary: dict[str, float], steady_state_from_day: int,
                   tolerance: float = STATIONARITY_TOLERANCE) -> dict[str, str]:
    """For each measure of `summary` (one run), "ok" or why its value is missing or is not
    what its name promises: the window is the whole run, not a steady state
    (`window_start_day`, `window_end_day`); the run-off did not finish or there was none
    (lifetime measures); no loan was observed for a year (`score_auc`, and the empty
    risk_gradient.csv); the fork was not stationary within `tolerance` (`burn_in_drift`,
    `burn_in_book_drift`)."""
    status = {name: "ok" for name in summary}
    start, end = summary.get("window_start_day"), summary.get("window_end_day")
    if start is not None and end is not None:
        steady = int(start) == steady_state_from_day
        window = ("steady" if steady else
                  f"whole run, shorter than steady_state_from_day ({steady_state_from_day})")
        status["window_start_day"] = status["window_end_day"] = window
    open_share = summary.get("runoff_open_share", float("nan"))
    runoff_days = summary.get("runoff_days", float("nan"))
    if np.isnan(runoff_days):
        lifetime_status = "no run-off: not measured"
    elif open_share > RUNOFF_OPEN_LIMIT:
        lifetime_status = (f"run-off did not finish: {100 * open_share:.2f} % of the accounts "
                           f"open at the horizon were still open after {runoff_days:.0f} "
                           f"day(s) (limit {100 * RUNOFF_OPEN_LIMIT:.1f} %); losses still "
                           "to come are not counted, so the lifetime measures are NaN")
    else:
        lifetime_status = "ok"
    for measure in LIFETIME_MEASURES:
        if measure.name in status:
            status[measure.name] = lifetime_status
    if lifetime_status.startswith("no run-off"):
        status["runoff_open_share"] = status["runoff_days"] = lifetime_status
    if "score_auc" in summary and np.isnan(summary["score_auc"]):
        last = (end or 0) + (0 if np.isnan(runoff_days) else runoff_days)
        if last < DAYS_PER_YEAR:
            status["score_auc"] = (f"not measured: the run ends on day {last:.0f}, before any "
                                   f"loan was observed for a year ({DAYS_PER_YEAR:.0f} days); "
                                   "risk_gradient.csv has no rows")
        else:
            status["score_auc"] = ("not measured: the loans observed for a year did not "
                                   "include both defaults and loans that did not default")
    for name in ("burn_in_drift", "burn_in_book_drift"):
        if name not in summary:
            continue
        if np.isnan(summary[name]):
            status[name] = (f"not measured: fewer than {DRIFT_DAYS} days before the window")
        elif abs(summary[name]) > tolerance:
            status[name] = (f"stationarity not met: {100 * summary[name]:+.1f} % of the level "
                            f"a year, fitted over the {DRIFT_DAYS} days before the window "
                            f"(tolerance {100 * tolerance:.0f} %)")
    return status


DRIFT_DAYS = 720
"""Days before the window over which `burn_in_drift` and `burn_in_book_drift` are fitted: two
years, so that a year-to-year change of a 30+ DPD share near 1 % stands out of its day-to-day
noise (docs/validation.md, "Where the market is steady")."""


def burn_in_drift(frame: pd.DataFrame, start: int, days: int = DRIFT_DAYS,
                  column: str = "dpd30_share") -> float:
    """Change per year of `column`, from a least-squares line over the `days` days before row
    `start`, relative to its mean level over those days (NaN if there are not enough days or
    the level is 0)."""
    if start < days:
        return float("nan")
    series = frame[column].to_numpy()[start - days:start]
    level = series.mean()
    if not level > 0:
        return float("nan")
    slope = np.polyfit(np.arange(days), series, 1)[0]
    return float(slope * DAYS_PER_YEAR / level)


def _cost_of_funds(rows: pd.DataFrame, config: ScenarioConfig) -> float:
    """`lending.cost_of_funds_rate` on the principal outstanding on each day of `rows`."""
    return float(rows["balance_active"].sum() * config.lending.cost_of_funds_rate
                 / DAYS_PER_YEAR)


def contacts_by_channel(frame: pd.DataFrame) -> dict[str, float]:
    """Collection contact attempts over the run, by channel."""
    return {c: float(frame[f"contacts_{c}"].sum()) for c in CHANNELS}


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0
