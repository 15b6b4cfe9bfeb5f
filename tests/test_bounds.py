"""Bounds that fit the books: money and count parameters that would overflow the int64
ledgers, inf and NaN, and runs that would not fit in memory are refused before anything
runs, with exit 2 and one line naming the key and the bound."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.config import INT64_MAX, MAX_AMOUNT, ScenarioConfig, books_terms
from sim.scenario import ScenarioError, load_scenario, with_values
from sim.state import InsufficientMemoryError, check_memory, memory_needed

REPO = Path(__file__).resolve().parents[1]
BASELINE = "scenarios/baseline.toml"
SCENARIO_FILES = sorted(
    [*REPO.glob("scenarios/*.toml"), *REPO.glob("scenarios/classroom/*.toml")])


def one_line_error(capsys, argv: list[str], tmp_path: Path) -> str:
    """Run the command line in this process; it must exit 2 with one `error:` line on
    standard error and write nothing."""
    out = tmp_path / "out"
    code = main([*argv, "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert not out.exists()
    return lines[0]


@pytest.mark.parametrize("value", ["1e308", "inf", "-inf", "nan", "1e15"])
def test_capital_beyond_any_amount_exits_2(capsys, tmp_path, value):
    line = one_line_error(capsys, ["run", BASELINE, "--set",
                                   f"lending.capital_per_borrower={value}"], tmp_path)
    assert "lending.capital_per_borrower" in line
    assert "finite" in line if "inf" in value or "nan" in value else "1000000000000" in line


def test_income_beyond_any_amount_exits_2(capsys, tmp_path):
    line = one_line_error(capsys, ["run", BASELINE, "--set", "borrowers.income_median=1e15"],
                          tmp_path)
    assert "borrowers.income_median" in line and "1000000000000" in line


@pytest.mark.parametrize(("key", "value"), [
    ("borrowers.income_median", "1e11"),
    ("lending.capital_per_borrower", "1e11"),
    ("channels.phone.cost", "1e11"),
])
def test_books_that_would_overflow_int64_exit_2_with_the_bound(capsys, tmp_path, key, value):
    """Each value is under `MAX_AMOUNT` but, with 10,000 borrowers over the run, the books
    would pass int64: the message names the key, int64's limit and the most that fits."""
    line = one_line_error(capsys, ["run", BASELINE, "--set", f"{key}={value}"], tmp_path)
    assert f"key '{key}'" in line and "int64" in line and "at most" in line
    bound = float(line.split("at most ")[1].split()[0])
    config = with_values(load_scenario(BASELINE), {key: bound * 0.99}, "test")
    assert sum(books_terms(config).values()) <= INT64_MAX


def test_a_count_beyond_its_bound_exits_2(capsys, tmp_path):
    line = one_line_error(capsys, ["run", BASELINE, "--set",
                                   "collection.max_contacts_per_7_days=100000"], tmp_path)
    assert "collection.max_contacts_per_7_days" in line and "1000" in line


def test_a_comparison_with_overflowing_money_exits_2_before_running(capsys, tmp_path):
    line = one_line_error(capsys, ["compare", "scenarios/compare/strict_vs_lenient.toml",
                                   "--replicates", "2", "--borrowers", "300", "--days", "30",
                                   "--set", "lending.capital_per_borrower=1e15"], tmp_path)
    assert "lending.capital_per_borrower" in line


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_shipped_scenario_fits_its_bounds(path):
    config = load_scenario(path)
    assert sum(books_terms(config).values()) <= INT64_MAX


def test_the_largest_run_at_the_default_money_fits_the_books():
    """50 million borrowers for 100 years at the baseline's money: the books bound refuses
    none of it (memory is another matter)."""
    config = with_values(ScenarioConfig(), {"run.borrowers": 50_000_000,
                                            "run.days": 36_500}, "test")
    assert sum(books_terms(config).values()) <= INT64_MAX
    assert MAX_AMOUNT * 100 < 2**53


def test_memory_refusal_names_the_most_borrowers_that_fit(monkeypatch):
    config = with_values(ScenarioConfig(), {"run.borrowers": 1_000_000}, "test")
    needed = memory_needed(config, 100)
    monkeypatch.setattr("sim.state.memory_available", lambda: (needed // 2, "a test limit"))
    with pytest.raises(InsufficientMemoryError) as caught:
        check_memory(config, 100)
    assert isinstance(caught.value, ScenarioError)
    assert caught.value.key == "run.borrowers"
    most = int(str(caught.value).split("at most about ")[1].split()[0].replace(",", ""))
    assert 400_000 < most < 500_000
    monkeypatch.setattr("sim.state.memory_available", lambda: (needed, "a test limit"))
    check_memory(config, 100)


def lower_address_space() -> None:
    limit = 3 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("command", [
    ["run", BASELINE, "--days", "10"],
    ["compare", "scenarios/compare/strict_vs_lenient.toml", "--replicates", "2", "--workers",
     "1"],
], ids=["run", "compare"])
def test_fifty_million_borrowers_under_a_3_gb_address_space_exit_2(tmp_path, command):
    """The real command line under `ulimit -v` 3 GB: refused before the columns are
    allocated, in one line, instead of a numpy MemoryError (or, in a comparison, every run
    failing)."""
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "run.py", *command, "--borrowers", "50000000",
                           "--out", str(out), "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          preexec_fn=lower_address_space, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "run.borrowers" in lines[0] and "address-space limit" in lines[0]
    assert "at most about" in lines[0]
    assert not out.exists()
