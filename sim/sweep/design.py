"""The sample points of a sweep: SALib's samplers (Latin hypercube, Sobol' / Saltelli, Morris
trajectories), or a full grid, mapped from SALib's problem space to scenario values.

The problem space (what SALib samples and analyses) has one dimension per parameter:
- a plain range: the value itself, between `low` and `high`;
- a log range: log10 of the value;
- an integer range: [low, high + 1), floored (so every whole number has the same width);
- a list of values: [0, n), floored to the index of the value.

Design sizes, for D parameters and the sweep's `samples` N and `levels` L:
grid L^D (lists contribute their own length), lhs N, sobol N * (D + 2) (first- and
total-order indices, no second order), morris N * (D + 1).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from SALib.sample import latin, morris, sobol

from sim.sweep.spec import SweepParameter, SweepSpec


def problem(parameters: list[SweepParameter]) -> dict[str, Any]:
    """SALib's problem description of the parameters (bounds in problem space)."""
    bounds = []
    for parameter in parameters:
        if parameter.is_choice:
            bounds.append([0.0, float(len(parameter.values or []))])
        elif parameter.log:
            bounds.append([float(np.log10(parameter.low)), float(np.log10(parameter.high))])
        elif parameter.integer:
            bounds.append([float(parameter.low), float(parameter.high) + 1.0])
        else:
            bounds.append([float(parameter.low), float(parameter.high)])
    return {"num_vars": len(parameters), "names": [p.key for p in parameters],
            "bounds": bounds}


def design_size(spec: SweepSpec) -> int:
    """Number of sample points the spec's design makes."""
    d = len(spec.parameter)
    if spec.design == "grid":
        return int(np.prod([len(_grid_levels(p, spec.levels)) for p in spec.parameter]))
    if spec.design == "lhs":
        return spec.samples
    if spec.design == "sobol":
        return spec.samples * (d + 2)
    return spec.samples * (d + 1)


def sample_matrix(spec: SweepSpec) -> np.ndarray:
    """The design's points in problem space, one row per sample (deterministic in the spec's
    seed)."""
    space = problem(spec.parameter)
    if spec.design == "grid":
        axes = [[to_problem(p, v) for v in _grid_levels(p, spec.levels)] for p in spec.parameter]
        return np.array(list(itertools.product(*axes)), dtype=float)
    if spec.design == "lhs":
        return latin.sample(space, spec.samples, seed=spec.seed)
    if spec.design == "sobol":
        return sobol.sample(space, spec.samples, calc_second_order=False, seed=spec.seed)
    return morris.sample(space, spec.samples, num_levels=spec.levels, seed=spec.seed)


def to_value(parameter: SweepParameter, x: float) -> Any:
    """The scenario value at a point of the parameter's problem-space dimension."""
    if parameter.is_choice:
        values = parameter.values or []
        return values[min(int(np.floor(x)), len(values) - 1)]
    if parameter.log:
        return float(10.0 ** x)
    if parameter.integer:
        return int(min(np.floor(x), parameter.high))
    return float(x)


def to_problem(parameter: SweepParameter, value: Any) -> float:
    """The problem-space point of a scenario value (the inverse of `to_value`; for integers
    and values, the start of the value's interval)."""
    if parameter.is_choice:
        return float((parameter.values or []).index(value))
    if parameter.log:
        return float(np.log10(value))
    return float(value)


def sample_values(spec: SweepSpec, matrix: np.ndarray) -> list[dict[str, Any]]:
    """Scenario values of each sample point (plain Python values, as a scenario file would
    give them), one mapping of parameter key to value per sample."""
    return [{p.key: to_value(p, x) for p, x in zip(spec.parameter, row, strict=True)}
            for row in matrix]


def response_levels(parameter: SweepParameter, levels: int) -> list[Any]:
    """The values of a one-at-a-time response curve: evenly spaced over the range (on a log
    scale for a log range), or every listed value."""
    return _grid_levels(parameter, levels)


def _grid_levels(parameter: SweepParameter, levels: int) -> list[Any]:
    if parameter.is_choice:
        return list(parameter.values or [])
    if parameter.log:
        points = np.geomspace(parameter.low, parameter.high, levels)
    else:
        points = np.linspace(parameter.low, parameter.high, levels)
    if parameter.integer:
        return sorted({int(round(v)) for v in points})
    return [float(v) for v in points]
