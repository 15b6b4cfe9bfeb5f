"""End-to-end tests of the real command line: `python run.py ...` in a subprocess."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sim.config import ScenarioConfig
from sim.params_doc import render_toml
from sim.scenario import load_scenario, validate

REPO = Path(__file__).resolve().parents[1]
BASELINE = "scenarios/baseline.toml"
BORROWERS, DAYS = 300, 60
SMALL = ["--borrowers", str(BORROWERS), "--days", str(DAYS)]
OTHER_SEED = 424242
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run.py", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=900, check=False)


def assert_ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def assert_usage_error(proc: subprocess.CompletedProcess[str]) -> str:
    """Exit 2, a one-line-ish `error:` message on stderr, no traceback; returns stderr."""
    assert proc.returncode == 2, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    assert "error:" in proc.stderr
    return proc.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def frame(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "timeseries.parquet")


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One small baseline run (with the progress bar on), shared by the read-only tests."""
    out = tmp_path_factory.mktemp("baseline") / "out"
    proc = run_cli("run", BASELINE, *SMALL, "--out", out)
    assert_ok(proc)
    return out, proc


@pytest.fixture(scope="module")
def expected_config() -> ScenarioConfig:
    return load_scenario(REPO / BASELINE, [f"run.borrowers={BORROWERS}", f"run.days={DAYS}"])


# --- a successful run ----------------------------------------------------------------------


@pytest.mark.slow
def test_run_writes_every_file(baseline_run):
    out, proc = baseline_run
    assert f"wrote {out}" in proc.stdout
    for name in ("manifest.json", "config.toml", "timeseries.parquet", "summary.json",
                 "summary.csv", "report.md", "transitions.csv"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert "Traceback" not in proc.stderr


def test_no_staging_or_backup_folder_left_behind(baseline_run):
    out, _ = baseline_run
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_manifest(baseline_run, expected_config):
    out, _ = baseline_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == expected_config.run.seed
    assert manifest["config"] == expected_config.model_dump(mode="json")
    assert ScenarioConfig.model_validate(manifest["config"], strict=True) == expected_config
    assert manifest["scenario"] == BASELINE
    versions = manifest["versions"]
    for package in ("mesa", "numpy"):
        assert re.match(r"\d+\.\d+", versions[package]), versions
    assert re.fullmatch(r"[0-9a-f]{40}", manifest["git"]["commit"]), manifest["git"]
    assert manifest["command"] == ["run.py", "run", BASELINE, *SMALL, "--out", str(out)]
    assert isinstance(manifest["wall_seconds"], int | float)
    assert manifest["wall_seconds"] >= 0
    assert manifest["borrowers"] == BORROWERS
    assert manifest["days"] == DAYS


def test_config_toml_is_the_resolved_scenario(baseline_run, expected_config):
    out, _ = baseline_run
    text = (out / "config.toml").read_text(encoding="utf-8")
    assert validate(tomllib.loads(text), source="config.toml") == expected_config
    assert load_scenario(out / "config.toml") == expected_config


def test_timeseries_has_one_row_per_day(baseline_run):
    out, _ = baseline_run
    data = frame(out)
    assert len(data) == DAYS
    assert data["day"].tolist() == list(range(DAYS))
    assert data["originations_cum"].is_monotonic_increasing
    assert data["originations_cum"].iloc[-1] > 0


def test_summary_json_and_csv_agree(baseline_run):
    out, _ = baseline_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    table = pd.read_csv(out / "summary.csv")
    assert list(table.columns) == ["measure", "value", "unit", "status"]
    scalars = {k: v for k, v in summary.items() if k not in ("contacts_by_channel", "status")}
    assert table["measure"].tolist() == list(scalars)
    for measure, value in zip(table["measure"], table["value"], strict=True):
        assert value == pytest.approx(scalars[measure], nan_ok=True)
    assert table["unit"].notna().all()
    assert set(summary["contacts_by_channel"]) == {"app", "sms", "letter", "phone"}
    for key in ("default_rate", "dpd30_share", "lender_profit", "collection_cost"):
        assert key in scalars
    assert scalars["originations"] == frame(out)["originations_cum"].iloc[-1]


def test_report_and_figures(baseline_run, expected_config):
    out, _ = baseline_run
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) >= 5
    for png in pngs:
        data = png.read_bytes()
        assert len(data) > len(PNG_MAGIC)
        assert data.startswith(PNG_MAGIC), png.name
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith(f"# {expected_config.title}")
    assert f"seed {expected_config.run.seed}" in report
    linked = re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", report)
    assert sorted(linked) == [f"figures/{p.name}" for p in pngs]


# --- existing results folder ---------------------------------------------------------------


def test_existing_folder_is_not_replaced_without_overwrite(baseline_run):
    out, _ = baseline_run
    before = snapshot(out)
    parquet = (out / "timeseries.parquet").read_bytes()
    proc = run_cli("run", BASELINE, *SMALL, "--seed", OTHER_SEED, "--out", out, "--quiet")
    stderr = assert_usage_error(proc)
    assert str(out) in stderr
    assert "already exists" in stderr
    assert "--overwrite" in stderr
    assert (out / "timeseries.parquet").read_bytes() == parquet
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


