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

Every variant runs with the base's `run` section (size, days, root seed), so replicate r of
every variant has the same seed and the same borrowers. The first variant is the reference
of the paired differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.config import ScenarioConfig
from sim.lifetime import DEFAULT_RUNOFF_MAX_DAYS
from sim.report.writer import digest
from sim.scenario import (
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
                                 "file); default: the base scenario.")
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides, "
                                "section.key = value.")


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
    stationarity_tolerance: float = Field(0.1, ge=0, description="Largest relative change "
                                          "of the 30+ DPD share and of the principal "
                                          "outstanding over the last 180 burn-in days "
                                          "(`burn_in_drift`, `burn_in_book_drift`: means over "
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
    raw = config.model_dump()
    for key, value, origin in items:
        if key == "run" and isinstance(value, dict):
            raw["run"] = value
        else:
            set_dotted(raw, key, value, source=origin)
    return validate(raw, source=source)


def load_comparison(path: str | Path, run_overrides: list[str] | None = None,
                    replicates: int | None = None) -> Comparison:
    """Read and validate a comparison file. `run_overrides` (`section.key=value`) apply to the
    base and to every variant, after their own settings. Raises ScenarioError."""
    path = Path(path)
    allowed = list(ComparisonSpec.model_fields)
    spec = read_spec(path, ComparisonSpec, "comparison", allowed,
                     hint=f" Allowed keys: {', '.join(allowed)}; [[variant]] tables take "
                     "name, scenario, set")
    spec = spec_with(spec, {"replicates": replicates}, path, "comparison")

    common = [(key, value, str(path)) for key, value in spec.set.items()]
    common += [(*parse_override(text), "--set") for text in run_overrides or []]
    base = _override(load_scenario(path.parent / spec.base), common, f"{path} [base]")
    variants = []
    for variant in spec.variant:
        config = load_scenario(path.parent / (variant.scenario or spec.base))
        own = [(key, value, str(path)) for key, value in variant.set.items()]
        config = _override(config, own + common, f"{path} [variant {variant.name}]")
        # The run section (size, days, seed) is the base's: same borrowers in every variant.
        config = _override(config, [("run", base.run.model_dump(), str(path))],
                           f"{path} [variant {variant.name}]")
        variants.append((variant.name, config))
    return Comparison(path=path, title=spec.title, description=spec.description, base=base,
                      variants=tuple(variants),
                      replicates=spec.replicates,
                      burn_in_days=spec.burn_in_days,
                      runoff_max_days=spec.runoff_max_days or None,
                      stationarity_tolerance=spec.stationarity_tolerance)
