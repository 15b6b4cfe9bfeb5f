"""The runner (`sim.batch.pool`) when a worker dies between two submissions: the pool breaks
while a run is being sent, before the waiting has reported the death."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from tqdm import tqdm

from sim.batch.pool import Outcome, _drive


@dataclass(frozen=True)
class Job:
    name: str

    @property
    def key(self) -> str:
        return self.name

    def describe(self) -> str:
        return self.name


class BreakingPool:
    """Two slots. The second submission finds the pool broken: the first run's worker died
    (its future fails later, as a process pool's would), and the submission raises."""

    slots = 2

    def __init__(self) -> None:
        self.broken_once = False
        self.broken = False
        self.restarts = 0
        self.first: Future | None = None

    def submit(self, request: str) -> Future:
        if self.broken:
            raise BrokenProcessPool("a child process terminated abruptly")
        future: Future = Future()
        if self.first is None:
            self.first = future  # left pending: its worker is about to die
        elif not self.broken_once:
            self.broken_once = self.broken = True
            self.first.set_exception(BrokenProcessPool("a child process terminated abruptly"))
            raise BrokenProcessPool("a child process terminated abruptly")
        else:
            future.set_result(f"done {request}")
        return future

    def wait(self, handles: list[Future]) -> set[Future]:
        return {h for h in handles if h.done()}

    def result(self, handle: Future) -> str:
        return handle.result()

    def is_death(self, error: BaseException) -> bool:
        return isinstance(error, BrokenProcessPool)

    def restart(self) -> None:
        self.broken = False
        self.restarts += 1


def test_a_run_sent_to_a_broken_pool_is_sent_again_and_not_counted_as_a_death() -> None:
    pool = BreakingPool()
    done: dict[str, str] = {}
    work = [(Job(name), lambda name=name: name) for name in ("a", "b", "c")]
    outcome = Outcome()
    with tqdm(total=3, disable=True) as bar:
        _drive(pool, work, lambda job, result: done.__setitem__(job.name, result), outcome,
               bar)
    assert done == {"a": "done a", "b": "done b", "c": "done c"}
    assert [job.name for job in outcome.retried] == ["a"]  # the run whose worker died
    assert outcome.failures == [] and pool.restarts == 1
