"""Determinism and invariants: same seed same run; money balances; caps and ranges hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config import SCORE_BAND_EDGES, ScenarioConfig
from sim.ledger import AccountingError
from sim.model import CreditMarket
from sim.phases.deferral import _open_to_apply
from sim.population import ACTIVE, STRATEGIC, dpd_bucket
from sim.totals import loan_book
from tests.helpers import make_config, run_model


def test_same_seed_gives_identical_tables_and_columns() -> None:
    config = make_config(borrowers=1500, days=200)
    first, second = run_model(config), run_model(config)
    pd.testing.assert_frame_equal(first.metrics.frame(), second.metrics.frame())
    for name, column in vars(first.population).items():
        if isinstance(column, np.ndarray):
            np.testing.assert_array_equal(column, getattr(second.population, name), name)


def test_another_seed_gives_a_different_run() -> None:
    a = run_model(make_config(borrowers=1500, days=200, seed=1)).metrics.frame()
    b = run_model(make_config(borrowers=1500, days=200, seed=2)).metrics.frame()
    assert not a.equals(b)


def test_one_row_of_metrics_per_day_and_datacollector_agrees() -> None:
    model = run_model(make_config(borrowers=500, days=90))
    frame = model.metrics.frame()
    assert list(frame["day"]) == list(range(90))
    collected = model.datacollector.get_model_vars_dataframe()
    assert len(collected) == 90
    np.testing.assert_allclose(collected["default_rate"].to_numpy(dtype=float),
                               frame["default_rate"].to_numpy())


def test_broken_books_are_detected() -> None:
    model = CreditMarket(make_config(borrowers=500, days=60))
    model.run_days(40)
    model.lender_list[0].ledger.cash += 1
    with pytest.raises(AccountingError, match="cash"):
        model.step()


def test_a_periodic_check_finds_books_broken_between_checks() -> None:
    """Checked every 7th day (the default), a book broken on day 40 stands until day 42's
    check, which finds it: the identities are cumulative."""
    model = CreditMarket(make_config(borrowers=500, days=60, run__check_every_days=7))
    model.run_days(40)
    model.lender_list[0].ledger.cash += 1
    model.step()  # day 40
    model.step()  # day 41
    with pytest.raises(AccountingError, match="cash"):
        model.step()  # day 42


def test_principal_identity_is_detected() -> None:
    model = CreditMarket(make_config(borrowers=500, days=60))
    model.run_days(40)
    rows = model.lender_list[0].book()
    model.population.principal[rows[0]] -= 1
    with pytest.raises(AccountingError, match="disbursed"):
        model.step()


def _check_day(model: CreditMarket) -> None:
    pop = model.population
    cap = model.config.collection.max_contacts_per_7_days
    assert pop.contacts_week.sum(axis=0).max(initial=0) <= cap
    assert pop.score.min() >= 350 and pop.score.max() <= 950
    assert (pop.cash >= 0).all()
    assert (pop.principal >= 0).all() and (pop.claim >= 0).all()
    assert (pop.principal_due <= pop.principal).all()
    for collector in model.collector_list:
        assert collector.used_today <= collector.capacity
    for lender in model.lender_list:
        ledger = lender.ledger
        assert ledger.cash >= -(ledger.collection_cost + ledger.legal_cost + ledger.staff_cost
                                + ledger.regulatory_cost)
    assert (pop.deferrals_used <= model.config.deferral.max_per_loan).all()
    _check_indexes(model)


def _check_indexes(model: CreditMarket) -> None:
    """The indexes that spare phases a scan of every row agree with the columns."""
    pop = model.population
    assert (pop.score_counts == np.bincount(pop.score, minlength=pop.score_counts.size)).all()
    assert np.isin(np.flatnonzero(pop.dpd > 0), pop.watched).all()
    assert (np.diff(pop.watched) > 0).all()
    future = np.flatnonzero((pop.status == ACTIVE) & (pop.next_due > model.day))
    filed = {(day, int(row)) for day, parts in pop.due_calendar.items()
             for part in parts for row in part}
    assert all((int(pop.next_due[row]), int(row)) in filed for row in future)
    pending = np.flatnonzero(pop.legal_day > model.day)
    in_court = {(day, int(row)) for day, parts in pop.court_calendar.items()
                for part in parts for row in part}
    assert all((int(pop.legal_day[row]), int(row)) in in_court for row in pending)
    _check_compiled_selections(model)


def _check_compiled_selections(model: CreditMarket) -> None:
    """Row selections the compiled phases make from the indexes equal their definitions over
    every row."""
    pop, day = model.population, model.day
    active_loans = int(np.count_nonzero(pop.status == ACTIVE))
    active_balance = int(pop.principal[pop.status == ACTIVE].sum())
    book = loan_book(model.columns, pop.watched, active_loans, active_balance)
    past_due = np.flatnonzero((pop.status == ACTIVE) & (pop.dpd > 0))
    dpd = pop.dpd[past_due]
    late = np.bincount(dpd_bucket(dpd), minlength=4)
    assert (book.bucket_loans == [active_loans - late.sum(), *late]).all()
    assert book.bucket_balance.sum() == pytest.approx(active_balance)
    assert book.loans_dpd30 == np.count_nonzero(dpd >= 30)
    assert book.balance_dpd90 == pop.principal[past_due][dpd >= 90].sum()
    edges = SCORE_BAND_EDGES
    bands = [np.count_nonzero((pop.score >= lo) & (pop.score < hi)) for lo, hi in
             zip(edges[:-2], edges[1:-1], strict=True)] + [np.count_nonzero(pop.score >= edges[-2])]
    assert (book.band_counts == bands).all()
    assert book.score_total == pop.score.astype(np.int64).sum()
    reapply = model.config.deferral.reapply_after_days
    in_difficulty = (pop.jobless_until > day) | (pop.ill_until > day) | (pop.dpd > 0)
    claims_falsely = (pop.kind == STRATEGIC) & (pop.dpd == 0)
    for false_claims in (False, True):
        may_apply = np.flatnonzero(
            (in_difficulty | (false_claims & claims_falsely)) & (pop.status == ACTIVE)
            & (pop.deferral_until <= day) & pop.aware
            & (day - pop.deferral_asked_day.astype(np.int64) >= reapply))
        assert np.array_equal(
            _open_to_apply(model.columns, day, reapply, false_claims), may_apply)


def test_caps_ranges_and_books_hold_every_day_under_strict_collection() -> None:
    config = make_config(
        borrowers=1500, days=300, borrowers__hardship_share=0.5, shocks__job_loss_rate=0.3,
        collection__max_contacts_per_7_days=3, collection__ladder__dpd_1_30__phone=7.0,
        collection__ladder__dpd_1_30__sms=7.0, collection__ladder__dpd_31_60__phone=7.0,
        collection__capacity_per_1000_borrowers=5.0,
        deferral__enabled=True, deferral__max_per_loan=2)
    model = CreditMarket(config)
    for _ in range(config.run.days):
        model.step()
        _check_day(model)
    assert model.totals["contacts_phone"] > 0
    assert model.totals["missed_installments"] > 0
    assert model.totals["deferrals_granted"] > 0


share = st.floats(0.0, 0.3)


@st.composite
def configs(draw: st.DrawFn) -> ScenarioConfig:
    """Random valid configs that exercise every mechanism."""
    return make_config(
        borrowers=draw(st.integers(50, 400)),
        days=draw(st.integers(30, 200)),
        seed=draw(st.integers(0, 2**32)),
        lending__lenders=draw(st.integers(1, 3)),
        lending__capital_per_borrower=draw(st.floats(0.0, 20_000.0)),
        lending__need_rate=draw(st.floats(0.5, 12.0)),
        lending__term_months=draw(st.integers(1, 24)),
        borrowers__hardship_share=draw(share), borrowers__strategic_share=draw(share),
        borrowers__forgetful_share=draw(share),
        borrowers__income_volatility=draw(st.floats(0.0, 0.5)),
        shocks__job_loss_rate=draw(st.floats(0.0, 2.0)),
        shocks__illness_rate=draw(st.floats(0.0, 2.0)),
        shocks__macro=[{"start_day": 10, "end_day": 60, "job_loss_multiplier": 3.0,
                        "force_majeure": draw(st.booleans())}],
        repayment__late_fee=draw(st.floats(0.0, 100.0)),
        repayment__partial_payments=draw(st.booleans()),
        deferral__enabled=draw(st.booleans()),
        deferral__mode=draw(st.sampled_from(["extend", "rate_cut"])),
        deferral__accrue_interest=draw(st.booleans()),
        deferral__waive_arrears_interest=draw(st.booleans()),
        deferral__eligible_small_balance=draw(st.booleans()),
        deferral__verification_accuracy=draw(st.floats(0.0, 1.0)),
        collection__max_contacts_per_7_days=draw(st.integers(0, 10)),
        collection__third_party_contact=draw(st.booleans()),
        collection__collectors_per_lender=draw(st.integers(1, 4)),
        collection__capacity_per_1000_borrowers=draw(st.floats(0.0, 200.0)),
        collection__capacity_priority=draw(st.sampled_from(
            ["highest_dpd", "lowest_dpd", "random"])),
        legal__enabled=draw(st.booleans()),
        legal__dpd=draw(st.integers(5, 150)),
        legal__delay_days=draw(st.integers(0, 60)),
        bureau__report_dpd=draw(st.integers(1, 120)),
        bureau__reporting_delay_days=draw(st.integers(0, 30)),
        chargeoff__dpd=draw(st.integers(10, 150)),
        chargeoff__debt_sale=draw(st.booleans()),
        chargeoff__sale_after_days=draw(st.integers(0, 30)),
        chargeoff__recovery_window_days=draw(st.integers(0, 120)),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_books_balance_to_the_cent_for_random_configs(config: ScenarioConfig) -> None:
    assert config.run.check_invariants
    model = CreditMarket(config)
    for _ in range(config.run.days):
        model.step()  # check_accounts runs at the end of every day and raises if books break
        _check_day(model)
    for lender in model.lender_list:
        ledger = lender.ledger
        assert ledger.disbursed == (ledger.principal_repaid + lender.outstanding()
                                    + ledger.charged_off_principal)
