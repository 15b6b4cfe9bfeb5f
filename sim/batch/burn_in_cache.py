"""Burned-in markets kept on disk: a burn-in is paid once per base scenario, size, seed and
length, and every experiment that forks from it (comparisons, decompositions, sweeps,
validation, repeated or resumed runs) reads it back.

A comparison forks its variants from the market its base scenario reaches after
`burn_in_days`; the burn-in is deterministic, so the same (base, seed, days) always gives the
same market. The first run to need one pickles it to the cache folder; later runs, in this
process or another, on this machine or any machine sharing the folder, load it instead of
simulating the burn-in again. The file's name is a digest of everything the market depends
on: the base scenario (every parameter), the seed, the number of days, the source code of the
`sim` package and the versions of numpy and numba. A changed parameter or a changed line of
the model makes another key, so a stale market is never read; old files are simply unused
(delete the folder to reclaim the space).

The folder is `$CREDIT_SIM_BURN_IN_CACHE` if set (`off` turns the cache off), else
`$XDG_CACHE_HOME/credit-market-sim/burn-in` (`~/.cache/...` without XDG_CACHE_HOME). A file is
written to a temporary name and renamed, so a reader never sees half a market; a file that
cannot be read is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

import numba
import numpy as np

from sim.config import ScenarioConfig
from sim.model import CreditMarket

ENV_VAR = "CREDIT_SIM_BURN_IN_CACHE"
"""Environment variable naming the cache folder (`off`: no cache)."""


def cache_folder() -> Path | None:
    """The folder burned-in markets are kept in, or None if the cache is off."""
    chosen = os.environ.get(ENV_VAR)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "credit-market-sim" / "burn-in"


@cache
def code_digest() -> str:
    """Digest of the `sim` package's source files and the numerical libraries' versions."""
    digest = hashlib.sha256(f"numpy {np.__version__} numba {numba.__version__}".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(base: ScenarioConfig, seed: int, days: int) -> str:
    """The file name (without folder) of the market `base` reaches from `seed` in `days`."""
    digest = hashlib.sha256(base.model_dump_json().encode())
    digest.update(f"|seed {int(seed)}|days {int(days)}|code {code_digest()}".encode())
    return f"{digest.hexdigest()[:32]}.pickle"


def load(path: Path) -> CreditMarket | None:
    """The market kept at `path`, or None if there is none or it cannot be read."""
    try:
        with path.open("rb") as handle:
            model = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            IndexError, TypeError, ValueError):
        return None
    if not isinstance(model, CreditMarket):
        return None
    model.state.rebuild_columns()
    return model


def save(model: CreditMarket, path: Path) -> None:
    """Keep `model` at `path` (written to a temporary file, then renamed); a folder that
    cannot be written leaves the run as it is, uncached."""
    partial: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with (tempfile.NamedTemporaryFile(dir=path.parent, prefix=".partial-",
                                          delete=False) as handle,
              model.columns_detached()):  # rebuilt on loading
            partial = Path(handle.name)
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    except OSError:
        if partial is not None:
            partial.unlink(missing_ok=True)


def burned_in(base: ScenarioConfig, seed: int, days: int) -> CreditMarket:
    """A market of `base` seeded `seed` after `days` days (no Mesa DataCollector; its daily
    metrics are kept): read from the cache if an earlier run kept it there, else simulated and
    kept."""
    folder = cache_folder()
    path = folder / cache_key(base, seed, days) if folder else None
    if path is not None and (kept := load(path)) is not None:
        return kept
    model = CreditMarket(base, rng=seed, collect=False)
    model.run_days(days)
    if path is not None:
        save(model, path)
    return model
