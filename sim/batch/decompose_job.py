"""The decomposition job: run every cell of a decomposition (`sim.batch.decompose`) R times
on common random numbers, then write its tables, figure and report."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.batch.decompose import Decomposition, best_cells, factorial_effects
from sim.batch.pool import Backend
from sim.batch.runner import (
    Failure,
    replicate_seeds,
    run_and_load,
)
from sim.batch.stats import summarize_runs
from sim.report.decompose_report import decomposition_report, write_effects_figure
from sim.report.writer import manifest, results_folder, write_frame, write_json, write_text


@dataclass
class DecompositionResult:
    """What a decomposition produced."""

    folder: Path
    effects: pd.DataFrame
    summary: pd.DataFrame
    failures: list[Failure]
    missing: list[str]


def run_decomposition(decomposition: Decomposition, out: Path, workers: int,
                      resume: bool = False, overwrite: bool = False, progress: bool = True,
                      backend: Backend | None = None,
                      scheduler: str | None = None) -> DecompositionResult:
    """Run (or resume) every cell of `decomposition` R times into `out` and write
    `runs.parquet`, `cells.csv` (each cell's measures), `effects.csv`, `levers.csv`, the
    effects figure, `report.md` and `manifest.json`."""
    comparison = decomposition.comparison
    with results_folder(out, "decomposition", resume=resume, overwrite=overwrite) as out:
        started, clock = datetime.now(UTC), time.perf_counter()
        finished = run_and_load(comparison, out, workers, resume, progress, backend,
                                scheduler)
        runs, failures, missing = finished.runs, finished.failures, finished.missing
        summary = summarize_runs(runs, comparison.names)
        effects = factorial_effects(runs, decomposition)
        write_frame(out / "runs.parquet", runs)
        write_frame(out / "cells.csv", summary)
        write_frame(out / "effects.csv", effects)
        write_frame(out / "levers.csv", pd.DataFrame(
            [{"lever": lever, "key": key} for lever, keys in decomposition.levers.items()
             for key in keys]))
        figure = write_effects_figure(effects, out / "figures")
        write_text(out / "report.md", decomposition_report(
            decomposition, effects, summary, best_cells(summary), figure, failures, missing))
        write_json(out / "manifest.json", manifest(
            comparison.base.model_dump(mode="json"), comparison.base.run.seed,
            str(comparison.path), time.perf_counter() - clock, started, extra={
                "decomposition": {
                    "reference": decomposition.reference, "target": decomposition.target,
                    "design": decomposition.design, "levers": decomposition.levers,
                    "cells": {name: list(bits) for name, bits in decomposition.cells},
                    "replicates": comparison.replicates,
                    "burn_in_days": comparison.burn_in_days,
                    "config_hash": comparison.config_hash(), "workers": workers},
                "replicate_seeds": replicate_seeds(comparison.base.run.seed,
                                                   comparison.replicates),
                "failures": [f.describe() for f in failures],
                "missing_runs": missing,
            }, kind="decomposition"))
    return DecompositionResult(out, effects, summary, failures, missing)
