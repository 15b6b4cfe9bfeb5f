"""Throughput and memory at 10k, 100k and 1M borrowers, beside a plain Mesa implementation.

Usage: python benchmarks/bench_scale.py [--days 365] [--reference-days 365] [--repeats 3]
       [--sizes 10000 100000 1000000] [--json results/benchmarks/bench_scale.json]

Each size runs in its own process (so peak memory is its own), the baseline scenario with
accounting checks on, after the compiled kernels are loaded (see `sim.compiled`). The
reference (`benchmarks/reference_mesa.py`: one mesa.Agent per borrower, the same rules) runs
at 10,000 borrowers in the same benchmark run over the same days by default; the ratio
compares borrower-ticks per second. Every measurement is the fastest of `--repeats` runs (a
shared machine's noise only ever slows a run down). Prints a table and writes it as JSON;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from sim.report.writer import write_json  # noqa: E402

REFERENCE_SIZE = 10_000


def measure_core(borrowers: int, days: int, seed: int) -> dict[str, object]:
    """bench_core in a fresh process; returns its JSON record."""
    out = ROOT / "results" / "benchmarks" / f".core-{borrowers}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_core.py"),
                    "--borrowers", str(borrowers), "--days", str(days), "--seed", str(seed),
                    "--json", str(out)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    record = json.loads(out.read_text())
    out.unlink()
    return record


def measure_reference(borrowers: int, days: int, seed: int) -> dict[str, object]:
    """The object-per-agent reference on the same scenario, in this process."""
    from benchmarks.reference_mesa import ReferenceMarket
    from sim.scenario import load_scenario

    config = load_scenario(ROOT / "scenarios" / "baseline.toml",
                           [f"run.borrowers={borrowers}", f"run.days={days}",
                            f"run.seed={seed}"])
    model = ReferenceMarket(config)
    start = time.perf_counter()
    model.run_days(days)
    wall = time.perf_counter() - start
    return {"borrowers": borrowers, "days": days, "wall_seconds": round(wall, 3),
            "borrower_ticks_per_second": borrowers * days / wall}


def fastest(measure, repeats: int, *args) -> dict[str, object]:
    """The record of the fastest of `repeats` calls of `measure(*args)`, with every wall time."""
    records = [measure(*args) for _ in range(max(repeats, 1))]
    best = min(records, key=lambda r: r["wall_seconds"])
    return {**best, "wall_seconds_all": [r["wall_seconds"] for r in records]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reference-days", type=int, default=365)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path,
                        default=ROOT / "results" / "benchmarks" / "bench_scale.json")
    args = parser.parse_args()

    # Compile the kernels (or find them cached) in a process of its own, so that every
    # measured process only loads them and its peak memory holds no compiler.
    subprocess.run([sys.executable, "-c", "from sim.compiled import warm_up; warm_up()"],
                   check=True, cwd=ROOT)
    rows = []
    for size in args.sizes:
        print(f"core: {size:,} borrowers x {args.days} days ...", flush=True)
        rows.append(fastest(measure_core, args.repeats, size, args.days, args.seed))
    print(f"reference: {REFERENCE_SIZE:,} borrowers x {args.reference_days} days ...",
          flush=True)
    reference = fastest(measure_reference, args.repeats, REFERENCE_SIZE, args.reference_days,
                        args.seed)
    core_at_reference = next((r for r in rows if r["borrowers"] == REFERENCE_SIZE), None)
    if core_at_reference is None:
        core_at_reference = fastest(measure_core, args.repeats, REFERENCE_SIZE, args.days,
                                    args.seed)
    ratio = (core_at_reference["borrower_ticks_per_second"]
             / reference["borrower_ticks_per_second"])

    print()
    print(f"machine: {rows[0]['machine']}")
    print(f"{'borrowers':>10} {'days':>5} {'wall s':>8} {'M ticks/s':>10} {'peak MB':>8} "
          f"{'B/borrower':>10}")
    for r in rows:
        print(f"{r['borrowers']:>10,} {r['days']:>5} {r['wall_seconds']:>8.2f} "
              f"{r['borrower_ticks_per_second'] / 1e6:>10.1f} {r['peak_rss_mb']:>8.0f} "
              f"{r['bytes_per_borrower']:>10.0f}")
    print(f"reference (one mesa.Agent per borrower), {REFERENCE_SIZE:,} borrowers x "
          f"{reference['days']} days: {reference['borrower_ticks_per_second'] / 1e6:.3f} M "
          f"ticks/s; the vectorised core is {ratio:.0f} times faster")
    print()
    print("share of time by phase (%):")
    names = list(rows[0]["phase_seconds"])
    print(f"{'phase':>20} " + " ".join(f"{r['borrowers']:>10,}" for r in rows))
    for name in names:
        shares = [100 * r["phase_seconds"][name] / sum(r["phase_seconds"].values())
                  for r in rows]
        print(f"{name:>20} " + " ".join(f"{s:>10.1f}" for s in shares))

    write_json(args.json, {"core": rows, "reference": reference, "speedup_at_10k": ratio,
                           "repeats": args.repeats})
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
