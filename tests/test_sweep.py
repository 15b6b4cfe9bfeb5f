"""Sweeps: design sizes and bounds, file errors, SALib indices that find a dominant parameter,
identical results on every backend and worker count, resume, a killed worker survived, and
the policy frontier."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.pool import WorkersDiedError
from sim.cli import main
from sim.scenario import ScenarioError
from sim.sweep.design import design_size, problem, sample_matrix, sample_values
from sim.sweep.frontier import dominated_by, frontier_table, pareto_mask
from sim.sweep.job import run_sweep
from sim.sweep.spec import SweepSpec, load_sweep
from tests import sweep_faults

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

SMALL = f"""
title = "small"
base = "{SCENARIOS / 'lenient.toml'}"
design = "sobol"
samples = 2
replicates = 1
seed = 5
levels = 3
top_parameters = 1
set = {{ "run.borrowers" = 300, "run.days" = 150, "run.steady_state_from_day" = 30 }}
metrics = ["harm_per_delinquent_week", "bad_debt_loss"]

[[parameter]]
key = "collection.max_contacts_per_7_days"
low = 1
high = 7
integer = true

[[parameter]]
key = "bureau.report_dpd"
values = [30, 90]

[worlds]
"borrowers.strategic_share" = [0.05, 0.2]

[[anchor]]
name = "strict"
scenario = "{SCENARIOS / 'strict.toml'}"
"""

TABLES = ("samples.parquet", "anchors.parquet", "curves.parquet")


def write_sweep(folder: Path, text: str = SMALL, name: str = "small.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / name) for name in TABLES}


def assert_same_tables(a: Path, b: Path) -> None:
    for name, frame in read_tables(a).items():
        pd.testing.assert_frame_equal(frame, pd.read_parquet(b / name), check_exact=True)
    for name in ("sensitivity.csv", "frontier.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


PARAMETERS = ("collection.max_contacts_per_7_days", "bureau.report_dpd")


def choose(samples: pd.DataFrame, after: int, world_index: int = 1) -> tuple[int, dict]:
    """A design sample of a world from position `after` on whose values no other sample of
    that world shares, and the run to act on (its world, values and seed, as its request
    carries them)."""
    world = samples[samples["world"] == world_index]
    unique = ~world.duplicated(list(PARAMETERS), keep=False)
    row = world[unique & (world["sample"] >= after)].iloc[0]
    return int(row["sample"]), {
        "world": {"borrowers.strategic_share": float(row["borrowers.strategic_share"])},
        "values": {key: int(row[key]) for key in PARAMETERS}, "seed": int(row["seed"])}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sweep, run on one local worker."""
    folder = tmp_path_factory.mktemp("reference")
    sweep = load_sweep(write_sweep(folder))
    run_sweep(sweep, folder / "out", workers=1, progress=False)
    return folder / "out"


# ---------------------------------------------------------------- designs


def spec_with(design: str, **extra) -> SweepSpec:
    return SweepSpec.model_validate({
        "base": "x.toml", "design": design, "samples": 8, "levels": 4, "seed": 3,
        "metrics": ["default_rate"], **extra, "parameter": [
            {"key": "chargeoff.dpd", "low": 60, "high": 180, "integer": True},
            {"key": "legal.cost", "low": 10.0, "high": 1000.0, "log": True},
            {"key": "deferral.verification_accuracy", "low": 0.5, "high": 1.0},
            {"key": "deferral.mode", "values": ["extend", "rate_cut"]},
        ]})


@pytest.mark.parametrize(("design", "size"), [("grid", 4 * 4 * 4 * 2), ("lhs", 8),
                                              ("sobol", 8 * (4 + 2)), ("morris", 8 * (4 + 1))])
def test_design_sizes_and_bounds(design: str, size: int) -> None:
    spec = spec_with(design)
    matrix = sample_matrix(spec)
    assert design_size(spec) == size == len(matrix)
    bounds = np.array(problem(spec.parameter)["bounds"])
    assert ((matrix >= bounds[:, 0]) & (matrix <= bounds[:, 1])).all()
    values = pd.DataFrame(sample_values(spec, matrix))
    dpd = values["chargeoff.dpd"]
    assert dpd.map(type).eq(int).all() and dpd.between(60, 180).all()
    assert values["legal.cost"].between(10.0, 1000.0).all()
    assert values["deferral.verification_accuracy"].between(0.5, 1.0).all()
    assert set(values["deferral.mode"]) <= {"extend", "rate_cut"}
    if design in ("grid", "lhs", "sobol"):  # these cover both ends of a choice and a range
        assert set(values["deferral.mode"]) == {"extend", "rate_cut"}
    if design == "grid":
        assert len(values.drop_duplicates()) == size
        assert {60, 180} <= set(dpd)
    assert np.array_equal(matrix, sample_matrix(spec)), "the design depends on the seed only"


