"""Comparison batches: common random numbers, worker-count invariance, resume, failures,
confidence-interval arithmetic and an end-to-end run of the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.batch import runner
from sim.batch.burn_in_cache import burned_in
from sim.batch.compare import run_comparison
from sim.batch.comparison import load_comparison
from sim.batch.runner import ShardMismatchError, plan, replicate_seeds
from sim.batch.stats import mean_interval, paired_differences, summarize_runs
from sim.model import CreditMarket
from sim.report.writer import OutputExistsError
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "scenarios" / "compare" / "strict_vs_lenient.toml"
SMALL = ["run.borrowers=300", "run.days=60", "shocks.job_loss_rate=0.5"]


def small(replicates: int = 3, burn_in: int | None = None, path: Path = MAIN):
    """The main comparison's strict and lenient variants, small (and with `burn_in` days of
    burn-in if given)."""
    comparison = load_comparison(path, SMALL, replicates)
    comparison = replace(comparison, variants=comparison.variants[:2])
    if burn_in is not None:
        comparison = replace(comparison, burn_in_days=burn_in)
    return comparison


def test_every_variant_of_a_replicate_gets_the_same_seed() -> None:
    comparison = small(replicates=4)
    tasks = plan(comparison)
    assert len(tasks) == 8
    by_replicate: dict[int, set[int]] = {}
    for task in tasks:
        by_replicate.setdefault(task.replicate, set()).add(task.seed)
    assert all(len(seeds) == 1 for seeds in by_replicate.values())
    assert len({next(iter(s)) for s in by_replicate.values()}) == 4
    assert replicate_seeds(1, 3) == replicate_seeds(1, 5)[:3]


def test_variants_fork_from_the_same_burned_in_market() -> None:
    comparison = small(burn_in=40)
    (_, strict), (_, lenient) = comparison.variants
    seed = plan(comparison)[0].seed
    a, b = CreditMarket(comparison.base, rng=seed), CreditMarket(comparison.base, rng=seed)
    a.run_days(40)
    b.run_days(40)
    np.testing.assert_array_equal(a.population.dpd, b.population.dpd)
    a.adopt_policy(strict)
    b.adopt_policy(lenient)
    a.run_days(60)
    b.run_days(60)
    fa, fb = a.metrics.frame(), b.metrics.frame()
    pd.testing.assert_frame_equal(fa.iloc[:40], fb.iloc[:40])
    assert not fa.iloc[40:].equals(fb.iloc[40:])


def test_a_shared_burn_in_gives_what_a_separate_one_gives() -> None:
    """The variants of a replicate continue copies of one burned-in market; each copy goes on
    exactly as a market burned in on its own would."""
    comparison = small(burn_in=50)
    (_, strict), (_, lenient) = comparison.variants
    seed = plan(comparison)[0].seed
    burned = burned_in(comparison.base, seed, 50)
    for variant in (strict, lenient):
        shared = runner.simulate_run(comparison.base, variant, 50, seed, 200, burned)
        alone = runner.simulate_run(comparison.base, variant, 50, seed, 200)
        pd.testing.assert_frame_equal(shared["frame"], alone["frame"])
        pd.testing.assert_series_equal(pd.Series(shared["summary"]), pd.Series(alone["summary"]))
        np.testing.assert_array_equal(shared["life_digest"], alone["life_digest"])
    assert burned.day == 50  # the copies leave the burned-in market as it was


def test_variant_inherits_the_base_run_section_and_overrides() -> None:
    comparison = load_comparison(MAIN, SMALL + ["collection.max_contacts_per_7_days=3"], 2)
    for _, config in comparison.variants:
        assert config.run == comparison.base.run
        assert config.collection.max_contacts_per_7_days == 3
    names = dict(comparison.variants)
    assert names["strict"].bureau.report_dpd == 30
    assert names["lenient"].deferral.enabled


@pytest.mark.slow
@pytest.mark.parametrize("backend", [None, "dask"])
def test_results_do_not_depend_on_the_number_of_workers_or_the_backend(
        tmp_path: Path, backend: str | None) -> None:
    """One worker runs in this process; two run in a process pool, or on a Dask
    LocalCluster: the same runs, to the bit."""
    comparison = small(replicates=2, burn_in=20)
    one = run_comparison(comparison, tmp_path / "one", workers=1, progress=False)
    two = run_comparison(comparison, tmp_path / "two", workers=2, progress=False,
                         backend=backend)
    runs_one = pd.read_parquet(one.folder / "runs.parquet")
    runs_two = pd.read_parquet(two.folder / "runs.parquet")
    pd.testing.assert_frame_equal(runs_one, runs_two)
    pd.testing.assert_frame_equal(pd.read_parquet(one.folder / "timeseries.parquet"),
                                  pd.read_parquet(two.folder / "timeseries.parquet"))
    assert (one.folder / "summary.csv").read_text() == (two.folder / "summary.csv").read_text()


@pytest.mark.slow
def test_a_failing_run_is_reported_and_the_others_finish(tmp_path: Path) -> None:
    comparison = small(replicates=2)

    def flaky(comp, task, burned):
        if task.variant == "lenient" and task.replicate == 1:
            raise RuntimeError("simulated crash")
        return runner._run_task(comp, task, burned)

    store = runner.ShardStore(tmp_path, comparison.config_hash())
    store.open(resume=False)
    failures = runner.execute(comparison, store, workers=1, progress=False, run_task=flaky)
    assert len(failures) == 1
    text = failures[0].describe()
    assert "lenient" in text and "replicate 1" in text and "simulated crash" in text
    assert str(failures[0].task.seed) in text
    assert len(store.done()) == 3


@pytest.mark.slow
def test_a_replicate_whose_worker_dies_is_reported_and_the_others_finish(
        tmp_path: Path) -> None:
    """On a process pool, a replicate whose worker dies is tried again alone, then reported
    run by run; the other replicates finish and are saved."""
    from tests.sweep_faults import kill_replicate_one

    comparison = small(replicates=3)
    store = runner.ShardStore(tmp_path, comparison.config_hash())
    store.open(resume=False)
    failures = runner.execute(comparison, store, workers=2, progress=False,
                              run_task=kill_replicate_one)
    assert sorted(f.task.key for f in failures) == ["lenient__00001", "strict__00001"]
    assert all("died" in f.describe() for f in failures)
    assert len(store.done()) == 4


@pytest.mark.slow
def test_resume_runs_only_what_is_missing_and_refuses_another_config(tmp_path: Path,
                                                                     monkeypatch) -> None:
    out = tmp_path / "cmp"
    first = run_comparison(small(replicates=2), out, workers=1, progress=False)
    assert not first.missing
    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "shards").glob("*.json")}
    calls = []
    original = runner._run_task

    def counting(comp, task, *args):
        calls.append(task.key)
        return original(comp, task, *args)

    monkeypatch.setattr(runner, "_run_task", counting)
    result = run_comparison(small(replicates=3), out, workers=1, resume=True, progress=False)
    assert sorted(calls) == ["lenient__00002", "strict__00002"]
    for name, mtime in stamp.items():
        assert (out / "shards" / name).stat().st_mtime_ns == mtime
    assert len(pd.read_parquet(result.folder / "runs.parquet")) == 6
    with pytest.raises(OutputExistsError):
        run_comparison(small(replicates=3), out, workers=1, progress=False)
    other = replace(small(replicates=3), variants=load_comparison(
        MAIN, SMALL + ["legal.cost=1.0"], 3).variants[:2])
    with pytest.raises(ShardMismatchError, match="another configuration"):
        run_comparison(other, out, workers=1, resume=True, progress=False)


def test_confidence_interval_matches_a_hand_computed_case() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0])
    mean, sd, low, high, n = mean_interval(values)
    # mean 2.5, sd = sqrt(5/3) = 1.2910, t(0.975, 3) = 3.1824, half = 3.1824 * 1.2910 / 2
    assert (mean, n) == (2.5, 4)
    assert sd == pytest.approx(1.290994, rel=1e-6)
    assert low == pytest.approx(2.5 - 2.054260, rel=1e-5)
    assert high == pytest.approx(2.5 + 2.054260, rel=1e-5)


def test_paired_differences_use_the_pairing() -> None:
    runs = pd.DataFrame({
        "variant": ["a"] * 4 + ["b"] * 4,
        "replicate": [0, 1, 2, 3] * 2,
        "default_rate": [0.10, 0.20, 0.30, 0.40, 0.11, 0.22, 0.29, 0.43],
    })
    diffs = paired_differences(runs, ["a", "b"], measures=("default_rate",))
    row = diffs.iloc[0]
    d = np.array([0.01, 0.02, -0.01, 0.03])
    assert row["mean_difference"] == pytest.approx(d.mean())
    assert row["p_value"] == pytest.approx(stats.ttest_rel([0.11, 0.22, 0.29, 0.43],
                                                           [0.10, 0.20, 0.30, 0.40]).pvalue)
    table = summarize_runs(runs, ["a", "b"], measures=("default_rate",))
    assert list(table.columns) == ["variant", "metric", "mean", "std", "ci_low", "ci_high", "n"]
    assert table.loc[table["variant"] == "b", "n"].item() == 4


def test_comparison_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "x.toml"\nreplicates = 2\n[[variant]]\nname = "a"\n')
    with pytest.raises(ScenarioError, match="at least two"):
        load_comparison(bad)
    bad.write_text('base = "x.toml"\nreplicate = 2\n')
    with pytest.raises(ScenarioError, match="did you mean 'replicates'"):
        load_comparison(bad)


@pytest.mark.slow
def test_compare_command_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "main"
    command = [sys.executable, "run.py", "compare", str(MAIN), "--replicates", "3",
               "--borrowers", "300", "--days", "60", "--workers", "2", "--out", str(out),
               "--quiet", "--set", "shocks.job_loss_rate=0.5"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["variant"].unique()) == ["lenient", "strict", "strict_with_deferral"]
    assert len(runs) == 9
    series = pd.read_parquet(out / "timeseries.parquet")
    burn_in = load_comparison(MAIN).burn_in_days
    # Every run: the burn-in, the window, then the run-off until its book has closed.
    assert len(series) == 9 * (burn_in + 60) + runs["runoff_days"].sum()
    assert (runs["runoff_days"] > 0).all() and (runs["runoff_open_share"] == 0).all()
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["variant", "metric", "mean", "std", "ci_low", "ci_high",
                                     "n", "status"]
    shocks = summary[summary["metric"] == "common_shocks_share"]
    assert (shocks["status"] == "ok").all(), "common random numbers held"
    for metric in ("default_rate", "bad_debt_loss", "recovery_rate", "collection_cost",
                   "net_loss", "dpd30_share", "dpd90_share", "deferral_rate",
                   "redefault_rate", "complaints_per_1000", "contacts_per_delinquent_week",
                   "churn_rate", "approval_rate", "mean_score", "lender_profit",
                   "annual_default_rate", "lifetime_loss_rate", "lifetime_net_loss",
                   "risk_adjusted_profit", "forborne_share", "dpd30_share_incl_forborne",
                   "cure_rate", "common_shocks_share", "runoff_open_share"):
        assert metric in set(summary["metric"])
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences["variant"]) == {"lenient", "strict_with_deferral"}
    assert (differences["reference"] == "strict").all()
    transitions = pd.read_csv(out / "transitions.csv")
    assert set(transitions["variant"]) == {"strict", "lenient", "strict_with_deferral"}
    assert len(transitions) == 3 * 6 * 8 and transitions["loans"].sum() > 0
    assert "forborne" in set(transitions["to_state"])
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert len(figures) >= 6 and all((out / "figures" / f).stat().st_size > 5000
                                     for f in figures)
    report = (out / "report.md").read_text()
    assert "95%" in report and "Lenient" in report
    # Every headline measure with a defined ratio says how much luck the pairing shared.
    pairing = next(line for line in report.splitlines() if "luck the pairing" in line)
    for metric in ("lifetime_loss_rate", "lifetime_net_loss", "risk_adjusted_profit"):
        ratio = differences.loc[differences["metric"] == metric, "pairing_variance_ratio"]
        assert f"{metric} {100 * ratio.max():.0f} %" in pairing  # the largest over variants
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["comparison"]["replicates"] == 3
    assert len(manifest["replicate_seeds"]) == 3
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 2 and "Traceback" not in again.stderr
