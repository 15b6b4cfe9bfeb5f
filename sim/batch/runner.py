"""Run every (variant, replicate) of a comparison on the runner (`sim.batch.pool`: this
process, a local process pool or Dask), one shard per run.

Seeds come from `numpy.random.SeedSequence(root).spawn(replicates)`: replicate r of every
variant gets the same seed, so the same borrowers meet the same shocks (common random
numbers). With a burn-in, each run first simulates `burn_in_days` under the base scenario,
then the variant takes over the same state; the burn-in is deterministic, so every variant of
a replicate forks from an identical market.

Each finished run is written as its own shard (`shards/<variant>__<replicate>.parquet` plus a
JSON line of its summary) by the parent process, atomically; `resume=True` skips runs whose
shard exists, after checking the shards were made by the same comparison (config hash); a
shard that cannot be read whole (cut short outside the atomic writes: a full disk, a copy) is
removed with a warning and its run is run again. A run that raises is reported with its
variant, replicate and seed; the others go on.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.batch.burn_in_cache import burned_in
from sim.batch.comparison import Comparison
from sim.batch.pool import Backend, Workers, WorkersDiedError
from sim.batch.pool import execute as pool_execute
from sim.config import ScenarioConfig
from sim.lifetime import measure_window
from sim.model import CreditMarket
from sim.report.writer import write_arrays, write_frame, write_json, write_text

SCORE_BINS = np.arange(350, 960, 10)
"""Edges of the 10-point score bins kept from each run's last day."""


class ShardMismatchError(Exception):
    """The shards in a results folder were made by a different comparison."""


@dataclass(frozen=True)
class Task:
    """One run: a variant, a replicate and its seed."""

    variant: str
    replicate: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.variant}__{self.replicate:05d}"


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """One seed per replicate, from independent streams of the root seed."""
    children = np.random.SeedSequence(root).spawn(replicates)
    return [int(child.generate_state(1, np.uint32)[0]) for child in children]


def plan(comparison: Comparison) -> list[Task]:
    """Every run of the comparison, replicate-major so early results cover every variant."""
    seeds = replicate_seeds(comparison.base.run.seed, comparison.replicates)
    return [Task(name, r, seeds[r]) for r in range(comparison.replicates)
            for name in comparison.names]


def simulate_run(base: ScenarioConfig, variant: ScenarioConfig, burn_in_days: int,
                 seed: int, runoff_max_days: int | None = None,
                 burned: CreditMarket | None = None) -> dict[str, Any]:
    """Burn in under `base` (or continue a copy of `burned`, that burn-in already run),
    continue under `variant` for its `run.days` (the window), then, with `runoff_max_days`,
    run the book off under `variant` with no new lending; return the run's daily metrics,
    its summary, its last-day score histogram, the window's transition counts and the slots'
    life digests and generations. Without a burn-in the market is built under `variant`
    itself, so its borrower settings (e.g. deferral awareness) apply from day 0, and the
    window starts at `run.steady_state_from_day`."""
    window = _with_window(variant, burn_in_days)
    if burn_in_days:
        model = burned.fork() if burned is not None else burned_in(base, seed, burn_in_days)
        model.adopt_policy(variant)
    else:
        model = CreditMarket(variant, rng=seed, collect=False)
        model.run_days(window.run.steady_state_from_day)
    days_left = window.run.days - model.day
    measured = measure_window(model, window, days_left, runoff_max_days)
    # Scores are read at the horizon (the run-off changes nothing a new borrower would see).
    histogram = np.histogram(model.population.score, bins=SCORE_BINS)[0]
    return {"frame": measured.frame, "summary": measured.summary,
            "scores": histogram.tolist(), "transitions": measured.transitions.tolist(),
            "life_digest": measured.life_digest, "generation": measured.generation}


def _with_window(config: ScenarioConfig, burn_in_days: int) -> ScenarioConfig:
    """The summary window starts at the fork at the earliest."""
    start = max(config.run.steady_state_from_day, burn_in_days)
    return config.model_copy(update={"run": config.run.model_copy(
        update={"steady_state_from_day": start, "days": config.run.days + burn_in_days})})


