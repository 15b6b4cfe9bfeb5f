"""Results folders: written whole into a temporary folder, then renamed into place.

A folder holds `manifest.json` (seed, resolved config, package versions, git commit, command
line, wall time), `config.toml` (the resolved scenario, loadable again), `timeseries.parquet`
(one row per day), `summary.json` and `summary.csv`, `figures/` and `report.md`.

Every results folder's `manifest.json` names its `kind` (`OUTPUT_KINDS`). An existing folder
is replaced only when the caller asks (`overwrite=True`) and only if this project wrote it;
it is continued (`resume=True`) only by an output of its own kind (`check_output`). A run that
fails leaves no half-written folder behind: what was staged for it is removed, and so are the
folders made for it (`staged_folder`; `results_folder` for the outputs whose finished runs
are kept as they arrive).
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


OUTPUT_KINDS = ("run", "comparison", "sweep", "validation", "calibration", "decomposition")
"""What a results folder can hold; its `manifest.json` names one as `kind`."""

LEGACY_MANIFEST_KEYS = frozenset({"scenario", "seed", "command", "started_utc", "git",
                                  "versions", "config"})
"""Keys of every manifest written before manifests named their kind: a folder whose
`manifest.json` has them all is taken as the project's (its kind read from the other keys)."""

RESUMABLE = ("comparison", "sweep", "validation", "decomposition")
"""Kinds of output whose runs are kept as they finish, so `--resume` can continue them."""

UNFINISHED = "unfinished"
"""`status` of the manifest a results folder holds while its runs are being added."""


class OutputError(Exception):
    """A results folder that cannot be written where asked; `str()` is one line for the
    user."""


class OutputExistsError(OutputError):
    """The results folder exists and may not be replaced or continued."""


def output_kind(folder: Path) -> str | None:
    """The kind of output (one of `OUTPUT_KINDS`) this project wrote in `folder`, or None if
    nothing shows it is the project's: its `manifest.json` names the kind, or (folders from
    before manifests did) has the keys every manifest had; an interrupted comparison or sweep
    from then holds only `shards/` with its `config_hash.txt`, an interrupted validation only
    `experiments/` of those."""
    folder = Path(folder)
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _legacy_unfinished_kind(folder)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("kind") in OUTPUT_KINDS:
        return data["kind"]
    if data.keys() >= LEGACY_MANIFEST_KEYS:
        return next((k for k in OUTPUT_KINDS[1:] if k in data), "run")
    return None


def _legacy_unfinished_kind(folder: Path) -> str | None:
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return None
    if names == {"shards"} and (folder / "shards" / "config_hash.txt").is_file():
        shards = folder / "shards"
        return "sweep" if any(shards.glob("part-*.parquet")) or (shards / "series").is_dir() \
            else "comparison"
    if names == {"experiments"}:
        inner = [p for p in (folder / "experiments").iterdir() if p.is_dir()]
        if inner and all(_legacy_unfinished_kind(p) == "comparison" for p in inner):
            return "validation"
    return None


def check_output(out: Path, kind: str, resume: bool = False, overwrite: bool = False) -> None:
    """Refuse, with an OutputError of one line, a results folder `out` for an output of `kind`
    that would lose or mix files: a path that names no folder of its own (the current folder
    or one holding it), a file, a non-empty folder unless it is continued (`resume`: only a
    folder of the same kind) or replaced (`overwrite`: only a folder this project wrote,
    `output_kind`)."""
    out = Path(out)
    here = Path.cwd().resolve()
    target = out.resolve()
    if target == here or target in here.parents:
        raise OutputError(f"--out {out} is the current folder or holds it; name a results "
                          "folder of its own")
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a folder; choose another --out")
    outermost = _first_missing(out)
    if outermost is not None and outermost.parent.exists() and not outermost.parent.is_dir():
        raise OutputError(f"--out {out} cannot be a folder: {outermost.parent} is a file; "
                          "choose another --out")
    if not out.is_dir() or not _has_entries(out):
        return
    found = output_kind(out)
    if resume and not overwrite:
        if found != kind:
            what = f"a {found}'s results" if found else "files this project did not write"
            raise OutputExistsError(f"{out} holds {what}, not a {kind}'s; --resume continues "
                                    f"only a {kind}'s results folder: choose another --out")
        return
    if overwrite:
        if found is None:
            raise OutputExistsError(f"{out} is not a results folder this project wrote (no "
                                    "manifest.json naming its kind); --overwrite replaces "
                                    "only those: choose another --out")
        return
    raise OutputExistsError(f"{out} already exists and is not empty; choose another --out or "
                            "pass --overwrite to replace it"
                            + (" or --resume to continue its runs" if kind in RESUMABLE
                               else ""))


