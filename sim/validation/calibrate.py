"""`run.py calibrate`: search chosen parameters so the model's steady state meets chosen facts.

A calibration file (TOML, `scenarios/calibration/*.toml`) names a base scenario, the facts
table, the parameters to search (any scenario key, with bounds) and the targets (a fact, the
summary measure that corresponds to it and the factor to the fact's unit). Each trial runs the
base with the trial's parameter values on the same replicate seeds (common random numbers, so
trials differ by their parameters, not by luck) and scores the mean of each target measure:

    loss = sum over targets of weight * (distance outside the range / range width)^2
           + centring * sum of weight * ((value - range middle) / range width)^2

The first part is zero when every target is inside its range; the second part (the file's
`centring`, small by default) prefers values near the middle, so that a best trial is not
left on an edge where another sample's noise would push it out. Optuna's TPE sampler, seeded,
proposes the trials, so a calibration is reproducible. Outputs: trials.csv, best.toml (a
scenario that extends the base with the best values), figures/trials.png, report.md and
manifest.json.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402
from tqdm import tqdm  # noqa: E402

from sim.batch.pool import Backend, Workers, execute  # noqa: E402
from sim.batch.runner import backend_for, replicate_seeds  # noqa: E402
from sim.config import ScenarioConfig  # noqa: E402
from sim.model import CreditMarket  # noqa: E402
from sim.params_doc import format_value  # noqa: E402
from sim.report.writer import (  # noqa: E402
    manifest,
    staged_folder,
    write_frame,
    write_json,
    write_text,
)
from sim.scenario import (  # noqa: E402
    ParameterRange,
    ScenarioError,
    load_scenario,
    parse_override,
    read_spec,
    spec_with,
    with_values,
)
from sim.summary import check_measure, summarize  # noqa: E402

CENTRING = 0.01
"""Default weight of the pull towards the middle of each range, relative to a miss."""


class TargetSpec(BaseModel):
    """A fact to meet and the summary measure that corresponds to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fact: str = Field(description="Id in the facts table, e.g. F1.")
    measure: str = Field(description="Summary measure of a run (see `sim.summary`).")
    scale: float = Field(1.0, description="Factor from the measure's unit to the fact's.")
    weight: float = Field(1.0, gt=0, description="Weight in the loss.")


