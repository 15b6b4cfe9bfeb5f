"""The parameters each variant (or sweep anchor) ran with, where they differ from the base:
the table every comparison report opens with, and `variants.csv`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.config import ScenarioConfig
from sim.overlay import leaves
from sim.params_doc import format_value

TEXT_KEYS = frozenset({"title", "description", "lesson"})
"""Top-level keys that describe a scenario in words rather than set the market or policy."""


def flat_config(config: ScenarioConfig) -> dict[str, Any]:
    """Every parameter of a config by dotted key (a list is one value), words left out."""
    return {key: value for key, value in leaves(config.model_dump(mode="json"))
            if key.split(".")[0] not in TEXT_KEYS}


def differences_from_base(base: ScenarioConfig,
                          variants: Sequence[tuple[str, ScenarioConfig]]) -> pd.DataFrame:
    """One row per dotted key in which at least one variant differs from the base: `key`,
    `base` (the base's value), then one column per variant with its value, in schema order."""
    reference = flat_config(base)
    flats = [(name, flat_config(config)) for name, config in variants]
    rows = [{"key": key, "base": value, **{name: flat.get(key) for name, flat in flats}}
            for key, value in reference.items()
            if any(flat.get(key) != value for _, flat in flats)]
    return pd.DataFrame(rows, columns=["key", "base", *(name for name, _ in variants)],
                        dtype=object)


def variants_csv_frame(table: pd.DataFrame) -> pd.DataFrame:
    """`differences_from_base`'s table with every value written as in a scenario file (a list
    as TOML), so the CSV keeps `true` apart from `1`."""
    return table.assign(**{column: table[column].map(_cell) for column in table.columns[1:]})


def variant_table_lines(table: pd.DataFrame, kept: dict[str, list[str]] | None = None,
                        noun: str = "variant") -> list[str]:
    """Markdown: the table of keys in which each variant differs from the base, and, for each
    variant in `kept`, the keys of the file's `set` its own scenario file kept at its value."""
    names = list(table.columns[2:])
    lines = [f"## What each {noun} changes", ""]
    if table.empty:
        lines.append(f"Every {noun} runs with exactly the base's parameters.")
    else:
        lines += [f"The parameters in which any {noun} differs from the base (every "
                  f"{noun}'s whole configuration is in `manifest.json`).", "",
                  "| key | base | " + " | ".join(names) + " |",
                  "|---|---|" + "---|" * len(names)]
        for _, row in table.iterrows():
            cells = [_cell(row["base"])]
            cells += [_cell(row[n]) if row[n] != row["base"] else "=" for n in names]
            lines.append(f"| `{row['key']}` | " + " | ".join(cells) + " |")
        lines += ["", "A cell with = holds the base's value."]
    for name, keys in (kept or {}).items():
        if keys:
            lines.append(f"- {name} keeps its own scenario file's value of "
                         + ", ".join(f"`{k}`" for k in keys)
                         + f" over the value the file's `set` gives every {noun}.")
    return lines + [""]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    try:
        return format_value(value)
    except TypeError:
        return json.dumps(value, default=str)
