"""End-of-run summary: the headline measures of one simulation, from its daily metrics.

Cumulative measures are read on the last day; rates of a steady state (30+ and 90+ DPD
shares, annual default and net charge-off rates) are taken over the window from
`run.steady_state_from_day` to the end, so the months in which the book fills up do not count.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from sim.config import CHANNELS, ScenarioConfig
from sim.scenario import ScenarioError
from sim.transitions import TransitionRecorder, cure_rate, roll_rate_30_60
from sim.units import DAYS_PER_YEAR


@dataclass(frozen=True)
class SummaryMeasure:
    """One end-of-run measure: name, unit and meaning."""

    name: str
    unit: str
    doc: str


SUMMARY_MEASURES: tuple[SummaryMeasure, ...] = (
    SummaryMeasure("originations", "loans", "Loans originated over the run."),
    SummaryMeasure("defaults", "loans", "Loans charged off over the run."),
    SummaryMeasure("default_rate", "share of loans", "Loans charged off over loans "
                   "originated, over the run."),
    SummaryMeasure("annual_default_rate", "share of active loans per year", "Charge-offs in "
                   "the steady-state window over the mean number of active loans, annualised."),
    SummaryMeasure("annual_net_chargeoff_rate", "share of balances per year", "Charged-off "
                   "principal less recoveries in the window over the mean balance, annualised "
                   "(compare F4)."),
    SummaryMeasure("dpd30_share", "share of balances", "Mean share of principal 30+ DPD in "
                   "the window (compare F1)."),
    SummaryMeasure("dpd90_share", "share of balances", "Mean share of principal 90+ DPD in "
                   "the window (compare F2)."),
    SummaryMeasure("bad_debt_loss", "currency units", "Charged-off principal minus "
                   "recoveries."),
    SummaryMeasure("recoveries", "currency units", "Recoveries on charged-off loans (debt "
                   "sales included)."),
    SummaryMeasure("recovery_rate", "share of charged-off principal", "Recoveries over "
                   "charged-off principal."),
    SummaryMeasure("collection_cost", "currency units", "Reminders, collection contacts and "
                   "legal cases."),
    SummaryMeasure("net_loss", "currency units", "Bad-debt loss plus collection cost."),
    SummaryMeasure("contacts", "contacts", "Collection contact attempts."),
    SummaryMeasure("contacts_per_delinquent_week", "contacts per account-week", "Contact "
                   "attempts per week an account spent delinquent or in collection."),
    SummaryMeasure("harm_per_delinquent_week", "contacts and complaints per account-week",
                   "Borrower harm: collection contact attempts plus complaints, per week an "
                   "account spent delinquent or in collection (the sweeps' policy frontier)."),
    SummaryMeasure("complaints_per_1000", "complaints per 1,000 borrowers", "Complaints over "
                   "the run per 1,000 borrowers."),
    SummaryMeasure("churn_rate", "share of borrowers", "Borrower-lender pairs broken by "
                   "collection pressure, per borrower."),
    SummaryMeasure("deferral_rate", "share of loans", "Deferrals granted per loan "
                   "originated."),
    SummaryMeasure("redefault_rate", "share of deferrals", "Deferred loans that re-defaulted, "
                   "over deferrals granted (compare F11)."),
    SummaryMeasure("strategic_miss_share", "share of missed installments", "Missed "
                   "installments that were strategic (compare F10)."),
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
    SummaryMeasure("approval_rate", "share of applications", "Applications approved."),
    SummaryMeasure("mean_score", "score points", "Mean bureau score on the last day."),
    SummaryMeasure("lender_profit", "currency units", "Lenders' profit over the run."),
)

MEASURE_NAMES: tuple[str, ...] = tuple(m.name for m in SUMMARY_MEASURES)
MEASURE_UNITS: dict[str, str] = {m.name: m.unit for m in SUMMARY_MEASURES}


def check_measure(name: str, source: str, key: str) -> None:
    """Raise a ScenarioError naming `source` and `key` unless `name` is a summary measure
    (with the nearest measure for a typo, else the list of them)."""
    if name in MEASURE_NAMES:
        return
    close = difflib.get_close_matches(name, MEASURE_NAMES, n=1)
    raise ScenarioError(source, key, f"'{name}' is not a summary measure" + (
        f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(MEASURE_NAMES)}"))


def summarize(frame: pd.DataFrame, config: ScenarioConfig,
              transitions: TransitionRecorder | None = None) -> dict[str, float]:
    """The SUMMARY_MEASURES of one run, from its daily metrics table and its monthly
    transitions (without them the roll and cure rates are NaN)."""
    last = frame.iloc[-1]
    start = min(config.run.steady_state_from_day, len(frame) - 1)
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
    delinquent_days = (frame[delinquent_columns].sum(axis=1) + frame["claims_open"]).sum()
    contacts = float(last["contacts_cum"])
    collection_cost = float(last["collection_cost_cum"] + last["legal_cost_cum"])
    missed = frame["missed_installments"].sum()
    borrowers = config.run.borrowers
    moves = transitions.counts(from_day=start) if transitions is not None else None
    nan = float("nan")
    return {
        "originations": float(last["originations_cum"]),
        "defaults": float(last["defaults_cum"]),
        "default_rate": float(last["default_rate"]),
        "annual_default_rate": _ratio(window["defaults"].sum(), mean_loans) * annualise,
        "annual_net_chargeoff_rate": _ratio(net_chargeoffs, mean_balance) * annualise,
        "dpd30_share": float(window["dpd30_share"].mean()),
        "dpd90_share": float(window["dpd90_share"].mean()),
        "bad_debt_loss": float(last["bad_debt_loss"]),
        "recoveries": float(last["recoveries_cum"]),
        "recovery_rate": float(last["recovery_rate"]),
        "collection_cost": collection_cost,
        "net_loss": float(last["bad_debt_loss"]) + collection_cost,
        "contacts": contacts,
        "contacts_per_delinquent_week": _ratio(contacts, delinquent_days / 7),
        "harm_per_delinquent_week": _ratio(contacts + float(last["complaints_cum"]),
                                           delinquent_days / 7),
        "complaints_per_1000": float(last["complaints_cum"]) / borrowers * 1000,
        "churn_rate": float(last["churned_cum"]) / borrowers,
        "deferral_rate": _ratio(last["deferrals_granted_cum"], last["originations_cum"]),
        "redefault_rate": _ratio(last["redefaults_cum"], last["deferrals_granted_cum"]),
        "strategic_miss_share": _ratio(frame["missed_strategic"].sum(), missed),
        "strategic_default_share": _ratio(window["defaults_strategic"].sum(),
                                          window["defaults"].sum()),
        "on_time_rate": _ratio(window["on_time_payments"].sum(),
                               window["installments_due"].sum()),
        "rpc_rate_phone": _ratio(window["rpc_phone"].sum(), window["contacts_phone"].sum()),
        "contacted_4plus_share": _ratio(window["contacted_4plus_7d"].sum(),
                                        window["contacted_7d"].sum()),
        "roll_rate_30_60": roll_rate_30_60(moves) if moves is not None else nan,
        "cure_rate": cure_rate(moves) if moves is not None else nan,
        "approval_rate": float(last["approval_rate"]),
        "mean_score": float(last["mean_score"]),
        "lender_profit": float(last["lender_profit"]),
    }


def contacts_by_channel(frame: pd.DataFrame) -> dict[str, float]:
    """Collection contact attempts over the run, by channel."""
    return {c: float(frame[f"contacts_{c}"].sum()) for c in CHANNELS}


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0
