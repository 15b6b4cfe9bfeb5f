"""Loan lifecycle rules: re-ageing at a deferral grant, withdrawn cases, contractual DPD,
bureau queue, several lenders."""

from __future__ import annotations

import numpy as np

from sim.loans import arrears, contractual_dpd, pay
from sim.model import CreditMarket
from sim.phases.deferral import grant
from sim.population import ACTIVE
from sim.units import DAYS_PER_MONTH
from tests.helpers import make_config, run_model

HARD = dict(shocks__job_loss_rate=0.5, borrowers__hardship_share=0.5)


def _delinquent_model(**overrides) -> tuple[CreditMarket, np.ndarray]:
    model = CreditMarket(make_config(3000, 400, **HARD, **overrides))
    model.run_days(200)
    pop = model.population
    late = np.flatnonzero((pop.status == ACTIVE) & (pop.dpd > 0) & (pop.deferral_until <= 200))
    assert late.size > 5
    return model, late


def test_grant_without_waiver_carries_arrears_charges_without_ageing() -> None:
    model, late = _delinquent_model(deferral__waive_arrears_interest=False,
                                    deferral__mode="rate_cut")
    pop = model.population
    charges = pop.interest_due[late] + pop.fees_due[late] + pop.deferred_interest[late]
    grant(model.state, model.params, late)
    assert (arrears(model.columns, late) == 0).all() and (pop.dpd[late] == 0).all()
    np.testing.assert_array_equal(pop.deferred_interest[late], charges)
    model.step()
    still = late[pop.status[late] == ACTIVE]
    due_today = pop.last_due[still] == model.day - 1
    assert (pop.dpd[still][~due_today] == 0).all()


def test_grant_reschedules_every_unpaid_installment() -> None:
    model, late = _delinquent_model()
    pop = model.population
    unpaid = -(-arrears(model.columns, late) // pop.installment[late])
    left = pop.installments_left[late].astype(int)
    grant(model.state, model.params, late)
    np.testing.assert_array_equal(pop.installments_left[late], np.maximum(left + unpaid, 1))


def test_extend_accrues_interest_for_the_pause_beyond_one_month() -> None:
    model, late = _delinquent_model(deferral__extend_months=3)
    pop = model.population
    before = pop.deferred_interest[late].copy()
    last_due = pop.last_due[late].copy()
    grant(model.state, model.params, late)
    resume = model.day + 3 * DAYS_PER_MONTH
    months = np.maximum(resume - last_due - DAYS_PER_MONTH, 0) / DAYS_PER_MONTH
    expected = np.rint(pop.principal[late] * pop.rate[late] * months).astype(np.int64)
    np.testing.assert_array_equal(pop.deferred_interest[late] - before, expected)
    assert (pop.next_due[late] == resume).all()


def test_a_case_against_a_loan_that_caught_up_is_withdrawn() -> None:
    model = CreditMarket(make_config(3000, 400, legal__dpd=40, legal__delay_days=200, **HARD))
    judged_current = 0
    for _ in range(400):
        model.step()
        pop = model.population
        live_case = (pop.legal_day >= 0) & (pop.status == ACTIVE)
        owed = arrears(model.columns, np.arange(pop.n))
        judged_current += int(np.count_nonzero(live_case & (owed == 0)
                                               & (pop.deferral_until <= model.day)))
    assert model.totals["legal_filed"] > 0
    assert judged_current == 0


def test_partial_payments_bring_dpd_back_to_the_oldest_unpaid_installment() -> None:
    model, late = _delinquent_model()
    pop = model.population
    row = late[arrears(model.columns, late) > pop.installment[late]][:5]
    assert row.size > 0
    owed = arrears(model.columns, row)
    pay(model.state, model.params, row, owed - pop.installment[row] // 2)  # half unpaid
    np.testing.assert_array_equal(pop.dpd[row], np.minimum(
        pop.dpd[row], model.day - pop.last_due[row]))
    assert (contractual_dpd(model.state, row) == model.day - pop.last_due[row]).all()


def test_reports_with_no_delay_still_move_scores() -> None:
    model = run_model(make_config(3000, 400, bureau__reporting_delay_days=0, **HARD))
    assert model.totals["defaults"] > 0
    assert all(day >= model.day - 1 for day in model.bureau.pending if model.bureau.pending[day])
    pop = model.population
    defaulted = pop.chargeoff_day >= 0
    assert (pop.flag_day[defaulted] >= 0).all()


def test_several_lenders_keep_their_books_for_years() -> None:
    model = run_model(make_config(4000, 730, seed=3, lending__lenders=2, **HARD))
    assert model.totals["defaults"] > 0
    for lender in model.lender_list:
        assert lender.ledger.disbursed > 0
