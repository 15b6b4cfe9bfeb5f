"""Each mechanism acts: changing its parameter changes what it should, on the same seed."""

from __future__ import annotations

import numpy as np
import pytest

from sim.bands import score_band
from sim.config import SCORE_BAND_EDGES
from sim.loans import arrears
from sim.model import CreditMarket
from sim.population import ACTIVE, CHARGED_OFF
from sim.units import MONTHS_PER_YEAR
from tests.helpers import make_config, run_model, totals

N, DAYS = 3000, 365


# --- borrowers and shocks ---------------------------------------------------------------------
def test_job_loss_shocks_cause_hardship_misses_and_defaults() -> None:
    calm = totals(make_config(N, DAYS, shocks__job_loss_rate=0.0, shocks__illness_rate=0.0))
    rough = totals(make_config(N, DAYS, shocks__job_loss_rate=0.5))
    assert rough["missed_hardship"] > 2 * calm["missed_hardship"]
    assert rough["defaults"] > calm["defaults"]


def test_macro_shock_window_raises_joblessness_only_inside_it() -> None:
    window = [{"start_day": 100, "end_day": 160, "job_loss_multiplier": 5.0}]
    base = run_model(make_config(N, 250)).metrics.frame()
    shocked = run_model(make_config(N, 250, shocks__macro=window)).metrics.frame()
    before = slice(0, 99)
    np.testing.assert_array_equal(base["jobless"][before], shocked["jobless"][before])
    assert shocked["jobless"][130:161].mean() > 2 * base["jobless"][130:161].mean()


def test_income_volatility_makes_cash_vary() -> None:
    quiet = dict(shocks__job_loss_rate=0.0, shocks__illness_rate=0.0, lending__need_rate=0.0,
                 borrowers__turnover_rate=0.0)
    start = CreditMarket(make_config(500, 60, **quiet)).population.cash.copy()
    steady = run_model(make_config(500, 60, borrowers__income_volatility=0.0, **quiet))
    pop = steady.population
    saved_per_pay_day = pop.income - np.rint(pop.income * 0.8).astype(np.int64)
    np.testing.assert_array_equal(pop.cash - start, 2 * saved_per_pay_day)
    noisy = run_model(make_config(500, 60, borrowers__income_volatility=0.4, **quiet))
    assert np.mean(noisy.population.cash - start != 2 * saved_per_pay_day) > 0.9


def test_fragile_borrowers_start_with_smaller_buffers() -> None:
    model = CreditMarket(make_config(5000, 1, borrowers__hardship_share=0.5))
    pop = model.population
    ratio = pop.cash / pop.income
    assert np.median(ratio[pop.kind == 1]) < 0.5 * np.median(ratio[pop.kind == 0])


def test_behavioural_type_shares_are_respected() -> None:
    model = CreditMarket(make_config(20_000, 1, borrowers__hardship_share=0.3,
                                     borrowers__strategic_share=0.1,
                                     borrowers__forgetful_share=0.2))
    shares = np.bincount(model.population.kind, minlength=4) / 20_000
    np.testing.assert_allclose(shares, [0.4, 0.3, 0.1, 0.2], atol=0.02)


# --- strategic and forgetful borrowers -----------------------------------------------------------
def test_strategic_share_raises_strategic_misses_and_losses() -> None:
    few = totals(make_config(N, DAYS, borrowers__strategic_share=0.0))
    many = totals(make_config(N, DAYS, borrowers__strategic_share=0.3))
    assert few["missed_strategic"] == 0
    assert many["missed_strategic"] > 50
    assert many["charged_off_principal"] > few["charged_off_principal"]


def test_peer_defaults_raise_strategic_propensity() -> None:
    alone = totals(make_config(N, DAYS, borrowers__strategic_share=0.3,
                               strategic__peer_weight=0.0))
    herd = totals(make_config(N, DAYS, borrowers__strategic_share=0.3,
                              strategic__peer_weight=20.0))
    assert herd["missed_strategic"] > alone["missed_strategic"]


def test_early_enforcement_deters_strategic_default() -> None:
    weak = totals(make_config(N, DAYS, borrowers__strategic_share=0.3, bureau__report_dpd=170,
                              legal__enabled=False, strategic__peer_weight=0.0))
    strong = totals(make_config(N, DAYS, borrowers__strategic_share=0.3, bureau__report_dpd=5,
                                legal__dpd=10, strategic__peer_weight=0.0))
    assert strong["missed_strategic"] < weak["missed_strategic"]


