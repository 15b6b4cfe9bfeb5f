"""Sweep files: which scenario keys to vary, over what ranges, by which design, in which worlds.

A sweep file (TOML, `scenarios/sweeps/*.toml`):

    title = "Collection policy"
    base = "../lenient.toml"          # scenario every run starts from
    design = "sobol"                  # grid, lhs, sobol or morris
    samples = 32                      # the design's N (see sim.sweep.design)
    replicates = 2                    # runs per sample, on common seeds
    seed = 11                         # root of the replicate seeds and of the sampler
    set = { "run.borrowers" = 1000 }  # overrides of the base for every run
    metrics = ["bad_debt_loss", "harm_per_delinquent_week"]

    [[parameter]]                     # a range ...
    key = "bureau.report_dpd"
    low = 30
    high = 120
    integer = true

    [[parameter]]                     # ... or a list of values
    key = "deferral.eligible_small_balance"
    values = [false, true]

    [worlds]                          # optional: economic worlds, every value of each key
    "shocks.job_loss_rate" = [0.045, 0.09]   # crossed with every other key's

    [[anchor]]                        # named policies marked on the frontier
    name = "strict"
    scenario = "../strict.toml"

An anchor's scenario file is an overlay on the base, as a comparison's variant is
(`sim.overlay`): the keys its own `extends` chain sets, down to the files the base's chain
holds, laid over the base after the file's `set`. An anchor keeps its own policy: a key set
both by `set` and by the anchor's file takes the anchor's value, and the report lists those
keys. The command line's `--set` wins over both. A file not built on the base's market is an
error unless the anchor says `market = "own"`.

Every parameter bound, value, world and anchor is checked against the scenario schema when
the file is loaded, so a typo fails at once with the file and the key named.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.config import ScenarioConfig
from sim.overlay import OWN_MARKET, file_overlay, kept_keys
from sim.params_doc import format_value
from sim.people import BIRTH_TRAIT_KEYS
from sim.report.writer import digest
from sim.scenario import (
    ParameterRange,
    ScenarioError,
    deep_merge,
    load_scenario,
    parse_override,
    read_spec,
    set_dotted,
    spec_with,
    validate,
    with_values,
)
from sim.summary import check_measure

Design = Literal["grid", "lhs", "sobol", "morris"]

FRONTIER_MEASURES: tuple[str, str, str] = ("bad_debt_loss", "harm_per_delinquent_week",
                                           "annual_default_rate")
"""The policy frontier: bad-debt loss against borrower harm and against the default rate."""


SweepParameter = ParameterRange
"""A scenario key a sweep varies (`sim.scenario.ParameterRange`)."""


class AnchorSpec(BaseModel):
    """A named policy run beside the design and marked on the frontier (e.g. the strict and
    lenient presets)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=40,
                      description="Name shown on the frontier.")
    scenario: str = Field(description="Scenario file, relative to the sweep file, laid over "
                          "the base: the keys set in its own `extends` chain, down to the "
                          "files the base's chain holds, win over the base and the sweep's "
                          "`set` (see `market`).")
    market: Literal["base", "own"] = Field(
        "base", description="\"base\": the scenario file is laid over the base's market, "
        "and a file not built on it (its `extends` chain never meets the base's) is an "
        "error. \"own\": the anchor runs the file's whole scenario, market included, with "
        "the sweep's `set` on top.")


class SweepSpec(BaseModel):
    """A sweep file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field("Parameter sweep", description="Title of the report.")
    description: str = Field("", description="What the sweep asks.")
    base: str = Field(description="Scenario every run starts from, relative to this file.")
    design: Design = Field("sobol", description="grid, lhs, sobol or morris.")
    samples: int = Field(16, ge=1, le=1_000_000, description="The design's N: lhs draws N "
                         "points, sobol N*(D+2) (N a power of two), morris N trajectories of "
                         "D+1 points; a grid ignores it.")
    levels: int = Field(4, ge=2, le=101, description="Points per range in a grid; levels of "
                        "the morris design; points of the one-at-a-time curves.")
    replicates: int = Field(2, ge=1, le=10_000, description="Runs per sample, on the same "
                            "seeds for every sample (common random numbers).")
    seed: int = Field(1, ge=0, description="Root of the replicate seeds and the design's "
                      "sampler.")
    burn_in_days: int = Field(0, ge=0, le=36_500, description="Days run under the base (and "
                              "world) before the sample's values take over.")
    confirm_replicates: int = Field(0, ge=0, le=1000, description="Runs on fresh seeds of "
                                    "each policy on the frontier of the design's means (and "
                                    "of each anchor), from which `frontier_share` is "
                                    "bootstrapped: a frontier drawn through noisy means "
                                    "picks lucky samples, and this shows which ones.")
    top_parameters: int = Field(3, ge=0, le=20, description="Parameters given a "
                                "one-at-a-time response curve (the most influential on the "
                                "first metric).")
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides of the base for "
                                "every run (size, length, steady-state window).")
    metrics: list[str] = Field(min_length=1, description="Summary measures to analyse; the "
                               "first picks the one-at-a-time parameters.")
    parameter: list[SweepParameter] = Field(min_length=1)
    worlds: dict[str, list[bool | int | float | str]] = Field(
        default_factory=dict, description="Scenario key -> values; every combination is a "
        "world, and every sample runs in every world.")
    anchor: list[AnchorSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct(self) -> SweepSpec:
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples = {self.samples}: the sobol design needs a power of two "
                             "(1, 2, 4, 8, 16, ...)")
        for key, values in self.worlds.items():
            if not values:
                raise ValueError(f"world key '{key}' needs at least one value")
            _no_repeats(values, f"world key '{key}'")
        for parameter in self.parameter:
            if parameter.values is not None:
                _no_repeats(parameter.values, f"parameter '{parameter.key}'")
        keys = [p.key for p in self.parameter]
        if len(set(keys)) != len(keys):
            raise ValueError(f"parameter keys must differ, got {keys}")
        both = set(keys) & set(self.worlds)
        if both:
            raise ValueError(f"{sorted(both)} is both a parameter and a world key")
        names = [a.name for a in self.anchor]
        if len(set(names)) != len(names):
            raise ValueError(f"anchor names must differ, got {names}")
        return self


def _no_repeats(values: list[Any], what: str) -> None:
    for i, value in enumerate(values):
        if any(value == other for other in values[:i]):
            raise ValueError(f"{what} lists {format_value(value)} twice")


@dataclass(frozen=True)
class World:
    """One economic world: scenario values applied to the base, the burn-in and every sample."""

    index: int
    values: dict[str, Any]

    @property
    def name(self) -> str:
        if not self.values:
            return "base"
        return ", ".join(f"{key.rsplit('.', 1)[-1]}={format_value(value)}"
                         for key, value in self.values.items())


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep file: its spec, the base config (with `set` and --set applied), the
    worlds and the anchors' configs (before the world's values)."""

    path: Path
    spec: SweepSpec
    base: ScenarioConfig
    worlds: tuple[World, ...]
    anchors: tuple[tuple[str, ScenarioConfig], ...]
    kept: dict[str, list[str]] = field(default_factory=dict)
    """Per anchor, the keys of the file's `set` its scenario file sets too and keeps at its
    own value."""

    @property
    def parameters(self) -> list[SweepParameter]:
        return self.spec.parameter

    def config_hash(self, series: bool = False) -> str:
        """Hash of everything that decides the runs and what is kept of them (not the number
        of replicates, so a finished sweep can be extended with more)."""
        return digest({
            "series": series,
            "base": self.base.model_dump(mode="json"),
            "spec": self.spec.model_dump(mode="json", exclude={"replicates", "title",
                                                               "description"}),
            "anchors": [[n, c.model_dump(mode="json")] for n, c in self.anchors],
        })


