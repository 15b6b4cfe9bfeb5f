"""Measures honest about their window: a run-off that did not finish, a run shorter than its
steady-state window, a score never observed for a year, a fork that was not stationary,
intervals of shares and rates that stay in their range, a sweep design too small for its
index and a comparison whose variants were not paired each say so instead of giving a
silent number."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.batch.comparison import load_comparison
from sim.batch.stats import measure_interval, summarize_runs
from sim.lifetime import measure_window
from sim.model import CreditMarket
from sim.report.compare_figures import _band
from sim.report.compare_report import (
    _trust,
    comparison_window,
    format_value,
    summary_status,
    trust_warnings,
)
from sim.report.figures import transition_matrix_figure
from sim.summary import MEASURE_UNITS, RUNOFF_OPEN_LIMIT, measure_status
from sim.sweep.analysis import RBD_FAST_MIN_SAMPLES, sensitivity
from sim.sweep.design import sample_matrix
from sim.sweep.figures import _frontier
from sim.sweep.report import _frontier_section, _sensitivity_section
from sim.sweep.spec import FRONTIER_MEASURES, SweepSpec
from sim.transitions import ACTIVE_STATES, STATES
from tests.helpers import make_config

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "scenarios" / "compare" / "strict_vs_lenient.toml"
LIFETIME = ("lifetime_loss_rate", "lifetime_recovery_rate", "lifetime_net_loss",
            "lifetime_profit")


# ---------------------------------------------------------------- one run, end to end


@pytest.fixture(scope="module")
def short_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """60 days (shorter than the baseline's steady_state_from_day of 365) and a 1-day
    run-off: every flag of a single run at once."""
    out = tmp_path_factory.mktemp("short") / "out"
    proc = subprocess.run([sys.executable, "run.py", "run", "scenarios/baseline.toml",
                           "--borrowers", "300", "--days", "60", "--runoff", "1", "--out",
                           str(out), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.mark.slow
def test_an_unfinished_run_off_gives_no_lifetime_number_and_says_so(short_run):
    out, proc = short_run
    table = pd.read_csv(out / "summary.csv").set_index("measure")
    assert table.loc["runoff_open_share", "value"] > RUNOFF_OPEN_LIMIT
    for measure in LIFETIME:
        assert np.isnan(table.loc[measure, "value"]), f"{measure} must not be a silent number"
        assert table.loc[measure, "status"].startswith("run-off did not finish")
    report = (out / "report.md").read_text()
    assert "The run-off did not finish" in report
    assert "WARNING" in proc.stderr and "run-off did not finish" in proc.stderr
    assert json.loads((out / "summary.json").read_text())["status"]["lifetime_loss_rate"] \
        .startswith("run-off did not finish")


def test_a_run_shorter_than_its_steady_state_window_records_the_window_used(short_run):
    out, _ = short_run
    table = pd.read_csv(out / "summary.csv").set_index("measure")
    assert table.loc["window_start_day", "value"] == 0
    assert table.loc["window_end_day", "value"] == 59
    assert table.loc["window_start_day", "status"] == (
        "whole run, shorter than steady_state_from_day (365)")
    report = (out / "report.md").read_text()
    assert "Steady-state window from day 365" not in report
    assert "whole run, days 0-59" in report and "not a steady state" in report


@pytest.mark.slow
def test_a_risk_gradient_without_a_year_of_observation_is_explained(short_run):
    out, _ = short_run
    assert len(pd.read_csv(out / "risk_gradient.csv")) == 0
    table = pd.read_csv(out / "summary.csv").set_index("measure")
    assert np.isnan(table.loc["score_auc", "value"])
    assert "before any loan was observed for a year" in table.loc["score_auc", "status"]
    assert "risk_gradient.csv has no rows" in (out / "report.md").read_text()


def test_the_transitions_figure_names_the_window_it_shows():
    counts = np.ones((len(ACTIVE_STATES), len(STATES)), np.int64)
    whole = transition_matrix_figure(counts, window="whole run, days 0-59 (not a steady state)")
    assert "whole run" in whole.axes[0].get_title()
    assert "steady-state window" not in whole.axes[0].get_title()
    assert "steady-state window" in transition_matrix_figure(counts).axes[0].get_title()


# ---------------------------------------------------------------- one run, measured


def test_a_run_off_that_finishes_keeps_its_lifetime_numbers_and_a_short_one_loses_them():
    config = make_config(borrowers=300, days=60, run__steady_state_from_day=30)

    def measured(runoff: int) -> dict[str, float]:
        model = CreditMarket(config, collect=False)
        model.run_days(30)
        return measure_window(model, config, 30, runoff_max_days=runoff).summary

    stopped, finished = measured(5), measured(3000)
    assert stopped["runoff_open_share"] > RUNOFF_OPEN_LIMIT
    assert all(np.isnan(stopped[m]) for m in LIFETIME)
    assert finished["runoff_open_share"] <= RUNOFF_OPEN_LIMIT
    assert all(np.isfinite(finished[m]) for m in LIFETIME)
    status = measure_status(finished, 30)
    assert status["lifetime_loss_rate"] == "ok" and status["window_start_day"] == "steady"
    assert (finished["window_start_day"], finished["window_end_day"]) == (30, 59)
    # the window's own measures do not depend on how long the run-off lasted
    for measure in ("annual_default_rate", "dpd30_share", "deferral_rate", "lender_profit"):
        assert stopped[measure] == finished[measure]


def test_a_fork_that_was_not_stationary_is_flagged():
    summary = {"burn_in_drift": 0.35, "burn_in_book_drift": 0.02, "window_start_day": 400.0,
               "window_end_day": 700.0}
    status = measure_status(summary, 400, tolerance=0.1)
    assert status["burn_in_drift"].startswith("stationarity not met")
    assert status["burn_in_book_drift"] == "ok"
    assert measure_status({"burn_in_drift": float("nan")}, 0)["burn_in_drift"].startswith(
        "not measured")


# ---------------------------------------------------------------- intervals


def test_intervals_of_shares_stay_inside_0_and_1_and_rates_above_0():
    approvals = np.array([0.02, 0.9, 0.05, 0.85, 0.4])
    mean, _, low, high, _ = measure_interval("approval_rate", approvals)
    assert 0 < low < mean < high < 1
    deferrals = np.array([0.01, 0.708, 0.02, 0.05])  # a rate per loan, not a share
    mean, _, low, high, _ = measure_interval("deferral_rate", deferrals)
    assert 0 < low < mean < high
    assert high > 0.3, "a rate per loan is not cut at 1 like a share"
    # a measure that can be negative keeps the plain t-interval
    drift = np.array([-0.3, 0.2, 0.05])
    assert measure_interval("burn_in_drift", drift)[2] < -0.3
    # all replicates at 0: a zero-width interval at 0
    assert measure_interval("runoff_open_share", np.zeros(4))[2:4] == (0.0, 0.0)


def test_a_comparison_table_and_figure_band_respect_the_bounds():
    rng = np.random.default_rng(1)
    runs = pd.DataFrame({"variant": "a", "replicate": range(6),
                         "approval_rate": [0.05, 0.95, 0.1, 0.9, 0.5, 0.02],
                         "deferral_rate": [0.0, 0.708, 0.01, 0.02, 0.0, 0.3]})
    summary = summarize_runs(runs, ["a"], ("approval_rate", "deferral_rate"))
    assert (summary["ci_low"] >= 0).all()
    assert summary.loc[summary["metric"] == "approval_rate", "ci_high"].iloc[0] <= 1
    series = pd.DataFrame([{"variant": "a", "replicate": r, "day": d,
                            "default_rate_30d": max(0.0, rng.normal(0.05, 0.2))}
                           for r in range(4) for d in range(10)])
    _, mean, low, high = _band(series, "a", "default_rate_30d")
    assert (low >= 0).all() and (high >= mean).all()


def test_deferral_rate_is_labelled_a_rate_per_loan_originated():
    assert MEASURE_UNITS["deferral_rate"] == "deferrals per loan originated"
    assert format_value("deferral_rate", 0.708) == "0.71"


# ---------------------------------------------------------------- sweeps


def grid_spec(levels: int = 3) -> SweepSpec:
    return SweepSpec.model_validate({
        "base": "x.toml", "design": "grid", "levels": levels, "seed": 3,
        "metrics": ["default_rate"], "parameter": [
            {"key": "chargeoff.dpd", "low": 60, "high": 180, "integer": True},
            {"key": "deferral.verification_accuracy", "low": 0.5, "high": 1.0}]})


def test_a_design_too_small_for_rbd_fast_says_so_instead_of_plus_minus_zero():
    spec = grid_spec()
    matrix = sample_matrix(spec)
    assert len(matrix) == 9 < RBD_FAST_MIN_SAMPLES
    y = np.random.default_rng(0).normal(size=len(matrix))
    runs = pd.DataFrame({"stage": "design", "world": 0, "point": range(len(matrix)),
                         "default_rate": y})
    indices, notes = sensitivity(spec, matrix, runs, 1)
    assert not len(indices)
    assert len(notes) == 1 and "too few for RBD-FAST" in notes[0]
    text = "\n".join(_sensitivity_section(SimpleNamespace(spec=spec, worlds=[]), indices,
                                          notes, len(matrix)))
    assert "Design too small" in text and "± 0" not in text


def test_a_large_enough_grid_still_gets_indices():
    spec = grid_spec(levels=10)  # 100 samples
    matrix = sample_matrix(spec)
    y = matrix[:, 0] + 0.1 * np.random.default_rng(0).normal(size=len(matrix))
    runs = pd.DataFrame({"stage": "design", "world": 0, "point": range(len(matrix)),
                         "default_rate": y})
    indices, notes = sensitivity(spec, matrix, runs, 1)
    assert len(indices) == 2 and not notes
    ranked = indices.sort_values("value", ascending=False)
    assert ranked["parameter"].iloc[0] == "chargeoff.dpd"


def test_the_frontier_mentions_a_bootstrap_only_when_one_was_computed():
    loss, *others = FRONTIER_MEASURES
    world = SimpleNamespace(index=0, name="all")
    sweep = SimpleNamespace(worlds=[world], spec=SimpleNamespace(confirm_replicates=0))
    points = pd.DataFrame({"world": 0, "source": ["sample", "sample", "anchor"],
                           "name": ["0", "1", "strict"], loss: [1.0, 2.0, 3.0],
                           **{other: [2.0, 1.0, 3.0] for other in others}})
    for share, mentioned in ((np.nan, False), (0.8, True)):
        frontier = pd.concat([points.iloc[:2].assign(against=other, on_mean_frontier=True,
                                                     frontier_share=share)
                              for other in others], ignore_index=True)
        legend = [t.get_text() for t in
                  _frontier(sweep, points, frontier).axes[0].get_legend().get_texts()]
        assert any("bootstrap resamples" in t for t in legend) == mentioned
        text = "\n".join(_frontier_section(sweep, points, frontier))
        assert ("share of bootstrap resamples" in text) == mentioned


# ---------------------------------------------------------------- comparisons


def comparison_summary(common_shocks: float, open_share: float = 0.0,
                       drift: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A summary table of two variants, three replicates each, with the given pairing,
    run-off and drift, as `summarize_runs` makes it from the runs."""
    rows = []
    for variant in ("strict", "lenient"):
        for replicate in range(3):
            rows.append({"variant": variant, "replicate": replicate,
                         "common_shocks_share": common_shocks,
                         "common_people_share": 0.99, "runoff_open_share": open_share,
                         "runoff_days": 30.0, "burn_in_drift": drift,
                         "burn_in_book_drift": 0.0,
                         "lifetime_loss_rate": np.nan if open_share else 0.03 + replicate})
    runs = pd.DataFrame(rows)
    measures = tuple(c for c in runs.columns if c not in ("variant", "replicate"))
    return summarize_runs(runs, ["strict", "lenient"], measures), runs


def test_the_trust_section_fails_loudly_when_pairing_did_not_hold():
    comparison = load_comparison(MAIN, ["run.borrowers=300", "run.days=60"], 3)
    summary, runs = comparison_summary(common_shocks=0.6767)
    warnings = trust_warnings(comparison, summary)
    assert any(w.startswith("PAIRING DID NOT HOLD") for w in warnings)
    lines = _trust(comparison, summary)
    assert lines[2].startswith("> **WARNING: PAIRING DID NOT HOLD")
    assert "cannot be trusted" in "\n".join(lines[:6])
    status = dict(zip(summary["metric"], summary_status(comparison, summary, runs),
                      strict=False))
    assert status["common_shocks_share"].startswith("pairing did not hold")
    paired, _ = comparison_summary(common_shocks=1.0)
    assert not trust_warnings(comparison, paired)
    assert not _trust(comparison, paired)[2].startswith("> **WARNING")


def test_a_comparison_flags_an_unfinished_run_off_and_a_fork_that_was_not_stationary():
    comparison = load_comparison(MAIN, ["run.borrowers=300", "run.days=60"], 3)
    summary, runs = comparison_summary(common_shocks=1.0, open_share=0.4, drift=0.5)
    warnings = trust_warnings(comparison, summary)
    assert any(w.startswith("THE RUN-OFF DID NOT FINISH") for w in warnings)
    assert any(w.startswith("THE FORK WAS NOT A STEADY STATE") for w in warnings)
    status = summary.assign(status=summary_status(comparison, summary, runs))
    status = status.set_index(["metric", "variant"])["status"]
    assert status[("lifetime_loss_rate", "strict")].startswith("run-off did not finish in 3")
    assert status[("burn_in_drift", "strict")].startswith("stationarity not met")


def test_a_short_comparison_names_the_window_it_averaged_over():
    comparison = load_comparison(MAIN, ["run.borrowers=300", "run.days=30"], 2)
    short = replace(comparison, burn_in_days=30)
    text = comparison_window(short)
    assert "whole run, days 0-59" in text and "burn-in (days 0-29) is in it" in text
    assert "365" in text  # says which steady_state_from_day it fell short of
    summary, _ = comparison_summary(common_shocks=1.0)
    assert any(w.startswith("THE WINDOW IS NOT A STEADY STATE")
               for w in trust_warnings(short, summary))
    full = comparison_window(comparison)
    assert full.startswith("steady-state window, days ")


def test_stationarity_tells_a_steady_fork_a_drift_and_too_few_runs_apart():
    from sim.summary import stationarity

    assert stationarity(0.02, -0.05, 0.09, 0.1) == "met"
    assert stationarity(-0.3, -0.45, -0.15, 0.1) == "not met"  # a drift, beyond tolerance
    assert stationarity(0.11, -0.13, 0.35, 0.1) == "undecided"  # none detected, interval wide
    assert stationarity(0.05, -0.2, 0.3, 0.1) == "undecided"
    assert stationarity(0.08, 0.01, 0.15, 0.1) == "undecided"  # a drift, maybe within tolerance
    assert stationarity(0.05, float("nan"), float("nan"), 0.1) == "met"  # one replicate
    assert stationarity(float("nan"), float("nan"), float("nan"), 0.1) == "not measured"
