"""Running a sweep's runs: (config, seed) requests shipped to a local process pool or to a
Dask cluster, and only end-of-run measures (and, on request, daily series) coming back.

Both backends keep a bounded number of runs in flight, so the client's memory does not grow
with the size of the sweep, and both treat a worker that dies the same way: the runs it held
are retried once, on a fresh worker, and a run whose worker dies again is reported with its
sample and seed. A run that raises an exception is reported at once (it would raise again).
Which worker runs what never changes a result: each run depends only on its request.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal

from tqdm import tqdm

from sim.batch.runner import simulate_run
from sim.config import ScenarioConfig
from sim.scenario import with_values

Backend = Literal["local", "dask"]
Stage = Literal["design", "anchor", "curve"]

RETRIES_AFTER_WORKER_DEATH = 1
"""How often a run whose worker died is tried again before it is reported."""


@dataclass(frozen=True)
class SweepTask:
    """One run of a sweep: a point of a stage (a design sample, an anchor, a point of a
    response curve) in a world, for a replicate, with the replicate's seed."""

    stage: Stage
    point: int
    world: int
    replicate: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.stage}-{self.point:07d}-w{self.world:03d}-r{self.replicate:05d}"

    def describe(self) -> str:
        return (f"{self.stage} point {self.point}, world {self.world}, replicate "
                f"{self.replicate}, seed {self.seed}")


@dataclass(frozen=True)
class RunRequest:
    """Everything a worker needs for one run: the base scenario, the scenario whose policy the
    run uses (the base, or an anchor's), the world's and the sample's values, the burn-in and
    the seed."""

    base: ScenarioConfig
    policy: ScenarioConfig
    world: dict[str, Any]
    values: dict[str, Any]
    burn_in_days: int
    seed: int
    series: bool = False

    def configs(self) -> tuple[ScenarioConfig, ScenarioConfig]:
        """(burn-in config, run config): the base in the world, and the policy in the world
        with the sample's values."""
        world = with_values(self.base, self.world, "world")
        run = with_values(self.policy, {**self.world, **self.values}, "sample")
        return world, run


def run_request(request: RunRequest) -> dict[str, Any]:
    """Simulate one request (in a worker); its end-of-run measures, and its daily metrics if
    asked for."""
    world, run = request.configs()
    result = simulate_run(world, run, request.burn_in_days, request.seed)
    out: dict[str, Any] = {"summary": result["summary"]}
    if request.series:
        out["frame"] = result["frame"]
    return out


@dataclass
class RunFailure:
    """A run that raised, or whose worker died twice."""

    task: SweepTask
    error: str

    def describe(self) -> str:
        return f"{self.task.describe()}: {self.error}"


@dataclass
class Outcome:
    """What a backend reports back, run by run."""

    failures: list[RunFailure] = field(default_factory=list)
    retried: list[SweepTask] = field(default_factory=list)


Runner = Callable[[RunRequest], dict[str, Any]]
Done = Callable[[SweepTask, dict[str, Any]], None]


def execute(work: list[tuple[SweepTask, Callable[[], RunRequest]]], on_done: Done,
            backend: Backend = "local", workers: int = 1, scheduler: str | None = None,
            progress: bool = True, run: Runner = run_request) -> Outcome:
    """Run every (task, request maker) of `work` on the backend and pass each result to
    `on_done` (in this process) as it arrives. Requests are made only when their run is sent,
    so a long sweep's client holds at most a few of them."""
    bar = tqdm(total=len(work), unit="run", desc="runs", disable=not progress)
    outcome = Outcome()
    try:
        if backend == "local":
            _run_local(work, on_done, workers, run, outcome, bar)
        else:
            _run_dask(work, on_done, workers, scheduler, run, outcome, bar)
    finally:
        bar.close()
    return outcome


def _error_text(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def _run_local(work: list[tuple[SweepTask, Callable[[], RunRequest]]], on_done: Done,
               workers: int, run: Runner, outcome: Outcome, bar: tqdm) -> None:
    """A process pool of `workers`; one run in flight per worker, so a worker's death costs
    the runs in flight at that moment one retry each. The pool is rebuilt after a death."""
    # forkserver: workers start from a clean process, not a fork of this threaded one
    context = multiprocessing.get_context("forkserver")
    queue: Iterator[tuple[SweepTask, Callable[[], RunRequest]]] = iter(work)
    retry: deque[tuple[SweepTask, Callable[[], RunRequest]]] = deque()
    deaths: dict[str, int] = {}
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    inflight: dict[Future, tuple[SweepTask, Callable[[], RunRequest]]] = {}
    try:
        while True:
            while len(inflight) < workers:
                item = retry.popleft() if retry else next(queue, None)
                if item is None:
                    break
                inflight[pool.submit(run, item[1]())] = item
            if not inflight:
                return
            finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                task, make = inflight.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    deaths[task.key] = deaths.get(task.key, 0) + 1
                    if deaths[task.key] > RETRIES_AFTER_WORKER_DEATH:
                        outcome.failures.append(RunFailure(task, "its worker process died "
                                                           f"{deaths[task.key]} times"))
                        bar.update(1)
                    else:
                        outcome.retried.append(task)
                        retry.append((task, make))
                    continue
                except Exception as error:  # a failed run is reported, the sweep goes on
                    outcome.failures.append(RunFailure(task, _error_text(error)))
                    bar.update(1)
                    continue
                on_done(task, result)
                bar.update(1)
            if broken:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(work: list[tuple[SweepTask, Callable[[], RunRequest]]], on_done: Done,
              workers: int, scheduler: str | None, run: Runner, outcome: Outcome,
              bar: tqdm) -> None:
    """dask.distributed: join the cluster at `scheduler`, or start a LocalCluster of `workers`
    single-threaded worker processes (whose scheduler allows each run one worker death)."""
    import dask
    from distributed import Client, KilledWorker, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        with dask.config.set({"distributed.scheduler.allowed-failures":
                              RETRIES_AFTER_WORKER_DEATH}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        slots = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers)
        queue = iter(work)
        prefix = f"credit-sweep-{uuid.uuid4().hex[:12]}"
        tasks: dict[Any, SweepTask] = {}
        running = as_completed()

        def send() -> bool:
            item = next(queue, None)
            if item is None:
                return False
            task, make = item
            future = client.submit(run, make(), key=f"{prefix}-{task.key}",
                                   pure=False)
            tasks[future.key] = task
            running.add(future)
            return True

        for _ in range(slots):
            if not send():
                break
        for future in running:
            task = tasks.pop(future.key)
            try:
                result = future.result()
            except KilledWorker:
                outcome.failures.append(RunFailure(task, "its worker process died "
                                                   f"{RETRIES_AFTER_WORKER_DEATH + 1} times"))
            except Exception as error:  # a failed run is reported, the sweep goes on
                outcome.failures.append(RunFailure(task, _error_text(error)))
            else:
                on_done(task, result)
            future.release()
            bar.update(1)
            send()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

