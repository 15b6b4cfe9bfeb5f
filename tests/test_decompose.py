"""Which lever does it: levers found from two policies, factorial cells that are the policies
they claim to be, effects that recover a known answer, and the command end to end."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.batch.comparison import load_comparison
from sim.batch.decompose import build_decomposition, factorial_effects
from sim.levers import lever_of
from sim.report.variant_table import flat_config
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "scenarios" / "compare" / "strict_vs_lenient.toml"


def test_keys_belong_to_the_first_lever_that_holds_them():
    assert lever_of("deferral.accrue_interest") == "pause_pricing"
    assert lever_of("deferral.enabled") == "deferral"
    assert lever_of("collection.reminder_channel") == "reminders"
    assert lever_of("collection.ladder.dpd_1_30.sms") == "contact_ladder"
    assert lever_of("chargeoff.dpd") == "chargeoff"  # no lever: its section


def test_strict_and_lenient_differ_in_five_levers_and_the_cells_are_those_policies():
    comparison = load_comparison(MAIN)
    full = build_decomposition(comparison, design="full")
    assert list(full.levers) == ["deferral", "reporting", "legal", "reminders",
                                 "contact_ladder"]
    assert full.levers["deferral"] == ["deferral.enabled", "deferral.awareness"]
    assert len(full.cells) == 32 and full.interactions
    configs = dict(full.comparison.variants)
    policies = dict(comparison.variants)
    assert flat_config(configs["strict"]) == flat_config(policies["strict"])
    assert flat_config(configs["lenient"]) == flat_config(policies["lenient"])
    # A cell with one lever switched differs from strict in that lever's keys only.
    cell = flat_config(configs["strict+deferral"])
    strict = flat_config(policies["strict"])
    assert {k for k in cell if cell[k] != strict[k]} == set(full.levers["deferral"])
    # Every cell runs on the base's market and seeds.
    assert {c.run for c in configs.values()} == {comparison.base.run}

    half = build_decomposition(comparison)  # auto: five levers, the half fraction
    assert half.design == "half" and len(half.cells) == 16 and half.interactions
    assert all(sum(bits) % 2 == 0 for _, bits in half.cells)


def test_wrong_variants_and_designs_are_refused_by_name():
    comparison = load_comparison(MAIN)
    with pytest.raises(ScenarioError, match="no variant named 'gentle'"):
        build_decomposition(comparison, target="gentle")
    with pytest.raises(ScenarioError, match="another variant"):
        build_decomposition(comparison, "strict", "strict")


def _synthetic(levers: int, design: str, effect) -> tuple[pd.DataFrame, object]:
    """Runs of a decomposition whose measure is `effect(bits)` plus replicate noise shared by
    every cell (common random numbers) and a little of its own."""
    comparison = load_comparison(MAIN)
    decomposition = build_decomposition(comparison, design="full")
    names = [f"cell{i}" for i in range(2 ** levers)]
    cells = tuple((n, bits) for n, bits in zip(
        names, itertools.product((0, 1), repeat=levers), strict=True)
        if design == "full" or sum(bits) % 2 == 0)
    decomposition = type(decomposition)(
        comparison=decomposition.comparison, reference=cells[0][0], target=cells[-1][0],
        levers={f"lever{j}": [f"key{j}"] for j in range(levers)}, cells=cells, design=design)
    rng = np.random.default_rng(0)
    rows = []
    for replicate in range(12):
        shared = rng.normal(0, 5)
        for name, bits in cells:
            rows.append({"variant": name, "replicate": replicate,
                         "lifetime_loss_rate": effect(np.array(bits)) + shared
                         + rng.normal(0, 0.01)})
    return pd.DataFrame(rows), decomposition


def test_effects_recover_main_effects_and_an_interaction():
    runs, decomposition = _synthetic(2, "full", lambda b: 2 * b[0] - 3 * b[1] + 1 * b[0] * b[1])
    effects = factorial_effects(runs, decomposition, ("lifetime_loss_rate",)).set_index("term")
    # lever0: +2 alone, +3 with lever1 switched: 2.5 on average; lever1: -3 and -2: -2.5.
    assert effects.loc["lever0", "effect"] == pytest.approx(2.5, abs=0.02)
    assert effects.loc["lever1", "effect"] == pytest.approx(-2.5, abs=0.02)
    assert effects.loc["lever0 x lever1", "effect"] == pytest.approx(1.0, abs=0.03)
    assert effects.loc["total", "effect"] == pytest.approx(0.0, abs=0.03)
    # The shared noise cancels in the paired contrasts: the intervals are narrow.
    assert (effects["ci_high"] - effects["ci_low"]).max() < 0.1
    assert effects.loc["lever0", "p_value"] < 1e-6
    # False-discovery-rate adjusted p-values: never below the raw ones, none for the total.
    tested = effects.drop(index="total")
    assert (tested["q_value"] >= tested["p_value"] - 1e-15).all()
    assert tested["q_value"].max() < 0.05 and np.isnan(effects.loc["total", "q_value"])


def test_the_half_fraction_recovers_additive_effects():
    weights = np.array([1.0, -2.0, 0.0, 0.5])
    runs, decomposition = _synthetic(4, "half", lambda b: float(weights @ b))
    effects = factorial_effects(runs, decomposition, ("lifetime_loss_rate",))
    mains = effects[effects["kind"] == "main"].set_index("term")["effect"]
    np.testing.assert_allclose(mains.to_numpy(), weights, atol=0.02)
    # Four levers: every lever switched is an even cell, so the total is run; additive, it
    # is the sum of the main effects.
    total = effects.set_index("term").loc["total", "effect"]
    assert total == pytest.approx(weights.sum(), abs=0.02)
    assert not (effects["kind"] == "interaction").any()  # four levers: not estimable


@pytest.mark.slow
def test_decompose_command_end_to_end(tmp_path: Path):
    spec = tmp_path / "two_levers.toml"
    spec.write_text(f'''title = "Strict with and without deferral and early reporting"
base = "{(ROOT / 'scenarios' / 'baseline.toml').as_posix()}"
replicates = 2
burn_in_days = 30
runoff_max_days = 600
set = {{ "run.borrowers" = 300, "run.days" = 45, "shocks.job_loss_rate" = 0.4 }}

[[variant]]
name = "strict"
scenario = "{(ROOT / 'scenarios' / 'strict.toml').as_posix()}"

[[variant]]
name = "helped"
scenario = "{(ROOT / 'scenarios' / 'strict.toml').as_posix()}"
set = {{ "deferral.enabled" = true, "bureau.report_dpd" = 90 }}
''')
    out = tmp_path / "levers"
    command = [sys.executable, "run.py", "decompose", str(spec), "--workers", "1",
               "--out", str(out), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["term"]) == {"deferral", "reporting", "deferral x reporting", "total"}
    assert {"lifetime_loss_rate", "risk_adjusted_profit",
            "harm_per_delinquent_week"} <= set(effects["measure"])
    cells = pd.read_csv(out / "cells.csv")
    assert set(cells["variant"]) == {"strict", "strict+deferral", "strict+reporting",
                                     "helped"}
    report = (out / "report.md").read_text()
    assert "## Levers" in report and "`bureau.report_dpd`" in report
    assert (out / "figures" / "effects.png").stat().st_size > 5000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "decomposition"
    assert manifest["decomposition"]["levers"] == {"deferral": ["deferral.enabled"],
                                                   "reporting": ["bureau.report_dpd"]}
    # The total is the difference of the two policies' own runs.
    runs = pd.read_parquet(out / "runs.parquet").set_index(["variant", "replicate"])
    total = effects[(effects["term"] == "total")
                    & (effects["measure"] == "risk_adjusted_profit")]["effect"].iloc[0]
    paired = (runs.loc["helped", "risk_adjusted_profit"]
              - runs.loc["strict", "risk_adjusted_profit"]).mean()
    assert total == pytest.approx(paired)
    # A half fraction of two levers is refused: one line, exit 2, nothing written.
    refused = subprocess.run([*command[:4], "--design", "half", "--out",
                              str(tmp_path / "none")], cwd=ROOT, capture_output=True,
                             text=True, timeout=600)
    assert refused.returncode == 2 and "half needs 4 levers" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "none").exists()
