"""Scenario presets: the scenario files people pick from (dashboard, classroom), the strict and
lenient policies laid over any of them, and a preset's classroom text in a language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.config import LessonText, ScenarioConfig
from sim.params_doc import format_value
from sim.scenario import ScenarioError, load_scenario, read_toml

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

NOT_PRESETS = frozenset({"compare", "validation", "calibration", "sweeps"})
"""Folders of `scenarios/` that hold comparison, validation, calibration and sweep files."""

POLICIES: tuple[str, ...] = ("strict", "lenient")
"""The policies side-by-side runs lay over a preset: `scenarios/strict.toml` and
`scenarios/lenient.toml`, whose own keys are all policy keys."""

_NOT_POLICY_KEYS = frozenset({"extends", "title", "description"})


def presets() -> dict[str, Path]:
    """Every scenario file under `scenarios/` by its name relative to it, without `.toml`."""
    found = {}
    for path in sorted(SCENARIOS.rglob("*.toml")):
        relative = path.relative_to(SCENARIOS)
        if relative.parts[0] not in NOT_PRESETS:
            found[relative.with_suffix("").as_posix()] = path
    return found


def policy_overrides(policy: str) -> list[str]:
    """The keys a policy file sets itself (not those it inherits), as `key=value` overrides
    to lay over any preset: the preset's world under that policy."""
    if policy not in POLICIES:
        raise ScenarioError("policy", policy, f"is not a policy (have: {', '.join(POLICIES)})")
    raw = read_toml(SCENARIOS / f"{policy}.toml")
    return [f"{key}={format_value(value)}" for key, value in _leaves(raw, "")
            if key.split(".")[0] not in _NOT_POLICY_KEYS]


def _leaves(table: dict[str, Any], prefix: str):
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _leaves(value, f"{dotted}.")
        else:
            yield dotted, value


def load_preset(name: str, overrides: list[str] | None = None, policy: str | None = None,
                source: str = "preset") -> ScenarioConfig:
    """Preset `name` (see `presets`), under `policy` ("strict", "lenient" or None: its own),
    with `overrides` on top. Raises ScenarioError (an unknown name is blamed on `source`)."""
    known = presets()
    if name not in known:
        raise ScenarioError(source, "preset", f"'{name}' is not a scenario preset (have: "
                            f"{', '.join(known)})")
    laid = policy_overrides(policy) if policy else []
    return load_scenario(known[name], [*laid, *(overrides or [])])


def lesson_text(config: ScenarioConfig, language: str) -> LessonText | None:
    """The preset's classroom text in `language`, else in English, else None."""
    return config.lesson.get(language) or config.lesson.get("en")
