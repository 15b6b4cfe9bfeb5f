"""Small models for tests: a baseline config with dotted overrides, run for a few months."""

from __future__ import annotations

from typing import Any

from sim.config import ScenarioConfig
from sim.model import CreditMarket
from sim.scenario import deep_merge, validate


def make_config(borrowers: int = 2000, days: int = 365, seed: int = 7,
                **dotted: Any) -> ScenarioConfig:
    """The baseline with `section__key=value` overrides (double underscore for the dot),
    its books checked every day (`run.check_every_days` 1, unless overridden)."""
    raw: dict[str, Any] = {"run": {"borrowers": borrowers, "days": days, "seed": seed,
                                   "check_every_days": 1}}
    for key, value in dotted.items():
        node: dict[str, Any] = {}
        parts = key.split("__")
        cursor = node
        for part in parts[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[parts[-1]] = value
        raw = deep_merge(raw, node)
    return validate(raw, source="test")


def run_model(config: ScenarioConfig) -> CreditMarket:
    """Build and run a model for its configured days."""
    model = CreditMarket(config)
    model.run_days()
    return model


def totals(config: ScenarioConfig) -> dict[str, int]:
    """Cumulative event counts of a run."""
    return run_model(config).totals
