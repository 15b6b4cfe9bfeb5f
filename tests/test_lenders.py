"""Lenders and markets that respond: the credit-policy review, the balance sheet and its public
signal, the platform run, the regulator, and collectors within their means."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.lender import credit_policy, distress, lender_stress
from sim.config import LendingConfig, PlatformRunConfig, SupplyConfig
from sim.model import CreditMarket
from sim.params import contact_policy, payment_terms
from sim.phases.collection import priority_key
from sim.summary import summarize
from tests.helpers import make_config, run_model

SHOCK = [{"start_day": 300, "end_day": 450, "job_loss_multiplier": 5.0,
          "illness_multiplier": 2.0}]
SUPPLY = SupplyConfig(loss_target=0.015, capital_target=0.08, capital_weight=1.0,
                      score_points_per_stress=25.0, apr_points_per_stress=0.5,
                      size_cut_per_stress=0.05, min_size_share=0.5, max_min_score=800,
                      max_loosening_points=25.0)


def test_stress_adds_the_loss_gap_and_the_capital_shortfall_in_points():
    assert lender_stress(0.03, 0.05, SUPPLY) == pytest.approx(1.5 + 3.0)
    assert lender_stress(0.01, 0.10, SUPPLY) == pytest.approx(-0.5)  # losses under target
    assert lender_stress(0.025, 0.20, SUPPLY) == pytest.approx(1.0)


def test_credit_policy_tightens_with_stress_and_loosens_only_the_cut_off_a_little():
    lending = LendingConfig(min_score=550)
    assert credit_policy(0.0, lending, SUPPLY) == (550, 0.0, 1.0)
    assert credit_policy(-0.4, lending, SUPPLY) == (540, 0.0, 1.0)
    assert credit_policy(-5.0, lending, SUPPLY) == (525, 0.0, 1.0)  # at most 25 points
    tight = credit_policy(4.0, lending, SUPPLY)
    assert tight.min_score == 650  # 550 + 25 x 4
    assert tight.apr_markup == pytest.approx(0.02)  # 0.5 points x 4
    assert tight.size_share == pytest.approx(0.8)  # 1 - 0.05 x 4
    worst = credit_policy(50.0, lending, SUPPLY)
    assert worst.min_score == 800 and worst.size_share == 0.5


def test_distress_is_zero_above_the_threshold_and_rises_to_one_at_zero_capital():
    run = PlatformRunConfig(capital_threshold=0.05)
    assert distress(0.08, run) == 0.0
    assert distress(0.05, run) == 0.0
    assert distress(0.025, run) == pytest.approx(0.5)
    assert distress(-0.1, run) == 1.0
    assert distress(0.0, PlatformRunConfig(capital_threshold=0.0)) == 0.0


def test_loss_rate_and_funding_cost_by_hand():
    model = CreditMarket(make_config(10, 1, supply__loss_window_days=2,
                                     lending__cost_of_funds_rate=0.073,
                                     lending__equity_share=0.1))
    lender = model.lender_list[0]
    ledger = lender.ledger
    assert lender.capital_ratio() == pytest.approx(0.1)
    funding = lender.funding
    for charged_off in (0, 100, 400):  # cents of net losses to date, book of 10,000
        ledger.charged_off_principal = charged_off
        ledger.disbursed = 10_000 + charged_off
        ledger.cash = ledger.capital - ledger.disbursed
        lender.close_day(0.0, 0)
    # 400 cents lost over 2 days on a book of 10,000, annualised.
    assert lender.loss_rate() == pytest.approx(400 / 10_000 * 365 / 2)
    # Only the funding lent out (the 10,000 cents of loans) accrues 7.3 % a year.
    assert lender.funding == pytest.approx(funding + 3 * 10_000 * 0.073 / 365)
    # Loans in default are provisioned in full: equity falls by their principal, and the
    # provision is a credit loss to the supply response before any charge-off (the days
    # remembered now hold 100 and 400 + 2,500 cents of losses).
    equity = lender.equity()
    lender.close_day(2_500.0, 0)
    assert lender.equity() == pytest.approx(equity - 2_500.0 - 10_000 * 0.073 / 365)
    assert lender.loss_rate() == pytest.approx((2_900 - 100) / 10_000 * 365 / 2)


def shocked_strict(shock: bool, **changes) -> CreditMarket:
    # A calm market whose lender stays under its ceiling (a job-loss rate of 3.8 % a year):
    # at the calibrated 13 % the start-up wave alone takes the minimum score to the ceiling.
    return run_model(make_config(4000, 800, seed=11, bureau__report_dpd=30,
                                 shocks__job_loss_rate=0.038,
                                 shocks__macro=SHOCK if shock else [], **changes))


def test_a_shock_raises_the_minimum_score_and_supply_off_holds_it():
    calm = shocked_strict(False).metrics.frame()
    hit = shocked_strict(True).metrics.frame()
    after = slice(450, 800)
    assert hit["lending_min_score"].iloc[after].max() > calm["lending_min_score"].iloc[after].max()
    assert hit["lender_stress"].max() > 0
    for frame in (calm, hit):
        assert frame["lending_min_score"].min() >= 525  # loosens by at most 25 points
    held = shocked_strict(True, supply__enabled=False).metrics.frame()
    assert (held["lending_min_score"] == 550).all()
    assert held["mean_apr"].max() <= 0.36 + 1e-12


def supply_run(**changes) -> CreditMarket:
    return run_model(make_config(3000, 400, seed=5, **changes))


def test_tighter_supply_lends_less_at_higher_prices_in_smaller_loans():
    loose = supply_run(supply__loss_target=1.0)
    stressed = {"supply__loss_target": 0.0, "supply__score_points_per_stress": 0.0,
                "supply__apr_points_per_stress": 0.0, "supply__size_cut_per_stress": 0.0}
    tighter = supply_run(**{**stressed, "supply__score_points_per_stress": 40.0})
    assert tighter.totals["originations"] < loose.totals["originations"]
    assert tighter.totals["rejected_score"] > loose.totals["rejected_score"]
    # A higher cut-off alone lends to better bands, at lower prices on average; the markup
    # alone raises them.
    dearer = supply_run(**{**stressed, "supply__apr_points_per_stress": 1.0})
    late = slice(300, 400)  # losses take a quarter to show in a 90-day loss window
    assert (dearer.metrics.frame()["mean_apr"].iloc[late].mean()
            > loose.metrics.frame()["mean_apr"].iloc[late].mean())
    smaller = supply_run(**{**stressed, "supply__size_cut_per_stress": 0.2})

    def mean_loan(market: CreditMarket) -> float:  # days 200-399
        frame = market.metrics.frame().iloc[199:400]
        lent = frame["originated_principal_cum"].diff().iloc[1:].sum()
        return lent / frame["originations"].iloc[1:].sum()

    assert smaller.lender_list[0].policy.size_share < 1.0
    assert mean_loan(smaller) < 0.9 * mean_loan(loose)


def platform(equity_share: float, **changes):
    return run_model(make_config(3000, 400, seed=3, lending__equity_share=equity_share,
                                 supply__enabled=False, **changes))


def test_borrowers_walk_away_from_a_lender_they_expect_to_fail():
    healthy, fragile = platform(0.15), platform(0.02)
    assert fragile.metrics.frame()["lender_distress"].iloc[0] > 0.5
    assert fragile.totals["missed_strategic"] > 2 * healthy.totals["missed_strategic"]
    assert fragile.totals["defaults"] > healthy.totals["defaults"]
    frame = fragile.metrics.frame()
    assert frame["willingness_to_pay"].mean() < healthy.metrics.frame()[
        "willingness_to_pay"].mean()


def test_a_thin_capital_alone_changes_nothing_when_borrowers_ignore_it():
    quiet = {"platform_run__strategic_weight": 0.0, "platform_run__others_weight": 0.0}
    assert platform(0.15, **quiet).totals == platform(0.02, **quiet).totals


def strict_market(**changes) -> CreditMarket:
    return run_model(make_config(3000, 400, seed=9, bureau__report_dpd=30, legal__dpd=60,
                                 run__steady_state_from_day=0, **changes))


def test_complaints_above_the_threshold_cost_the_lender_and_restrict_contacts():
    free = strict_market(regulation__enabled=False)
    fined = strict_market(regulation__complaint_threshold_per_1000=0.0,
                          regulation__restricted_max_contacts_per_7_days=1)
    lender = fined.lender_list[0]
    assert fined.regulator.sanctions > 0
    assert lender.ledger.regulatory_cost == fined.flows["penalties"] > 0
    assert free.lender_list[0].ledger.regulatory_cost == 0
    frame = fined.metrics.frame()
    assert frame["lenders_restricted"].max() == 1
    assert frame["regulatory_cost_cum"].iloc[-1] == lender.ledger.regulatory_cost / 100
    assert fined.totals["contacts_sms"] < free.totals["contacts_sms"]
    summary = summarize(frame, fined.config)
    assert summary["regulatory_cost"] == pytest.approx(lender.ledger.regulatory_cost / 100)
    # The fine is a cost; the restriction itself may cost or save (fewer contacts, less
    # grievance): that is for the model to find, not for this test to fix.


def test_a_quiet_lender_is_never_fined():
    calm = strict_market(regulation__complaint_threshold_per_1000=1e9)
    assert calm.regulator.sanctions == 0 and calm.lender_list[0].ledger.regulatory_cost == 0


def test_lenders_hire_when_capacity_binds_and_pay_for_it():
    short = dict(collection__capacity_per_1000_borrowers=0.5,
                 collection__hire_when_unmet_share=0.1, collection__hire_cost=1000.0)
    hiring = strict_market(**short)
    frozen = strict_market(collection__hiring=False, **short)
    hires = hiring.totals["collectors_hired"]
    assert hires > 0 and len(hiring.collector_list) == 2 + hires
    assert hiring.lender_list[0].ledger.staff_cost == hires * 1000 * 100
    assert len(frozen.collector_list) == 2 and frozen.totals["collectors_hired"] == 0
    assert hiring.totals["contacts_phone"] > frozen.totals["contacts_phone"]


def test_each_collector_works_within_its_own_capacity():
    model = CreditMarket(make_config(3000, 300, seed=4, bureau__report_dpd=30,
                                     collection__hiring=False))
    model.run_days(150)
    first, second = model.collector_list
    first.capacity, second.capacity = 1, 40
    busiest = [0, 0]
    for _ in range(150):
        model.step()
        assert first.used_today <= 1 and second.used_today <= 40
        busiest = [max(busiest[0], first.used_today), max(busiest[1], second.used_today)]
    assert busiest[1] > 1


@pytest.mark.parametrize("priority", ["highest_dpd", "lowest_dpd", "largest_balance",
                                      "expected_recovery"])
def test_capacity_priority_orders_accounts_by_its_rule(priority):
    config = make_config(10, 1, collection__capacity_priority=priority,
                         collection__recovery_decay_days=30.0)
    model = CreditMarket(config)
    pop, col = model.population, model.columns
    # Row 0: 10 DPD, 1,000 owed; row 1: 60 DPD, 5,000 owed; row 2: 90 DPD, 3,000 owed.
    for row, (dpd, owed) in enumerate(((10, 100_000), (60, 500_000), (90, 300_000))):
        pop.dpd[row], pop.principal[row], pop.claim[row] = dpd, owed, 0
    policy = contact_policy(config, payment_terms(config))
    first = int(np.argmin([priority_key(col, row, policy) for row in range(3)]))
    expected = {"highest_dpd": 2, "lowest_dpd": 0, "largest_balance": 1,
                # 1,000 e^(-1/3) = 717 against 5,000 e^(-2) = 677 and 3,000 e^(-3) = 149
                "expected_recovery": 0}[priority]
    assert first == expected


def test_a_rumour_hits_every_lender_and_lingers_where_capital_is_thin():
    rumour = {"platform_run__rumour_day": 150, "platform_run__rumour_ratio": 0.0}
    healthy, fragile = platform(0.15, **rumour), platform(0.05, **rumour)
    for market in (healthy, fragile):
        assert market.metrics.frame()["lender_distress"].iloc[150] == 1.0
    later = slice(200, 260)
    assert (fragile.metrics.frame()["lender_distress"].iloc[later].mean()
            > healthy.metrics.frame()["lender_distress"].iloc[later].mean())
    assert fragile.totals["missed_strategic"] > healthy.totals["missed_strategic"]


def test_a_collection_restriction_that_lowers_recoveries_tightens_credit():
    """No calls, letters or texts (a cap of 0 contacts a week): recoveries fall, losses rise,
    and the lender raises its cut-off."""
    free = strict_market()
    barred = strict_market(collection__max_contacts_per_7_days=0)
    assert barred.totals["payments_after_contact"] == 0 < free.totals["payments_after_contact"]
    assert barred.totals["defaults"] > free.totals["defaults"]
    # Both lenders tighten as the first year's losses show; the barred one goes further.
    assert (barred.metrics.frame()["lending_min_score"].max()
            > free.metrics.frame()["lending_min_score"].max())