def test_log_range_spreads_over_decades() -> None:
    values = pd.DataFrame(sample_values(spec_with("lhs"), sample_matrix(spec_with("lhs"))))
    below = (values["legal.cost"] < 100).mean()
    assert 0.3 <= below <= 0.7, "on a log scale half the draws fall below the geometric middle"


# ---------------------------------------------------------------- file errors


@pytest.mark.parametrize(("change", "key", "words"), [
    (("design = \"sobol\"", "design = \"fractal\""), "design", "grid"),
    (("key = \"bureau.report_dpd\"", "key = \"bureau.report_dpx\""),
     "bureau.report_dpx", "report_dpd"),
    (("values = [30, 90]", "values = [30, -5]"), "bureau.report_dpd", "values.1"),
    (("\"bad_debt_loss\"]", "\"bad_debt_los\"]"), "metrics.1", "bad_debt_loss"),
    (("low = 1\n", "lo = 1\n"), "parameter.0.lo", "low"),
    (("[worlds]", "[worlds]\n\"borrowers.strategic_shar\" = [0.1, 0.2]"),
     "borrowers.strategic_shar", "strategic_share"),
    (("samples = 2", "samples = 3"), "samples", "power of two"),
    (("= [0.05, 0.2]", "= []"), "", "at least one value"),
    (("values = [30, 90]", "values = [30, 30]"), "", "30 twice"),
    (("lenient.toml\"", "lenient.tom\""), "base", "no scenario file"),
])
def test_bad_sweep_file_names_file_and_key(tmp_path: Path, change: tuple[str, str], key: str,
                                           words: str) -> None:
    assert change[0] in SMALL
    path = write_sweep(tmp_path, SMALL.replace(change[0], change[1], 1))
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    message = str(caught.value)
    assert str(path) in message and key in message and words in message, message


