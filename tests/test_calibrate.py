"""`run.py calibrate`: trials on common random numbers, a reproducible search, a best scenario
that runs, a loss that is zero exactly inside the ranges, clear errors for bad files."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.scenario import load_scenario
from sim.validation.calibrate import load_calibration, loss
from tests.test_cli import REPO, assert_ok, assert_usage_error, run_cli

CALIBRATION = REPO / "scenarios" / "calibration" / "steady_state.toml"
TINY = ["--trials", 3, "--replicates", 2, "--workers", 2, "--set", "run.borrowers=600",
        "--set", "run.days=450", "--set", "run.steady_state_from_day=300", "--quiet"]


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("calibration") / "out"
    assert_ok(run_cli("calibrate", CALIBRATION, *TINY, "--out", out))
    return out


@pytest.mark.slow
def test_trials_best_scenario_and_report(calibrated):
    trials = pd.read_csv(calibrated / "trials.csv")
    assert trials["trial"].tolist() == [0, 1, 2]
    keys = ["repayment.self_cure_rate", "strategic.contact_response", "shocks.job_loss_rate",
            "strategic.base_propensity"]
    assert all(k in trials.columns for k in keys)
    assert {"F1_model", "F6_model", "loss"} <= set(trials.columns)
    best = trials.loc[trials["loss"].idxmin()]
    config = load_scenario(calibrated / "best.toml")
    assert config.repayment.self_cure_rate == pytest.approx(best["repayment.self_cure_rate"])
    assert config.run.borrowers == 600  # the calibration's and the command line's settings
    assert (calibrated / "figures" / "trials.png").stat().st_size > 5000
    assert "Best: trial" in (calibrated / "report.md").read_text()


@pytest.mark.slow
def test_same_seed_same_trials(calibrated, tmp_path):
    out = tmp_path / "again"
    assert_ok(run_cli("calibrate", CALIBRATION, *TINY, "--workers", 1, "--out", out))
    assert (out / "trials.csv").read_text() == (calibrated / "trials.csv").read_text()


def test_loss_is_zero_exactly_when_every_target_is_inside():
    calibration = load_calibration(CALIBRATION)
    middle = {fact: (low + high) / 2 for fact, (low, high) in calibration.ranges.items()}
    assert loss(middle, calibration)[0] == 0
    edge = {fact: high for fact, (low, high) in calibration.ranges.items()}
    # Inside but on an edge: only the pull towards the middle, half a range width away.
    assert loss(edge, calibration)[0] == pytest.approx(
        calibration.spec.centring * 0.5 ** 2 * len(edge))
    outside = dict(middle, F1=calibration.ranges["F1"][1] * 2)
    total, parts = loss(outside, calibration)
    assert parts["F1"] > 1 and total == pytest.approx(sum(parts.values()))
    assert loss(dict(middle, F6=math.nan), calibration)[1]["F6"] == 100


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('key = "shocks.job_loss_rate"', 'key = "shocks.job_los_rate"', "job_los_rate"),
    ('low = 0.02', 'low = -0.5', "parameter.2.low"),
    ('measure = "cure_rate"', 'measure = "cure"', "target.2.measure"),
    ('trials = 60', 'trails = 60', "did you mean 'trials'"),
    # The range type sweeps use: integer bounds must be whole, and a search needs a range.
    ('low = 0.05\nhigh = 0.6', 'low = 0.05\nhigh = 0.6\ninteger = true', "whole-number"),
    ('low = 0.05\nhigh = 0.6', 'values = [0.1, 0.2]', "parameter.1.values"),
])
def test_bad_calibration_files_name_file_and_key(tmp_path, old, new, expected):
    folder = tmp_path / "scenarios"
    shutil.copytree(REPO / "scenarios", folder)
    path = folder / "calibration" / "steady_state.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    message = assert_usage_error(run_cli("calibrate", path, "--out", tmp_path / "out"))
    assert str(path) in message and expected in message, message
    assert not (tmp_path / "out").exists()
