"""Sweep throughput: runs per second of the same sweep on 1 and 2 local workers and on a
2-worker Dask LocalCluster.

Usage: python benchmarks/bench_sweep.py [--sweep scenarios/sweeps/collection_policy.toml]
       [--samples 4] [--borrowers 1000] [--days 365]
       [--json results/benchmarks/bench_sweep.json]
       python benchmarks/bench_sweep.py --client-memory [--sizes 250 1000 4000]

The sweep file's design runs with the given size (no response curves), once per setting,
into a temporary folder. Wall time covers the whole sweep as a user sees it: starting the
pool or cluster, the runs, the analysis and the figures; `runs_per_second` divides the runs by
it (a small sweep runs first, unmeasured, so the first setting does not pay for loading
libraries). The three settings give identical tables (the tests check it); this prints a table
and writes it as JSON; it asserts nothing.

`--client-memory` measures instead how the client's memory grows with the number of runs: a
Latin-hypercube sweep of the same file's parameters with tiny runs (100 borrowers x 30 days)
at each size, each in its own process, reporting that process's peak resident set size.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from sim.report.writer import package_versions, write_json  # noqa: E402
from sim.sweep.job import run_sweep  # noqa: E402
from sim.sweep.spec import load_sweep  # noqa: E402

SETTINGS = (("local", 1), ("local", 2), ("dask", 2))


def measure(sweep_file: Path, samples: int, borrowers: int, days: int, backend: str,
            workers: int) -> dict[str, object]:
    sweep = load_sweep(sweep_file, [f"run.borrowers={borrowers}", f"run.days={days}",
                                    f"run.steady_state_from_day={days // 2}"], samples=samples)
    sweep = dataclasses.replace(sweep, spec=sweep.spec.model_copy(
        update={"top_parameters": 0}))
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = run_sweep(sweep, Path(folder) / "out", backend=backend, workers=workers,
                           progress=False)
        wall = time.perf_counter() - start
    return {"backend": backend, "workers": workers, "runs": result.ran,
            "wall_seconds": round(wall, 2), "runs_per_second": round(result.ran / wall, 3),
            "failures": len(result.failures)}


def client_memory(sweep_file: Path, samples: int) -> dict[str, object]:
    """Peak RSS of a process that runs an lhs sweep of `samples` tiny runs on two workers."""
    code = f"""
import dataclasses, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from sim.sweep.job import run_sweep
from sim.sweep.spec import load_sweep
if __name__ == "__main__":
    sweep = load_sweep({str(sweep_file)!r}, ["run.borrowers=100", "run.days=30",
                       "run.steady_state_from_day=10"], samples={samples}, replicates=1)
    sweep = dataclasses.replace(sweep, spec=sweep.spec.model_copy(
        update={{"design": "lhs", "top_parameters": 0}}), anchors=())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = run_sweep(sweep, Path(folder) / "out", workers=2, progress=False)
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(result.ran, before, after, round(wall, 2))
"""
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    runs, before, after, wall = done.stdout.split()[-4:]
    return {"runs": int(runs), "peak_rss_mb": round(int(after) / 1024, 1),
            "growth_mb": round((int(after) - int(before)) / 1024, 1),
            "wall_seconds": float(wall)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path,
                        default=ROOT / "scenarios" / "sweeps" / "collection_policy.toml")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--borrowers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--json", type=Path,
                        default=ROOT / "results" / "benchmarks" / "bench_sweep.json")
    parser.add_argument("--client-memory", action="store_true",
                        help="measure the client's peak memory at --sizes runs instead")
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 4000])
    args = parser.parse_args()
    if args.client_memory:
        print(f"{'runs':>6s} {'peak RSS (MB)':>14s} {'growth (MB)':>12s} {'wall (s)':>9s}")
        records = []
        for size in args.sizes:
            record = client_memory(args.sweep, size)
            records.append(record)
            print(f"{record['runs']:>6d} {record['peak_rss_mb']:>14.1f} "
                  f"{record['growth_mb']:>12.1f} {record['wall_seconds']:>9.1f}")
        path = args.json.with_name("bench_sweep_memory.json")
        write_json(path, {"sweep": str(args.sweep), "results": records,
                          "versions": package_versions()})
        print(f"wrote {path}")
        return
    # warm-up: this process's first sweep loads SALib, draws its first figure, ...
    measure(args.sweep, 1, 200, 60, "local", 1)
    records = [measure(args.sweep, args.samples, args.borrowers, args.days, backend, workers)
               for backend, workers in SETTINGS]
    base = records[0]["runs_per_second"]
    print(f"{args.sweep.name}: {records[0]['runs']} runs of {args.borrowers:,} borrowers x "
          f"{args.days} days, on {os.cpu_count()} cores")
    print(f"{'backend':8s} {'workers':>7s} {'wall (s)':>9s} {'runs/s':>8s} {'speed-up':>9s}")
    for record in records:
        print(f"{record['backend']:8s} {record['workers']:>7d} {record['wall_seconds']:>9.1f} "
              f"{record['runs_per_second']:>8.2f} {record['runs_per_second'] / base:>8.2f}x")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.json, {"sweep": str(args.sweep.relative_to(ROOT)
                                        if args.sweep.is_relative_to(ROOT) else args.sweep),
                           "samples": args.samples, "borrowers": args.borrowers,
                           "days": args.days, "cores": os.cpu_count(),
                           "platform": platform.platform(), "versions": package_versions(),
                           "results": records})
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