def _run_task(comparison: Comparison, task: Task,
              burned: CreditMarket | None = None) -> dict[str, Any]:
    variant = dict(comparison.variants)[task.variant]
    return simulate_run(comparison.base, variant, comparison.burn_in_days, task.seed,
                        comparison.runoff_max_days, burned)


RunTask = Callable[[Comparison, Task, CreditMarket | None], dict[str, Any]]
"""Runs one task, continuing a copy of the replicate's burned-in market if given."""


def _run_replicate(comparison: Comparison, tasks: list[Task], run_task: RunTask | None = None
                   ) -> list[tuple[Task, dict[str, Any] | None, str | None]]:
    """The tasks of one replicate (one seed) from a single burn-in, each variant on its own
    copy of the burned-in market (the same market a separate burn-in would give, since the
    burn-in is deterministic), by `run_task` (default `_run_task`); (task, result, None) or
    (task, None, error) for each."""
    run_task = run_task or _run_task
    burned = (burned_in(comparison.base, tasks[0].seed, comparison.burn_in_days)
              if comparison.burn_in_days else None)
    out = []
    for task in tasks:
        try:
            out.append((task, run_task(comparison, task, burned), None))
        except Exception as error:  # a failed run is reported, the batch goes on
            out.append((task, None, _describe(error)))
    return out


def _by_replicate(tasks: list[Task]) -> list[list[Task]]:
    groups: dict[int, list[Task]] = {}
    for task in tasks:
        groups.setdefault(task.replicate, []).append(task)
    return list(groups.values())


class ShardStore:
    """The `shards/` folder of a comparison's results: one parquet and one JSON per run."""

    def __init__(self, folder: Path, config_hash: str) -> None:
        self.folder = folder / "shards"
        self.config_hash = config_hash

    def open(self, resume: bool) -> None:
        """Create the folder, or check that existing shards belong to this comparison."""
        stamp = self.folder / "config_hash.txt"
        if self.folder.exists() and any(p != stamp for p in self.folder.iterdir()):
            found = stamp.read_text().strip() if stamp.exists() else "unknown"
            if not resume:
                raise ShardMismatchError(f"{self.folder.parent} already holds runs; pass "
                                         "--resume to continue them or --overwrite to start "
                                         "again")
            if found != self.config_hash:
                raise ShardMismatchError(
                    f"{self.folder.parent} holds runs of another configuration (hash {found}, "
                    f"this comparison is {self.config_hash}); choose another --out")
        write_text(stamp, self.config_hash + "\n")
        self.drop_damaged()

    def drop_damaged(self) -> None:
        """Remove every run's shard that cannot be read whole, with a warning line each, so
        the run is not taken as finished and is run again."""
        for record in sorted(self.folder.glob("*.json")):
            files = [record, record.with_suffix(".parquet"), record.with_suffix(".npz")]
            problem = next(filter(None, map(unreadable, files)), None)
            if problem is not None:
                warn_damaged(f"the shard of run {record.stem}", problem)
                for path in files:
                    path.unlink(missing_ok=True)

    def done(self) -> set[str]:
        return {p.stem for p in self.folder.glob("*.json")}

    def save(self, task: Task, result: dict[str, Any]) -> None:
        frame = result["frame"].copy()
        frame.insert(0, "replicate", task.replicate)
        frame.insert(0, "variant", task.variant)
        write_frame(self.folder / f"{task.key}.parquet", frame)
        write_arrays(self.folder / f"{task.key}.npz", life_digest=result["life_digest"],
                     generation=result["generation"])
        write_json(self.folder / f"{task.key}.json", {
            "variant": task.variant, "replicate": task.replicate, "seed": task.seed,
            "summary": result["summary"], "scores": result["scores"],
            "transitions": result["transitions"]})

    def load(self, tasks: list[Task]
             ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list], dict[str, np.ndarray]]:
        """Runs, time series, score histograms and monthly transition counts (summed over
        replicates) of the given tasks that have shards, by variant."""
        rows, frames, scores, moves = [], [], {}, {}
        for task in tasks:
            path = self.folder / f"{task.key}.json"
            if not path.exists():
                continue
            record = json.loads(path.read_text())
            rows.append({"variant": task.variant, "replicate": task.replicate,
                         "seed": task.seed, **record["summary"]})
            frames.append(pd.read_parquet(self.folder / f"{task.key}.parquet"))
            scores.setdefault(task.variant, []).append(record["scores"])
            counts = np.asarray(record["transitions"], np.int64)
            moves[task.variant] = moves.get(task.variant, 0) + counts
        runs = pd.DataFrame(rows)
        if len(runs):
            runs = runs.assign(**self.common_shares(runs))
        series = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return runs, series, scores, moves

    def common_shares(self, runs: pd.DataFrame) -> dict[str, list[float]]:
        """Per run: `common_shocks_share`, of the borrower slots that met a shock in the
        window in any variant of its replicate, the share whose shocks (job losses,
        illnesses and their days) are identical in every variant; and `common_people_share`,
        the share of all slots whose sequence of people is the same (the same number of
        arrivals: a borrower leaves only without a loan, which the policy changes)."""
        shocks, people = {}, {}
        for replicate, group in runs.groupby("replicate"):
            arrays = [np.load(self.folder / f"{Task(v, int(replicate), 0).key}.npz")
                      for v in group["variant"]]
            digests = np.stack([a["life_digest"] for a in arrays])
            generations = np.stack([a["generation"] for a in arrays])
            shocked = (digests != 0).any(axis=0)
            same = (digests == digests[0]).all(axis=0)
            shocks[replicate] = float(same[shocked].mean()) if shocked.any() else 1.0
            people[replicate] = float((generations == generations[0]).all(axis=0).mean())
        return {"common_shocks_share": [shocks[r] for r in runs["replicate"]],
                "common_people_share": [people[r] for r in runs["replicate"]]}