def load_sweep(path: str | Path, overrides: list[str] | None = None,
               samples: int | None = None, replicates: int | None = None) -> Sweep:
    """Read and check a sweep file; `overrides` (section.key=value) apply to every run after
    the file's `set`. Raises ScenarioError naming the file and the key."""
    path = Path(path)
    spec = read_spec(path, SweepSpec, "sweep", [
        *SweepSpec.model_fields, *SweepParameter.model_fields, *AnchorSpec.model_fields],
        hint=f" Allowed keys: {', '.join(SweepSpec.model_fields)}; [[parameter]] tables "
        f"take {', '.join(SweepParameter.model_fields)}")
    spec = spec_with(spec, {"samples": samples, "replicates": replicates}, path, "sweep")
    given = dict(parse_override(t) for t in overrides or [])
    market = with_values(_scenario(path, "base", spec.base), spec.set, f"{path} [set]")
    base = with_values(market, given, "--set")
    for i, metric in enumerate(spec.metrics):
        check_measure(metric, str(path), f"metrics.{i}")
    for i, parameter in enumerate(spec.parameter):
        if spec.burn_in_days and parameter.key in BIRTH_TRAIT_KEYS:
            raise ScenarioError(
                str(path), f"parameter.{i}.key", f"{parameter.key} is a trait people are "
                "drawn with: varied after the burn-in it would reach only borrowers who "
                "arrive after the fork. Make it a world key ([worlds]: each world burns in "
                "with its value) or set burn_in_days = 0")
        for label, value in _extremes(parameter):
            with_values(base, {parameter.key: value}, f"{path} [parameter.{i}.{label}]")
    worlds = tuple(World(i, dict(zip(spec.worlds, combo, strict=True)))
                   for i, combo in enumerate(itertools.product(*spec.worlds.values())))
    for world in worlds:
        with_values(base, world.values, f"{path} [worlds]")
    anchors = []
    kept = {}
    for i, anchor in enumerate(spec.anchor):
        source = f"{path} [anchor {anchor.name}]"
        scenario = _scenario(path, f"anchor.{i}.scenario", anchor.scenario)
        if anchor.market == OWN_MARKET:
            config = with_values(scenario, {**spec.set, **given}, source)
        else:
            overlay = file_overlay(path.parent / anchor.scenario, path.parent / spec.base,
                                   str(path), f"anchor.{i}.scenario")
            kept[anchor.name] = kept_keys(overlay, spec.set)
            raw = deep_merge(market.model_dump(), overlay.raw)
            for key, value in given.items():
                set_dotted(raw, key, value, source="--set")
            config = validate(raw, source=source, override_keys=set(given))
        anchors.append((anchor.name, config))
    return Sweep(path, spec, base, worlds, tuple(anchors),
                 kept={name: keys for name, keys in kept.items() if keys})


def _scenario(sweep_path: Path, key: str, relative: str) -> ScenarioConfig:
    """A scenario file named by the sweep file; a missing one names the sweep file and key."""
    target = sweep_path.parent / relative
    if not target.is_file():
        raise ScenarioError(str(sweep_path), key, f"no scenario file at {target}")
    return load_scenario(target)


def _extremes(parameter: SweepParameter) -> list[tuple[str, Any]]:
    """The values that must validate for the parameter to be usable: its bounds or values."""
    if parameter.is_choice:
        return [(f"values.{j}", v) for j, v in enumerate(parameter.values or [])]
    cast = int if parameter.integer else float
    return [("low", cast(parameter.low)), ("high", cast(parameter.high))]