def test_reminders_and_autopay_fix_forgetful_misses() -> None:
    kw = dict(borrowers__forgetful_share=0.4, borrowers__autopay_share=0.0)
    silent = totals(make_config(N, DAYS, collection__reminder_channel="none", **kw))
    reminded = totals(make_config(N, DAYS, collection__reminder_channel="sms", **kw))
    autopay = totals(make_config(N, DAYS, collection__reminder_channel="none",
                                 borrowers__forgetful_share=0.4, borrowers__autopay_share=1.0))
    assert silent["reminders"] == 0 and reminded["reminders"] > 0
    assert reminded["missed_forgetful"] < 0.5 * silent["missed_forgetful"]
    assert autopay["missed_forgetful"] == 0


# --- lending --------------------------------------------------------------------------------------
def test_credit_review_rejects_by_score_dti_and_capital() -> None:
    strict = totals(make_config(N, 120, lending__min_score=700, lending__max_dti=0.05,
                                lending__capital_per_borrower=50.0))
    loose = totals(make_config(N, 120, lending__min_score=350, lending__max_dti=2.0))
    assert strict["rejected_score"] > loose["rejected_score"] == 0
    assert strict["rejected_dti"] > loose["rejected_dti"]
    assert loose["rejected_capital"] == 0
    assert strict["originations"] < loose["originations"]


def test_capital_limit_bounds_lending() -> None:
    model = run_model(make_config(N, 60, lending__capital_per_borrower=100.0))
    ledger = model.lender_list[0].ledger
    assert ledger.disbursed <= ledger.capital + ledger.principal_repaid + ledger.interest_income \
        + ledger.fee_income + ledger.recoveries
    assert model.totals["rejected_capital"] > 0


def test_price_follows_the_score_band_at_origination() -> None:
    config = make_config(N, 1, lending__min_score=350, lending__max_dti=2.0,
                         lending__need_rate=200.0, bureau__reporting_delay_days=5)
    model = run_model(config)
    pop = model.population
    rows = np.flatnonzero(pop.status == ACTIVE)
    assert rows.size > 100
    expected = np.asarray(config.lending.apr_by_band)[score_band(pop.score[rows])]
    np.testing.assert_allclose(pop.rate[rows], expected / MONTHS_PER_YEAR)


def test_bureau_flag_blocks_new_credit() -> None:
    # No supply response: it would raise the cut-off, and the score check comes first.
    kw = dict(shocks__job_loss_rate=0.5, lending__min_score=350,
              chargeoff__recovery_window_days=10, supply__enabled=False)
    on = totals(make_config(N, DAYS, lending__bureau_flag_lookback_days=365, **kw))
    off = totals(make_config(N, DAYS, lending__bureau_flag_lookback_days=0, **kw))
    assert on["rejected_bureau_flag"] > 0 and off["rejected_bureau_flag"] == 0


def test_borrowers_borrow_again_after_repaying() -> None:
    model = run_model(make_config(N, 500, lending__term_months=3, lending__need_rate=6.0))
    assert model.population.loans_taken.max() >= 2
    assert model.totals["paid_off"] > 0


# --- repayment ------------------------------------------------------------------------------------
def test_installments_amortise_the_loan_exactly() -> None:
    """One scripted borrower with ample cash and auto-repay borrows 6,000 over six months:
    the six installments repay the principal to the cent, and the interest is the monthly
    rate on the principal left each month, rounded to the cent, as computed here by hand."""
    config = make_config(1, 200, lending__term_months=6, collection__reminder_channel="none",
                         cast=[{"name": "payer", "score": 720, "cash": 50_000.0,
                                "autopay": True, "loan_amount": 6_000.0, "loan_days": [0]}])
    model = run_model(config)
    monthly = config.lending.apr_by_band[int(score_band(720))] / 12  # excellent: 12 % a year
    principal = 600_000  # cents
    level = int(np.ceil(principal * monthly / (1 - (1 + monthly) ** -6)))
    interest_total = 0
    for month in range(6):
        interest = int(np.rint(principal * monthly))
        interest_total += interest
        principal -= principal if month == 5 else min(max(level - interest, 0), principal)
    ledger = model.lender_list[0].ledger
    assert model.totals["originations"] == 1 and model.totals["paid_off"] == 1
    assert model.totals["installments_due"] == model.totals["on_time_payments"] == 6
    assert ledger.principal_repaid == 600_000 and ledger.outstanding == 0
    assert ledger.interest_income == interest_total == 21_175  # cents, at 1 % a month


