"""The benchmarks still run against the code as it is (tiny sizes; nothing is timed here:
figures belong to the benchmarks themselves)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("script", "args"), [
    ("bench_core.py", ["--borrowers", "500", "--days", "30"]),
    ("bench_borrowers.py", ["--sizes", "500", "--days", "30", "--repeats", "1"]),
    ("bench_lenders.py", ["--sizes", "500", "--days", "30", "--repeats", "1"]),
])
@pytest.mark.slow
def test_benchmark_runs_and_writes_its_figures(tmp_path: Path, script: str,
                                               args: list[str]) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args,
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(out.read_text())
