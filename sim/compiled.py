"""Where numba keeps the compiled kernels: one cache folder per version of the kernel code.

Kernels (`@njit(cache=True)`) are compiled on first use and cached on disk, so later
processes (batch workers, the command line) load them in milliseconds. numba checks a cached
kernel only against its own source file, not against the files of the kernels it calls or the
module constants it froze in, so a change in `sim.loans` would leave a stale copy of it
inside the cached collection kernel. The cache folder is therefore named after a digest of
every module that defines compiled code (`KERNEL_MARKERS`) and of the modules whose constants
kernels read (`CONSTANT_MODULES`): a change there compiles everything afresh, while an edit
of the dashboard, the reports or the experiments does not. `warm_up` removes the folders of
older versions. The folder sits under `NUMBA_CACHE_DIR` if set, else under
`$XDG_CACHE_HOME/credit-market-sim` (default `~/.cache/credit-market-sim`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numba

PACKAGE = Path(__file__).resolve().parent
KERNEL_MARKERS = ("@njit", "structref", "@vectorize", "@jitclass")
"""A module whose text holds one of these defines compiled code."""
CONSTANT_MODULES = ("units.py", "config.py", "params.py")
"""Modules (relative to the package) whose constants compiled kernels read."""


def kernel_sources(package: Path = PACKAGE) -> list[Path]:
    """The package's modules that define compiled code or hold constants kernels read."""
    constants = {package / name for name in CONSTANT_MODULES}
    return sorted(path for path in package.rglob("*.py") if path != Path(__file__).resolve()
                  and (path in constants
                       or any(marker in path.read_text(encoding="utf-8")
                              for marker in KERNEL_MARKERS)))


def source_digest(package: Path = PACKAGE) -> str:
    """First 16 hex digits of the SHA-256 of `kernel_sources` (paths and text)."""
    digest = hashlib.sha256()
    for path in kernel_sources(package):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder() -> Path:
    """The kernel cache folder for this version of the package."""
    base = os.environ.get("NUMBA_CACHE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "credit-market-sim"
    return Path(base) / f"numba-{source_digest()}"


def configure_cache() -> None:
    """Point numba's kernel cache at `cache_folder()` (before any kernel is defined)."""
    numba.config.CACHE_DIR = str(cache_folder())


def warm_up() -> None:
    """Compile (first time) or load (later) every kernel by running a small market for a
    simulated year: the install script calls it once, and benchmarks before timing."""
    from sim.model import CreditMarket
    from sim.scenario import load_scenario

    for name in ("strict", "lenient"):
        config = load_scenario(PACKAGE.parent / "scenarios" / f"{name}.toml",
                               ["run.borrowers=1000", "run.days=365",
                                "collection.third_party_contact=true"])
        CreditMarket(config).run_days()
    remove_stale_caches()


def remove_stale_caches() -> list[Path]:
    """Delete the kernel folders of other versions beside `cache_folder()`; returns them."""
    current = cache_folder()
    stale = [p for p in current.parent.glob("numba-*") if p.is_dir() and p != current]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale
