"""Policy files laid over a market: what a comparison's variant or a sweep's anchor contributes.

A variant (or anchor) names a scenario file such as `strict.toml`, which extends
`baseline.toml`. The comparison's base may be another market built on the same root, say
`doubled_job_loss.toml`, which also extends `baseline.toml`. The variant's file is an
**overlay**: it contributes only the keys set in the files of its own `extends` chain that
are not in the base's chain, laid over the base (after the comparison's or sweep's `set`).
So strict.toml over `doubled_job_loss.toml` is strict collection in the doubled-job-loss
market, not strict collection in the baseline market.

The rule, with V the variant's chain (the file, the file it extends, ...) and B the base's:

- V is walked from the variant file towards its root until it meets a file of B; the files
  before that point are the overlay (root-most first, nearest last, as `extends` merges them).
- If V never meets B, the variant's file describes another market: a ScenarioError naming
  the file and both chains, unless the comparison opts in with `market = "own"`.
- If the variant file is itself a file of B other than the base (an ancestor of the base,
  such as baseline.toml under a world that extends it), it adds nothing over the base: also a
  ScenarioError, since the file was surely named to run its own market (`market = "own"`).
- The variant file being the base itself is an empty overlay: the base, as if no file were
  named.

Keys set by the overlay win over the comparison's (or sweep's) `set`: a policy file keeps its
own policy. The variant's own `set` and the command line's `--set` win over the overlay.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario import EXTENDS_KEY, ScenarioError, deep_merge, load_scenario, read_toml

OWN_MARKET = "own"
"""The `market` value with which a variant or anchor runs its file's whole scenario."""


def scenario_chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The scenario file `path` and every file it extends, nearest first: (resolved path, the
    file's own table without `extends`). The chain is checked (missing files, cycles, invalid
    values) by loading it first, so its errors name the file that has them."""
    load_scenario(path)
    chain: list[tuple[Path, dict[str, Any]]] = []
    current: Path | None = path
    while current is not None:
        data = read_toml(current)
        parent = data.pop(EXTENDS_KEY, None)
        chain.append((current.resolve(), data))
        current = current.parent / parent if isinstance(parent, str) else None
    return chain


@dataclass(frozen=True)
class Overlay:
    """What a variant's scenario file lays over the base: `files` (nearest first) and their
    keys merged as `extends` merges them (`raw`)."""

    files: tuple[Path, ...]
    raw: dict[str, Any]

    def keys(self) -> list[str]:
        """The dotted keys the overlay sets (a list is one key)."""
        return [key for key, _ in leaves(self.raw)]


def file_overlay(variant: Path, base: Path, source: str, key: str) -> Overlay:
    """The overlay of the scenario file `variant` on the scenario file `base` (see the module's
    rule). Raises ScenarioError, naming `source` and `key` (where the variant file is named),
    when the file is not built on the base's market."""
    own = scenario_chain(variant)
    below = {p for p, _ in scenario_chain(base)}
    paths = [p for p, _ in own]
    meet = next((i for i, p in enumerate(paths) if p in below), None)
    if meet is None:
        raise ScenarioError(source, key, (
            f"{_shown(variant)} is not built on the base's market: its extends chain "
            f"{_arrows(paths)} never reaches the base's chain {_arrows(_paths(base))}. Make it "
            f"extend a file of the base's chain, or add market = \"{OWN_MARKET}\" to run its "
            "own market"))
    if meet == 0 and paths[0] != base.resolve():
        raise ScenarioError(source, key, (
            f"{_shown(variant)} is in the base's own extends chain "
            f"{_arrows(_paths(base))}, so laid over the base it changes nothing. Add market = "
            f"\"{OWN_MARKET}\" to run it as its own market"))
    raw: dict[str, Any] = {}
    for _, data in reversed(own[:meet]):
        raw = deep_merge(raw, data)
    return Overlay(files=tuple(paths[:meet]), raw=raw)


def leaves(table: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of every value in nested tables; a list is one value."""
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from leaves(value, f"{dotted}.")
        else:
            yield dotted, value


def related(one: str, other: str) -> bool:
    """Whether two dotted keys name the same value, or one names a table holding the other."""
    return one == other or one.startswith(other + ".") or other.startswith(one + ".")


def kept_keys(overlay: Overlay, common: dict[str, Any]) -> list[str]:
    """The keys of a file's `set` (`common`) that the overlay sets too and so keeps at its own
    value, in the order of `common`."""
    mine = overlay.keys()
    return [key for key in common if any(related(key, k) for k in mine)]


def _paths(path: Path) -> list[Path]:
    return [p for p, _ in scenario_chain(path)]


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the working folder when below it."""
    resolved = path.resolve()
    return str(resolved.relative_to(Path.cwd())) if resolved.is_relative_to(Path.cwd()) \
        else str(resolved)


def _arrows(paths: list[Path]) -> str:
    return " -> ".join(_shown(p) for p in paths)
