"""Default as supervisors define it, provisions by stage, the regulator's average book, and the
borrowers' side of the money: rules tested on the few rows they need, then their totals
against the lenders' books in a run."""

from __future__ import annotations

import numpy as np
import pytest

from sim.borrower_money import CLAIMS_PAID, FEES_PAID, INTEREST_PAID
from sim.default_status import (
    BY_CHARGE_OFF,
    BY_DPD,
    BY_FORBORNE,
    CURED,
    DPD_REACHED,
    ENTERED,
    restructuring_value_lost,
    review_defaults,
)
from sim.model import CreditMarket
from sim.population import ACTIVE, CHARGED_OFF, NEVER, NO_LOAN
from tests.helpers import make_config, run_model

CURE_DAYS = 90


def tiny_market(**changes) -> CreditMarket:
    """Four rows with active loans of 1,000.00, current, none forborne."""
    market = CreditMarket(make_config(4, 1, **changes))
    pop = market.population
    pop.status[:] = ACTIVE
    pop.lender[:] = 0
    pop.principal[:] = 100_000
    pop.dpd[:] = 0
    pop.forborne_since[:] = NEVER
    pop.default_until[:] = NEVER
    return market


def review(market: CreditMarket, day: int) -> tuple[np.ndarray, np.ndarray]:
    return review_defaults(market.columns, day, market.params.defaults, 1)


def test_ninety_days_past_due_is_a_default_and_it_cures_after_three_clean_months():
    market = tiny_market()
    pop = market.population
    pop.dpd[0] = 89
    counts, _ = review(market, 100)
    assert counts[ENTERED] == 0
    pop.dpd[0] = 90
    counts, _ = review(market, 101)
    assert counts[ENTERED] == 1 and counts[BY_DPD] == 1 and counts[DPD_REACHED] == 1
    pop.dpd[0] = 91
    counts, _ = review(market, 102)  # still in default: not a second entry
    assert counts[ENTERED] == 0 and counts[DPD_REACHED] == 0
    pop.dpd[0] = 0  # caught up on day 103; each day past due restarted the probation
    for day in range(103, 102 + CURE_DAYS):
        counts, _ = review(market, day)
        assert counts[CURED] == 0, day
    counts, _ = review(market, 102 + CURE_DAYS)
    assert counts[CURED] == 1 and pop.default_until[0] == NEVER
    pop.dpd[0] = 95  # a new episode is a new default
    counts, _ = review(market, 300)
    assert counts[ENTERED] == 1


def test_a_loan_re_aged_from_arrears_defaults_past_thirty_days_again():
    market = tiny_market()
    pop = market.population
    pop.dpd[:3] = 31
    pop.forborne_since[:2] = 50
    pop.forborne_dpd[:2] = [45, 0]  # re-aged from 45 DPD; deferred while current
    counts, _ = review(market, 100)
    assert counts[ENTERED] == 1 and counts[BY_FORBORNE] == 1
    assert pop.default_until[0] != NEVER
    assert pop.default_until[1] == NEVER and pop.default_until[2] == NEVER


def test_a_new_schedule_does_not_cure_a_loan_in_default():
    from sim.loans import reschedule
    market = tiny_market(deferral__waive_arrears_interest=False)
    pop = market.population
    pop.dpd[0] = 95
    review(market, 100)
    pop.installment[:] = 10_000
    pop.installments_left[:] = 10
    pop.rate[:] = 0.03
    pop.last_due[:] = 100
    market.state.day = 101
    reschedule(market.state, market.params, np.array([0]), "extend", waive=False,
               extra_months=0)
    rules = market.config.prudential_default
    resume = 101 + market.config.deferral.extend_months * 30
    assert pop.default_until[0] == resume + rules.restructuring_probation_days
    assert pop.dpd[0] == 0


def test_a_charge_off_is_a_default_and_a_closed_account_leaves_default_without_a_cure():
    market = tiny_market(chargeoff__dpd=60, prudential_default__dpd_threshold=90)
    pop = market.population
    pop.status[0] = CHARGED_OFF
    pop.principal[0] = 0
    pop.dpd[0] = 61
    counts, _ = review(market, 100)
    assert counts[ENTERED] == 1 and counts[BY_CHARGE_OFF] == 1
    pop.status[0] = NO_LOAN
    pop.dpd[0] = 0
    counts, _ = review(market, 101)
    assert counts[CURED] == 0 and pop.default_until[0] == NEVER