@pytest.mark.slow
def test_overwrite_replaces_the_folder(baseline_run, tmp_path):
    source, _ = baseline_run
    out = tmp_path / "out"
    shutil.copytree(source, out)
    (out / "stale.txt").write_text("from an earlier run", encoding="utf-8")
    parquet = (out / "timeseries.parquet").read_bytes()
    proc = run_cli("run", BASELINE, *SMALL, "--seed", OTHER_SEED, "--out", out, "--overwrite",
                   "--quiet")
    assert_ok(proc)
    assert not (out / "stale.txt").exists()
    assert (out / "timeseries.parquet").read_bytes() != parquet
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == OTHER_SEED
    assert load_scenario(out / "config.toml").run.seed == OTHER_SEED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_out_naming_an_existing_file_is_a_usage_error(tmp_path):
    """`--out` naming a file (not a folder) must be refused like any other existing output,
    with exit status 2, a message and no traceback, and the file left alone."""
    target = tmp_path / "results.txt"
    target.write_text("keep me", encoding="utf-8")
    proc = run_cli("run", BASELINE, *SMALL, "--out", target, "--quiet")
    stderr = assert_usage_error(proc)
    assert str(target) in stderr
    assert target.read_text(encoding="utf-8") == "keep me"


# --- malformed input -----------------------------------------------------------------------


def test_malformed_scenario_exits_2_naming_file_and_key(tmp_path):
    scenario = tmp_path / "typo.toml"
    scenario.write_text(f'extends = "{(REPO / BASELINE).as_posix()}"\n[run]\nborowers = 5\n',
                        encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("run", scenario, "--out", out, "--quiet")
    stderr = assert_usage_error(proc)
    assert str(scenario) in stderr
    assert "run.borowers" in stderr
    assert "did you mean 'borrowers'?" in stderr
    assert not out.exists()
    assert proc.stdout == ""


def test_broken_toml_exits_2_with_line(tmp_path):
    scenario = tmp_path / "broken.toml"
    scenario.write_text("[run]\ndays = = 3\n", encoding="utf-8")
    stderr = assert_usage_error(run_cli("run", scenario, "--out", tmp_path / "out"))
    assert str(scenario) in stderr
    assert "line 2" in stderr
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file_exits_2(tmp_path):
    scenario = tmp_path / "nowhere.toml"
    stderr = assert_usage_error(run_cli("run", scenario, "--out", tmp_path / "out"))
    assert str(scenario) in stderr
    assert "not found" in stderr


def test_bad_set_value_exits_2(tmp_path):
    out = tmp_path / "out"
    # --set comes after the --days/--seed/--borrowers flags, so its bad value is the one used
    proc = run_cli("run", BASELINE, "--borrowers", BORROWERS, "--set", "run.days=abc", "--out",
                   out, "--quiet")
    stderr = assert_usage_error(proc)
    assert "--set" in stderr
    assert "run.days" in stderr
    assert "expected an integer" in stderr
    assert not out.exists()


def test_set_without_equals_exits_2(tmp_path):
    out = tmp_path / "out"
    stderr = assert_usage_error(run_cli("run", BASELINE, "--set", "run.days", "--out", out))
    assert "--set" in stderr
    assert "section.key=value" in stderr
    assert not out.exists()


def test_out_of_range_flag_exits_2(tmp_path):
    out = tmp_path / "out"
    stderr = assert_usage_error(run_cli("run", BASELINE, "--days", "-3", "--out", out))
    assert "run.days" in stderr
    assert "greater than or equal to 1" in stderr
    assert not out.exists()


# --- reproducibility -----------------------------------------------------------------------


@pytest.mark.slow
def test_same_seed_gives_identical_timeseries(baseline_run, tmp_path):
    first, _ = baseline_run
    out = tmp_path / "again"
    assert_ok(run_cli("run", BASELINE, *SMALL, "--out", out, "--quiet"))
    pd.testing.assert_frame_equal(frame(out), frame(first))
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == json.loads(
        (first / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_other_seed_gives_different_timeseries(baseline_run, tmp_path):
    first, _ = baseline_run
    out = tmp_path / "other"
    assert_ok(run_cli("run", BASELINE, *SMALL, "--seed", OTHER_SEED, "--out", out, "--quiet"))
    other = frame(out)
    assert len(other) == DAYS
    assert list(other.columns) == list(frame(first).columns)
    assert not other.equals(frame(first))


@pytest.mark.slow
def test_written_config_toml_runs_again_to_the_same_result(baseline_run, tmp_path):
    first, _ = baseline_run
    out = tmp_path / "rerun"
    assert_ok(run_cli("run", first / "config.toml", "--out", out, "--quiet"))
    pd.testing.assert_frame_equal(frame(out), frame(first))
    assert (out / "config.toml").read_text(encoding="utf-8") == (
        first / "config.toml").read_text(encoding="utf-8")
    first_manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"] == first_manifest["config"]
    assert manifest["seed"] == first_manifest["seed"]


# --- params --------------------------------------------------------------------------------


def test_params_prints_the_documented_baseline():
    proc = run_cli("params")
    assert_ok(proc)
    parsed = tomllib.loads(proc.stdout)
    assert validate(parsed, source="params") == ScenarioConfig()
    assert proc.stdout == render_toml(ScenarioConfig())
    assert proc.stdout == (REPO / BASELINE).read_text(encoding="utf-8")


@pytest.mark.slow
def test_run_with_a_runoff_reports_lifetime_measures(tmp_path):
    out = tmp_path / "runoff"
    proc = run_cli("run", BASELINE, "--borrowers", "500", "--days", "200",
                   "--set", "run.steady_state_from_day=150", "--runoff", "--out", out,
                   "--quiet")
    assert_ok(proc)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["runoff_open_share"] == 0.0 and summary["runoff_days"] > 0
    assert summary["lifetime_loss_rate"] > 0
    assert "lifetime_loss_rate" in proc.stdout
    days = frame(out)["day"]
    assert days.iloc[-1] == 199 + summary["runoff_days"]
    assert json.loads((out / "manifest.json").read_text())["runoff_max_days"] == 1460
    assert_usage_error(run_cli("run", BASELINE, "--runoff", "0", "--out", tmp_path / "x"))
