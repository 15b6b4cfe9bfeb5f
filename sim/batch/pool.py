"""The one runner: independent runs shipped to workers, their results handed back one by one.

Comparisons, sweeps, validation and calibration all run through `execute`. A backend is this
process (`inline`: one run at a time, in order), a local process pool (`local`), or a Dask
cluster (`dask`: a LocalCluster, or the cluster at a scheduler's address). Every backend
keeps a bounded number of runs in flight, so the client's memory does not grow with the
number of runs, and the pools treat a worker that dies the same way: every run in flight on
it is tried again, alone (nothing else runs beside it, so a second death can only be its own
doing), and a run whose worker dies again is reported with its task; the others go on. A run
that raises an exception is reported at once (it would raise again). Which worker runs what
never changes a result: each run depends only on its request.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import select
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tqdm import tqdm

from sim.scenario import ScenarioError

Backend = Literal["inline", "local", "dask"]

SLOT_RECOUNT_SECONDS = 5.0
"""How often the Dask backend counts the cluster's workers again (seconds)."""

RETRIES_AFTER_WORKER_DEATH = 1
"""How often a run whose worker died is tried again before it is reported."""

HOPELESS_DEATHS = 2
"""Runs that lose their worker twice, with no run of the work ever finished, after which the
work stops: the workers cannot run anything (one run that kills its worker is reported)."""


SCHEDULER_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
    r"|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})")
"""A Dask scheduler's address: [PROTOCOL://]HOST:PORT, as `dask scheduler` prints it."""

PARENT_POLL_SECONDS = 1.0
"""How often a pool worker looks for its parent where the system cannot tell it at once."""


def check_scheduler_address(address: str) -> None:
    """Refuse (ScenarioError, one line) an address no Dask scheduler can have, before anything
    is started or written."""
    match = SCHEDULER_ADDRESS.fullmatch(address.strip())
    if match is None or not 0 < int(match["port"]) < 65536:
        raise ScenarioError("--scheduler", None, f"{address!r} is not a scheduler's address; "
                            "give PROTOCOL://HOST:PORT, e.g. tcp://10.0.0.5:8786")


class Task(Protocol):
    """What a run is known by: a key and a description for messages."""

    @property
    def key(self) -> str: ...

    def describe(self) -> str: ...


@dataclass
class RunFailure:
    """A run that raised, or whose worker died twice."""

    task: Any
    error: str

    def describe(self) -> str:
        return f"{self.task.describe()}: {self.error}"


@dataclass
class Outcome:
    """What a backend reported: runs finished, runs that failed, runs tried again after
    their worker died."""

    finished: int = 0
    failures: list[RunFailure] = field(default_factory=list)
    retried: list[Any] = field(default_factory=list)


class WorkersDiedError(Exception):
    """Workers die before finishing a single run: the work cannot make progress."""


Runner = Callable[[Any], Any]
"""Runs one request (in a worker) and returns its result."""
Done = Callable[[Any, Any], None]
"""Receives (task, result) in this process as each run finishes."""
Item = tuple[Any, Callable[[], Any]]
"""(task, maker of its request): requests are made only when their run is sent."""


class Workers:
    """The backend's workers, started when the first run is sent and kept for every stage of
    a sweep or a calibration (a LocalCluster or a pool takes seconds to start); use as a
    context manager."""

    def __init__(self, backend: Backend, workers: int, run: Runner,
                 scheduler: str | None = None) -> None:
        self.backend = backend
        self.workers = workers
        self.scheduler = scheduler
        self.run = run
        self._pool: _InlinePool | _LocalPool | _DaskPool | None = None

    def pool(self) -> _InlinePool | _LocalPool | _DaskPool:
        if self._pool is None:
            if self.backend == "inline":
                self._pool = _InlinePool(self.run)
            elif self.backend == "local":
                self._pool = _LocalPool(self.workers, self.run)
            else:
                self._pool = _DaskPool(self.workers, self.scheduler, self.run)
        return self._pool

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def execute(work: list[Item], on_done: Done, workers: Workers, progress: bool = True,
            label: str = "runs", finished_before: int = 0) -> Outcome:
    """Run every (task, request maker) of `work` on the workers and pass each result to
    `on_done` (in this process) as it arrives. Requests are made only when their run is sent,
    so a long sweep's client holds at most a few of them. `finished_before` counts the runs
    of the work already finished (in its shards): with none, workers that keep dying
    before any run finishes stop the work (WorkersDiedError)."""
    outcome = Outcome()
    if not work:
        return outcome
    with tqdm(total=len(work), unit="run", desc=label, disable=not progress) as bar:
        _drive(workers.pool(), work, on_done, outcome, bar, finished_before)
    return outcome