def test_provisions_follow_the_stage_of_each_loan():
    market = tiny_market()
    lending = market.config.lending
    pop = market.population
    pop.dpd[:] = [0, 45, 0, 100]
    pop.forborne_since[2] = 10  # re-aged and current
    _, provisions = review(market, 100)
    expected = 100_000 * (lending.stage2_provision_share + lending.forborne_provision_share
                          + 1.0)
    assert provisions[0] == pytest.approx(expected)
    pop.dpd[3] = 0  # caught up, but in default until it cures: still in full (stage 3)
    _, provisions = review(market, 101)
    assert provisions[0] == pytest.approx(expected)


def test_waiving_arrears_or_an_unpaid_pause_is_a_distressed_restructuring():
    principal = np.array([100_000.0, 100_000.0, 100_000.0])
    rate = np.full(3, 0.03)
    lost = restructuring_value_lost(principal, np.array([0.0, 3_000.0, 0.0]),
                                    np.array([0.0, 3_000.0, 0.0]), rate,
                                    np.array([0.0, 0.0, 2.0]), 0.0, np.full(3, 12))
    # Nothing given up; 3,000 cents of interest waived on 103,000 owed; two months unpaid.
    np.testing.assert_allclose(lost, [0.0, 3_000 / 103_000, 6_000 / 100_000])


def test_lenient_deferral_makes_distressed_restructurings_and_accrual_without_waiver_not():
    common = dict(deferral__enabled=True, deferral__awareness=1.0, shocks__job_loss_rate=0.4,
                  supply__enabled=False)
    waived = run_model(make_config(1500, 300, deferral__waive_arrears_interest=True,
                                   deferral__accrue_interest=False, **common)).totals
    priced = run_model(make_config(1500, 300, deferral__waive_arrears_interest=False,
                                   deferral__accrue_interest=True, **common)).totals
    assert waived["deferrals_granted"] > 50
    assert waived["prudential_defaults_restructured"] > 0.9 * waived["deferrals_granted"]
    assert priced["prudential_defaults_restructured"] == 0


def test_what_borrowers_paid_is_what_lenders_received():
    market = run_model(make_config(2000, 500, legal__enforceable_share=1.0, legal__dpd=60,
                                   chargeoff__debt_sale=True, chargeoff__sale_after_days=120))
    money = market.population.borrower_money.sum(axis=(0, 1))
    ledgers = [lender.ledger for lender in market.lender_list]
    assert money[INTEREST_PAID] == sum(x.interest_income for x in ledgers) > 0
    assert money[FEES_PAID] == sum(x.fee_income for x in ledgers) > 0
    # Debt sales are recoveries paid by buyers, not by borrowers.
    assert money[CLAIMS_PAID] == (sum(x.recoveries for x in ledgers)
                                  - market.flows["debt_sales"]) > 0


def test_the_regulator_judges_complaints_against_the_periods_average_book():
    market = CreditMarket(make_config(200, 1, regulation__complaint_threshold_per_1000=10.0))
    lender, regulator = market.lender_list[0], market.regulator
    # 1,000 accounts on average over the period, 50 on review day: 12 complaints exceed
    # 10 per 1,000 of the average (a shrinking book alone would have exceeded it far more).
    for accounts in (1950, 1000, 50):
        lender.close_day(0.0, accounts)
    lender.complaints_period = 12
    regulator.review()
    assert regulator.sanctions == 1
    fined = lender.ledger.regulatory_cost
    assert fined == 2 * 65_000  # ceil(12 - 10) complaints over the threshold, 650.00 each
    lender.complaints_period = 9
    for _ in range(3):
        lender.close_day(0.0, 1000)
    regulator.review()
    assert regulator.sanctions == 1


def test_a_lender_over_the_threshold_is_sanctioned_within_the_window():
    config = make_config(3000, 500, run__steady_state_from_day=250, bureau__report_dpd=30,
                         legal__dpd=60, collection__max_contacts_per_7_days=7,
                         regulation__complaint_threshold_per_1000=2.0)
    frame = run_model(config).metrics.frame()
    window = frame[frame["day"] >= 250]
    assert window["regulatory_sanctions"].sum() > 0
