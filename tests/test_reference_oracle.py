"""Oracle: the vectorised core and a plain Mesa reference agree in distribution.

`benchmarks/reference_mesa.py` implements the model's daily rules a second time, one Mesa agent
per borrower and Python loops, sharing no phase code with `sim/`. Both run the same scenario
over the same fixed seeds. For every compared end-of-run measure a two-sided Mann-Whitney U
test must not reject equality at family-wise level ALPHA (Bonferroni: each p-value must exceed
ALPHA / number of measures), and the means of the large counts must agree within a relative
tolerance. The scenarios raise shock rates and switch on the optional mechanisms so that every
rule acts within a year on a few hundred borrowers.

Negative controls each change one rule a little in the reference only (a shock rate by a
third, the strategic propensity, the late fee, a channel's right-party rate, the reach of
third-party calls); the same procedure must then report a disagreement on the measure that
rule moves, so the test can fail, and a mistake of that size in any of these rules would be
seen. At 1,200 borrowers the oracle found three rules that lived only in the core (the review
of false hardship claims, peers counting forborne loans, one report per late episode); the
reference now restates them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from benchmarks.reference_mesa import ReferenceMarket, core_summary, reference_summary
from sim.model import CreditMarket
from tests.helpers import make_config

BORROWERS, DAYS = 1200, 365
SEEDS = range(1, 26)
ALPHA = 1e-3
"""Family-wise rejection level: a measure disagrees if its p-value is <= ALPHA / measures."""

SCENARIOS: dict[str, dict[str, Any]] = {
    # A stressed market: more shocks, strategic and forgetful borrowers, deferral (pause with
    # accrued interest, arrears waived), short loans that are repaid and renewed, scarce
    # capital, a 3-contact weekly cap and early legal action. Legal action is filed at 60 DPD
    # and judged 81 days later, claims are written off 20 days after charge-off: a loan
    # charged off at 120 DPD is written off at 140, a day before its judgment, while loans
    # whose DPD fell back after partial payments are judged first (on the claim, or before
    # charge-off).
    "stressed": dict(
        shocks__job_loss_rate=0.3, borrowers__strategic_share=0.15,
        borrowers__forgetful_share=0.2, deferral__enabled=True, legal__dpd=60,
        legal__delay_days=81, chargeoff__recovery_window_days=20,
        lending__term_months=6, lending__need_rate=3.0, lending__capital_per_borrower=2500.0,
        bureau__report_dpd=30, collection__max_contacts_per_7_days=3,
        collection__churn_stress=1.5, legal__enforceable_share=0.5),
    # The other branch of most options: two lenders, rate-cut deferral that carries arrears,
    # small-balance and force-majeure eligibility, a macro shock window, third-party calls,
    # SMS reminders, lowest-DPD priority under tight capacity, no partial payments, debt sale
    # before judgment, no reporting delay.
    "variants": dict(
        shocks__job_loss_rate=0.3, shocks__illness_rate=0.3,
        shocks__macro=[{"start_day": 120, "end_day": 200, "job_loss_multiplier": 2.0,
                        "illness_multiplier": 1.5, "force_majeure": True}],
        borrowers__strategic_share=0.15, borrowers__forgetful_share=0.2,
        lending__lenders=2, lending__term_months=6, lending__need_rate=3.0,
        deferral__enabled=True, deferral__mode="rate_cut",
        deferral__waive_arrears_interest=False, deferral__eligible_small_balance=True,
        deferral__good_record_max_dpd=10, deferral__max_per_loan=2,
        collection__third_party_contact=True, collection__reminder_channel="sms",
        collection__capacity_priority="lowest_dpd", collection__capacity_per_1000_borrowers=5.0,
        collection__churn_stress=1.5, repayment__partial_payments=False,
        legal__dpd=90, legal__delay_days=40, chargeoff__debt_sale=True,
        chargeoff__sale_after_days=5, bureau__reporting_delay_days=0),
}

COMPARED: tuple[str, ...] = (
    "applications", "originations", "originated_principal", "rejected_score",
    "rejected_bureau_flag", "rejected_dti", "rejected_capital", "installments_due",
    "on_time_payments", "missed_installments", "missed_hardship", "missed_strategic",
    "missed_forgetful", "partial_payments", "payments_cents", "paid_off", "late_fees",
    "reminders", "contacts_app", "contacts_sms", "contacts_letter", "contacts_phone",
    "third_party_contacts", "payments_after_contact", "complaints", "opt_outs", "churned",
    "bureau_reports", "legal_filed", "legal_judgments", "deferrals_requested",
    "deferrals_granted", "deferrals_granted_ineligible", "redefaults", "defaults",
    "charged_off_principal", "debts_sold", "claims_written_off", "score_updates",
    "borrowers_replaced", "defaults_strategic", "legal_enforced", "legal_recovered",
    "deferrals_refused", "rpc_app", "rpc_sms", "rpc_letter", "rpc_phone",
    "ledger_recoveries", "ledger_interest_income", "ledger_fee_income",
    "ledger_collection_cost", "ledger_legal_cost", "ledger_interest_waived", "flow_income",
    "flow_living_expenses", "mean_score", "loans_active_end", "borrower_cash_end",
)
"""End-of-run measures compared (keys of `core_summary` and `reference_summary`)."""

BIG_COUNTS: dict[str, float] = {
    "applications": 0.05, "originations": 0.05, "originated_principal": 0.07,
    "installments_due": 0.05, "on_time_payments": 0.05, "paid_off": 0.07, "reminders": 0.08,
    "payments_cents": 0.07, "ledger_interest_income": 0.07, "score_updates": 0.05,
    "loans_active_end": 0.07, "flow_income": 0.04, "flow_living_expenses": 0.04,
    "mean_score": 0.01,
}
"""Large counts (relative standard error of a 25-run mean about 1 %) whose means must also
agree within these relative tolerances, four to five standard errors of the difference of the
two means. (Delinquency counts vary too much from run to run for a useful tolerance; the
rank test covers them.)"""

MUST_FIRE: dict[str, tuple[str, ...]] = {
    "stressed": (
        "rejected_capital", "rejected_bureau_flag", "partial_payments", "legal_judgments",
        "legal_enforced", "legal_recovered", "claims_written_off", "ledger_recoveries",
        "ledger_interest_waived"),
    "variants": ("third_party_contacts", "opt_outs", "debts_sold", "ledger_recoveries"),
}
"""Measures that must be non-zero on average in the core runs of a scenario (besides
ALWAYS_FIRE), so that the comparison exercises the mechanisms behind them."""

ALWAYS_FIRE: tuple[str, ...] = (
    "originations", "rejected_score", "rejected_dti", "paid_off", "missed_hardship",
    "missed_strategic", "missed_forgetful", "late_fees", "reminders", "contacts_app",
    "contacts_sms", "contacts_letter", "contacts_phone", "payments_after_contact",
    "complaints", "churned", "bureau_reports", "legal_filed", "deferrals_requested",
    "deferrals_granted", "deferrals_granted_ineligible", "redefaults", "defaults",
    "score_updates", "borrowers_replaced", "defaults_strategic", "deferrals_refused",
    "rpc_app", "rpc_sms", "rpc_letter", "rpc_phone",
)


OUTSIDE_THE_REFERENCE: dict[str, Any] = {
    "supply__enabled": False, "regulation__enabled": False, "collection__hiring": False,
    "bureau__history_half_life_days": 0.0, "bureau__inquiry_points": 0,
    "strategic__false_claim_rate": 0.0, "strategic__forgiveness_weight": 0.0,
    "strategic__grievance_weight": 0.0, "deferral__wrongful_refusal_share": 0.0,
    "deferral__review_cost": 0.0, "deferral__refusal_complaint_probability": 0.0}
"""Mechanisms the reference does not restate (lenders' policy reviews, the regulator, hiring;
the platform run needs a distressed lender, which these scenarios never have; the score's
fading history and inquiries; false hardship claims, wrongful refusals, the cost of a review
and complaints of refused applicants; forgiveness and grievance in the decision to pay): they
are off here and tested rule by rule in tests/test_lenders.py, tests/test_bureau.py and
tests/test_borrowers.py."""


def _config(scenario: str, **changes: Any):
    return make_config(BORROWERS, DAYS, 1,
                       **{**OUTSIDE_THE_REFERENCE, **SCENARIOS[scenario], **changes})


@cache
def core_runs(scenario: str) -> tuple[dict[str, float], ...]:
    """End-of-run measures of the core, one per seed (its accounting checks, tested
    elsewhere, and the DataCollector are off to save time; neither changes a result)."""
    config = _config(scenario, run__check_invariants=False)
    out = []
    for seed in SEEDS:
        model = CreditMarket(config, rng=seed, collect=False)
        model.run_days()
        out.append(core_summary(model))
    return tuple(out)


@cache
def reference_runs(scenario: str, **changes: Any) -> tuple[dict[str, float], ...]:
    """End-of-run measures of the reference, one per seed (`changes`: dotted overrides that
    apply to the reference only). Its own accounting checks run every day."""
    config = _config(scenario, **changes)
    out = []
    for seed in SEEDS:
        model = ReferenceMarket(config, rng=seed)
        model.run_days()
        out.append(reference_summary(model))
    return tuple(out)


def disagreements(core: tuple[dict[str, float], ...],
                  reference: tuple[dict[str, float], ...]) -> list[str]:
    """The compared measures on which the two samples of runs disagree, with the evidence."""
    found = []
    threshold = ALPHA / len(COMPARED)
    for name in COMPARED:
        a = np.array([run[name] for run in core])
        b = np.array([run[name] for run in reference])
        if np.ptp(a) == 0 and np.ptp(b) == 0 and a[0] == b[0]:
            continue  # the same constant (e.g. a mechanism switched off) in both
        p = mannwhitneyu(a, b, alternative="two-sided").pvalue
        if not p > threshold:
            found.append(f"{name}: Mann-Whitney p = {p:.2g} <= {threshold:.2g} "
                         f"(core mean {a.mean():.6g}, reference mean {b.mean():.6g})")
    for name, tolerance in BIG_COUNTS.items():
        a = np.mean([run[name] for run in core])
        b = np.mean([run[name] for run in reference])
        if abs(b - a) > tolerance * abs(a):
            found.append(f"{name}: means differ by {(b - a) / a:+.1%} (core {a:.6g}, "
                         f"reference {b:.6g}; tolerance {tolerance:.0%})")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_reference_and_core_agree_in_distribution(scenario: str) -> None:
    core, reference = core_runs(scenario), reference_runs(scenario)
    silent = [name for name in (*ALWAYS_FIRE, *MUST_FIRE[scenario])
              if np.mean([run[name] for run in core]) == 0]
    assert not silent, f"mechanisms that never act in scenario {scenario!r}: {silent}"
    problems = disagreements(core, reference)
    assert not problems, f"scenario {scenario!r}:\n" + "\n".join(problems)


CONTROLS: list[tuple[str, dict[str, Any], set[str]]] = [
    ("stressed", {"shocks__job_loss_rate": 0.4}, {"flow_income", "on_time_payments",
                                                  "deferrals_granted", "paid_off"}),
    ("stressed", {"strategic__base_propensity": 0.5}, {"missed_strategic",
                                                        "defaults_strategic"}),
    ("stressed", {"repayment__late_fee": 22.5}, {"ledger_fee_income"}),
    ("stressed", {"channels__phone__rpc_rate": 0.5}, {"rpc_phone"}),
    ("variants", {"collection__third_party_reach": 0.7}, {"third_party_contacts"}),
]
"""(scenario, a change in the reference only, measures of which one must disagree): the
scenarios' job-loss rate is 0.3, the defaults are a propensity of 0.22, a late fee of 15, a
phone right-party rate of 0.25 and a third-party reach of 0.5."""


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "change", "moved"), CONTROLS,
                         ids=[next(iter(c)) for _, c, _ in CONTROLS])
def test_negative_control_a_changed_rule_is_detected(scenario: str, change: dict[str, Any],
                                                     moved: set[str]) -> None:
    problems = disagreements(core_runs(scenario), reference_runs(scenario, **change))
    assert any(p.split(":")[0] in moved for p in problems), problems
