"""A sweep's plan: the runs of its design, anchors, response curves and frontier
confirmations, and the request each run is made from (`SweepPlan`).
"""

from __future__ import annotations

from typing import Any

from sim.batch.runner import replicate_seeds
from sim.config import ScenarioConfig, dotted_value
from sim.params_doc import format_value
from sim.scenario import with_values
from sim.sweep.design import response_levels, sample_matrix, sample_values
from sim.sweep.execute import RunRequest, SweepTask
from sim.sweep.spec import Sweep

CURVE_STRIDE = 1000
"""Curve point numbers: parameter place x CURVE_STRIDE + level (levels are at most 101)."""


CONFIRM_ANCHOR = 1_000_000
"""Confirmation runs number an anchor's point CONFIRM_ANCHOR + its number."""


def _describe(values: dict[str, Any]) -> str:
    return ", ".join(f"{key} = {format_value(value)}" for key, value in values.items())


class SweepPlan:
    """The runs of a sweep and the request each is made from."""

    def __init__(self, sweep: Sweep, series: bool = False) -> None:
        self.sweep = sweep
        self.series = series
        spec = sweep.spec
        self.matrix = sample_matrix(spec)
        self.values = sample_values(spec, self.matrix)
        self.seeds = replicate_seeds(spec.seed, spec.replicates)
        # Fresh seeds for the frontier's candidates: the next streams of the same root.
        self.confirm_seeds = replicate_seeds(
            spec.seed, spec.replicates + spec.confirm_replicates)[spec.replicates:]
        self.curve_points: dict[int, tuple[str, Any]] = {}

    def check(self) -> None:
        """Validate every sample and anchor in every world before any run, so a combination
        the schema rejects (shares that add up to more than one, say) stops the sweep at once,
        naming the sweep file, the sample and the world."""
        checked: set[str] = set()
        for world in self.sweep.worlds:
            combos = [(f"sample {i} ({_describe(v)})", self.sweep.base, v)
                      for i, v in enumerate(self.values)]
            combos += [(f"anchor {name}", config, {}) for name, config in self.sweep.anchors]
            for label, policy, values in combos:
                merged = {**world.values, **values}
                key = f"{id(policy)}|{sorted(merged.items())!r}"
                if key in checked:
                    continue
                checked.add(key)
                with_values(policy, merged, f"{self.sweep.path} [{label} in world "
                                            f"{world.index}: {world.name}]")

    def design_tasks(self) -> list[SweepTask]:
        """Design samples and anchors, world by world, replicate-major inside a world so the
        first results already cover every sample."""
        tasks = []
        for world in self.sweep.worlds:
            for r, seed in enumerate(self.seeds):
                tasks += [SweepTask("design", i, world.index, r, seed)
                          for i in range(len(self.values))]
                tasks += [SweepTask("anchor", i, world.index, r, seed)
                          for i in range(len(self.sweep.anchors))]
        return tasks

    def plan_curves(self, parameters: list[str]) -> list[SweepTask]:
        """The response-curve runs of the given parameters. A curve point's number encodes
        the parameter's place in the file and the level (`CURVE_STRIDE * place + level`), so
        a run written before keeps its meaning if the ranking changes on --resume."""
        places = {p.key: i for i, p in enumerate(self.sweep.parameters)}
        self.curve_points = {
            CURVE_STRIDE * places[key] + level: (key, value) for key in parameters
            for level, value in enumerate(response_levels(self.sweep.parameters[places[key]],
                                                          self.sweep.spec.levels))}
        return [SweepTask("curve", point, world.index, r, seed)
                for world in self.sweep.worlds for r, seed in enumerate(self.seeds)
                for point in self.curve_points]

    def confirm_tasks(self, candidates: dict[int, set[int]]) -> list[SweepTask]:
        """Runs on the confirmation seeds of each world's candidate points (design sample
        numbers, or CONFIRM_ANCHOR + anchor number)."""
        return [SweepTask("confirm", point, world, self.sweep.spec.replicates + r, seed)
                for world, points in sorted(candidates.items()) for point in sorted(points)
                for r, seed in enumerate(self.confirm_seeds)]

    def policy(self, task: SweepTask) -> tuple[ScenarioConfig, dict[str, Any]]:
        """The scenario whose policy a task uses and the values set on it."""
        if task.stage == "confirm" and task.point >= CONFIRM_ANCHOR:
            return self.sweep.anchors[task.point - CONFIRM_ANCHOR][1], {}
        if task.stage == "anchor":
            return self.sweep.anchors[task.point][1], {}
        if task.stage == "curve":
            key, value = self.curve_points[task.point]
            return self.sweep.base, {key: value}
        return self.sweep.base, self.values[task.point]

    def request(self, task: SweepTask) -> RunRequest:
        policy, values = self.policy(task)
        return RunRequest(base=self.sweep.base, policy=policy,
                          world=self.sweep.worlds[task.world].values, values=values,
                          burn_in_days=self.sweep.spec.burn_in_days, seed=task.seed,
                          series=self.series)

    def row(self, task: SweepTask, summary: dict[str, float]) -> dict[str, Any]:
        """A run's row: its world's values, its parameter values (as the run used them) and
        its summary measures."""
        policy, values = self.policy(task)
        world = self.sweep.worlds[task.world]
        anchor = (task.point if task.stage == "anchor" else task.point - CONFIRM_ANCHOR
                  if task.stage == "confirm" and task.point >= CONFIRM_ANCHOR else None)
        row: dict[str, Any] = {"anchor": self.sweep.anchors[anchor][0]
                               if anchor is not None else ""}
        for key in self.sweep.spec.worlds:
            row[key] = world.values[key]
        for parameter in self.sweep.parameters:
            row[parameter.key] = values.get(parameter.key, dotted_value(policy, parameter.key))
        return {**row, **summary}
