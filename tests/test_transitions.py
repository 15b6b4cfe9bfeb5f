"""Monthly DPD-bucket transition matrices: every tracked loan counted once, moves that a month
allows, and the roll and cure rates read from them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.model import CreditMarket
from sim.transitions import (
    ACTIVE_STATES,
    STATES,
    as_frame,
    cure_rate,
    probabilities,
    roll_rate_30_60,
)
from sim.units import DAYS_PER_MONTH
from tests.helpers import make_config


@pytest.fixture(scope="module")
def model() -> CreditMarket:
    config = make_config(borrowers=3000, days=600, shocks__job_loss_rate=0.3,
                         deferral__enabled=True)
    market = CreditMarket(config)
    market.run_days()
    return market


def test_each_loan_active_at_a_month_boundary_is_counted_once_the_next_month(model):
    frame = model.metrics.frame()
    for start, counts in model.transitions.months[1:]:
        by_origin = counts.sum(axis=1)
        boundary = frame.iloc[start - 1]
        # Forborne loans up to 30 DPD are one state; beyond, and the others, by DPD bucket.
        assert by_origin.sum() == boundary["loans_active"]
        forborne = by_origin[ACTIVE_STATES.index("forborne")]
        assert forborne <= boundary["loans_forborne"]
        assert by_origin[0] <= boundary["loans_current"]


def test_a_month_moves_a_loan_at_most_one_bucket_deeper(model):
    counts = model.transitions.counts()
    assert counts.sum() > 10_000
    dpd_states = ACTIVE_STATES.index("forborne")
    for i in range(dpd_states):
        for j in range(i + 2, dpd_states):
            assert counts[i, j] == 0, (ACTIVE_STATES[i], STATES[j])
    # Charge-off at 120 DPD is reachable only from 90+ (and from 61-90 by a legal judgment).
    charged = STATES.index("charged_off")
    assert counts[:2, charged].sum() == 0
    assert counts[4, charged] > 0
    # Delinquent loans do cure, and the current bucket feeds 1-30.
    assert counts[1:, 0].sum() > 0 and counts[0, 1] > 0


def test_roll_and_cure_rates_read_the_right_cells():
    counts = np.zeros((6, 8), np.int64)
    counts[2] = [10, 0, 30, 40, 0, 7, 0, 20]  # 31-60: 10 current, 20 repaid, 40 roll, 7 re-aged
    counts[3] = [5, 0, 0, 10, 25, 3, 0, 0]
    counts[4] = [5, 0, 0, 0, 30, 0, 15, 0]
    counts[5] = [9, 0, 0, 0, 0, 40, 1, 0]  # forborne loans through probation: not cures
    assert roll_rate_30_60(counts) == pytest.approx(40 / 107)
    assert cure_rate(counts) == pytest.approx((20 + 20) / 200)  # current or repaid in full
    probs = probabilities(counts)
    assert np.isnan(probs[0]).all()
    assert np.allclose(probs[2:].sum(axis=1), 1.0)
    table = as_frame(counts)
    assert len(table) == 48 and table["loans"].sum() == counts.sum()


def test_a_deferral_grant_is_never_a_cure(model):
    """Loans re-aged by a grant move to the forborne state, and stay there while past due:
    no month counts a loan 31+ DPD as cured unless it caught up by paying."""
    counts = model.transitions.counts()
    forborne = ACTIVE_STATES.index("forborne")
    assert counts[:5, forborne].sum() > 0  # grants happened, and were counted as forbearance
    assert counts[2:5, forborne].sum() > 0  # some of them re-aged delinquent loans
    granted_late = int(model.totals["deferrals_granted"])
    assert counts[:, forborne].sum() <= granted_late + counts[forborne].sum()


def test_months_start_every_30_days(model):
    starts = [start for start, _ in model.transitions.months]
    assert starts == list(range(0, 600 - DAYS_PER_MONTH + 1, DAYS_PER_MONTH))
    assert isinstance(as_frame(model.transitions.counts()), pd.DataFrame)
