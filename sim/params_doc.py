"""Render a config as documented TOML: every parameter with its meaning, unit, limits and source.

`scenarios/baseline.toml` is this rendering of the schema's defaults (`python run.py params`),
and every results folder carries the rendering of the resolved config, which loads back as a
scenario file.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.config import ScenarioConfig, Section

HEADER = """\
# Documented scenario: every parameter of the credit market model with its meaning, unit,
# allowed values and source. Generated from the schema (sim/config.py) by
#     python run.py params > scenarios/baseline.toml
# Other scenarios start with `extends = "baseline.toml"` and set only what differs.
# Money is in currency units; the model keeps it in integer cents.
"""


def render_toml(config: ScenarioConfig, header: str = HEADER) -> str:
    """The config as a TOML document with a comment above every value."""
    lines = [header.rstrip("\n"), ""]
    _render_table(config, path="", lines=lines)
    return "\n".join(lines).rstrip("\n") + "\n"


def _render_table(model: BaseModel, path: str, lines: list[str]) -> None:
    tables: list[tuple[str, BaseModel]] = []
    table_lists: list[tuple[str, list[BaseModel], FieldInfo]] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, Section):
            tables.append((name, value))
        elif isinstance(value, list) and _is_section_list(field):
            table_lists.append((name, value, field))
        elif isinstance(value, dict) and _is_section_dict(field):
            lines.extend(_comment(field))
            if not value:
                lines.append(f"# (none; add [{path + '.' if path else ''}{name}.KEY] tables)")
            tables.extend((f"{name}.{key}", item) for key, item in value.items())
        else:
            lines.extend(_comment(field))
            lines.append(f"{name} = {format_value(value)}")
    for name, items, field in table_lists:
        lines.extend(_comment(field))
        full = f"{path}.{name}" if path else name
        if not items:
            lines.append(f"# (none; add [[{full}]] tables)")
        for item in items:
            lines.append("")
            lines.append(f"[[{full}]]")
            for item_name in type(item).model_fields:
                lines.append(f"{item_name} = {format_value(getattr(item, item_name))}")
    for name, sub in tables:
        full = f"{path}.{name}" if path else name
        lines.append("")
        lines.append(f"[{full}]")
        doc = (type(sub).__doc__ or "").strip().splitlines()
        if doc:
            lines.append(f"# {doc[0]}")
        _render_table(sub, full, lines)


def _is_section_dict(field: FieldInfo) -> bool:
    args = getattr(field.annotation, "__args__", ())
    return len(args) == 2 and isinstance(args[1], type) and issubclass(args[1], Section)


def _is_section_list(field: FieldInfo) -> bool:
    args = getattr(field.annotation, "__args__", ())
    return any(isinstance(a, type) and issubclass(a, Section) for a in args)


def _comment(field: FieldInfo) -> list[str]:
    extra = field.json_schema_extra or {}
    if not extra:
        return []
    text = f"{field.description} Unit: {extra['unit']}."
    limits = _limits(field)
    if limits:
        text += f" Allowed: {limits}."
    text += f" Source: {extra['source']}."
    return [f"# {line}" for line in _wrap(text, 96)]


def _limits(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        for attr, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            bound = getattr(item, attr, None)
            if bound is not None:
                parts.append(f"{symbol} {bound:g}" if isinstance(bound, float) else
                             f"{symbol} {bound}")
    choices = getattr(field.annotation, "__args__", None)
    if choices and all(isinstance(c, str) for c in choices):
        parts.append("one of " + ", ".join(f"'{c}'" for c in choices))
    return ", ".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def format_value(value: Any) -> str:
    """A Python scalar, or a list or dict of them, as a TOML value (dicts inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {format_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