def test_a_combination_the_schema_rejects_stops_before_any_run(tmp_path: Path) -> None:
    """Each value is fine alone; a world's strategic share with a sample's hardship share
    adds up to more than one."""
    text = (SMALL.replace("[0.05, 0.2]", "[0.05, 0.5]")
            .replace('key = "bureau.report_dpd"\nvalues = [30, 90]',
                     'key = "borrowers.hardship_share"\nvalues = [0.1, 0.45]'))
    path = write_sweep(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    message = str(caught.value)
    assert str(path) in message and "world 1" in message and "hardship_share = 0.45" in message
    assert not (tmp_path / "out").exists(), "nothing is written"


# ---------------------------------------------------------------- analysis


def test_sobol_finds_the_dominant_parameter(tmp_path: Path) -> None:
    """Charge-off DPD decides the default rate; with deferral off (the baseline's default),
    the deferral term and verification accuracy change nothing, so their total-order indices
    are zero."""
    text = f"""
base = "{SCENARIOS / 'baseline.toml'}"
design = "sobol"
samples = 8
replicates = 1
top_parameters = 0
set = {{ "run.borrowers" = 600, "run.days" = 150, "run.steady_state_from_day" = 0 }}
metrics = ["default_rate"]
[[parameter]]
key = "deferral.extend_months"
low = 1
high = 6
integer = true
[[parameter]]
key = "chargeoff.dpd"
low = 30
high = 120
integer = true
[[parameter]]
key = "deferral.verification_accuracy"
low = 0.5
high = 1.0
"""
    sweep = load_sweep(write_sweep(tmp_path, text, "dominant.toml"))
    result = run_sweep(sweep, tmp_path / "out", workers=2, progress=False)
    total = result.sensitivity.query("index == 'ST'").set_index("parameter")["value"]
    assert total["chargeoff.dpd"] > 0.5
    assert total["deferral.extend_months"] == pytest.approx(0.0, abs=1e-9)
    assert total["deferral.verification_accuracy"] == pytest.approx(0.0, abs=1e-9)
    assert not (tmp_path / "out" / "figures" / "response_curves.png").exists()


def test_two_parameter_grid_draws_heat_maps(tmp_path: Path) -> None:
    text = (SMALL.replace('design = "sobol"', 'design = "grid"')
            .replace("top_parameters = 1", "top_parameters = 0")
            .replace("\n[worlds]\n\"borrowers.strategic_share\" = [0.05, 0.2]\n", "\n"))
    sweep = load_sweep(write_sweep(tmp_path, text))
    result = run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    assert len(result.samples) == 3 * 2  # three levels of the range, both listed values
    assert {tuple(r) for r in result.samples[list(PARAMETERS)].to_numpy()} == {
        (1, 30), (4, 30), (7, 30), (1, 90), (4, 90), (7, 90)}
    for metric in ("harm_per_delinquent_week", "bad_debt_loss"):
        assert (tmp_path / "out" / "figures" / f"heatmap_{metric}.png").exists()


# ---------------------------------------------------------------- backends


def test_reference_outputs(reference: Path) -> None:
    samples = pd.read_parquet(reference / "samples.parquet")
    assert len(samples) == 2 * (2 + 2) * 2  # sobol N (D + 2), two worlds, one replicate
    assert samples["seed"].nunique() == 1, "every sample of a replicate shares its seed"
    assert set(samples["borrowers.strategic_share"]) == {0.05, 0.2}
    anchors = pd.read_parquet(reference / "anchors.parquet")
    assert list(anchors["anchor"]) == ["strict", "strict"]
    assert (anchors["bureau.report_dpd"] == 30).all(), "an anchor's row shows its settings"
    curves = pd.read_parquet(reference / "curves.parquet")
    assert curves["curve_parameter"].nunique() == 1 and len(curves) in (2 * 2, 3 * 2)
    sensitivity = pd.read_csv(reference / "sensitivity.csv")
    assert list(sensitivity.columns) == ["world", "metric", "parameter", "method", "index",
                                         "value", "ci"]
    figures = {p.name for p in (reference / "figures").iterdir()}
    assert {"frontier.png", "response_curves.png"} <= figures
    report = (reference / "report.md").read_text()
    assert "Policy frontier" in report and "strict" in report
    assert not list(reference.glob(".*tmp*"))


def test_resume_after_interruption_runs_only_the_rest(reference: Path, tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path))
    samples = pd.read_parquet(reference / "samples.parquet")
    _, chosen = choose(samples, after=2)
    stop = partial(sweep_faults.interrupt, chosen=chosen)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, tmp_path / "out", workers=1, progress=False, run=stop)
    kept = pd.concat(pd.read_parquet(p) for p in (tmp_path / "out" / "shards").glob("part-*"))
    assert 0 < len(kept) < len(samples)
    with pytest.raises(Exception, match="--resume"):
        run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    result = run_sweep(sweep, tmp_path / "out", workers=1, progress=False, resume=True)
    total = sum(len(pd.read_parquet(reference / name)) for name in TABLES)
    assert result.ran == total - len(kept)
    assert_same_tables(reference, tmp_path / "out")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["local", "dask"])
def test_two_workers_on_either_backend_survive_a_killed_worker_with_identical_results(
        reference: Path, tmp_path: Path, backend: str) -> None:
    """Two local workers or a two-worker Dask LocalCluster, one of whose worker processes is
    killed mid-run: the run is tried again and every table is identical to one worker's."""
    sweep = load_sweep(write_sweep(tmp_path))
    samples = pd.read_parquet(reference / "samples.parquet")
    point, chosen = choose(samples, after=1)
    killer = partial(sweep_faults.kill_once, chosen=chosen, marker=str(tmp_path / "killed"))
    result = run_sweep(sweep, tmp_path / "out", backend=backend, workers=2, progress=False,
                       run=killer)
    assert (tmp_path / "killed").exists(), "the worker was killed"
    assert result.failures == [] and result.missing == []
    assert any(t.stage == "design" and t.point == point for t in result.retried)
    assert_same_tables(reference, tmp_path / "out")


