"""Daily metrics: declared once, recorded into a preallocated array by one mechanism.

Each `Metric` names a daily measure, its unit and meaning, and how to read it from a
`Snapshot` (aggregates of the borrower columns, today's event counts, cumulative counts and
the lenders' ledgers, computed once per day). `MetricsRecorder` stores one row per day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.borrower_money import ITEMS as MONEY_ITEMS
from sim.borrower_money import SCORE_POINTS_LOST
from sim.config import CHANNELS, SCORE_BAND_NAMES
from sim.default_status import DEFAULT_EVENTS
from sim.totals import loan_book

if TYPE_CHECKING:
    from sim.state import MarketState
    from sim.totals import PopulationTotals

EVENT_NAMES: tuple[str, ...] = (
    "applications", "originations", "originated_principal", "rejected_score",
    "rejected_bureau_flag", "rejected_dti", "rejected_capital", "installments_due",
    "on_time_payments", "missed_installments", "missed_hardship", "missed_strategic",
    "missed_forgetful", "partial_payments", "payments_cents", "paid_off", "late_fees",
    "reminders", *(f"contacts_{c}" for c in CHANNELS), *(f"rpc_{c}" for c in CHANNELS),
    "third_party_contacts", "payments_after_contact", "complaints", "opt_outs", "churned",
    "bureau_reports", "legal_filed", "legal_judgments", "legal_enforced", "legal_recovered",
    "deferrals_requested", "deferral_false_claims", "deferrals_granted",
    "deferrals_granted_ineligible",
    "deferrals_refused", "repayment_plans", "redefaults", "defaults", "defaults_strategic",
    "charged_off_principal",
    "debts_sold", "claims_written_off", "score_updates", "borrowers_replaced",
    "collectors_hired", "regulatory_sanctions", *DEFAULT_EVENTS,
)
"""Events the phases count each day; `model.events[name]` is today's count."""


@dataclass
class Snapshot:
    """Everything the metrics read at the end of a day."""

    day: int
    events: dict[str, int]
    totals: dict[str, int]
    bucket_loans: np.ndarray  # active loans: current, 1-30, 31-60, 61-90, 90+
    bucket_balance: np.ndarray  # principal in cents, same buckets
    loans_active: int  # bucket_loans summed
    balance_active: float  # bucket_balance summed, cents
    balance_dpd30: float  # principal of active loans with dpd >= 30, cents
    balance_dpd90: float  # principal of active loans with dpd >= 90, cents
    loans_dpd30: int  # active loans with dpd >= 30
    loans_in_deferral: int
    claims_open: int
    loans_forborne: int  # active loans under forbearance
    balance_forborne: float  # their principal, cents
    loans_forborne_np: int  # forborne loans re-aged from 30+ DPD and now under 30 DPD
    balance_forborne_np: float  # their principal, cents
    score_mean: float
    band_counts: np.ndarray
    jobless: int
    contacted_7d: int  # on the last day of each week: borrowers contacted in the last 7 days
    contacted_4plus_7d: int  # ... of whom 4 or more times
    ill: int
    lender_cash: int
    interest_income: int
    fee_income: int
    recoveries: int
    charged_off_principal: int
    collection_cost: int
    legal_cost: int
    interest_waived: int
    fees_waived: int
    legacy_recoveries: int
    interest_fees_charged_off: int
    staff_cost: int
    regulatory_cost: int
    profit: int
    min_score: float  # lenders' minimum score, mean over lenders
    mean_apr: float  # principal-weighted APR of the last 30 days' loans (NaN if none)
    capital_ratio: float  # lenders' equity over their assets, pooled
    stress: float  # lenders' stress at their last review, mean over lenders
    distress: float  # borrowers' belief that their lender will fail, mean over lenders
    collectors: int
    restricted: int  # lenders under a regulator's contact restriction today
    borrower_money: np.ndarray  # what borrowers paid and lost since day 0, by MONEY_ITEMS


