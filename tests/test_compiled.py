"""The compiled-kernel cache is keyed by the kernel modules' source, so no stale kernel
survives and an edit elsewhere recompiles nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim import compiled


def test_any_kernel_source_change_gives_a_new_cache_folder(tmp_path: Path) -> None:
    package = tmp_path / "sim"
    shutil.copytree(compiled.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = compiled.source_digest(package)
    assert compiled.source_digest(package) == before  # stable
    loans = package / "loans.py"
    text = loans.read_text()
    loans.write_text(text + "\n# changed\n")
    assert compiled.source_digest(package) != before
    loans.write_text(text)
    assert compiled.source_digest(package) == before
    loans.rename(package / "loans_moved.py")  # a rename counts as well
    assert compiled.source_digest(package) != before


def test_cache_folder_sits_under_numba_cache_dir(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    folder = compiled.cache_folder()
    assert folder.parent == tmp_path
    assert folder.name == f"numba-{compiled.source_digest()}"
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert compiled.cache_folder().parent == tmp_path / "xdg" / "credit-market-sim"


def test_edits_outside_the_kernels_keep_the_cache_but_constants_do_not(tmp_path: Path) -> None:
    package = tmp_path / "sim"
    shutil.copytree(compiled.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = compiled.source_digest(package)
    for name in ("dashboard/app.py", "report/compare_report.py", "summary.py"):
        path = package / name
        path.write_text(path.read_text() + "\n# a label changed\n")
    assert compiled.source_digest(package) == before
    config = package / "config.py"  # kernels read its constants (DPD buckets, score bands)
    config.write_text(config.read_text() + "\n# changed\n")
    assert compiled.source_digest(package) != before
    changed = compiled.source_digest(package)
    params = package / "params.py"  # kernels read its parameter tuples and priorities
    params.write_text(params.read_text() + "\n# changed\n")
    assert compiled.source_digest(package) != changed


def test_kernels_are_cached_in_that_folder_and_old_folders_are_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process with NUMBA_CACHE_DIR set compiles a kernel into the version's folder;
    the folders of older versions are removed."""
    import subprocess
    import sys

    stale = tmp_path / "numba-0000000000000000"
    stale.mkdir()
    code = ("from sim import compiled; from sim.rows import union_rows; import numpy as np; "
            "union_rows(np.arange(3), np.arange(2)); "
            "print(compiled.cache_folder()); compiled.remove_stale_caches()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, "NUMBA_CACHE_DIR": str(tmp_path)},
                          cwd=compiled.PACKAGE.parent, timeout=600, check=True)
    folder = Path(done.stdout.strip())
    assert folder.parent == tmp_path and folder.name == f"numba-{compiled.source_digest()}"
    assert list(folder.rglob("*.nbi")), "the kernel's index is in the version's folder"
    assert not stale.exists()