def _has_entries(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except OSError as error:
        raise OutputError(_path_problem(folder, error)) from None


def _path_problem(out: Path, error: OSError) -> str:
    """One line saying why `out` cannot be written."""
    reason = error.strerror or type(error).__name__
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(out) \
        else ""
    return f"cannot write the results folder {out}: {reason}{where}; choose another --out"


def _first_missing(folder: Path) -> Path | None:
    """The outermost of `folder` and its parents that does not exist yet (what creating
    `folder` would create), or None."""
    missing = None
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing = path
    return missing


def _remove_created(folder: Path, created: Path | None) -> None:
    """Remove the empty folders from `folder` up to `created` (the outermost one made)."""
    if created is None:
        return
    for path in (folder, *folder.parents):
        try:
            path.rmdir()
        except OSError:
            return
        if path == created:
            return


@contextlib.contextmanager
def staged_folder(final: Path, kind: str, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside `final` for an output of `kind` (`check_output`
    decides whether `final` may be replaced); on success it replaces `final` by a rename, on
    any failure (the caller's or the rename's) it is removed with every folder made for it,
    and `final` is left as it was. A path that cannot be written is an OutputError."""
    final = Path(final)
    check_output(final, kind, overwrite=overwrite)
    created = _first_missing(final.parent)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp",
                                        dir=final.parent))
        staging.chmod(0o755)
    except OSError as error:
        _remove_created(final.parent, created)
        raise OutputError(_path_problem(final, error)) from None
    try:
        yield staging
        _swap_in(staging, final)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_created(final.parent, created)
        if isinstance(error, _SwapError):
            raise OutputError(_path_problem(final, error)) from None
        raise


class _SwapError(OSError):
    """The final rename of a staged folder failed."""


def _swap_in(staging: Path, final: Path) -> None:
    """Rename `staging` to `final`, the old `final` (if any) moved aside first and removed
    after, or put back if the rename fails."""
    old = None
    try:
        if final.exists():
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            final.rename(old)
        try:
            staging.rename(final)
        except OSError:
            if old is not None:
                old.rename(final)
            raise
    except OSError as error:
        raise _SwapError(error.errno, error.strerror, error.filename) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def results_folder(out: Path, kind: str, resume: bool = False,
                   overwrite: bool = False) -> Iterator[Path]:
    """A results folder for an output of `kind` that runs are added to as they finish:
    `check_output` decides whether `out` may be continued (`resume`) or replaced
    (`overwrite`: it is emptied); it is created and marked as the project's at once (a
    `manifest.json` with `kind` and status `unfinished`, replaced by the full manifest at the
    end). If the job fails before any run finished, a folder this call created or emptied is
    removed again; a folder continued is left as it was found, with its finished runs."""
    out = Path(out)
    check_output(out, kind, resume=resume, overwrite=overwrite)
    created = _first_missing(out)
    ours = created is not None or overwrite
    try:
        if overwrite and out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True, exist_ok=True)
        if not (out / "manifest.json").exists():
            write_json(out / "manifest.json", {"kind": kind, "status": UNFINISHED})
    except OSError as error:
        if ours and out.exists() and not holds_results(out):
            shutil.rmtree(out, ignore_errors=True)
        _remove_created(out.parent, created)
        raise OutputError(_path_problem(out, error)) from None
    try:
        yield out
    except BaseException:
        if ours and not holds_results(out):
            shutil.rmtree(out, ignore_errors=True)
            _remove_created(out.parent, created)
        raise


def holds_results(folder: Path) -> bool:
    """Whether `folder` holds anything a job wrote beyond its marks (`manifest.json`, a
    shards folder's `config_hash.txt`): a finished run, a table, a figure."""
    return any(p.is_file() and p.name not in ("manifest.json", "config_hash.txt")
               for p in Path(folder).rglob("*"))


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
    try:
        write(tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
             started: datetime, extra: dict[str, Any] | None = None, *, kind: str
             ) -> dict[str, Any]:
    """Everything needed to reproduce a result and to know where it came from; `kind` (one of
    `OUTPUT_KINDS`) marks the folder as this project's output of that kind, which is what
    `--overwrite` may replace and `--resume` may continue."""
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"unknown kind of output {kind!r}")
    data = {
        "kind": kind,
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