@dataclass(frozen=True)
class Metric:
    """One daily measure: name, unit, meaning and how to read it."""

    name: str
    unit: str
    doc: str
    read: Callable[[Snapshot], float]


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _units(cents: int | float) -> float:
    return cents / 100.0


def _bucket_metrics() -> list[Metric]:
    names = ("current", "dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")
    return [Metric(f"loans_{name}", "loans", f"Active loans {name.replace('_', ' ')}.",
                   lambda s, i=i: float(s.bucket_loans[i])) for i, name in enumerate(names)]


def _event_metrics() -> list[Metric]:
    daily = ["applications", "originations", "rejected_score", "rejected_bureau_flag",
             "rejected_dti", "rejected_capital", "installments_due", "on_time_payments",
             "missed_installments", "missed_hardship", "missed_strategic", "missed_forgetful",
             "reminders", *(f"contacts_{c}" for c in CHANNELS), *(f"rpc_{c}" for c in CHANNELS),
             "complaints", "bureau_reports", "legal_filed", "legal_judgments",
             "deferrals_requested", "deferrals_granted", "deferrals_refused", "defaults",
             "defaults_strategic", *DEFAULT_EVENTS]
    return [Metric(name, "events per day", f"Today's count of {name.replace('_', ' ')}.",
                   lambda s, n=name: float(s.events[n])) for name in daily]