SHARD_KEYS = {".json": ("summary", "scores", "transitions"),
              ".npz": ("life_digest", "generation")}
"""What a shard's files must hold, by suffix."""


def unreadable(path: Path) -> str | None:
    """Why the shard file `path` cannot be read whole (missing, cut short, lacking what a run
    writes), or None if it can."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.read_table(path)
            return None
        if path.suffix == ".npz":
            with np.load(path) as arrays:  # reading each array checks its data
                names = [name for name in arrays.files if arrays[name] is not None]
        else:
            names = list(json.loads(path.read_text(encoding="utf-8")))
    except Exception as error:  # any way of being damaged: the run is run again
        return f"{path.name}: {_describe(error).splitlines()[-1]}"
    lacking = [key for key in SHARD_KEYS.get(path.suffix, ()) if key not in names]
    return f"{path.name} lacks {', '.join(lacking)}" if lacking else None


def warn_damaged(what: str, problem: str) -> None:
    """One warning line on standard error: `what` (finished runs' files) was damaged and was
    removed, so its runs are run again."""
    print(f"warning: {what} is damaged ({problem}); its runs will be run again",
          file=sys.stderr, flush=True)


class NoRunsFinishedError(Exception):
    """Not one run of a comparison finished: there is nothing to report; `failures` says
    which runs failed and why."""

    def __init__(self, failures: list[Failure], runs: int) -> None:
        self.failures = failures
        super().__init__(f"none of the comparison's {runs} runs finished ({len(failures)} "
                         "failed); no tables or report were written")


@dataclass
class Failure:
    """A run that raised."""

    task: Task
    error: str

    def describe(self) -> str:
        return (f"variant {self.task.variant}, replicate {self.task.replicate}, seed "
                f"{self.task.seed}: {self.error}")


@dataclass
class FinishedRuns:
    """What `run_and_load` leaves: the finished runs' tables (`ShardStore.load`), the runs
    that failed in this call and the keys of the planned runs still missing."""

    runs: pd.DataFrame
    series: pd.DataFrame
    scores: dict[str, list]
    moves: dict[str, np.ndarray]
    failures: list[Failure]
    missing: list[str]


def run_and_load(comparison: Comparison, out: Path, workers: int, resume: bool,
                 progress: bool, backend: Backend | None,
                 scheduler: str | None) -> FinishedRuns:
    """Run every run of `comparison` not yet in `out`'s shards (all of them unless `resume`),
    then load every finished one. Raises NoRunsFinishedError if none has finished."""
    store = ShardStore(out, comparison.config_hash())
    store.open(resume=resume)
    failures = execute(comparison, store, workers=workers, progress=progress, backend=backend,
                       scheduler=scheduler)
    tasks = plan(comparison)
    runs, series, scores, moves = store.load(tasks)
    done = set(zip(runs.get("variant", []), runs.get("replicate", []), strict=True))
    missing = [t.key for t in tasks if (t.variant, t.replicate) not in done]
    if not len(runs):
        raise NoRunsFinishedError(failures, len(tasks))
    return FinishedRuns(runs, series, scores, moves, failures, missing)


@dataclass(frozen=True)
class ReplicateTask:
    """The runs of one replicate, sent to a worker together (they share one burn-in)."""

    tasks: tuple[Task, ...]

    @property
    def key(self) -> str:
        return f"replicate-{self.tasks[0].replicate:05d}"

    def describe(self) -> str:
        return f"replicate {self.tasks[0].replicate}, seed {self.tasks[0].seed}"


def backend_for(workers: int, backend: Backend | None) -> Backend:
    """The backend to use: the one asked for, else this process for one worker and a local
    process pool for more."""
    return backend or ("inline" if workers <= 1 else "local")


def execute(comparison: Comparison, store: ShardStore, workers: int, progress: bool = True,
            run_task: RunTask | None = None, backend: Backend | None = None,
            scheduler: str | None = None) -> list[Failure]:
    """Run every planned task without a shard, replicate by replicate (the variants of a
    replicate share one burn-in, `_run_replicate`), on the runner (`sim.batch.pool`: this
    process, a local pool or Dask, `backend_for`); returns the failures. Results do not depend
    on where the runs happen. `run_task` replaces the function that runs one task (default
    `_run_task`)."""
    tasks = [t for t in plan(comparison) if t.key not in store.done()]
    failures: list[Failure] = []

    def finish(replicate: ReplicateTask,
               results: list[tuple[Task, dict[str, Any] | None, str | None]]) -> None:
        for task, result, error in results:
            if error is None:
                store.save(task, result)
            else:
                failures.append(Failure(task, error))
            bar.update(1)

    work = [(ReplicateTask(tuple(group)), partial(_replicate_request, comparison, group, run_task))
            for group in _by_replicate(tasks)]
    finished_before = len(store.done())
    with tqdm(total=len(tasks), unit="run", desc="runs", disable=not progress) as bar, \
            Workers(backend_for(workers, backend), workers, _run_replicate_request,
                    scheduler) as pool:
        try:
            outcome = pool_execute(work, finish, pool, progress=False,
                                   finished_before=finished_before)
        except WorkersDiedError as error:  # the runs not finished are reported, not lost
            done = store.done()
            for task in tasks:
                if task.key not in done:
                    failures.append(Failure(task, str(error)))
            return failures
        for lost in outcome.failures:  # a replicate whose worker died twice
            finish(lost.task, [(task, None, lost.error) for task in lost.task.tasks])
    return failures


def _replicate_request(comparison: Comparison, group: list[Task], run_task: RunTask | None
                       ) -> tuple[Comparison, list[Task], RunTask | None]:
    return comparison, group, run_task


def _run_replicate_request(request: tuple[Comparison, list[Task], RunTask | None]
                           ) -> list[tuple[Task, dict[str, Any] | None, str | None]]:
    """`_run_replicate` of one request (in a worker)."""
    return _run_replicate(*request)


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def default_workers() -> int:
    """Worker processes to use when not told: the cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))
