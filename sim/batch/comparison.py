"""Comparison files: a base scenario and two or more policy variants, run on the same seeds.

A comparison file (TOML) names a base scenario and variants; each variant is a scenario file
(which usually extends the base) and/or `set` overrides in `section.key = value` form:

    title = "Strict collection vs lenient deferral"
    base = "../baseline.toml"
    replicates = 20
    burn_in_days = 0

    [[variant]]
    name = "strict"
    scenario = "../strict.toml"

    [[variant]]
    name = "lenient"
    scenario = "../lenient.toml"
    set = { "deferral.extend_months" = 2 }

A variant's scenario file is an overlay on the base (`sim.overlay`): it contributes only the
keys set in the files of its own `extends` chain that the base's chain does not hold (strict.toml
extends baseline.toml: over a base that also extends baseline.toml, the variant is the base's
market with strict.toml's keys). A variant file whose chain never meets the base's is another
market and refused, unless the variant says `market = "own"`; then its whole file is used.
Each variant is, in order: the base file, the comparison's `set`, the variant file's overlay
(a key it sets keeps its value over the comparison's `set`), the variant's `set`, the command
line's `--set`.

Every variant runs with the base's `run` section (size, days, root seed), so replicate r of
every variant has the same seed and the same borrowers. The first variant is the reference
of the paired differences.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.config import ScenarioConfig, dotted_value
from sim.lifetime import DEFAULT_RUNOFF_MAX_DAYS
from sim.overlay import OWN_MARKET, file_overlay, kept_keys
from sim.people import BIRTH_TRAIT_KEYS
from sim.report.writer import digest
from sim.scenario import (
    ScenarioError,
    deep_merge,
    load_scenario,
    parse_override,
    read_spec,
    set_dotted,
    spec_with,
    validate,
)


class VariantSpec(BaseModel):
    """One policy variant of a comparison file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(description="Short name, used in tables and figure legends.",
                      pattern=r"^[A-Za-z0-9_.-]+$", max_length=40)
    scenario: str | None = Field(None, description="Scenario file (relative to the comparison "
                                 "file), laid over the base: only the keys set in its own "
                                 "`extends` chain, down to the files the base's chain holds, "
                                 "change the base (see `market`); default: the base scenario.")
    market: Literal["base", "own"] = Field(
        "base", description="\"base\": the scenario file is laid over the base's market, "
        "and a file not built on it (its `extends` chain never meets the base's) is an "
        "error. \"own\": the variant runs the file's whole scenario, market included, with "
        "the comparison's `set` on top, from the fork on (the burn-in still runs under the "
        "base).")
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides, "
                                "section.key = value; they win over the scenario file and "
                                "the comparison's `set`.")

    @model_validator(mode="after")
    def _own_market_needs_file(self) -> VariantSpec:
        if self.market == OWN_MARKET and self.scenario is None:
            raise ValueError('market = "own" needs a scenario file')
        return self