class CalibrationSpec(BaseModel):
    """A calibration file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field("Calibration", description="Title of the report.")
    base: str = Field(description="Scenario to calibrate, relative to this file.")
    facts: str = Field(description="Facts table (CSV), relative to this file.")
    trials: int = Field(30, ge=1, le=100_000, description="Parameter sets to try.")
    replicates: int = Field(3, ge=1, le=1000, description="Runs per trial (same seeds in "
                            "every trial).")
    seed: int = Field(1, ge=0, description="Seed of the sampler and root of the run seeds.")
    centring: float = Field(CENTRING, ge=0, description="Weight of the pull towards the "
                            "middle of each range, relative to a miss.")
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides of the base for "
                                "every trial (size, length, steady-state window).")
    parameter: list[ParameterRange] = Field(min_length=1)
    target: list[TargetSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Calibration:
    """A loaded calibration file."""

    path: Path
    spec: CalibrationSpec
    base: ScenarioConfig
    ranges: dict[str, tuple[float, float]]
    overrides: dict[str, Any]
    """The command line's --set values (they win over the file's `set`)."""


def load_calibration(path: str | Path, overrides: list[str] | None = None,
                     trials: int | None = None, replicates: int | None = None) -> Calibration:
    """Read and check a calibration file; `overrides` (section.key=value) apply to every run.
    Raises ScenarioError naming the file and the key."""
    path = Path(path)
    spec = read_spec(path, CalibrationSpec, "calibration",
                     [*CalibrationSpec.model_fields, *ParameterRange.model_fields,
                      *TargetSpec.model_fields])
    for i, parameter in enumerate(spec.parameter):
        if parameter.is_choice:
            raise ScenarioError(str(path), f"parameter.{i}.values",
                                "a calibration searches a range: give low and high")
    spec = spec_with(spec, {"trials": trials, "replicates": replicates}, path, "calibration")
    base = with_values(load_scenario(path.parent / spec.base), spec.set, f"{path} [set]")
    given = dict(parse_override(t) for t in overrides or [])
    base = with_values(base, given, "--set")
    for i, parameter in enumerate(spec.parameter):
        for bound in ("low", "high"):
            value = getattr(parameter, bound)
            with_values(base, {parameter.key: int(value) if parameter.integer else value},
                        f"{path} [parameter.{i}.{bound}]")
    facts = pd.read_csv(path.parent / spec.facts, dtype={"id": str}).set_index("id")
    ranges = {}
    for i, target in enumerate(spec.target):
        check_measure(target.measure, str(path), f"target.{i}.measure")
        if target.fact not in facts.index:
            raise ScenarioError(str(path), f"target.{i}.fact", f"'{target.fact}' is not in "
                                f"{spec.facts}")
        ranges[target.fact] = (float(facts.loc[target.fact, "value_low"]),
                               float(facts.loc[target.fact, "value_high"]))
    return Calibration(path, spec, base, ranges, given)


def run_trial_replicate(config: ScenarioConfig, seed: int) -> dict[str, float]:
    """Summary measures of one run of a trial (in a worker process)."""
    model = CreditMarket(config, rng=seed, collect=False)
    model.run_days()
    return summarize(model.metrics.frame(), config, model.transitions)


def _run_trial(pool: Workers, config: ScenarioConfig, seeds: list[int]
               ) -> list[dict[str, float]]:
    """The summaries of one trial's replicates, in seed order; a failed run stops the
    calibration (its loss would be meaningless)."""
    summaries: dict[int, dict[str, float]] = {}
    work = [(_TrialRun(r, seed), partial(_trial_request, config, seed))
            for r, seed in enumerate(seeds)]
    outcome = execute(work, lambda task, summary: summaries.__setitem__(task.replicate, summary),
                      pool, progress=False)
    if outcome.failures:
        raise RuntimeError(outcome.failures[0].describe())
    return [summaries[r] for r in range(len(seeds))]


@dataclass(frozen=True)
class _TrialRun:
    replicate: int
    seed: int

    @property
    def key(self) -> str:
        return f"replicate-{self.replicate:05d}"

    def describe(self) -> str:
        return f"replicate {self.replicate}, seed {self.seed}"


def _trial_request(config: ScenarioConfig, seed: int) -> tuple[ScenarioConfig, int]:
    return config, seed


def _run_trial_request(request: tuple[ScenarioConfig, int]) -> dict[str, float]:
    """`run_trial_replicate` of one request (in a worker)."""
    return run_trial_replicate(*request)


def loss(values: dict[str, float], calibration: Calibration) -> tuple[float, dict[str, float]]:
    """The loss of a trial's mean target values, and each target's share of it."""
    parts = {}
    for target in calibration.spec.target:
        low, high = calibration.ranges[target.fact]
        value = values[target.fact]
        width = max(high - low, 0.1 * abs(high + low) / 2, 1e-9)
        if math.isnan(value):
            parts[target.fact] = target.weight * 100.0
            continue
        outside = (value - min(max(value, low), high)) / width
        centre = (value - (low + high) / 2) / width
        parts[target.fact] = target.weight * (outside ** 2
                                              + calibration.spec.centring * centre ** 2)
    return sum(parts.values()), parts


@dataclass
class CalibrationResult:
    folder: Path
    trials: pd.DataFrame
    best: dict[str, float]


def run_calibration(calibration: Calibration, out: Path, workers: int,
                    overwrite: bool = False, progress: bool = True,
                    backend: Backend | None = None,
                    scheduler: str | None = None) -> CalibrationResult:
    """Run the search and write the results folder `out` (atomically, as a whole); each
    trial's replicates run on the runner `backend` (see `sim.batch.runner.backend_for`)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    spec = calibration.spec
    seeds = replicate_seeds(spec.seed, spec.replicates)
    sampler = optuna.samplers.TPESampler(seed=spec.seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    rows: list[dict[str, Any]] = []
    started = datetime.now(UTC)
    clock = time.perf_counter()
    with staged_folder(Path(out), "calibration", overwrite=overwrite) as staging, \
            Workers(backend_for(workers, backend), workers, _run_trial_request,
                    scheduler) as pool, \
            tqdm(total=spec.trials, unit="trial", desc="trials", disable=not progress) as bar:
        for number in range(spec.trials):
            trial = study.ask()
            values = {p.key: (trial.suggest_int(p.key, int(p.low), int(p.high), log=p.log)
                              if p.integer else
                              trial.suggest_float(p.key, p.low, p.high, log=p.log))
                      for p in spec.parameter}
            config = with_values(calibration.base, values, f"{calibration.path} trial {number}")
            summaries = _run_trial(pool, config, seeds)
            means = {t.fact: _mean([s[t.measure] for s in summaries]) * t.scale
                     for t in spec.target}
            total, parts = loss(means, calibration)
            study.tell(trial, total)
            rows.append({"trial": number, **values,
                         **{f"{fact}_model": v for fact, v in means.items()},
                         **{f"{fact}_loss": v for fact, v in parts.items()}, "loss": total})
            bar.update(1)
        table = pd.DataFrame(rows)
        best_row = table.loc[table["loss"].idxmin()]
        best = {p.key: best_row[p.key] for p in spec.parameter}
        wall = time.perf_counter() - clock
        write_frame(staging / "trials.csv", table)
        write_text(staging / "best.toml", best_scenario(calibration, best, int(best_row.trial),
                                                        Path(out)))
        _figure(table, calibration, staging / "figures" / "trials.png")
        write_text(staging / "report.md", _report(calibration, table, best_row, wall))
        write_json(staging / "manifest.json", manifest(
            calibration.base.model_dump(mode="json"), spec.seed, str(calibration.path), wall,
            started, extra={"calibration": spec.model_dump(mode="json"),
                            "replicate_seeds": seeds, "workers": workers},
            kind="calibration"))
    return CalibrationResult(Path(out), table, best)


def best_scenario(calibration: Calibration, best: dict[str, float], trial: int,
                  folder: Path) -> str:
    """A scenario file for `folder`: the base (with the calibration's `set`) and the best
    values; it extends the base by a path relative to `folder`."""
    base_path = os.path.relpath((calibration.path.parent / calibration.spec.base).resolve(),
                                Path(folder).resolve())
    sections: dict[str, dict[str, Any]] = {}
    items = {**calibration.spec.set, **calibration.overrides, **best}
    for key, value in items.items():
        section, _, name = key.rpartition(".")
        sections.setdefault(section, {})[name] = value
    lines = [f"# Best of {calibration.spec.trials} trials (trial {trial}) of "
             f"{calibration.path}.", f'title = "{calibration.spec.title}: best trial"',
             f'extends = "{Path(base_path).as_posix()}"', ""]
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{name} = {format_value(_plain(v))}" for name, v in values.items()]
        lines.append("")
    return "\n".join(lines)


def _mean(values: list[float]) -> float:
    """Mean of the values that are numbers (NaN if none is)."""
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _figure(table: pd.DataFrame, calibration: Calibration, path: Path) -> None:
    targets = calibration.spec.target
    fig, axes = plt.subplots(1 + len(targets), 1, figsize=(8, 2 + 1.6 * len(targets)),
                             sharex=True)
    axes[0].plot(table["trial"], table["loss"], "o", ms=3, color="grey")
    axes[0].plot(table["trial"], table["loss"].cummin(), color="black", label="best so far")
    axes[0].set_yscale("symlog", linthresh=1e-3)
    axes[0].set_ylabel("loss")
    axes[0].legend(fontsize=8)
    axes[0].set_title(f"{calibration.spec.title}: trials")
    for ax, target in zip(axes[1:], targets, strict=True):
        low, high = calibration.ranges[target.fact]
        ax.axhspan(low, high, color="tab:blue", alpha=0.2, label=f"{target.fact} published")
        ax.plot(table["trial"], table[f"{target.fact}_model"], "o", ms=3)
        ax.set_ylabel(f"{target.fact}\n{target.measure}", fontsize=8)
    axes[-1].set_xlabel("trial")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _report(calibration: Calibration, table: pd.DataFrame, best: pd.Series,
            wall: float) -> str:
    spec = calibration.spec
    run = calibration.base.run
    lines = [f"# {spec.title}", "",
             f"Calibration file `{calibration.path}`: {spec.trials} trials of {spec.replicates} "
             f"runs each ({run.borrowers:,} borrowers, {run.days} days, steady state from day "
             f"{run.steady_state_from_day}), the same seeds in every trial; Optuna TPE seeded "
             f"with {spec.seed}; {wall:.0f} s.", "",
             f"Best: trial {int(best['trial'])}, loss {best['loss']:.4g}. Use it with "
             "`python run.py run best.toml`, or copy its values into the base scenario.", "",
             "| parameter | searched | best |", "|---|---|---:|"]
    lines += [f"| `{p.key}` | {p.low:g}-{p.high:g}{' (log)' if p.log else ''} | "
              f"{best[p.key]:.4g} |" for p in spec.parameter]
    lines += ["", "| fact | measure | published | best trial |", "|---|---|---|---:|"]
    for target in spec.target:
        low, high = calibration.ranges[target.fact]
        lines.append(f"| {target.fact} | `{target.measure}` x {target.scale:g} | {low:g}-{high:g}"
                     f" | {best[f'{target.fact}_model']:.3g} |")
    lines += ["", "![trials](figures/trials.png)", ""]
    return "\n".join(lines)