def test_late_fees_are_charged_only_when_set() -> None:
    kw = dict(shocks__job_loss_rate=0.5)
    with_fee = run_model(make_config(N, DAYS, repayment__late_fee=25.0, **kw))
    no_fee = run_model(make_config(N, DAYS, repayment__late_fee=0.0, **kw))
    assert with_fee.lender_list[0].ledger.fee_income > 0
    assert no_fee.lender_list[0].ledger.fee_income == 0


def test_partial_payments_can_be_switched_off() -> None:
    kw = dict(shocks__job_loss_rate=0.5)
    assert totals(make_config(N, DAYS, repayment__partial_payments=True, **kw))[
        "partial_payments"] > 0
    assert totals(make_config(N, DAYS, repayment__partial_payments=False, **kw))[
        "partial_payments"] == 0


def test_days_past_due_count_up_one_per_day() -> None:
    model = CreditMarket(make_config(N, DAYS, shocks__job_loss_rate=0.5))
    model.run_days(200)
    pop = model.population
    late = np.flatnonzero((pop.status == ACTIVE) & (pop.dpd > 0) & (pop.deferral_until <= 200))
    still = late[arrears(model.columns, late) > pop.cash[late] * 10]
    before = pop.dpd[still].copy()
    model.step()
    open_now = pop.status[still] == ACTIVE
    unpaid = pop.dpd[still] > 0
    keep = open_now & unpaid
    assert keep.sum() > 0
    np.testing.assert_array_equal(pop.dpd[still][keep], before[keep] + 1)


# --- deferral -------------------------------------------------------------------------------------
HARD = dict(shocks__job_loss_rate=0.5, deferral__awareness=1.0)


def test_deferral_is_granted_only_when_enabled() -> None:
    strategic = dict(borrowers__strategic_share=0.3, **HARD)
    off = totals(make_config(N, DAYS, deferral__enabled=False, **strategic))
    asked = totals(make_config(N, DAYS, deferral__enabled=False,
                               deferral__requests_without_offer=True, **strategic))
    on = totals(make_config(N, DAYS, deferral__enabled=True, **strategic))
    # Where deferral is not offered nobody asks, unless borrowers ask without an offer; a
    # request made then is refused and is never a false claim (there is no programme).
    assert off["deferrals_requested"] == 0 and off["deferral_false_claims"] == 0
    assert asked["deferrals_requested"] > 0 and asked["deferrals_granted"] == 0
    assert asked["deferral_false_claims"] == 0
    assert on["deferrals_granted"] > 0 and on["deferral_false_claims"] > 0


def test_verification_accuracy_controls_mistaken_grants() -> None:
    kw = dict(deferral__enabled=True, borrowers__strategic_share=0.3, **HARD)
    exact = totals(make_config(N, DAYS, deferral__verification_accuracy=1.0,
                               deferral__false_claim_detection=1.0, **kw))
    blind = totals(make_config(N, DAYS, deferral__verification_accuracy=0.0, **kw))
    assert exact["deferrals_granted_ineligible"] == 0
    assert blind["deferrals_granted_ineligible"] > 0


def test_deferral_limit_per_loan_is_respected() -> None:
    model = run_model(make_config(N, DAYS, deferral__enabled=True, deferral__max_per_loan=1,
                                  deferral__extend_months=1, **HARD))
    assert model.population.deferrals_used.max() == 1
    none = totals(make_config(N, DAYS, deferral__enabled=True, deferral__max_per_loan=0, **HARD))
    assert none["deferrals_granted"] == 0 and none["deferrals_refused"] > 0


def test_extend_pauses_payments_and_accrues_interest_when_asked() -> None:
    config = make_config(N, 200, deferral__enabled=True, deferral__extend_months=4, **HARD)
    model = CreditMarket(config)
    model.run_days(200)
    pop = model.population
    paused = np.flatnonzero((pop.status == ACTIVE) & (pop.deferral_until > model.day))
    assert paused.size > 0
    assert (pop.next_due[paused] >= pop.deferral_until[paused]).all()
    assert (pop.deferred_interest[paused] > 0).any()
    quiet = CreditMarket(make_config(N, 200, deferral__enabled=True, deferral__extend_months=4,
                                     deferral__accrue_interest=False, **HARD))
    quiet.run_days(200)
    assert quiet.population.deferred_interest.max() == 0


