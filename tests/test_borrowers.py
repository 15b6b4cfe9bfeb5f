"""Borrowers who decide: latent risk and the scorecard, the one decision to pay, deferral that
can be gamed, judgments collected as payment orders, scarring job losses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.bureau import _fade
from sim.model import CreditMarket
from sim.people import mean_proneness, people_traits
from sim.population import FRAGILE, REGULAR, STRATEGIC
from tests.helpers import make_config, run_model

REPO = Path(__file__).resolve().parents[1]


def _people(**settings) -> CreditMarket:
    return CreditMarket(make_config(20_000, 1, **settings), collect=False)


def test_fragile_people_are_the_risky_tail_and_the_score_knows_it():
    market = _people()
    pop, config = market.population, market.config
    loading = config.borrowers.risk_shock_loading
    fragile, regular = pop.kind == FRAGILE, pop.kind == REGULAR
    traits = people_traits(config)
    risk = (np.log(pop.shock_proneness.astype(np.float64)) + 0.5 * loading ** 2) / loading
    assert fragile.mean() == pytest.approx(config.borrowers.hardship_share, abs=0.015)
    assert risk[fragile].min() > risk[pop.kind == REGULAR].max() - 1e-3  # the upper tail
    # Strategic people are drawn whatever their fragility: their risk is the population's.
    assert abs(risk[pop.kind == STRATEGIC].mean()) < 0.1
    corr = np.corrcoef(pop.score.astype(float), risk)[0, 1]
    assert corr == pytest.approx(-config.bureau.score_risk_correlation, abs=0.05)
    assert (pop.score_anchor == pop.score).all()
    blind = _people(bureau__score_risk_correlation=0.0).population
    assert abs(np.corrcoef(blind.score.astype(float), risk)[0, 1]) < 0.03
    # Proneness averages 1 over everyone; each type's mean is as stated.
    assert pop.shock_proneness.mean() == pytest.approx(1.0, abs=0.03)
    fragile_mean, regular_mean = mean_proneness(traits)
    assert pop.shock_proneness[fragile].mean() == pytest.approx(fragile_mean, rel=0.04)
    assert pop.shock_proneness[regular].mean() == pytest.approx(regular_mean, rel=0.04)


def test_payment_history_fades_towards_the_anchor_and_spares_the_cast():
    score = np.array([700, 500, 640, 900], np.int16)
    anchor = np.array([600, 600, 640, 600], np.int16)
    history = (score - anchor).astype(np.float32)
    counts = np.bincount(score, minlength=951).astype(np.int64)
    _fade(score, anchor, history, counts, 1, 0.5)
    assert score.tolist() == [700, 550, 640, 750]  # row 0 is the cast: untouched
    assert (counts == np.bincount(score, minlength=951)).all()
    _fade(score, anchor, history, counts, 1, 0.9)
    assert score.tolist() == [700, 555, 640, 735]
    # A small gap fades at the half-life's pace, not a point a month: -8 keeps -4 after a
    # half-life (24 fadings at a 720-day half-life), rounding aside.
    small = np.array([592], np.int16)
    small_history = np.array([-8.0], np.float32)
    small_counts = np.bincount(small, minlength=951).astype(np.int64)
    for _ in range(24):
        _fade(small, anchor[:1], small_history, small_counts, 0, 0.5 ** (30 / 720))
    assert small[0] == 596 and small_history[0] == pytest.approx(-4.0, abs=1e-4)
    for _ in range(300):
        _fade(score, anchor, history, counts, 0, 0.9)
    assert (score == anchor).all()


def test_fading_and_inquiries_move_the_mean_score_as_they_should():
    def mean_score(**settings) -> float:
        return run_model(make_config(3000, 400, **settings)).population.score.mean()
    kept = mean_score(bureau__history_half_life_days=0.0, bureau__inquiry_points=0)
    faded = mean_score(bureau__inquiry_points=0)
    inquired = mean_score(bureau__history_half_life_days=0.0, bureau__inquiry_points=-20)
    assert faded < kept  # on-time points no longer pile up for ever
    assert inquired < kept - 10


def test_a_higher_cut_off_lowers_defaults_band_by_band():
    market = run_model(make_config(8000, 730))
    gradient = market.risk.risk_gradient(0, market.day)
    rates = gradient["default_rate"].to_numpy()
    assert rates[0] > 2.5 * rates[-1]
    assert market.risk.score_auc(0, market.day) > 0.6


def test_a_judgment_is_a_payment_order_on_income_not_on_benefits():
    config = make_config(4000, 540, legal__dpd=30, legal__delay_days=10,
                         legal__enforceable_share=1.0, chargeoff__payment_willingness=0.0)
    market = run_model(config)
    assert market.totals["legal_enforced"] == market.totals["legal_judgments"] > 0
    assert market.totals["legal_recovered"] > 0
    never = run_model(config.model_copy(update={"legal": config.legal.model_copy(
        update={"enforceable_share": 0.0})}))
    assert never.totals["legal_recovered"] == 0 and never.totals["legal_enforced"] == 0


def test_garnishment_takes_a_share_of_pay_left_after_expenses_and_nothing_from_benefits():
    from sim.params import life_rates
    from sim.phases.life import _pay_day
    from sim.population import CHARGED_OFF

    market = CreditMarket(make_config(3, 1, legal__garnish_share=0.25), collect=False)
    pop = market.population
    rows = np.arange(3)
    pop.income[:] = 600_000
    pop.cash[:] = 0
    pop.status[:] = CHARGED_OFF
    pop.claim[:] = [1_000_000, 50_000, 1_000_000]
    pop.garnish_until[:] = 100
    pop.jobless_until[:] = [0, 0, 50]  # row 2 lives on benefits today
    pop.ill_until[:] = 0
    garnished = np.zeros(3, np.int64)
    _pay_day(market.columns, rows, np.ones(3), 10, life_rates(market.config), garnished)
    # 25 % of 6,000 is 1,500, under the 1,200 left after expenses of 80 %: 1,200 is taken.
    assert garnished.tolist() == [120_000, 50_000, 0]  # the claim caps row 1
    assert pop.cash[0] == 600_000 - 480_000  # expenses are paid from the rest


def test_forgiveness_on_offer_raises_strategic_misses():
    def strategic_misses(weight: float) -> float:
        totals = run_model(make_config(
            4000, 420, deferral__enabled=True, deferral__awareness=1.0,
            borrowers__strategic_share=0.3, strategic__forgiveness_weight=weight,
            strategic__false_claim_rate=0.0)).totals
        return totals["missed_strategic"] / totals["installments_due"]
    assert strategic_misses(0.5) > 1.3 * strategic_misses(0.0)


def test_strategic_borrowers_game_deferral_and_detection_limits_it():
    # Without the lenders' supply response: granting every false claim provisions the
    # distressed restructurings, and a lender that lends less sees fewer claims.
    def run(detection: float, cost: float = 0.0) -> CreditMarket:
        return run_model(make_config(
            3000, 300, deferral__enabled=True, deferral__awareness=1.0,
            borrowers__strategic_share=0.3, strategic__false_claim_rate=1.0,
            deferral__false_claim_detection=detection, deferral__review_cost=cost,
            supply__enabled=False))
    naive, careful = run(0.0), run(1.0)
    assert naive.totals["deferral_false_claims"] > 100
    assert naive.totals["deferrals_granted_ineligible"] > \
        2 * careful.totals["deferrals_granted_ineligible"]
    costly = run(1.0, cost=20.0)
    staff = sum(lender.ledger.staff_cost for lender in costly.lender_list)
    assert staff >= 2000 * costly.totals["deferrals_requested"]  # cents: 20 per review
    off = run_model(make_config(3000, 300, deferral__enabled=True, deferral__awareness=1.0,
                                borrowers__strategic_share=0.3,
                                strategic__false_claim_rate=0.0, supply__enabled=False))
    # Past-due strategic borrowers still claim hardship they do not have; current ones no
    # longer do.
    assert off.totals["deferral_false_claims"] < 0.5 * naive.totals["deferral_false_claims"]


def test_wrongful_refusals_turn_eligible_applicants_away():
    def refused(share: float) -> int:
        return run_model(make_config(
            2000, 300, deferral__enabled=True, deferral__awareness=1.0,
            shocks__job_loss_rate=0.3, deferral__wrongful_refusal_share=share,
            strategic__false_claim_rate=0.0)).totals["deferrals_refused"]
    assert refused(0.5) > refused(0.0) + 20


def test_a_job_loss_scars_income_for_good():
    def mean_income(scar: float) -> float:
        market = run_model(make_config(3000, 365, shocks__job_loss_rate=0.5,
                                       shocks__job_loss_income_scar=scar,
                                       borrowers__turnover_rate=0.0))
        return float(market.population.income.mean())
    assert mean_income(0.2) < 0.9 * mean_income(0.0)


def test_willingness_falls_only_once_the_charge_off_shows_on_the_file():
    from sim.loans import willingness_of
    from sim.params import payment_terms
    from sim.population import ACTIVE, CHARGED_OFF

    market = CreditMarket(make_config(2, 1, chargeoff__payment_willingness=0.1,
                                      bureau__reporting_delay_days=15), collect=False)
    pop, terms = market.population, payment_terms(market.config)
    pop.status[:] = [ACTIVE, CHARGED_OFF]
    pop.chargeoff_day[1] = 100
    col = market.columns
    assert willingness_of(col, 0, 120, terms) == 1.0
    # Reported on day 115, after that day's payments: seen from day 116.
    assert willingness_of(col, 1, 115, terms) == 1.0  # booked, not yet seen
    assert willingness_of(col, 1, 116, terms) == pytest.approx(0.1)


def test_refused_applicants_in_hardship_complain_to_the_regulator():
    def complaints(p: float) -> int:
        return run_model(make_config(
            3000, 300, deferral__enabled=False, deferral__requests_without_offer=True,
            deferral__awareness=1.0,
            shocks__job_loss_rate=0.3, deferral__refusal_complaint_probability=p,
            regulation__enabled=False)).totals["complaints"]
    assert complaints(0.5) > complaints(0.0) + 50


def test_a_new_policys_awareness_reaches_the_borrowers_already_there():
    from sim.scenario import load_scenario

    base = make_config(3000, 30, deferral__awareness=0.3)
    market = CreditMarket(base, collect=False)
    market.run_days()
    before = market.population.aware.copy()
    lenient = load_scenario(REPO / "scenarios" / "lenient.toml", overrides=["run.borrowers=3000"])
    market.adopt_policy(lenient)
    after = market.population.aware
    assert (after >= before).all()  # nobody forgets
    assert after.mean() == pytest.approx(lenient.deferral.awareness, abs=0.04)


HONEST = ["borrowers.strategic_share=0.0", "shocks.job_loss_income_scar=0.0",
          "shocks.job_loss_rate=0.15"]
"""Hardship common and temporary, nobody strategic."""
GAMED = ["borrowers.strategic_share=0.4", "strategic.false_claim_rate=2.0",
         "deferral.false_claim_detection=0.0", "deferral.verification_accuracy=0.0",
         "strategic.forgiveness_weight=0.5", "shocks.job_loss_income_scar=0.5"]
"""Many strategic borrowers who claim hardship to a review that believes them, forgiveness
that invites default, and job losses that cut income for good."""


@pytest.mark.slow
@pytest.mark.parametrize(("world", "sign"), [(HONEST, -1), (GAMED, +1)])
def test_either_policy_can_win_on_lifetime_losses(world, sign):
    """Lenient minus strict lifetime loss rate, paired on three seeds: deferral loses less
    where hardship is honest and passing, more where it is gamed and lasting."""
    from sim.batch.runner import simulate_run
    from sim.scenario import load_scenario

    def policy(name: str):
        return load_scenario(REPO / "scenarios" / f"{name}.toml",
                             ["run.borrowers=3000", "run.days=300", *world])
    base, strict, lenient = policy("baseline"), policy("strict"), policy("lenient")
    differences = []
    for seed in (1, 2, 3):
        loss = [simulate_run(base, variant, 300, seed, runoff_max_days=1500)["summary"][
            "lifetime_loss_rate"] for variant in (strict, lenient)]
        differences.append(loss[1] - loss[0])
    assert all(np.sign(d) == sign for d in differences), differences


def test_a_collectors_repayment_plan_spreads_arrears_without_a_pause():
    settings = dict(shocks__job_loss_rate=0.3, deferral__enabled=False,
                    collection__plan_acceptance=1.0)
    off = run_model(make_config(3000, 300, **settings))
    on = run_model(make_config(3000, 300, collection__repayment_plans=True, **settings))
    assert off.totals["repayment_plans"] == 0 and on.totals["repayment_plans"] > 20
    assert on.totals["deferrals_granted"] == 0  # a plan is not a deferral
    pop = on.population
    planned = np.flatnonzero(pop.deferred_ever & (pop.status == 1))
    assert planned.size and (pop.deferral_until[planned] <= on.day).all()  # no pause
    assert on.totals["defaults"] < off.totals["defaults"]
