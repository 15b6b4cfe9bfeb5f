"""The comparison job: run every variant R times on common random numbers, then write the
tables, figures and report of the results folder."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.batch.comparison import Comparison
from sim.batch.pool import Backend
from sim.batch.runner import (
    SCORE_BINS,
    Failure,
    replicate_seeds,
    run_and_load,
)
from sim.batch.stats import paired_differences, summarize_runs
from sim.report.compare_figures import write_comparison_figures
from sim.report.compare_report import comparison_report, summary_status
from sim.report.variant_table import differences_from_base, variants_csv_frame
from sim.report.writer import (
    manifest,
    results_folder,
    write_frame,
    write_json,
    write_text,
)
from sim.transitions import as_frame as transitions_frame


@dataclass
class ComparisonResult:
    """What a comparison produced."""

    folder: Path
    summary: pd.DataFrame
    differences: pd.DataFrame
    failures: list[Failure]
    missing: list[str]


def run_comparison(comparison: Comparison, out: Path, workers: int, resume: bool = False,
                   overwrite: bool = False, progress: bool = True,
                   backend: Backend | None = None,
                   scheduler: str | None = None) -> ComparisonResult:
    """Run (or resume) a comparison into `out` and write its outputs (`backend`, `scheduler`:
    where the runs happen, see `sim.batch.runner.backend_for`). If no run finished (in this
    call or before it), NoRunsFinishedError names every failure and no table or report is
    written."""
    with results_folder(out, "comparison", resume=resume, overwrite=overwrite) as out:
        return _run_into(comparison, out, workers, resume, progress, backend, scheduler)


def _run_into(comparison: Comparison, out: Path, workers: int, resume: bool, progress: bool,
              backend: Backend | None, scheduler: str | None) -> ComparisonResult:
    """`run_comparison` into the results folder `out`, opened."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    finished = run_and_load(comparison, out, workers, resume, progress, backend, scheduler)
    runs, series, scores, moves = (finished.runs, finished.series, finished.scores,
                                   finished.moves)
    failures, missing = finished.failures, finished.missing

    variants = comparison.names
    summary = summarize_runs(runs, variants)
    summary = summary.assign(status=summary_status(comparison, summary, runs))
    differences = paired_differences(runs, variants)
    write_frame(out / "runs.parquet", runs)
    write_frame(out / "timeseries.parquet", series)
    write_frame(out / "summary.csv", summary)
    write_frame(out / "differences.csv", differences)
    write_frame(out / "variants.csv", variants_csv_frame(
        differences_from_base(comparison.base, comparison.variants)))
    if moves:
        write_frame(out / "transitions.csv", pd.concat(
            [transitions_frame(moves[v]).assign(variant=v) for v in variants if v in moves],
            ignore_index=True))
    figures: list[Path] = []
    if len(runs):
        staging = out / ".figures.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        horizon = comparison.burn_in_days + comparison.base.run.days - 1  # the window's end
        figures = write_comparison_figures(
            series, summary, runs, scores, SCORE_BINS, variants, staging,
            comparison.burn_in_days, horizon if comparison.runoff_max_days else None)
        shutil.rmtree(out / "figures", ignore_errors=True)
        staging.rename(out / "figures")
        figures = [out / "figures" / p.name for p in figures]
    wall = time.perf_counter() - clock
    write_text(out / "report.md", comparison_report(comparison, summary, differences,
                                                    figures, failures, missing, workers))
    write_json(out / "manifest.json", manifest(
        comparison.base.model_dump(mode="json"), comparison.base.run.seed,
        str(comparison.path), wall, started, extra={
            "comparison": {"title": comparison.title, "replicates": comparison.replicates,
                           "burn_in_days": comparison.burn_in_days,
                           "config_hash": comparison.config_hash(), "workers": workers,
                           "variants": {n: c.model_dump(mode="json")
                                        for n, c in comparison.variants}},
            "replicate_seeds": replicate_seeds(comparison.base.run.seed,
                                               comparison.replicates),
            "failures": [f.describe() for f in failures],
            "missing_runs": missing,
        }, kind="comparison"))
    return ComparisonResult(out, summary, differences, failures, missing)
