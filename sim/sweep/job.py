"""The sweep job: run a sweep file's design (and anchors) in every world, estimate the
sensitivity indices, run one-at-a-time response curves of the most influential parameters,
find the policy frontier, and write the results folder.

Stages (each run on the replicate seeds of `replicate_seeds(spec.seed, replicates)`, so every
sample, anchor and curve point of a replicate meets the same borrowers and shocks):

1. design: every sample of the design, and every anchor, in every world;
2. curves: the `top_parameters` most influential parameters on the first metric, each moved
   alone over `levels` values with the others at the base scenario's values, in every world.

Outputs: samples.parquet (one row per design sample, world and replicate: the world's and the
sample's values and every summary measure), anchors.parquet, curves.parquet, sensitivity.csv,
frontier.csv, figures/, report.md and manifest.json; shards/ holds the finished runs that
`--resume` reuses.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.pool import Backend, Outcome, RunFailure, Runner, Workers, execute
from sim.report.writer import manifest, results_folder, write_frame, write_json, write_text
from sim.summary import MEASURE_NAMES
from sim.sweep.analysis import sensitivity, top_parameters
from sim.sweep.execute import RunRequest, SweepTask, run_request
from sim.sweep.figures import write_sweep_figures
from sim.sweep.frontier import frontier_shares, pareto_mask
from sim.sweep.plan import CONFIRM_ANCHOR, SweepPlan
from sim.sweep.report import sweep_report
from sim.sweep.spec import FRONTIER_MEASURES, Sweep
from sim.sweep.store import SweepStore


@dataclass
class SweepResult:
    """What a sweep produced."""

    folder: Path
    samples: pd.DataFrame
    sensitivity: pd.DataFrame
    frontier: pd.DataFrame
    failures: list[RunFailure]
    retried: list[SweepTask]
    missing: list[str]
    ran: int
    """Runs finished by this call (the others were found in the shards)."""


def run_sweep(sweep: Sweep, out: Path, backend: Backend = "local", workers: int = 1,
              scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
              progress: bool = True, series: bool = False,
              run: Runner = run_request) -> SweepResult:
    """Run (or resume) a sweep into `out` and write its outputs. `run` replaces the function
    that simulates one request (tests use it to kill a worker)."""
    plan = SweepPlan(sweep, series)
    plan.check()
    with results_folder(out, "sweep", resume=resume, overwrite=overwrite) as out:
        return _run_into(sweep, plan, out, backend, workers, scheduler, resume, progress,
                         series, run)


def _run_into(sweep: Sweep, plan: SweepPlan, out: Path, backend: Backend, workers: int,
              scheduler: str | None, resume: bool, progress: bool, series: bool,
              run: Runner) -> SweepResult:
    """`run_sweep` into the results folder `out`, opened."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    store = SweepStore(out, sweep.config_hash(series))
    store.open(resume=resume)
    design_tasks = plan.design_tasks()
    with Workers(backend, workers, run, scheduler) as pool:
        first = _run_stage(plan, store, design_tasks, store.done(), "design runs", pool,
                           progress)
        runs = store.runs()
        indices, notes = sensitivity(sweep.spec, plan.matrix, runs, len(sweep.worlds))
        top = top_parameters(sweep.spec, indices)
        curve_tasks = plan.plan_curves(top)
        second = _run_stage(plan, store, curve_tasks, set(runs["key"]), "curve runs", pool,
                            progress)
        confirm_tasks = plan.confirm_tasks(_frontier_candidates(plan, store.runs()))
        third = _run_stage(plan, store, confirm_tasks, set(store.runs()["key"]),
                           "frontier confirmation runs", pool, progress)
    failures = first.failures + second.failures + third.failures
    retried = first.retried + second.retried + third.retried
    runs = store.runs()

    finished = set(runs["key"])
    missing = [t.describe() for t in design_tasks + curve_tasks + confirm_tasks
               if t.key not in finished]
    tables = _tables(plan, runs)
    frontier = _frontier(tables, sweep)
    write_frame(out / "samples.parquet", tables["samples"])
    write_frame(out / "anchors.parquet", tables["anchors"])
    write_frame(out / "curves.parquet", tables["curves"])
    write_frame(out / "sensitivity.csv", indices)
    write_frame(out / "frontier.csv", frontier)
    if series:
        write_frame(out / "timeseries.parquet", store.series())
    staging = out / ".figures.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    figures = write_sweep_figures(sweep, tables, indices, frontier, top, staging)
    shutil.rmtree(out / "figures", ignore_errors=True)
    staging.rename(out / "figures")
    figures = [out / "figures" / p.name for p in figures]
    wall = time.perf_counter() - clock
    write_text(out / "report.md", sweep_report(
        sweep, plan, tables, indices, notes, frontier, top, figures, failures, retried,
        missing, f"the Dask cluster at {scheduler}" if scheduler else
        f"the {backend} backend with {workers} worker(s)", wall))
    write_json(out / "manifest.json", manifest(
        sweep.base.model_dump(mode="json"), sweep.spec.seed, str(sweep.path), wall, started,
        extra={"sweep": {**sweep.spec.model_dump(mode="json"),
                         "config_hash": sweep.config_hash(series), "backend": backend,
                         "workers": workers, "scheduler": scheduler,
                         "design_points": len(plan.values),
                         "worlds": [w.values for w in sweep.worlds],
                         "anchors": {n: c.model_dump(mode="json") for n, c in sweep.anchors},
                         "curve_parameters": top},
               "replicate_seeds": plan.seeds,
               "failures": [f.describe() for f in failures],
               "retried_after_worker_death": [t.describe() for t in retried],
               "missing_runs": missing}, kind="sweep"))
    return SweepResult(out, tables["samples"], indices, frontier, failures, retried, missing,
                       ran=first.finished + second.finished + third.finished)


