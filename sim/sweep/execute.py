"""Running a sweep's runs: (config, seed) requests shipped to a local process pool or to a
Dask cluster, and only end-of-run measures (and, on request, daily series) coming back.

Both backends keep a bounded number of runs in flight, so the client's memory does not grow
with the size of the sweep, and both treat a worker that dies the same way: every run in
flight on it is tried again, alone (nothing else runs beside it, so a second death can only be
its own doing), and a run whose worker dies again is reported with its sample and seed; the
sweep goes on. A run that raises an exception is reported at once (it would raise again).
Which worker runs what never changes a result: each run depends only on its request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from sim.batch.burn_in_cache import burned_in
from sim.batch.runner import simulate_run
from sim.config import ScenarioConfig
from sim.model import CreditMarket
from sim.scenario import with_values

Stage = Literal["design", "anchor", "curve", "confirm"]

@dataclass(frozen=True)
class SweepTask:
    """One run of a sweep: a point of a stage (a design sample, an anchor, a point of a
    response curve, a frontier candidate run again on fresh seeds) in a world, for a
    replicate, with the replicate's seed."""

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


BURN_INS_KEPT = 4
"""Burned-in markets a worker keeps (one per world and replicate it is working on)."""


@functools.lru_cache(maxsize=BURN_INS_KEPT)
def _burned_in(world_json: str, seed: int, days: int) -> CreditMarket:
    """The world's market after its burn-in, run once per worker process and kept: every
    sample of a replicate in a world forks from the same market (`CreditMarket.fork` leaves
    it as it was), so a sweep pays for each burn-in once per worker, not once per run."""
    world = ScenarioConfig.model_validate_json(world_json)
    return burned_in(world, seed, days)


def run_request(request: RunRequest) -> dict[str, Any]:
    """Simulate one request (in a worker); its end-of-run measures, and its daily metrics if
    asked for."""
    world, run = request.configs()
    burned = (_burned_in(world.model_dump_json(), request.seed, request.burn_in_days)
              if request.burn_in_days else None)
    result = simulate_run(world, run, request.burn_in_days, request.seed, burned=burned)
    out: dict[str, Any] = {"summary": result["summary"]}
    if request.series:
        out["frame"] = result["frame"]
    return out


