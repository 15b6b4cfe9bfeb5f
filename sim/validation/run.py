"""`run.py validate`: run the experiments of a validation file and hold the model's figures
against the published ranges.

Each experiment is a comparison, run with the comparison machinery into
`<out>/experiments/<name>/` (with its own tables, figures and report, and shards that
`--resume` reuses). The checks then read those runs: a measure's mean over replicates with a
t-based 95 % confidence interval, set against the fact's range (inside, below or above, and by
how much). A fact given as a single value (low = high) cannot be met exactly by a mean: its
check may give a `tolerance`, a share of the value within which the mean counts as inside.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.compare import run_comparison
from sim.batch.comparison import load_comparison
from sim.batch.pool import Backend
from sim.batch.stats import mean_interval
from sim.report.writer import (
    manifest,
    results_folder,
    write_frame,
    write_json,
    write_text,
)
from sim.scenario import ScenarioError, load_scenario
from sim.validation.measures import ExperimentRuns, per_run, relative_lift
from sim.validation.report import validation_figure, validation_report
from sim.validation.spec import CheckSpec, Validation

VALIDATION_COLUMNS = (
    "fact", "description", "source", "unit", "published_low", "published_high", "kind",
    "experiment", "variant", "measure", "model_mean", "ci_low", "ci_high", "n", "verdict",
    "gap", "note", "role")
"""Columns of validation.csv; `gap` is how far the model's mean lies outside the range (0
inside), in the fact's unit, negative below. `role`: `check` for the fact's own check (the
verdicts counted), `policy` for the same measure under another variant of the check's
experiment (where each policy's market sits against the published range)."""


DEFAULT_SCENARIO = "../baseline.toml"


@dataclass
class ValidationResult:
    folder: Path
    table: pd.DataFrame
    missing_runs: int


def run_validation(validation: Validation, out: Path, workers: int,
                   replicates: int | None = None, overrides: list[str] | None = None,
                   resume: bool = False, overwrite: bool = False,
                   progress: bool = True, backend: Backend | None = None,
                   scheduler: str | None = None) -> ValidationResult:
    """Run every experiment the checks need (on the runner `backend`, see
    `sim.batch.runner.backend_for`), then write validation.csv, the figure, report.md and
    manifest.json into `out`."""
    with results_folder(out, "validation", resume=resume, overwrite=overwrite) as out:
        return _run_into(validation, out, workers, replicates, overrides, resume, progress,
                         backend, scheduler)


def _run_into(validation: Validation, out: Path, workers: int, replicates: int | None,
              overrides: list[str] | None, resume: bool, progress: bool,
              backend: Backend | None, scheduler: str | None) -> ValidationResult:
    """`run_validation` into the results folder `out`, opened."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    needed = {c.experiment for c in validation.spec.check if c.experiment}
    experiments: dict[str, ExperimentRuns] = {}
    missing = 0
    for spec in validation.spec.experiment:
        if spec.name not in needed:
            continue
        comparison = load_comparison(validation.comparison_path(spec.name), overrides,
                                     replicates)
        if progress:
            print(f"experiment {spec.name}: {comparison.title}", flush=True)
        folder = out / "experiments" / spec.name
        result = run_comparison(comparison, folder, workers=workers, resume=resume,
                                progress=progress, backend=backend, scheduler=scheduler)
        missing += len(result.missing)
        experiments[spec.name] = ExperimentRuns(
            comparison, pd.read_parquet(folder / "runs.parquet"),
            pd.read_parquet(folder / "timeseries.parquet"))

    rows = [evaluate(check, validation, experiments, overrides or [])
            for check in validation.spec.check]
    rows += [evaluate(check.model_copy(update={"variant": variant}), validation, experiments,
                      overrides or [], role="policy")
             for check in validation.spec.check if check.kind == "measure"
             for variant in experiments[check.experiment].comparison.names
             if variant != check.variant]
    table = pd.DataFrame(rows, columns=list(VALIDATION_COLUMNS))
    write_frame(out / "validation.csv", table)
    figure = validation_figure(table[table["role"] == "check"], out / "figures" / "facts.png")
    wall = time.perf_counter() - clock
    write_text(out / "report.md", validation_report(validation, table, figure.relative_to(out),
                                                    experiments, wall))
    base = (next(iter(experiments.values())).comparison.base if experiments
            else load_scenario(validation.path.parent / DEFAULT_SCENARIO, overrides))
    write_json(out / "manifest.json", manifest(
        base.model_dump(mode="json"), base.run.seed, str(validation.path), wall, started,
        extra={"validation": {"experiments": {
            name: {"comparison": str(e.comparison.path), "replicates": e.comparison.replicates,
                   "config_hash": e.comparison.config_hash()}
            for name, e in experiments.items()}, "workers": workers,
            "missing_runs": missing}}, kind="validation"))
    return ValidationResult(out, table, missing)


def evaluate(check: CheckSpec, validation: Validation,
             experiments: dict[str, ExperimentRuns], overrides: list[str],
             role: str = "check") -> dict[str, object]:
    """One row of validation.csv (`role`: see `VALIDATION_COLUMNS`)."""
    fact = validation.facts.set_index("id").loc[check.fact]
    low, high = float(fact["value_low"]), float(fact["value_high"])
    row: dict[str, object] = {
        "fact": check.fact, "description": fact["fact"], "source": fact["source"],
        "unit": fact["unit"], "published_low": low, "published_high": high,
        "kind": check.kind, "experiment": check.experiment, "variant": check.variant,
        "measure": check.measure or check.key, "model_mean": np.nan, "ci_low": np.nan,
        "ci_high": np.nan, "n": 0, "verdict": check.kind.replace("_", " "), "gap": np.nan,
        "note": check.note, "role": role}
    if check.kind in ("not_modelled", "by_construction"):
        return row
    if check.kind in ("parameter", "rule_max"):
        config = load_scenario(validation.path.parent / check.scenario, overrides)
        value = _parameter(config.model_dump(), check.key, validation) * check.scale
        row.update(model_mean=value, n=1)
        if check.kind == "rule_max":
            row["verdict"] = "respected" if value <= high else "violated"
            row["gap"] = max(value - high, 0.0)
        else:
            row["verdict"], row["gap"] = _place(value, low, high)
            row["verdict"] = f"input, {row['verdict']}"
        return row

    runs = experiments[check.experiment]
    configs = dict(runs.comparison.variants)
    for name in (check.variant, check.reference):
        if name is not None and name not in configs:
            raise ScenarioError(str(validation.path), f"check {check.fact}.variant",
                                f"'{name}' is not a variant of experiment "
                                f"'{check.experiment}' (have: {', '.join(configs)})")
    try:
        values = per_run(runs.runs, runs.series, check.variant, check.measure,
                         configs[check.variant])
        if check.kind == "lift":
            reference = per_run(runs.runs, runs.series, check.reference, check.measure,
                                configs[check.reference])
            sample = relative_lift(values, reference)
        else:
            sample = values.to_numpy(float) * check.scale
    except KeyError:
        raise ScenarioError(str(validation.path), f"check {check.fact}.measure",
                            f"'{check.measure}' is not a summary or shock measure") from None
    mean, _, ci_low, ci_high, n = mean_interval(sample)
    if check.tolerance:
        low, high = low * (1 - check.tolerance), high * (1 + check.tolerance)
    verdict, gap = _place(mean, low, high)
    row.update(model_mean=mean, ci_low=ci_low, ci_high=ci_high, n=n, verdict=verdict, gap=gap)
    return row


def _place(value: float, low: float, high: float) -> tuple[str, float]:
    """Verdict and gap of `value` against [low, high]."""
    if np.isnan(value):
        return "no data", np.nan
    if value < low:
        return "below", value - low
    if value > high:
        return "above", value - high
    return "inside", 0.0


def _parameter(raw: dict, key: str, validation: Validation) -> float:
    node: object = raw
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError(str(validation.path), "check.key",
                                f"'{key}' is not a scenario parameter")
        node = node[part]
    return float(node)