def _run_stage(plan: SweepPlan, store: SweepStore, tasks: list[SweepTask], done: set[str],
               label: str, pool: Workers, progress: bool) -> Outcome:
    """Run the tasks whose keys are not in `done` (the runs in the store), keeping each
    result in the store."""
    todo = [t for t in tasks if t.key not in done]
    if not todo:
        return Outcome()

    def keep(task: SweepTask, result: dict[str, Any]) -> None:
        store.add(task, plan.row(task, result["summary"]), result.get("frame"))

    work: list[tuple[SweepTask, Callable[[], RunRequest]]] = [
        (t, partial(plan.request, t)) for t in todo]
    try:
        return execute(work, keep, pool, progress=progress, label=label,
                       finished_before=len(done))
    finally:
        store.flush()


def _tables(plan: SweepPlan, runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """samples, anchors and curves (one row per run) and points (means over replicates of
    each design sample and anchor, per world: the frontier's candidates)."""
    sweep = plan.sweep
    keys = [p.key for p in sweep.parameters]
    worlds = list(sweep.spec.worlds)
    base = ["world", *worlds, "replicate", "seed"]
    runs = runs if len(runs) else pd.DataFrame(
        columns=["stage", "point", "anchor", *base, *keys, *MEASURE_NAMES])

    def stage(name: str) -> pd.DataFrame:
        return runs[runs["stage"] == name].reset_index(drop=True)

    samples = stage("design").rename(columns={"point": "sample"})[
        ["sample", *base, *keys, *MEASURE_NAMES]]
    anchors = stage("anchor")[["anchor", *base, *keys, *MEASURE_NAMES]]
    curves = stage("curve")
    curves = curves[curves["point"].isin(list(plan.curve_points))].reset_index(drop=True)
    curves = curves.rename(columns={"point": "curve_point"})
    if len(curves):
        curves.insert(1, "curve_parameter",
                      [plan.curve_points[i][0] for i in curves["curve_point"]])
    curves = curves.reindex(columns=["curve_point", "curve_parameter", *base, *keys,
                                     *MEASURE_NAMES])
    design_points = samples.groupby(["world", "sample"], as_index=False)[
        [*keys, *FRONTIER_MEASURES]].agg(
        {**dict.fromkeys(keys, "first"), **dict.fromkeys(FRONTIER_MEASURES, "mean")})
    design_points.insert(0, "source", "sample")
    design_points.insert(1, "name", design_points["sample"].astype(str))
    anchor_points = anchors.groupby(["world", "anchor"], as_index=False, sort=False)[
        [*keys, *FRONTIER_MEASURES]].agg(
        {**dict.fromkeys(keys, "first"), **dict.fromkeys(FRONTIER_MEASURES, "mean")})
    anchor_points.insert(0, "source", "anchor")
    anchor_points = anchor_points.rename(columns={"anchor": "name"})
    anchor_points.insert(3, "sample", -1)
    points = pd.concat([design_points, anchor_points], ignore_index=True)
    confirm = stage("confirm")
    confirm = confirm.assign(
        source=np.where(confirm["point"] >= CONFIRM_ANCHOR, "anchor", "sample"),
        name=[a if a else str(p) for a, p in zip(confirm["anchor"], confirm["point"],
                                                 strict=True)])
    return {"samples": samples, "anchors": anchors, "curves": curves, "points": points,
            "confirm": confirm}


def _frontier_candidates(plan: SweepPlan, runs: pd.DataFrame) -> dict[int, set[int]]:
    """Per world, the design samples on the frontier of means against any harm measure, and
    every anchor (as CONFIRM_ANCHOR + its number): what the confirmation runs re-run."""
    if not plan.sweep.spec.confirm_replicates or not len(runs):
        return {}
    points = _tables(plan, runs)["points"]
    loss, *others = FRONTIER_MEASURES
    anchors = {CONFIRM_ANCHOR + i for i in range(len(plan.sweep.anchors))}
    candidates: dict[int, set[int]] = {}
    for world in plan.sweep.worlds:
        mine = points[(points["world"] == world.index) & (points["source"] == "sample")]
        chosen = set(anchors)
        for other in others:
            on = pareto_mask(mine[loss].to_numpy(float), mine[other].to_numpy(float))
            chosen |= set(mine.loc[on, "sample"].astype(int))
        candidates[world.index] = chosen
    return candidates


FRONTIER_RESAMPLES = 200
"""Bootstrap resamples of the replicates behind `frontier_share`."""
FRONTIER_SHARE_SHOWN = 0.2
"""Policies off the frontier of means are still listed when they are on it in at least this
share of the resamples."""


def _frontier(tables: dict[str, pd.DataFrame], sweep: Sweep) -> pd.DataFrame:
    """frontier.csv: per world and per harm measure ('against'), the design samples and
    anchors on the frontier of (bad-debt loss, that measure) drawn through their means, and
    those on the frontier of resampled means often enough (`frontier_share`, the share of
    bootstrap resamples of the replicates in which a policy is on the frontier: replicate
    noise made visible)."""
    loss, *others = FRONTIER_MEASURES
    points = tables["points"]
    confirm = tables.get("confirm", pd.DataFrame())
    if len(confirm):  # fresh seeds for the candidates: shares among them
        runs = confirm
        points = points.merge(confirm[["world", "source", "name"]].drop_duplicates(),
                              on=["world", "source", "name"])
    else:  # bootstrap over the design's own replicates
        runs = pd.concat([
            tables["samples"].assign(source="sample",
                                     name=tables["samples"]["sample"].astype(str)),
            tables["anchors"].assign(source="anchor", name=tables["anchors"]["anchor"])],
            ignore_index=True)
    parts = []
    for world in sweep.worlds:
        mine = points[points["world"] == world.index].reset_index(drop=True)
        here = runs[runs["world"] == world.index]
        for other in others:
            grids = [here.pivot_table(index=["source", "name"], columns="replicate",
                                      values=m, aggfunc="first", dropna=False)
                     .reindex(pd.MultiIndex.from_frame(mine[["source", "name"]]))
                     for m in (loss, other)]
            shares = frontier_shares(grids[0].to_numpy(float), grids[1].to_numpy(float),
                                     FRONTIER_RESAMPLES, sweep.spec.seed)
            on_means = pareto_mask(mine[loss].to_numpy(float), mine[other].to_numpy(float))
            front = mine.assign(on_mean_frontier=on_means, frontier_share=shares)
            front = front[on_means | (shares >= FRONTIER_SHARE_SHOWN)]
            front = front.sort_values([loss, other], ignore_index=True)
            front.insert(1, "against", other)
            parts.append(front)
    columns = ["world", "against", "source", "name", "sample", "on_mean_frontier",
               "frontier_share", *[p.key for p in sweep.parameters], *FRONTIER_MEASURES]
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(parts, ignore_index=True)
    return table[columns].astype({"sample": np.int64})