def test_rate_cut_lowers_the_rate_of_deferred_loans() -> None:
    config = make_config(N, 200, deferral__enabled=True, deferral__mode="rate_cut",
                         deferral__rate_cut_share=0.5, supply__enabled=False,  # band prices
                         **HARD)
    model = run_model(config)
    pop = model.population
    cut = np.flatnonzero((pop.status == ACTIVE) & pop.deferred_ever)
    assert cut.size > 0
    band_rates = np.asarray(config.lending.apr_by_band) / MONTHS_PER_YEAR
    assert np.isin(np.round(pop.rate[cut], 12), np.round(band_rates * 0.5, 12)).all()


def test_small_balance_eligibility_grants_without_hardship() -> None:
    kw = dict(deferral__enabled=True, deferral__eligible_hardship=False,
              deferral__verification_accuracy=1.0, deferral__false_claim_detection=1.0,
              deferral__awareness=1.0, borrowers__forgetful_share=0.5, borrowers__autopay_share=0.0,
              deferral__good_record_max_dpd=30)
    off = totals(make_config(N, DAYS, deferral__eligible_small_balance=False, **kw))
    on = totals(make_config(N, DAYS, deferral__eligible_small_balance=True,
                            deferral__small_balance_max=1e9, **kw))
    assert on["deferrals_granted"] > off["deferrals_granted"]


def test_force_majeure_window_makes_applicants_eligible() -> None:
    window = [{"start_day": 0, "end_day": DAYS, "force_majeure": True}]
    kw = dict(deferral__enabled=True, deferral__eligible_hardship=False,
              deferral__verification_accuracy=1.0, deferral__false_claim_detection=1.0, **HARD)
    plain = totals(make_config(N, DAYS, **kw))
    declared = totals(make_config(N, DAYS, shocks__macro=window, **kw))
    assert plain["deferrals_granted"] == 0
    assert declared["deferrals_granted"] > 0


def test_redefaults_are_tracked_for_deferred_loans() -> None:
    model = run_model(make_config(N, 500, deferral__enabled=True,
                                  borrowers__strategic_share=0.3,
                                  deferral__verification_accuracy=0.0, **HARD))
    assert model.totals["redefaults"] > 0
    assert model.population.redefaulted[~model.population.deferred_ever].sum() == 0


# --- collection -----------------------------------------------------------------------------------
def test_no_ladder_means_no_contacts() -> None:
    silent = {f"collection__ladder__{b}__{c}": 0.0 for b in
              ("dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")
              for c in ("app", "sms", "letter", "phone")}
    t = totals(make_config(N, DAYS, **silent))
    assert sum(t[f"contacts_{c}"] for c in ("app", "sms", "letter", "phone")) == 0
    assert totals(make_config(N, DAYS))["contacts_phone"] > 0


def test_contact_cap_limits_contacts_and_complaints() -> None:
    heavy = {f"collection__ladder__{b}__phone": 7.0 for b in
             ("dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")}
    loose = totals(make_config(N, DAYS, collection__max_contacts_per_7_days=7, **heavy))
    tight = totals(make_config(N, DAYS, collection__max_contacts_per_7_days=1, **heavy))
    assert tight["contacts_phone"] < loose["contacts_phone"]
    assert tight["complaints"] < loose["complaints"]


def test_collector_capacity_limits_calls_and_letters() -> None:
    none = totals(make_config(N, DAYS, collection__capacity_per_1000_borrowers=0.0))
    assert none["contacts_phone"] == 0 and none["contacts_letter"] == 0
    assert none["contacts_sms"] > 0


def test_opted_out_borrowers_get_no_calls_or_sms() -> None:
    t = totals(make_config(N, DAYS, borrowers__opt_out_share=1.0))
    assert t["contacts_phone"] == 0 and t["contacts_sms"] == 0
    assert t["contacts_app"] > 0


def test_third_party_contact_is_off_by_default_and_raises_complaints() -> None:
    heavy = {f"collection__ladder__{b}__phone": 5.0 for b in
             ("dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")}
    off = totals(make_config(N, DAYS, **heavy))
    on = totals(make_config(N, DAYS, collection__third_party_contact=True, **heavy))
    assert off["third_party_contacts"] == 0
    assert on["third_party_contacts"] > 0
    assert on["complaints"] > off["complaints"]