class ComparisonSpec(BaseModel):
    """A comparison file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field("Policy comparison", description="Title of the report.")
    description: str = Field("", description="What the comparison asks.")
    base: str = Field(description="Base scenario file (relative to the comparison file); the "
                      "burn-in runs under it.")
    replicates: int = Field(20, ge=1, le=100_000, description="Runs per variant.")
    burn_in_days: int = Field(0, ge=0, le=36_500, description="Days run under the base "
                              "policy before each variant takes over from the same state.")
    runoff_max_days: int = Field(DEFAULT_RUNOFF_MAX_DAYS, ge=0, le=36_500,
                                 description="After the window, each variant follows its "
                                 "book with no new lending until every loan and claim has "
                                 "ended, for at most this many days (0: no run-off; the "
                                 "lifetime measures are then NaN).")
    stationarity_tolerance: float = Field(0.1, ge=0, description="Largest change a year, "
                                          "relative to the level, of the 30+ DPD share and of "
                                          "the principal outstanding, fitted over the last "
                                          "720 burn-in days (`burn_in_drift`, "
                                          "`burn_in_book_drift`: their 95 % intervals over "
                                          "replicates) for which the report calls the fork a "
                                          "steady state.")
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides for the base "
                                "and every variant (section.key = value), e.g. the size and "
                                "length of the runs; the command line's win over them.")
    variant: list[VariantSpec] = Field(description="Two or more variants ([[variant]] "
                                       "tables); the first is the reference.")

    @field_validator("variant")
    @classmethod
    def _two_distinct(cls, variants: list[VariantSpec]) -> list[VariantSpec]:
        if len(variants) < 2:
            raise ValueError("a comparison needs at least two [[variant]] tables")
        names = [v.name for v in variants]
        if len(set(names)) != len(names):
            raise ValueError(f"variant names must differ, got {names}")
        return variants


@dataclass(frozen=True)
class Comparison:
    """A loaded comparison: validated configs of the base and of every variant."""

    path: Path
    title: str
    description: str
    base: ScenarioConfig
    variants: tuple[tuple[str, ScenarioConfig], ...]
    replicates: int
    burn_in_days: int
    runoff_max_days: int | None = DEFAULT_RUNOFF_MAX_DAYS
    stationarity_tolerance: float = 0.1
    kept: dict[str, list[str]] = field(default_factory=dict)
    """Per variant, the keys of the comparison's `set` its scenario file sets too and keeps
    at its own value."""

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.variants]

    def config_hash(self) -> str:
        """Hash of everything that decides a run's result (not the number of replicates), so
        finished runs can be reused only by the same comparison."""
        return digest({
            "base": self.base.model_dump(mode="json"),
            "variants": [[n, c.model_dump(mode="json")] for n, c in self.variants],
            "burn_in_days": self.burn_in_days,
            "runoff_max_days": self.runoff_max_days,
        })


def _override(config: ScenarioConfig, items: list[tuple[str, Any, str]],
              source: str) -> ScenarioConfig:
    """`config` with (dotted key, value, where it was given) overrides, validated again."""
    if not items:
        return config
    return _validated(config.model_dump(), items, source)


def _validated(raw: dict[str, Any], items: list[tuple[str, Any, str]],
               source: str) -> ScenarioConfig:
    """The raw scenario mapping `raw` with (dotted key, value, where it was given) overrides,
    validated once (a variant is judged whole, never half-built)."""
    raw = copy.deepcopy(raw)
    for key, value, origin in items:
        if key == "run" and isinstance(value, dict):
            raw["run"] = value
        else:
            set_dotted(raw, key, value, source=origin)
    return validate(raw, source=source)


def _refuse_new_people(base: ScenarioConfig, variant: ScenarioConfig, source: str,
                       index: int) -> None:
    """Raise ScenarioError if `variant` changes a trait people are drawn with
    (`BIRTH_TRAIT_KEYS`): after a burn-in it would reach only the people who arrive after the
    fork, a different market from the one the file describes."""
    for key in BIRTH_TRAIT_KEYS:
        ours, theirs = dotted_value(base, key), dotted_value(variant, key)
        if ours != theirs:
            raise ScenarioError(
                source, f"variant.{index}", f"changes {key} ({ours} in the base, {theirs} "
                "here); people are drawn with it, so after the burn-in it would reach only "
                "borrowers who arrive after the fork. Set it for the base and every variant "
                "(the comparison's `set`, or the base scenario) to compare policies in that "
                "market, or compare markets without a burn-in (burn_in_days = 0)")


def load_comparison(path: str | Path, run_overrides: list[str] | None = None,
                    replicates: int | None = None) -> Comparison:
    """Read and validate a comparison file. `run_overrides` (`section.key=value`) apply to the
    base and to every variant, after their own settings. Raises ScenarioError."""
    path = Path(path)
    allowed = list(ComparisonSpec.model_fields)
    spec = read_spec(path, ComparisonSpec, "comparison", allowed,
                     hint=f" Allowed keys: {', '.join(allowed)}; [[variant]] tables take "
                     f"{', '.join(VariantSpec.model_fields)}")
    spec = spec_with(spec, {"replicates": replicates}, path, "comparison")

    base_path = path.parent / spec.base
    shared = [(key, value, str(path)) for key, value in spec.set.items()]
    given = [(*parse_override(text), "--set") for text in run_overrides or []]
    market = _override(load_scenario(base_path), shared, f"{path} [base]")
    base = _override(market, given, f"{path} [base]")
    variants = []
    kept = {}
    for i, variant in enumerate(spec.variant):
        source = f"{path} [variant {variant.name}]"
        own = [(key, value, str(path)) for key, value in variant.set.items()]
        if variant.scenario is None:
            raw = market.model_dump()
        elif variant.market == OWN_MARKET:
            raw = _override(load_scenario(path.parent / variant.scenario), shared,
                            source).model_dump()
        else:
            overlay = file_overlay(path.parent / variant.scenario, base_path, str(path),
                                   f"variant.{i}.scenario")
            raw = deep_merge(market.model_dump(), overlay.raw)
            kept[variant.name] = kept_keys(overlay, spec.set)
        # The run section (size, days, seed) is the base's: same borrowers in every variant.
        config = _validated(raw, own + given + [("run", base.run.model_dump(), str(path))],
                            source)
        if spec.burn_in_days:
            _refuse_new_people(base, config, str(path), i)
        variants.append((variant.name, config))
    return Comparison(path=path, title=spec.title, description=spec.description, base=base,
                      variants=tuple(variants),
                      replicates=spec.replicates,
                      burn_in_days=spec.burn_in_days,
                      runoff_max_days=spec.runoff_max_days or None,
                      stationarity_tolerance=spec.stationarity_tolerance,
                      kept={name: keys for name, keys in kept.items() if keys})
