"""Every TOML file the project reads: load, follow `extends`, apply `--set` overrides,
validate, explain errors.

A scenario file is TOML whose tables are the sections of `sim.config.ScenarioConfig`. A file may
start with `extends = "other.toml"` (a path relative to the file): the other file is loaded
first and this file's values override it, table by table; lists are replaced whole.
Comparison, sweep, validation and calibration files are read by one loader, `read_spec`,
against their pydantic schema; a key they vary or search is a `ParameterRange`.
Every problem becomes a `ScenarioError` that names the file, the key and what is allowed.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config import ScenarioConfig, Section

EXTENDS_KEY = "extends"
DEFAULTS: dict[str, Any] = ScenarioConfig().model_dump()
"""The schema's defaults as a raw mapping; a scenario is merged over it before validation."""


class ScenarioError(Exception):
    """A scenario file or override that cannot be used; `str()` is the message for the user."""

    def __init__(self, source: str, key: str | None, message: str) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: " + (f"key '{key}': " if key else "")
        super().__init__(where + message)


class ParameterRange(BaseModel):
    """A scenario key a sweep varies or a calibration searches: a range (`low`, `high`,
    optionally `log` and `integer`) or, in a sweep, a list of `values`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(description="Scenario key, section.key (any key of the schema).")
    low: float | None = Field(None, description="Lower end of the range.")
    high: float | None = Field(None, description="Upper end of the range.")
    log: bool = Field(False, description="Sample on a log scale (needs low > 0).")
    integer: bool = Field(False, description="Whole numbers only (both ends included).")
    values: list[bool | int | float | str] | None = Field(
        None, description="The values to choose from, instead of a range.")

    @model_validator(mode="after")
    def _range_or_values(self) -> ParameterRange:
        if self.values is not None:
            if self.low is not None or self.high is not None or self.log or self.integer:
                raise ValueError("give either values or low/high (with log, integer), not both")
            if len(self.values) < 2:
                raise ValueError("values needs two or more entries")
            return self
        if self.low is None or self.high is None:
            raise ValueError("needs low and high, or values")
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError("a log-scale range needs low > 0")
        if self.integer and (self.low != int(self.low) or self.high != int(self.high)):
            raise ValueError("an integer range needs whole-number low and high")
        return self

    @property
    def is_choice(self) -> bool:
        """Whether the parameter takes one of listed `values` rather than a range."""
        return self.values is not None


def read_spec[Spec: BaseModel](path: Path, schema: type[Spec], noun: str,
                               allowed: list[str] | None = None, hint: str = "") -> Spec:
    """Read the comparison, sweep, validation or calibration file `path` and validate it
    against `schema`. Raises a ScenarioError naming the file and the key (see `spec_error`;
    `allowed`: the keys an unknown key is matched against, default the schema's own)."""
    raw = read_toml(path)
    try:
        return schema.model_validate(raw, strict=True)
    except ValidationError as error:
        raise spec_error(path, error, noun, list(schema.model_fields) if allowed is None
                         else allowed, hint=hint) from None


def spec_error(path: Path | str, error: ValidationError, noun: str, allowed: list[str],
               hint: str = "") -> ScenarioError:
    """The ScenarioError for a comparison, validation, calibration or sweep file that its pydantic
    schema rejected: the first problem, an unknown key first (a typo usually explains a
    missing key), with the nearest allowed key; `hint` is added after an unknown key."""
    item = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    key = ".".join(str(p) for p in item["loc"]) or None
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(item["loc"][-1]), allowed, n=1)
        message = f"is not a {noun} key" + (f"; did you mean '{close[0]}'?" if close else ".")
        message += hint
    return ScenarioError(str(path), key, message)


def spec_with[Spec: BaseModel](spec: Spec, values: dict[str, Any], path: Path,
                               noun: str) -> Spec:
    """A comparison, calibration or sweep file's validated `spec` with the command line's
    values for some of its keys (None: the file's), validated again by the same schema, so
    `--replicates` and the like meet the limits the file's own values meet."""
    given = {key: value for key, value in values.items() if value is not None}
    if not given:
        return spec
    try:
        return type(spec).model_validate({**spec.model_dump(), **given}, strict=True)
    except ValidationError as error:
        raise spec_error(f"{path} with the command line's values", error, noun,
                         list(type(spec).model_fields)) from None


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> ScenarioConfig:
    """Read a scenario file (following `extends`), apply `section.key=value` overrides and
    return the validated config. Raises `ScenarioError` on any problem."""
    path = Path(path)
    raw = _read_with_extends(path, seen=())
    override_keys: set[str] = set()
    for text in overrides or []:
        key, value = parse_override(text)
        set_dotted(raw, key, value, source="--set")
        override_keys.add(key)
    return validate(raw, source=str(path), override_keys=override_keys)


def parse_override(text: str) -> tuple[str, Any]:
    """Split `section.key=value` and parse the value as a TOML value (bare words become
    strings)."""
    if "=" not in text:
        raise ScenarioError("--set", text, "expected section.key=value, for example "
                            "run.days=365")
    key, _, value_text = text.partition("=")
    key, value_text = key.strip(), value_text.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError("--set", text, "expected section.key=value, for example "
                            "run.days=365")
    try:
        value = tomllib.loads(f"value = {value_text}")["value"]
    except tomllib.TOMLDecodeError:
        value = value_text
    return key, value


