"""The cohort re-default rate: each loan followed for a fixed time after its first deferral,
however late in the window it was granted."""

from __future__ import annotations

import math

from sim.lifetime import measure_window
from sim.model import CreditMarket
from sim.redefaults import RedefaultCohorts
from tests.helpers import make_config


def test_only_grant_days_followed_for_the_whole_window_count():
    cohorts = RedefaultCohorts(window_days=100)
    cohorts.first_deferred(10, 4)
    cohorts.first_deferred(150, 6)
    cohorts.redefaulted[10] += 1
    cohorts.redefaulted[150] += 3
    assert cohorts.counts(0, 200, last_day=109, book_closed=False) == (0, 0)
    assert cohorts.counts(0, 200, last_day=110, book_closed=False) == (4, 1)
    assert cohorts.counts(0, 200, last_day=250, book_closed=False) == (10, 4)
    assert cohorts.counts(0, 200, last_day=160, book_closed=True) == (10, 4)
    assert cohorts.counts(11, 200, last_day=400, book_closed=False) == (6, 3)


def _lenient_window(window_days: int) -> dict[str, float]:
    config = make_config(borrowers=3000, days=500, seed=3, deferral__enabled=True,
                         deferral__redefault_window_days=window_days,
                         run__steady_state_from_day=300)
    model = CreditMarket(config, collect=False)
    model.run_days(300)
    return measure_window(model, config, 200, runoff_max_days=2000).summary


def test_a_longer_follow_up_finds_more_redefaults_on_the_same_draws():
    short, year = _lenient_window(45), _lenient_window(365)
    # Identical runs: the follow-up only decides which re-defaults count.
    assert short["lifetime_loss_rate"] == year["lifetime_loss_rate"]
    assert short["redefault_rate"] == year["redefault_rate"]
    assert 0 <= short["redefault_rate_12m"] < year["redefault_rate_12m"] <= 1


def test_the_rate_is_unknown_until_a_cohort_has_been_followed():
    config = make_config(borrowers=1500, days=400, deferral__enabled=True,
                         run__steady_state_from_day=300)
    model = CreditMarket(config, collect=False)
    model.run_days(300)
    summary = measure_window(model, config, 100).summary  # no run-off, a 365-day follow-up
    assert math.isnan(summary["redefault_rate_12m"])


def test_every_counted_redefault_has_its_first_deferral_in_the_cohort():
    config = make_config(borrowers=2000, days=700, seed=5, deferral__enabled=True)
    model = CreditMarket(config, collect=False)
    model.run_days()
    cohorts = model.state.redefault_cohorts
    assert cohorts.granted.sum() > 0
    assert (cohorts.redefaulted <= cohorts.granted).all()
    assert cohorts.granted.sum() <= model.totals["deferrals_granted"] + model.totals[
        "repayment_plans"]