@pytest.mark.parametrize(("world", "after", "workers"), [(1, 1, 2), (0, 0, 1)])
def test_a_run_that_always_kills_its_worker_is_reported(reference: Path, tmp_path: Path,
                                                        world: int, after: int,
                                                        workers: int) -> None:
    """Also when it is the very first run of the sweep, on one worker."""
    sweep = load_sweep(write_sweep(tmp_path))
    samples = pd.read_parquet(reference / "samples.parquet")
    point, chosen = choose(samples, after=after, world_index=world)
    killer = partial(sweep_faults.kill_always, chosen=chosen)
    result = run_sweep(sweep, tmp_path / "out", workers=workers, progress=False, run=killer)
    assert [(f.task.stage, f.task.point, f.task.world) for f in result.failures] == [
        ("design", point, world)]
    assert "died 2 times" in result.failures[0].error
    assert f"seed {chosen['seed']}" in result.failures[0].describe()
    got = pd.read_parquet(tmp_path / "out" / "samples.parquet")
    assert len(got) == len(samples) - 1
    report = (tmp_path / "out" / "report.md").read_text()
    assert f"design point {point}, world {world}" in report and "--resume" in report


def test_workers_that_cannot_run_anything_stop_the_sweep(tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path))
    with pytest.raises(WorkersDiedError, match="before finishing any run"):
        run_sweep(sweep, tmp_path / "out", workers=1, progress=False,
                  run=sweep_faults.kill_every)


def test_more_replicates_on_resume_keep_every_run_in_place(reference: Path,
                                                           tmp_path: Path) -> None:
    """--resume --replicates 2 over a finished one-replicate sweep runs replicate 1 only; the
    replicate-0 rows are those of the first run and every curve row is labelled with the
    parameter it moves, the others at the base's values."""
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    sweep = load_sweep(write_sweep(tmp_path), replicates=2)
    result = run_sweep(sweep, out, workers=2, progress=False, resume=True)
    before = read_tables(reference)
    after = read_tables(out)
    moved = set(after["curves.parquet"]["curve_parameter"])
    reused = (len(before["samples.parquet"]) + len(before["anchors.parquet"])
              + before["curves.parquet"]["curve_parameter"].isin(moved).sum())
    assert result.ran == sum(len(t) for t in after.values()) - reused
    first = after["samples.parquet"].query("replicate == 0").reset_index(drop=True)
    pd.testing.assert_frame_equal(first, before["samples.parquet"], check_exact=True)
    assert set(after["samples.parquet"]["replicate"]) == {0, 1}
    base = {"collection.max_contacts_per_7_days": 7, "bureau.report_dpd": 90}  # lenient's
    for _, row in after["curves.parquet"].iterrows():
        for key, value in base.items():
            if key != row["curve_parameter"]:
                assert row[key] == value, (row["curve_parameter"], key)


# ---------------------------------------------------------------- frontier


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=60))
def test_frontier_is_exactly_the_non_dominated_points(points: list[tuple[int, int]]) -> None:
    frame = pd.DataFrame(points, columns=["loss", "harm"]).astype(float)
    mask = pareto_mask(frame["loss"].to_numpy(), frame["harm"].to_numpy())
    for i, row in frame.iterrows():
        assert mask[i] == (len(dominated_by(frame, row, "loss", "harm")) == 0)
    assert mask.any()


def test_frontier_keeps_a_dominating_policy_and_drops_what_it_beats() -> None:
    policies = pd.DataFrame({
        "name": ["strict", "lenient", "better", "harsh", "soft"],
        "loss": [100.0, 80.0, 70.0, 60.0, 200.0],
        "harm": [5.0, 2.0, 1.5, 9.0, 0.5],
    })
    front = frontier_table(policies, "loss", "harm")
    assert list(front["name"]) == ["harsh", "better", "soft"]
    assert "strict" not in set(front["name"]) and "lenient" not in set(front["name"])


def test_frontier_ignores_missing_values() -> None:
    assert list(pareto_mask(np.array([1.0, np.nan, 2.0]), np.array([1.0, 0.0, np.nan]))) == [
        True, False, False]


# ---------------------------------------------------------------- command line


