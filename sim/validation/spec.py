"""Validation files: which published facts the model is held to, and how each is measured.

A validation file (TOML, `scenarios/validation/validation.toml`) names a table of stylised facts
(CSV: id, fact, value_low, value_high, unit, where it applies, source), the experiments to run
(comparison files) and one `[[check]]` per fact saying how the model's figure is obtained.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario import ScenarioError, read_spec

CheckKind = Literal["measure", "lift", "parameter", "rule_max", "not_modelled",
                    "by_construction"]


class ExperimentSpec(BaseModel):
    """An experiment: a comparison file whose runs the checks read."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Name used by the checks.")
    comparison: str = Field(description="Comparison file, relative to the validation file.")


class CheckSpec(BaseModel):
    """How one fact is measured in the model."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fact: str = Field(description="Id of the fact in the facts table, e.g. F1.")
    kind: CheckKind = Field(description="measure, lift, parameter, rule_max, not_modelled or "
                            "by_construction.")
    experiment: str | None = Field(None, description="Experiment whose runs are read "
                                   "(measure, lift).")
    variant: str | None = Field(None, description="Variant of the experiment (measure, lift).")
    reference: str | None = Field(None, description="Variant the lift is relative to (lift).")
    measure: str | None = Field(None, description="Summary measure, or a shock measure of "
                                "`sim.validation.measures` (measure, lift).")
    key: str | None = Field(None, description="Scenario parameter, section.key (parameter, "
                            "rule_max).")
    scenario: str = Field("../baseline.toml", description="Scenario whose parameter is read "
                          "(parameter, rule_max), relative to the validation file.")
    scale: float = Field(1.0, description="Factor from the model's unit to the fact's.")
    tolerance: float = Field(0.0, ge=0, lt=1, description="Share of the published value by "
                             "which a fact given as one value (low = high) may be missed and "
                             "still count as met (a survey figure has its own error).")
    note: str = Field("", description="Why the fact has no measured counterpart, or a caveat.")

    @model_validator(mode="after")
    def _fields_of_kind(self) -> CheckSpec:
        needed = {"measure": ("experiment", "variant", "measure"),
                  "lift": ("experiment", "variant", "reference", "measure"),
                  "parameter": ("key",), "rule_max": ("key",),
                  "not_modelled": ("note",), "by_construction": ("note",)}[self.kind]
        missing = [name for name in needed if not getattr(self, name)]
        if missing:
            raise ValueError(f"a '{self.kind}' check needs {', '.join(missing)}")
        return self


class ValidationSpec(BaseModel):
    """A validation file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field("Validation", description="Title of the report.")
    facts: str = Field(description="Facts table (CSV), relative to the validation file.")
    experiment: list[ExperimentSpec] = Field(default_factory=list)
    check: list[CheckSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Validation:
    """A loaded validation file: its spec, where it lives and the facts table."""

    path: Path
    spec: ValidationSpec
    facts: pd.DataFrame

    def comparison_path(self, experiment: str) -> Path:
        spec = next(e for e in self.spec.experiment if e.name == experiment)
        return self.path.parent / spec.comparison


FACT_COLUMNS = ("id", "fact", "value_low", "value_high", "unit", "where it applies", "source")


def load_validation(path: str | Path) -> Validation:
    """Read and check a validation file and its facts table. Raises ScenarioError naming the
    file and the key."""
    path = Path(path)
    spec = read_spec(path, ValidationSpec, "validation",
                     [*ValidationSpec.model_fields, *CheckSpec.model_fields])
    facts_path = path.parent / spec.facts
    if not facts_path.is_file():
        raise ScenarioError(str(path), "facts", f"no such file: {facts_path}")
    facts = pd.read_csv(facts_path, dtype={"id": str})
    missing = [c for c in FACT_COLUMNS if c not in facts.columns]
    if missing:
        raise ScenarioError(str(facts_path), None, f"missing columns {missing}; a facts table "
                            f"has {list(FACT_COLUMNS)}")
    experiments = {e.name for e in spec.experiment}
    for i, check in enumerate(spec.check):
        where = f"check.{i}"
        if check.fact not in set(facts["id"]):
            raise ScenarioError(str(path), f"{where}.fact", f"'{check.fact}' is not in "
                                f"{facts_path.name} (ids: {', '.join(facts['id'])})")
        if check.experiment is not None and check.experiment not in experiments:
            raise ScenarioError(str(path), f"{where}.experiment", f"'{check.experiment}' is "
                                f"not an [[experiment]] (have: {', '.join(sorted(experiments))})")
    for experiment in spec.experiment:
        if not (path.parent / experiment.comparison).is_file():
            raise ScenarioError(str(path), f"experiment.{experiment.name}.comparison",
                                f"no such file: {path.parent / experiment.comparison}")
    return Validation(path, spec, facts)
