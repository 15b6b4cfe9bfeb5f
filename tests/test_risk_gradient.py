"""The risk gradient and the score's AUC, by hand and from a run."""

from __future__ import annotations

import numpy as np
import pytest

from sim.risk_gradient import RiskRecorder
from tests.helpers import make_config, run_model


def recorder_with(good: list[int], bad: list[int], day: int = 10) -> RiskRecorder:
    risk = RiskRecorder()
    risk.originated(day, np.array(good + bad))
    risk.defaulted(day + 100, np.full(len(bad), day), np.array(bad))
    return risk


def test_auc_by_hand():
    # Good loans at 600 and 700, bad ones at 500 and 650: of the 4 good-bad pairs the good
    # loan ranks higher in 3 (600 > 500, 700 > 500, 700 > 650).
    assert recorder_with([600, 700], [500, 650]).score_auc(0, 400) == pytest.approx(0.75)
    assert recorder_with([600, 600], [600]).score_auc(0, 400) == pytest.approx(0.5)  # ties
    assert recorder_with([900], [400]).score_auc(0, 400) == 1.0


def test_only_loans_observed_for_a_year_and_defaults_within_it_count():
    risk = recorder_with([600, 700], [500, 650])
    assert np.isnan(risk.score_auc(0, 300))  # opened on day 10, not yet a year old on 300
    late = RiskRecorder()
    late.originated(0, np.array([500, 700]))
    late.defaulted(400, np.array([0]), np.array([500]))  # charged off after a year: no default
    assert np.isnan(late.score_auc(0, 500))
    table = late.risk_gradient(0, 500, bands=2)
    assert table["loans"].sum() == 2 and table["defaults"].sum() == 0


def test_gradient_counts_every_loan_once_lowest_band_first():
    risk = recorder_with(list(range(600, 700)), list(range(500, 550)))
    table = risk.risk_gradient(0, 400, bands=5)
    assert table["loans"].sum() == 150 and table["defaults"].sum() == 50
    assert (np.diff(table["score_from"]) > 0).all()
    assert table["default_rate"].iloc[0] == 1.0 and table["default_rate"].iloc[-1] == 0.0


def test_a_run_records_every_origination_and_its_year():
    market = run_model(make_config(3000, 800, seed=2))
    table = market.risk.risk_gradient(0, market.day - 1)
    opened_early = market.metrics.frame()["originations"].iloc[: market.day - 365].sum()
    assert table["loans"].sum() == opened_early
    auc = market.risk.score_auc(0, market.day - 1)
    assert 0.3 < auc < 1.0


def test_one_score_for_every_loan_makes_one_band():
    table = recorder_with([600, 600, 600], [600]).risk_gradient(0, 400)
    assert table["loans"].tolist() == [4] and table["defaults"].tolist() == [1]