@pytest.mark.slow
def test_command_line_sweep_and_its_errors(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = SMALL.replace("\n[worlds]\n\"borrowers.strategic_share\" = [0.05, 0.2]\n", "\n")
    path = write_sweep(tmp_path, text)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "run.py", "sweep", str(path), "--out", str(out),
                           "--workers", "2", "--replicates", "2", "--series", "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout
    samples = pd.read_parquet(out / "samples.parquet")
    assert len(samples) == 2 * (2 + 2) * 2 and samples["replicate"].nunique() == 2
    for name in ("sensitivity.csv", "frontier.csv", "report.md", "manifest.json",
                 "figures/frontier.png"):
        assert (out / name).exists(), name
    series = pd.read_parquet(out / "timeseries.parquet")
    runs = len(samples) + sum(len(pd.read_parquet(out / n)) for n in TABLES[1:])
    assert series["key"].nunique() == runs and len(series) == runs * 150
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(path), "--set", "bureau.report_dpd=-1", "--out",
                 str(tmp_path / "x")]) == 2
    error = capsys.readouterr().err
    assert "--set" in error and "bureau.report_dpd" in error
    assert main(["sweep", str(path), "--scheduler", "tcp://localhost:8786"]) == 2
    assert "--backend dask" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_joining_a_cluster_started_by_hand(reference: Path, tmp_path: Path) -> None:
    """`dask scheduler` and `dask worker` started as the README shows; the sweep joins them
    with --scheduler and gives the same tables as one local worker."""
    dask = Path(sys.executable).with_name("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    scheduler = subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                                  address.rsplit(":", 1)[1], "--dashboard-address", ":0"],
                                 cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(dask), "worker", address, "--nworkers", "2", "--nthreads",
                               "1", "--dashboard-address", ":0"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        path = write_sweep(tmp_path)
        assert main(["sweep", str(path), "--backend", "dask", "--scheduler", address,
                     "--out", str(tmp_path / "out"), "--quiet"]) == 0
        assert_same_tables(reference, tmp_path / "out")
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)


@pytest.mark.parametrize("name", ["collection_policy.toml", "worlds.toml"])
def test_shipped_sweeps_load_with_anchors(name: str) -> None:
    sweep = load_sweep(SCENARIOS / "sweeps" / name)
    assert [n for n, _ in sweep.anchors] == ["strict", "lenient"]
    keys = {p.key for p in sweep.parameters}
    assert {"collection.max_contacts_per_7_days", "bureau.report_dpd", "legal.dpd",
            "deferral.extend_months", "deferral.verification_accuracy"} <= keys
    assert "chargeoff.dpd" not in keys, "charge-off timing is accounting, not a policy"
    strict = dict(sweep.anchors)["strict"]
    assert strict.run == sweep.base.run, "anchors run at the sweep's size and length"
    if name == "worlds.toml":
        assert len(sweep.worlds) == 8
        assert {"shocks.job_loss_rate", "borrowers.strategic_share",
                "borrowers.income_volatility"} == set(sweep.spec.worlds)


def test_frontier_shares_show_replicate_noise() -> None:
    from sim.sweep.frontier import frontier_shares

    # Point 0 beats point 1 on both axes in every replicate; points 2 and 3 trade places
    # from one replicate to the next; point 4 is dominated by point 0 always.
    x = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0], [0.5, 3.0, 0.5, 3.0],
                  [3.0, 0.5, 3.0, 0.5], [5.0, 5.0, 5.0, 5.0]])
    y = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0], [3.0, 0.2, 3.0, 0.2],
                  [0.2, 3.0, 0.2, 3.0], [5.0, 5.0, 5.0, 5.0]])
    shares = frontier_shares(x, y, resamples=400, seed=1)
    assert shares[0] == 1.0 and shares[1] == 0.0 and shares[4] == 0.0
    assert 0.1 < shares[2] < 0.9 and 0.1 < shares[3] < 0.9
    assert np.isnan(frontier_shares(x[:, :1], y[:, :1])).all()


@pytest.mark.slow
def test_frontier_candidates_are_confirmed_on_fresh_seeds(tmp_path: Path) -> None:
    text = SMALL.replace("\n[worlds]\n\"borrowers.strategic_share\" = [0.05, 0.2]\n", "\n")
    text = text.replace("replicates = 1\n", "replicates = 1\nconfirm_replicates = 3\n")
    sweep = load_sweep(write_sweep(tmp_path, text, "confirm.toml"))
    result = run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    frontier = pd.read_csv(tmp_path / "out" / "frontier.csv")
    assert frontier["frontier_share"].between(0, 1).all()
    assert frontier["on_mean_frontier"].any()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    design_seeds = set(manifest["replicate_seeds"])
    store_runs = pd.concat(pd.read_parquet(p)
                           for p in (tmp_path / "out" / "shards").glob("part-*"))
    confirm = store_runs[store_runs["stage"] == "confirm"]
    assert len(confirm) and set(confirm["replicate"]) == {1, 2, 3}
    assert not set(confirm["seed"]) & design_seeds, "fresh seeds, not the design's"
    anchors = {"strict"} <= set(confirm["anchor"])
    assert anchors and not result.missing
    assert "fresh seeds" in (tmp_path / "out" / "report.md").read_text()