def _send(pool: _InlinePool | _LocalPool | _DaskPool, items: deque[Item],
          inflight: dict[Any, Item]) -> bool:
    """Send the first of `items` and take it off; False (and it stays) if the pool was
    broken by a worker's death that the waiting has not reported yet."""
    item = items[0]
    try:
        handle = pool.submit(item[1]())
    except Exception as error:
        if not pool.is_death(error):
            raise
        return False
    items.popleft()
    inflight[handle] = item
    return True


def _error_text(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def _drive(pool: _InlinePool | _LocalPool | _DaskPool, work: list[Item], on_done: Done,
           outcome: Outcome, bar: tqdm, finished_before: int = 0) -> None:
    """Keep `pool.slots` runs in flight until every run is done, failed or reported; after a
    worker's death, its runs are tried again one at a time."""
    queue = iter(work)
    retry: deque[Item] = deque()
    held: deque[Item] = deque()  # met a pool broken by a death not yet seen: sent again first
    deaths: dict[str, int] = {}
    inflight: dict[Any, Item] = {}
    refused = 0  # submissions in a row that met a broken pool with nothing in flight
    while True:
        waiting = retry if retry else held
        if retry:
            if not inflight:
                _send(pool, retry, inflight)
        else:
            while len(inflight) < pool.slots:
                if not held:
                    item = next(queue, None)
                    if item is None:
                        break
                    held.append(item)
                if not _send(pool, held, inflight):
                    break
        if not inflight:
            if not waiting:
                return
            # The pool broke before anything was in flight: start a new one and send again.
            refused += 1
            if refused > RETRIES_AFTER_WORKER_DEATH + 1:
                raise WorkersDiedError("the worker pool breaks as soon as a run is sent; check "
                                       "that every worker can import the project") from None
            pool.restart()
            continue
        refused = 0
        died = False
        for handle in pool.wait(list(inflight)):
            task, make = inflight.pop(handle)
            try:
                result = pool.result(handle)
            except Exception as error:  # a failed run is reported, the others go on
                if not pool.is_death(error):
                    outcome.failures.append(RunFailure(task, _error_text(error)))
                else:
                    died = True
                    deaths[task.key] = deaths.get(task.key, 0) + 1
                    if deaths[task.key] <= RETRIES_AFTER_WORKER_DEATH:
                        outcome.retried.append(task)
                        retry.append((task, make))
                        continue
                    outcome.failures.append(RunFailure(
                        task, f"its worker process died {deaths[task.key]} times"))
                    lost = sum(n > RETRIES_AFTER_WORKER_DEATH for n in deaths.values())
                    if not (outcome.finished or finished_before) and lost >= HOPELESS_DEATHS:
                        raise WorkersDiedError(
                            f"worker processes die before finishing any run (the last was "
                            f"{task.describe()}); check that every worker can import the "
                            "project and has the memory a run needs") from None
                bar.update(1)
                continue
            on_done(task, result)
            outcome.finished += 1
            bar.update(1)
        if died:
            pool.restart()


class _InlinePool:
    """This process: each run happens when it is sent, one at a time."""

    slots = 1

    def __init__(self, run: Runner) -> None:
        self.run = run

    def submit(self, request: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(self.run(request))
        except Exception as error:  # reported by `_drive`, like a worker's
            future.set_exception(error)
        return future

    def wait(self, handles: list[Future]) -> set[Future]:
        return set(handles)

    def result(self, handle: Future) -> Any:
        return handle.result()

    def is_death(self, error: BaseException) -> bool:
        return False

    def restart(self) -> None:
        """Nothing to restart."""

    def close(self) -> None:
        """Nothing to close."""


class _LocalPool:
    """A process pool of `workers` with one run in flight per worker. A worker's death breaks
    the whole pool (every run in flight fails), so the pool is rebuilt after one."""

    def __init__(self, workers: int, run: Runner) -> None:
        self.slots = workers
        self.run = run
        # forkserver: workers start from a clean process, not a fork of this threaded one;
        # the server imports the model once, so a rebuilt pool starts at once
        self.context = multiprocessing.get_context("forkserver")
        # the model is imported once by the server; so is the runner's own module
        inner = getattr(run, "func", run)  # a functools.partial's function
        modules = ["sim.model", getattr(inner, "__module__", None) or "sim.model"]
        self.context.set_forkserver_preload(list(dict.fromkeys(modules)))
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # Workers are children of the forkserver, not of this process: each watches this
        # process and ends when it dies (the forkserver then ends with its last child).
        return ProcessPoolExecutor(max_workers=self.slots, mp_context=self.context,
                                   initializer=end_with_parent, initargs=(os.getpid(),))

    def submit(self, request: Any) -> Future:
        return self.pool.submit(self.run, request)

    def wait(self, handles: list[Future]) -> set[Future]:
        return wait(handles, return_when=FIRST_COMPLETED)[0]

    def result(self, handle: Future) -> Any:
        return handle.result()

    def is_death(self, error: BaseException) -> bool:
        return isinstance(error, BrokenProcessPool)

    def restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def end_with_parent(parent: int) -> None:
    """Worker initializer: end this process as soon as process `parent` has ended (a parent
    killed with SIGKILL cannot stop its pool, and an orphaned worker would finish its run and
    wait for more forever). A daemon thread waits on the parent's pid file descriptor (Linux),
    or looks for it every `PARENT_POLL_SECONDS`."""
    threading.Thread(target=_exit_after, args=(parent,), name="end-with-parent",
                     daemon=True).start()


def _exit_after(parent: int) -> None:
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd here: poll
        while _alive(parent):
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)
    select.select([handle], [], [])  # readable once the parent has ended
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _DaskPool:
    """dask.distributed: the cluster at `scheduler`, or a LocalCluster of `workers`
    single-threaded worker processes whose scheduler gives up on a run at its worker's first
    death (KilledWorker), so this module's retry applies. On a cluster of your own, the
    scheduler's `allowed-failures` (default 3) retries come first."""

    def __init__(self, workers: int, scheduler: str | None, run: Runner) -> None:
        import dask
        from distributed import Client, KilledWorker, LocalCluster

        self.run = run
        self.killed = KilledWorker
        self.cluster = None
        if scheduler:
            check_scheduler_address(scheduler)
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as error:
                raise ScenarioError("--scheduler", None, f"no Dask scheduler answers at "
                                    f"{scheduler} ({error}); start one with `dask scheduler` "
                                    "or leave --scheduler out for a LocalCluster") from None
        else:
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                            processes=True, dashboard_address=":0",
                                            silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.fallback = workers
        self._slots = 0
        self._counted = -float("inf")
        self.prefix = f"credit-runs-{uuid.uuid4().hex[:12]}"
        self.count = 0

    @property
    def slots(self) -> int:
        """Two runs in flight per worker thread of the cluster, counted again every few
        seconds (workers join and leave: a batch system starts them as its queue allows)."""
        now = time.monotonic()
        if now - self._counted > SLOT_RECOUNT_SECONDS:
            threads = sum(self.client.nthreads().values())
            self._slots = 2 * max(1, threads or self.fallback)
            self._counted = now
        return self._slots

    def submit(self, request: Any) -> Any:
        self.count += 1
        return self.client.submit(self.run, request, key=f"{self.prefix}-{self.count}",
                                  pure=False)

    def wait(self, handles: list[Any]) -> set[Any]:
        from distributed import wait as dask_wait

        return dask_wait(handles, return_when="FIRST_COMPLETED").done

    def result(self, handle: Any) -> Any:
        try:
            return handle.result()
        finally:
            handle.release()

    def is_death(self, error: BaseException) -> bool:
        return isinstance(error, self.killed)

    def restart(self) -> None:
        """Nothing to do: the scheduler replaces a dead worker (its nanny restarts it)."""

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
