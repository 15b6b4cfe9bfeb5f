"""The compiled-kernel cache is keyed by the package's source, so no stale kernel survives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim import compiled


def test_any_source_change_gives_a_new_cache_folder(tmp_path: Path) -> None:
    package = tmp_path / "sim"
    shutil.copytree(compiled.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = compiled.source_digest(package)
    assert compiled.source_digest(package) == before  # stable
    payments = package / "payments.py"
    text = payments.read_text()
    payments.write_text(text + "\n# changed\n")
    assert compiled.source_digest(package) != before
    payments.write_text(text)
    assert compiled.source_digest(package) == before
    payments.rename(package / "payments_moved.py")  # a rename counts as well
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


def test_the_kernels_use_that_folder() -> None:
    import numba

    assert str(compiled.cache_folder()) == numba.config.CACHE_DIR