METRICS: tuple[Metric, ...] = (
    Metric("day", "day", "Day number (0 is the first tick).", lambda s: float(s.day)),
    Metric("loans_active", "loans", "Active loans (not charged off).",
           lambda s: float(s.loans_active)),
    *_bucket_metrics(),
    Metric("loans_in_deferral", "loans", "Active loans in a deferral pause.",
           lambda s: float(s.loans_in_deferral)),
    Metric("claims_open", "accounts", "Charged-off accounts still being collected.",
           lambda s: float(s.claims_open)),
    Metric("balance_active", "currency units", "Principal outstanding on active loans.",
           lambda s: _units(s.balance_active)),
    Metric("dpd30_share", "share of balances", "Principal 30+ days past due over principal "
           "outstanding.", lambda s: _ratio(s.balance_dpd30, s.balance_active)),
    Metric("dpd90_share", "share of balances", "Principal 90+ days past due over principal "
           "outstanding.", lambda s: _ratio(s.balance_dpd90, s.balance_active)),
    Metric("dpd30_loan_share", "share of loans", "Active loans 30+ days past due over active "
           "loans.", lambda s: _ratio(s.loans_dpd30, s.loans_active)),
    Metric("loans_forborne", "loans", "Active loans under forbearance: granted a deferral and "
           "not yet through their probation (`deferral.probation_days`).",
           lambda s: float(s.loans_forborne)),
    Metric("forborne_share", "share of balances", "Principal of forborne loans over principal "
           "outstanding.", lambda s: _ratio(s.balance_forborne, s.balance_active)),
    Metric("dpd30_share_incl_forborne", "share of balances", "Principal 30+ days past due, "
           "plus forborne loans re-aged from 30+ DPD (non-performing until probation ends), "
           "over principal outstanding.",
           lambda s: _ratio(s.balance_dpd30 + s.balance_forborne_np, s.balance_active)),
    Metric("dpd30_loan_share_incl_forborne", "share of loans", "Active loans 30+ days past "
           "due or forborne from 30+ DPD, over active loans (what peers see).",
           lambda s: peer_delinquency(s)),
    *_event_metrics(),
    Metric("willingness_to_pay", "share of installments", "Installments falling due today "
           "that borrowers did not refuse (refusals: strategic defaulters and borrowers who "
           "stopped paying a lender they expect to fail); 1 when none fall due.",
           lambda s: 1.0 - _ratio(s.events["missed_strategic"], s.events["installments_due"])),
    Metric("lending_min_score", "score points", "Lowest score the lenders accept today (mean "
           "over lenders; moves at policy reviews, see [supply]).", lambda s: s.min_score),
    Metric("mean_apr", "annual rate", "Principal-weighted APR of the loans originated in the "
           "last 30 days (NaN if none).", lambda s: s.mean_apr),
    Metric("lender_capital_ratio", "share of assets", "Lenders' equity (cash and loans less "
           "funding owed) over their assets (cash and loans).", lambda s: s.capital_ratio),
    Metric("lender_stress", "percentage points", "Lenders' stress at their last policy "
           "review: loss rate above target plus capital shortfall (mean over lenders).",
           lambda s: s.stress),
    Metric("lender_distress", "0-1", "How close to failure borrowers believe their lender "
           "is, from the public signal of its capital ratio (mean over lenders).",
           lambda s: s.distress),
    Metric("collectors", "collectors", "Collectors employed.",
           lambda s: float(s.collectors)),
    Metric("lenders_restricted", "lenders", "Lenders whose contacts a regulator restricts "
           "today.", lambda s: float(s.restricted)),
    Metric("staff_cost_cum", "currency units", "Cost of hiring collectors since day 0.",
           lambda s: _units(s.staff_cost)),
    Metric("regulatory_cost_cum", "currency units", "Regulators' fines for complaints since "
           "day 0.", lambda s: _units(s.regulatory_cost)),
    Metric("regulatory_sanctions", "events per day", "Sanctions imposed today.",
           lambda s: float(s.events["regulatory_sanctions"])),
    Metric("originations_cum", "loans", "Loans originated since day 0.",
           lambda s: float(s.totals["originations"])),
    Metric("defaults_cum", "loans", "Loans charged off since day 0.",
           lambda s: float(s.totals["defaults"])),
    Metric("default_rate", "share of loans", "Loans charged off over loans originated.",
           lambda s: _ratio(s.totals["defaults"], s.totals["originations"])),
    Metric("approval_rate", "share of applications", "Applications approved since day 0.",
           lambda s: _ratio(s.totals["originations"], s.totals["applications"])),
    Metric("charged_off_principal_cum", "currency units", "Principal charged off since day 0.",
           lambda s: _units(s.charged_off_principal)),
    Metric("recoveries_cum", "currency units", "Recoveries (including debt sales) since day "
           "0.", lambda s: _units(s.recoveries)),
    Metric("bad_debt_loss", "currency units", "Charged-off principal minus recoveries.",
           lambda s: _units(s.charged_off_principal - s.recoveries)),
    Metric("recovery_rate", "share of charged-off principal", "Recoveries over charged-off "
           "principal.", lambda s: _ratio(s.recoveries, s.charged_off_principal)),
    Metric("collection_cost_cum", "currency units", "Cost of reminders and collection "
           "contacts since day 0.", lambda s: _units(s.collection_cost)),
    Metric("legal_cost_cum", "currency units", "Cost of legal cases since day 0.",
           lambda s: _units(s.legal_cost)),
    Metric("contacts_cum", "contacts", "Collection contact attempts since day 0.",
           lambda s: float(sum(s.totals[f"contacts_{c}"] for c in CHANNELS))),
    Metric("complaints_cum", "complaints", "Complaints since day 0.",
           lambda s: float(s.totals["complaints"])),
    Metric("churned_cum", "borrower-lender pairs", "Borrowers who stopped borrowing from a "
           "lender because of its collection, since day 0.",
           lambda s: float(s.totals["churned"])),
    Metric("deferrals_requested_cum", "requests", "Deferral requests since day 0.",
           lambda s: float(s.totals["deferrals_requested"])),
    Metric("deferrals_granted_cum", "grants", "Deferrals granted since day 0.",
           lambda s: float(s.totals["deferrals_granted"])),
    Metric("redefaults_cum", "loans", "Deferred loans that reached the re-default DPD.",
           lambda s: float(s.totals["redefaults"])),
    Metric("prudential_defaults_cum", "loans", "Entries into default as supervisors define "
           "it (`sim.default_status`) since day 0.",
           lambda s: float(s.totals["prudential_defaults"])),
    *(Metric(f"borrower_{item}_cum", "score points" if k == SCORE_POINTS_LOST
             else "currency units", f"Borrowers' {item.replace('_', ' ')} since day 0 "
             "(`sim.borrower_money`).",
             lambda s, k=k: (float(s.borrower_money[k]) if k == SCORE_POINTS_LOST
                             else _units(s.borrower_money[k])))
      for k, item in enumerate(MONEY_ITEMS)),
    Metric("mean_score", "score points", "Mean bureau score of all borrowers.",
           lambda s: s.score_mean),
    *(Metric(f"score_{band}", "borrowers", f"Borrowers with a {band.replace('_', ' ')} score.",
             lambda s, i=i: float(s.band_counts[i])) for i, band in enumerate(SCORE_BAND_NAMES)),
    Metric("contacted_7d", "borrowers", "On the last day of each 7-day week (days 6, 13, "
           "...), borrowers with a collection contact attempt in the last 7 days; 0 on "
           "other days.", lambda s: float(s.contacted_7d)),
    Metric("contacted_4plus_7d", "borrowers", "Of `contacted_7d`, those with 4 or more "
           "attempts in the 7 days (compare F13).", lambda s: float(s.contacted_4plus_7d)),
    Metric("jobless", "borrowers", "Borrowers out of work today.", lambda s: float(s.jobless)),
    Metric("ill", "borrowers", "Borrowers ill today.", lambda s: float(s.ill)),
    Metric("lender_cash", "currency units", "Cash of all lenders.",
           lambda s: _units(s.lender_cash)),
    Metric("interest_income_cum", "currency units", "Interest received since day 0.",
           lambda s: _units(s.interest_income)),
    Metric("fee_income_cum", "currency units", "Late fees received since day 0.",
           lambda s: _units(s.fee_income)),
    Metric("interest_fees_waived_cum", "currency units", "Past-due interest and fees waived "
           "at deferral grants since day 0 (income forgone).",
           lambda s: _units(s.interest_waived + s.fees_waived)),
    Metric("interest_fees_charged_off_cum", "currency units", "Unpaid interest and fees "
           "written into claims at charge-off since day 0 (income forgone unless recovered).",
           lambda s: _units(s.interest_fees_charged_off)),
    Metric("legacy_recoveries_cum", "currency units", "Of `recoveries_cum`, those on claims "
           "charged off before the measured window began (0 without a window).",
           lambda s: _units(s.legacy_recoveries)),
    Metric("originated_principal_cum", "currency units", "Principal lent since day 0.",
           lambda s: _units(s.totals["originated_principal"])),
    Metric("lender_profit", "currency units", "Interest and fees less bad-debt loss, "
           "collection, legal and hiring costs and fines, since day 0 (cash basis, no "
           "provisions or cost of funds: see `risk_adjusted_profit` in the summary).",
           lambda s: _units(s.profit)),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
METRIC_UNITS: dict[str, str] = {m.name: m.unit for m in METRICS}
def peer_delinquency(s: Snapshot) -> float:
    """The market's delinquency that peers see: active loans 30+ days past due or forborne
    from 30+ DPD (a re-aged loan is not a cure to them either), over active loans."""
    return _ratio(s.loans_dpd30 + s.loans_forborne_np, s.loans_active)


def take_snapshot(state: MarketState, active_loans: int, totals: PopulationTotals) -> Snapshot:
    """Aggregate the borrower columns and ledgers once, for every metric of the day
    (`active_loans`: from the event counts; `totals`: the day's `population_totals`)."""
    pop, day = state.population, state.day
    lenders = state.lenders
    ledgers = [lender.ledger for lender in lenders]
    book = loan_book(state.columns, pop.watched, active_loans,
                     sum(x.outstanding for x in ledgers))
    return Snapshot(
        day=day, events=state.events, totals=state.totals,
        bucket_loans=book.bucket_loans, bucket_balance=book.bucket_balance,
        loans_active=book.loans_active, balance_active=book.bucket_balance.sum(),
        balance_dpd30=float(book.balance_dpd30),
        balance_dpd90=float(book.balance_dpd90),
        loans_dpd30=book.loans_dpd30,
        loans_in_deferral=totals.loans_in_deferral,
        claims_open=totals.claims_open,
        loans_forborne=totals.forborne_loans,
        balance_forborne=float(totals.forborne_balance),
        loans_forborne_np=totals.forborne_np_loans,
        balance_forborne_np=float(totals.forborne_np_balance),
        score_mean=float(book.score_total) / max(pop.n, 1),
        band_counts=book.band_counts,
        jobless=totals.jobless,
        contacted_7d=totals.contacted_7d, contacted_4plus_7d=totals.contacted_4plus_7d,
        ill=totals.ill,
        lender_cash=sum(x.cash for x in ledgers),
        interest_income=sum(x.interest_income for x in ledgers),
        fee_income=sum(x.fee_income for x in ledgers),
        recoveries=sum(x.recoveries for x in ledgers),
        charged_off_principal=sum(x.charged_off_principal for x in ledgers),
        collection_cost=sum(x.collection_cost for x in ledgers),
        legal_cost=sum(x.legal_cost for x in ledgers),
        interest_waived=sum(x.interest_waived for x in ledgers),
        legacy_recoveries=sum(x.legacy_recoveries for x in ledgers),
        interest_fees_charged_off=sum(x.interest_fees_charged_off for x in ledgers),
        fees_waived=sum(x.fees_waived for x in ledgers),
        staff_cost=sum(x.staff_cost for x in ledgers),
        regulatory_cost=sum(x.regulatory_cost for x in ledgers),
        profit=sum(x.profit for x in ledgers),
        min_score=float(np.mean([x.policy.min_score for x in lenders])),
        mean_apr=_pooled_apr(lenders),
        capital_ratio=_ratio(sum(x.equity() for x in lenders), sum(x.assets() for x in lenders)),
        stress=float(np.mean([x.stress for x in lenders])),
        distress=float(np.mean([x.distress() for x in lenders])),
        collectors=len(state.collectors),
        restricted=sum(day < x.restricted_until for x in lenders),
        borrower_money=pop.borrower_money.sum(axis=(0, 1)),
    )


def _pooled_apr(lenders: list) -> float:
    """Principal-weighted APR of every lender's loans of the last 30 days (NaN if none)."""
    principal, weighted = np.sum([x.recent_lending() for x in lenders], axis=0)
    return float(weighted / principal) if principal > 0 else float("nan")


class MetricsRecorder:
    """One row of `METRICS` per day in a preallocated float64 array (grows if a model runs
    past its planned length, as in a dashboard)."""

    def __init__(self, days: int) -> None:
        self.values = np.full((max(days, 1), len(METRICS)), np.nan)
        self.rows = 0
        self.latest_row: list[float] = []

    @property
    def latest(self) -> dict[str, float]:
        """The last recorded row by metric name (empty before the first day)."""
        if not self.latest_row:
            return {}
        return dict(zip(METRIC_NAMES, self.latest_row, strict=True))

    def record(self, snapshot: Snapshot) -> list[float]:
        """Measure today from its `snapshot` and store the row; returns it (values in the
        order of `METRICS`)."""
        row = [metric.read(snapshot) for metric in METRICS]
        if self.rows == self.values.shape[0]:
            self.values = np.vstack([self.values, np.full_like(self.values, np.nan)])
        self.values[self.rows] = row
        self.rows += 1
        self.latest_row = row
        return row

    def frame(self) -> pd.DataFrame:
        """All recorded days as a DataFrame (one row per day, one column per metric)."""
        frame = pd.DataFrame(self.values[: self.rows], columns=list(METRIC_NAMES))
        frame["day"] = frame["day"].astype(np.int64)
        return frame