def validate(raw: dict[str, Any], source: str,
             override_keys: set[str] | None = None) -> ScenarioConfig:
    """Validate a raw scenario mapping over the schema's defaults (a table that sets some
    keys keeps the defaults of the others); errors name `source`, or `--set` for a key that
    an override set."""
    try:
        return ScenarioConfig.model_validate(deep_merge(DEFAULTS, raw), strict=True)
    except ValidationError as error:
        problems = [_explain(item, raw) for item in error.errors()]
        key, message = problems[0]
        overridden = any(_related(key, k) for k in override_keys or ())
        origin = "--set" if overridden else source
        if len(problems) > 1:
            message += "".join(f"\n  also key '{k}': {m}" for k, m in problems[1:])
        raise ScenarioError(origin, key, message) from None


def with_values(config: ScenarioConfig, values: dict[str, Any], source: str) -> ScenarioConfig:
    """`config` with `section.key` values set, validated again like a scenario file; errors
    name `source`."""
    if not values:
        return config
    raw = config.model_dump()
    for key, value in values.items():
        set_dotted(raw, key, value, source=source)
    return validate(raw, source=source)


def _related(error_key: str, override_key: str) -> bool:
    """True if one key is the other or lies inside it (a table and its keys)."""
    if error_key == override_key:
        return True
    for outer, inner in ((error_key, override_key), (override_key, error_key)):
        if inner.startswith(outer + ".") or inner.startswith(outer + "["):
            return True
    return False


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML document in `path`; a missing file, broken TOML or non-UTF-8 text is a
    ScenarioError naming the file."""
    if not path.is_file():
        raise ScenarioError(str(path), None, "file not found")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(str(path), None, f"not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ScenarioError(str(path), None, f"not UTF-8 text: {error}") from None


def _read_with_extends(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(str(p) for p in (*seen, resolved))
        raise ScenarioError(str(path), EXTENDS_KEY, f"extends itself in a cycle: {chain}")
    data = read_toml(path)
    parent_name = data.pop(EXTENDS_KEY, None)
    if parent_name is None:
        return data
    if not isinstance(parent_name, str):
        raise ScenarioError(str(path), EXTENDS_KEY, "must be a file name in quotes, for "
                            "example extends = \"baseline.toml\"")
    parent_path = path.parent / parent_name
    if not parent_path.is_file():
        raise ScenarioError(str(path), EXTENDS_KEY, f"'{parent_name}' not found (looked for "
                            f"{parent_path})")
    base = _read_with_extends(parent_path, seen=(*seen, resolved))
    validate(base, source=str(parent_path))  # a parent's own mistakes name the parent
    return deep_merge(base, data)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key, recursively; any other value (lists included) replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def set_dotted(raw: dict[str, Any], key: str, value: Any, source: str) -> None:
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ScenarioError(source, key, f"'{part}' is a value, not a table")
        node = child
    node[parts[-1]] = value


def _explain(item: dict[str, Any], raw: dict[str, Any]) -> tuple[str, str]:
    """Turn one pydantic error into (dotted key, plain message with what is allowed)."""
    loc = tuple(item["loc"])
    key = _dotted(loc)
    kind = item["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        message = "is not a parameter"
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
        else:
            message += "."
        return key, message + f" Allowed keys here: {', '.join(allowed)}"
    field = _field_info(loc)
    got = json.dumps(item.get("input"), default=str)
    message = item["msg"].removeprefix("Value error, ")
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "model_type":
        expected = _type_name(field)
        message = f"expected {expected}, got {got}"
    elif kind not in ("value_error", "assertion_error"):
        message = f"{message} (got {got})"
    if field is not None and field.json_schema_extra and _section_type(field.annotation) is None \
            and not isinstance(loc[-1], int):
        message += f" [unit: {field.json_schema_extra['unit']}]"
    return key, message


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = ScenarioConfig
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model = _section_type(field.annotation)
    return model


def _section_type(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, Section):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, Section):
            return arg
    return None


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model = _model_at(loc)
    if model is None:
        return []
    names = list(model.model_fields)
    return [EXTENDS_KEY, *names] if model is ScenarioConfig else names


def _field_info(loc: tuple[Any, ...]):
    names = [p for p in loc if not isinstance(p, int)]
    if not names:
        return None
    parent = _model_at(tuple(p for p in loc[:-1]) if not isinstance(loc[-1], int) else loc[:-2])
    if parent is None:
        return None
    return parent.model_fields.get(str(names[-1]))


def _type_name(field: Any) -> str:
    if field is None:
        return "a table"
    annotation = field.annotation
    if _section_type(annotation) is not None:
        return "a table"
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    if annotation in names:
        return names[annotation]
    args = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is list and args and args[0] in names:
        return f"a list of {names[args[0]].removeprefix('an ').removeprefix('a ')}s"
    text = str(annotation).replace("typing.", "")
    return text
