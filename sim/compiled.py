"""Where numba keeps the compiled kernels: one cache folder per version of this package.

Kernels (`@njit(cache=True)`) are compiled on first use and cached on disk, so later
processes (batch workers, the command line) load them in milliseconds. numba checks a cached
kernel only against its own source file, not against the files of the kernels it calls, so a
change in `sim.payments` would leave a stale copy of it inside the cached collection kernel.
The cache folder is therefore named after a digest of every source file of the package: any
change compiles everything afresh. The folder sits under `NUMBA_CACHE_DIR` if set, else
under `$XDG_CACHE_HOME/credit-market-sim` (default `~/.cache/credit-market-sim`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

PACKAGE = Path(__file__).resolve().parent


def source_digest(package: Path = PACKAGE) -> str:
    """First 16 hex digits of the SHA-256 of the package's Python sources (paths and text)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
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