def test_contact_stress_makes_borrowers_churn() -> None:
    calm = totals(make_config(N, DAYS, collection__churn_stress=1000.0))
    touchy = totals(make_config(N, DAYS, collection__churn_stress=0.5))
    assert calm["churned"] == 0 and touchy["churned"] > 0


def test_churned_borrowers_do_not_borrow_from_that_lender_again() -> None:
    model = CreditMarket(make_config(N, DAYS, collection__churn_stress=0.5,
                                     borrowers__turnover_rate=0.0))
    model.run_days(200)
    pop = model.population
    churned = np.flatnonzero(pop.churned == 1)
    assert churned.size > 0
    loans_before = pop.loans_taken[churned].copy()
    model.run_days(300)
    np.testing.assert_array_equal(pop.loans_taken[churned], loans_before)
    assert model.totals["originations"] > 0


def test_contacts_prompt_payments() -> None:
    silent = {f"collection__ladder__{b}__{c}": 0.0 for b in
              ("dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")
              for c in ("app", "sms", "letter", "phone")}
    quiet = totals(make_config(N, DAYS, shocks__job_loss_rate=0.3, **silent))
    worked = totals(make_config(N, DAYS, shocks__job_loss_rate=0.3))
    assert worked["payments_after_contact"] > 0 and quiet["payments_after_contact"] == 0


# --- legal, bureau and charge-off -------------------------------------------------------------
def test_legal_action_files_cases_and_recovers() -> None:
    kw = dict(shocks__job_loss_rate=0.5, legal__dpd=40, legal__delay_days=20)
    sued = run_model(make_config(N, DAYS, legal__enabled=True, **kw))
    spared = run_model(make_config(N, DAYS, legal__enabled=False, **kw))
    assert sued.totals["legal_filed"] > 0 and sued.totals["legal_judgments"] > 0
    assert sued.lender_list[0].ledger.legal_cost > 0
    assert spared.totals["legal_filed"] == 0 and spared.lender_list[0].ledger.legal_cost == 0


def test_bureau_report_dpd_and_delay_move_scores() -> None:
    kw = dict(shocks__job_loss_rate=0.5)
    early = run_model(make_config(N, DAYS, bureau__report_dpd=30, **kw))
    late = run_model(make_config(N, DAYS, bureau__report_dpd=100, **kw))
    assert early.totals["bureau_reports"] > late.totals["bureau_reports"]
    assert early.bureau.reports["reported"] == early.totals["bureau_reports"]
    frozen_config = make_config(N, 60, bureau__reporting_delay_days=365,
                                borrowers__turnover_rate=0.0)
    frozen = run_model(frozen_config)
    assert frozen.totals["score_updates"] == 0
    start = CreditMarket(frozen_config).population.score
    np.testing.assert_array_equal(frozen.population.score, start)


def test_scores_rise_with_on_time_payments_and_fall_with_defaults() -> None:
    config = make_config(N, DAYS, shocks__job_loss_rate=0.3, borrowers__turnover_rate=0.0)
    model = run_model(config)
    start = CreditMarket(config).population.score
    pop = model.population
    defaulted = pop.chargeoff_day >= 0
    clean = (pop.loans_taken > 0) & ~defaulted & (pop.flag_day < 0)
    assert (pop.score[defaulted].astype(int) - start[defaulted]).mean() < -50
    assert (pop.score[clean].astype(int) - start[clean]).mean() > 0
    assert pop.score.min() >= SCORE_BAND_EDGES[0] and pop.score.max() <= SCORE_BAND_EDGES[-1]


def test_chargeoff_dpd_sets_when_loans_default() -> None:
    kw = dict(shocks__job_loss_rate=0.5, legal__enabled=False)
    model = CreditMarket(make_config(N, DAYS, chargeoff__dpd=60, **kw))
    for _ in range(DAYS):
        model.step()
        pop = model.population
        assert not ((pop.status == ACTIVE) & (pop.dpd >= 60)).any()
    late = totals(make_config(N, DAYS, chargeoff__dpd=180, **kw))
    assert model.totals["defaults"] > late["defaults"]


def test_debt_sale_sells_claims_at_the_price() -> None:
    kw = dict(shocks__job_loss_rate=0.5, legal__enabled=False)
    model = run_model(make_config(N, DAYS, chargeoff__debt_sale=True, chargeoff__sale_price=0.1,
                                  **kw))
    ledger = model.lender_list[0].ledger
    assert model.totals["debts_sold"] > 0
    assert ledger.sale_proceeds > 0
    # Sold on the day of charge-off (sale_after_days = 0), so each claim is sold whole at its
    # face value (principal, interest and fees written off): the price of the whole, to the
    # half cent per claim that rounding allows.
    face = ledger.charged_off_principal + ledger.interest_fees_charged_off
    assert abs(ledger.sale_proceeds - 0.1 * face) <= 0.5 * model.totals["debts_sold"]
    assert ledger.sale_proceeds == ledger.recoveries  # nothing else was recovered
    assert (model.population.status != CHARGED_OFF).all()


def test_recoveries_follow_charge_off_while_the_window_is_open() -> None:
    kw = dict(shocks__job_loss_rate=0.5, legal__enabled=False)
    kept = run_model(make_config(N, DAYS, chargeoff__recovery_window_days=365, **kw))
    closed = run_model(make_config(N, DAYS, chargeoff__recovery_window_days=0, **kw))
    assert kept.lender_list[0].ledger.recoveries > closed.lender_list[0].ledger.recoveries
    assert closed.totals["claims_written_off"] > 0


@pytest.mark.parametrize("lenders", [2, 3])
def test_several_lenders_share_the_market(lenders: int) -> None:
    model = run_model(make_config(N, 200, lending__lenders=lenders))
    books = [lender.book().size for lender in model.lender_list]
    assert all(b > 0 for b in books)
    assert len(model.collector_list) == lenders * model.config.collection.collectors_per_lender


def test_borrower_agents_are_views_of_the_columns() -> None:
    model = CreditMarket(make_config(300, 60, run__borrower_agents=True))
    model.run_days(60)
    from sim.agents import Borrower
    views = list(model.agents_by_type[Borrower])
    assert len(views) == 300 and sorted(v.row for v in views) == list(range(300))
    pick = views[17]
    # A view holds no copy: a change to the columns shows through it at once.
    model.population.score[pick.row] = 777
    model.population.cash[pick.row] = 12_345
    assert pick.score == 777 and pick.snapshot()["cash"] == 12_345


def test_good_customers_are_collected_along_their_own_ladder() -> None:
    """Segments on at 650 points with a good customers' ladder that never calls: no borrower
    at 650 or more is ever contacted that day, and those under it still are."""
    silent = {bucket: {"app": 0.0, "sms": 0.0, "letter": 0.0, "phone": 0.0}
              for bucket in ("dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")}
    model = CreditMarket(make_config(N, 250, shocks__job_loss_rate=0.5, bureau__report_dpd=30,
                                     collection__segment_min_score=650,
                                     collection__good_customer_ladder=silent))
    pop = model.population
    contacted_low = 0
    for _ in range(250):
        score = pop.score.copy()  # the collection phase sees the day's scores before reporting
        model.step()
        today = pop.contacts_week[(model.day - 1) % 7]
        assert not today[score >= 650].any()
        contacted_low += int(today[score < 650].sum())
    assert contacted_low > 0


def test_a_mild_early_ladder_for_everyone_cuts_early_contacts() -> None:
    kw = dict(shocks__job_loss_rate=0.5)
    one = totals(make_config(N, DAYS, **kw))
    segmented = totals(make_config(N, DAYS, collection__segment_min_score=350, **kw))
    # The default good customers' ladder sends no SMS in the first 30 days past due.
    assert segmented["contacts_sms"] < one["contacts_sms"]


def test_auto_repay_that_withholds_on_pay_day_prevents_hardship_misses() -> None:
    """Borrowers who all signed up for auto-repay, living at the edge (expenses take 110 % of
    income): withholding the installment on pay day keeps it out of the spending."""
    kw = dict(borrowers__autopay_share=1.0, borrowers__expense_ratio=1.1,
              borrowers__buffer_months_median=0.1)
    spending = totals(make_config(N, DAYS, **kw))
    withheld = totals(make_config(N, DAYS, repayment__autopay_withholds=True, **kw))
    assert withheld["missed_hardship"] < 0.5 * spending["missed_hardship"]


def test_withholding_touches_only_borrowers_who_signed_up() -> None:
    kw = dict(borrowers__autopay_share=0.0, borrowers__expense_ratio=1.1)
    off = run_model(make_config(N, DAYS, **kw)).metrics.frame()
    on = run_model(make_config(N, DAYS, repayment__autopay_withholds=True, **kw)).metrics.frame()
    assert off.equals(on)
