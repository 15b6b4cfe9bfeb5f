"""`run.py validate`: every fact gets a row, the verdict follows the numbers, bad files are
reported clearly; the shock measures and the paired lift read the right days."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.scenario import load_scenario
from sim.validation.measures import (
    relative_lift,
    shock_peak_deferral_share,
    shock_peak_dpd30_share,
)
from sim.validation.run import VALIDATION_COLUMNS
from tests.test_cli import PNG_MAGIC, REPO, assert_ok, assert_usage_error, run_cli

VALIDATION = REPO / "scenarios" / "validation" / "validation.toml"


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("validation") / "out"
    proc = run_cli("validate", "--replicates", 2, "--borrowers", 600, "--days", 240,
                   "--workers", 2, "--out", out, "--quiet")
    assert_ok(proc)
    assert "F1" in proc.stdout
    return out


@pytest.mark.slow
def test_every_fact_has_a_row_and_the_verdict_follows_the_numbers(validated):
    everything = pd.read_csv(validated / "validation.csv")
    facts = pd.read_csv(REPO / "scenarios" / "validation" / "stylized_facts.csv")
    assert list(everything.columns) == list(VALIDATION_COLUMNS)
    table = everything[everything["role"] == "check"]
    assert sorted(table["fact"]) == sorted(facts["id"])
    measured = table[table["kind"].isin(["measure", "lift"])]
    assert len(measured) >= 12 and (measured["n"] == 2).all()
    for _, row in measured.iterrows():
        low, high, mean = row["published_low"], row["published_high"], row["model_mean"]
        if row["fact"] == "F13":  # a single survey figure, met within 10 % of it
            low, high = low * 0.9, high * 1.1
        expected = "below" if mean < low else "above" if mean > high else "inside"
        assert row["verdict"] == expected, row["fact"]
        assert row["ci_low"] <= mean <= row["ci_high"]
        assert row["gap"] == pytest.approx(0 if expected == "inside"
                                           else mean - (low if expected == "below" else high))
    by_fact = table.set_index("fact")
    assert by_fact.loc["F15", "model_mean"] == 120 and by_fact.loc["F15", "kind"] == "parameter"
    assert by_fact.loc["F16", "verdict"] == "respected"
    assert by_fact.loc["F9", "verdict"] == "not modelled"
    assert by_fact.loc["F9", "note"]


@pytest.mark.slow
def test_each_measured_fact_is_also_given_for_every_policy_of_its_experiment(validated):
    table = pd.read_csv(validated / "validation.csv")
    policies = table[table["role"] == "policy"]
    f1 = policies[policies["fact"] == "F1"].set_index("variant")
    assert set(f1.index) == {"strict", "lenient"}  # the check itself is the baseline's
    assert (f1["measure"] == "dpd30_share").all() and (f1["n"] == 2).all()
    assert set(policies[policies["fact"] == "F11"]["variant"]) == {"baseline", "strict"}
    assert not (policies["kind"] != "measure").any()  # a lift or an input has no policy rows
    report = (validated / "report.md").read_text()
    assert "## Where each policy's market sits" in report


@pytest.mark.slow
def test_outputs_figure_report_manifest_and_experiments(validated):
    assert (validated / "figures" / "facts.png").read_bytes()[:8] == PNG_MAGIC
    report = (validated / "report.md").read_text()
    for fact in ("F1", "F7", "F13", "F18"):
        assert f"**{fact}**" in report
    manifest = json.loads((validated / "manifest.json").read_text())
    assert set(manifest["validation"]["experiments"]) == {"steady", "shock", "reminders"}
    for name in ("steady", "shock", "reminders"):
        assert (validated / "experiments" / name / "runs.parquet").is_file()
        assert (validated / "experiments" / name / "transitions.csv").is_file()


def test_an_existing_folder_is_kept_without_resume_or_overwrite(validated):
    before = (validated / "validation.csv").read_text()
    proc = run_cli("validate", "--replicates", 2, "--out", validated, "--quiet")
    assert "--resume" in assert_usage_error(proc)
    assert (validated / "validation.csv").read_text() == before


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('fact = "F14"', 'fact = "F99"', "check.13.fact"),
    ('measure = "rpc_rate_phone"', 'mesure = "rpc_rate_phone"', "did you mean 'measure'"),
    ('experiment = "steady"\nvariant = "baseline"\nmeasure = "dpd30_share"',
     'experiment = "stedy"\nvariant = "baseline"\nmeasure = "dpd30_share"', "'stedy'"),
    ('kind = "lift"\nexperiment', 'kind = "uplift"\nexperiment', "check.6.kind"),
])
def test_bad_validation_files_are_reported_with_file_and_key(tmp_path, old, new, expected):
    folder = tmp_path / "validation"
    shutil.copytree(VALIDATION.parent, folder)
    shutil.copy(REPO / "scenarios" / "baseline.toml", tmp_path / "baseline.toml")
    for name in ("strict.toml", "lenient.toml"):
        shutil.copy(REPO / "scenarios" / name, tmp_path / name)
    path = folder / "validation.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    message = assert_usage_error(run_cli("validate", path, "--out", tmp_path / "out"))
    assert str(path) in message and expected in message
    assert not (tmp_path / "out").exists()


def test_shock_measures_read_the_shock_window():
    config = load_scenario(REPO / "scenarios" / "baseline.toml", [
        "shocks.macro=[{start_day=100, end_day=159, job_loss_multiplier=2.0}]"])
    days = np.arange(300)
    share = np.where((days >= 130) & (days < 190), 0.05, 0.01)
    # 80 loans of 1,000 paused from day 120 to day 199; 300 paused long before the shock
    paused = np.where((days >= 120) & (days < 200), 80, 0) + np.where(days < 60, 300, 0)
    series = pd.DataFrame({"day": days, "dpd30_share": share, "loans_in_deferral": paused,
                           "loans_active": 1000})
    assert shock_peak_dpd30_share(series, config) == pytest.approx(0.05)
    assert shock_peak_deferral_share(series, config) == pytest.approx(0.08)
    series.loc[series["day"] >= 250, "loans_in_deferral"] = 500  # after the aftermath
    assert shock_peak_deferral_share(series, config) == pytest.approx(0.08)


def test_lift_is_paired_by_replicate():
    treated = pd.Series({0: 0.99, 1: 0.88, 2: 1.10})
    reference = pd.Series({1: 0.80, 0: 0.90, 2: 1.00})
    assert relative_lift(treated, reference) == pytest.approx([10.0, 10.0, 10.0])
