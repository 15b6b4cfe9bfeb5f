"""Results folders: written whole into a temporary folder, then renamed into place.

A folder holds `manifest.json` (seed, resolved config, package versions, git commit, command
line, wall time), `config.toml` (the resolved scenario, loadable again), `timeseries.parquet`
(one row per day), `summary.json` and `summary.csv`, `figures/` and `report.md`. An existing
folder is never replaced unless the caller asks (`overwrite=True`), and a run that fails
leaves no half-written folder behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

PACKAGES = ("credit-market-sim", "mesa", "numpy", "pandas", "pyarrow", "matplotlib",
            "pydantic", "solara", "tqdm", "SALib", "dask", "distributed")


class OutputExistsError(Exception):
    """The results folder exists and may not be replaced."""


@contextlib.contextmanager
def staged_folder(final: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside `final`; on success it replaces `final` by a rename,
    on failure it is removed and `final` is left untouched."""
    final = Path(final)
    if final.exists() and not final.is_dir():
        raise OutputExistsError(f"{final} exists and is not a folder; choose another --out")
    if final.exists() and any(final.iterdir()) and not overwrite:
        raise OutputExistsError(f"{final} already exists and is not empty; choose another "
                                "--out or pass --overwrite to replace it")
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    staging.chmod(0o755)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def open_results_folder(out: Path, resume: bool, overwrite: bool) -> Path:
    """A results folder that runs are added to as they finish: refuse a non-empty one unless
    resuming or replacing it (then it is emptied), and create it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a folder; choose another --out")
    if out.exists() and any(out.iterdir()) and not (resume or overwrite):
        raise OutputExistsError(f"{out} already exists and is not empty; pass --resume to "
                                "continue its runs, --overwrite to replace it, or another --out")
    if overwrite and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def digest(data: Any) -> str:
    """A short, stable hash of JSON-able data (keys sorted): 16 hex digits of its SHA-256.
    Results folders keep it to refuse finished runs of another configuration."""
    blob = json.dumps(data, sort_keys=True, default=_plain)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=False, default=_plain) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write text atomically (temporary file, then rename)."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_frame(path: Path, frame: pd.DataFrame) -> None:
    """Write a table atomically, as Parquet or CSV by the file's suffix."""
    if path.suffix == ".csv":
        write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))
    else:
        write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_arrays(path: Path, **arrays: Any) -> None:
    """Write numpy arrays atomically as one uncompressed `.npz` file."""
    import numpy as np

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    write_atomic(path, write)


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it to `path`: readers
    see the old file or the whole new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    tmp.replace(path)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a result depends on, and Python's."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(repo: Path | None = None) -> dict[str, Any]:
    """Commit of the code that ran, and whether the work tree had uncommitted changes."""
    repo = repo or Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=repo, capture_output=True, text=True, check=True,
                                timeout=10).stdout
        return {"commit": commit, "dirty": bool(status.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}


def manifest(config_dump: dict[str, Any], seed: int, scenario: str, wall_seconds: float,
             started: datetime, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything needed to reproduce a result and to know where it came from."""
    data = {
        "scenario": scenario,
        "seed": seed,
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "started_utc": started.astimezone(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "git": git_commit(),
        "versions": package_versions(),
        "platform": platform.platform(),
        "config": config_dump,
    }
    data.update(extra or {})
    return data


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
