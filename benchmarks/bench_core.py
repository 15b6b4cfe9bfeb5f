"""Borrower-ticks per second of the full daily cycle, and the cost of each phase.

Usage: python benchmarks/bench_core.py [--borrowers 100000] [--days 365] [--json FILE]

Runs the baseline scenario (accounting checks on, as in every run) on one core and prints
the throughput and the share of time each phase takes. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import time
from collections import defaultdict
from pathlib import Path

from sim.compiled import warm_up
from sim.model import CreditMarket
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
PHASE_MODULES = ("life", "lending", "repayment", "deferral", "collection", "reporting",
                 "chargeoff")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(borrowers: int, days: int, seed: int) -> dict[str, object]:
    """Time one baseline run phase by phase; memory is the peak RSS growth over the RSS of
    the interpreter with every library imported and the compiled kernels loaded, per
    borrower."""
    warm_up()
    before = peak_rss_bytes()
    config = load_scenario(ROOT / "scenarios" / "baseline.toml",
                           [f"run.borrowers={borrowers}", f"run.days={days}",
                            f"run.seed={seed}"])
    spent: dict[str, float] = defaultdict(float)
    originals = {}
    for name in PHASE_MODULES:
        mod = importlib.import_module(f"sim.phases.{name}")
        originals[name] = mod.run

        def timed(*args, _run=mod.run, _name=name):
            start = time.perf_counter()
            _run(*args)
            spent[_name] += time.perf_counter() - start

        mod.run = timed
    try:
        build = time.perf_counter()
        model = CreditMarket(config)
        built = time.perf_counter() - build
        start = time.perf_counter()
        model.run_days(days)
        wall = time.perf_counter() - start
    finally:
        for name, original in originals.items():
            importlib.import_module(f"sim.phases.{name}").run = original
    spent["metrics and checks"] = wall - sum(spent.values())
    return {
        "borrowers": borrowers, "days": days, "seed": seed,
        "setup_seconds": round(built, 3), "wall_seconds": round(wall, 3),
        "borrower_ticks_per_second": borrowers * days / wall,
        "peak_rss_mb": peak_rss_bytes() / 2**20,
        "rss_before_model_mb": before / 2**20,
        "bytes_per_borrower": (peak_rss_bytes() - before) / borrowers,
        "phase_seconds": {k: round(v, 3) for k, v in spent.items()},
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--borrowers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    result = run(args.borrowers, args.days, args.seed)
    print(f"{result['borrowers']:,} borrowers x {result['days']} days on {result['machine']}")
    print(f"  wall {result['wall_seconds']:.2f} s (setup {result['setup_seconds']:.2f} s), "
          f"{result['borrower_ticks_per_second'] / 1e6:.1f} million borrower-ticks/s, "
          f"peak RSS {result['peak_rss_mb']:.0f} MB "
          f"({result['bytes_per_borrower']:.0f} bytes per borrower over the "
          f"{result['rss_before_model_mb']:.0f} MB of the interpreter, libraries and kernels)")
    total = sum(result["phase_seconds"].values())
    for name, seconds in sorted(result["phase_seconds"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:20s} {seconds:7.3f} s  {100 * seconds / total:5.1f} %")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
