"""What lenders that respond cost: throughput with the supply response, the regulator and
hiring on (the defaults) against the same runs with them off.

Usage: python benchmarks/bench_lenders.py [--sizes 10000 100000] [--days 365] [--repeats 3]
       [--json results/benchmarks/bench_lenders.json]

Each measurement is the fastest of `--repeats` runs of the baseline scenario (accounting
checks on) after the compiled kernels are loaded; the time spent in the day's reviews
(`CreditMarket.review`) and in the lenders' end of day (`Lender.close_day`) is shown apart.
Prints a table and writes it as JSON; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.agents.lender import Lender
from sim.compiled import warm_up
from sim.model import CreditMarket
from sim.report.writer import write_json
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
OFF = ["supply.enabled=false", "regulation.enabled=false", "collection.hiring=false"]


def timed_run(borrowers: int, days: int, overrides: list[str]) -> dict[str, float]:
    """One baseline run; wall seconds, and seconds in the reviews and the lenders' day end."""
    config = load_scenario(ROOT / "scenarios" / "baseline.toml",
                           [f"run.borrowers={borrowers}", f"run.days={days}", *overrides])
    spent = {"review": 0.0, "close_day": 0.0}
    review, close_day = CreditMarket.review, Lender.close_day

    def timed_review(model):
        start = time.perf_counter()
        review(model)
        spent["review"] += time.perf_counter() - start

    def timed_close_day(lender, provisions):
        start = time.perf_counter()
        close_day(lender, provisions)
        spent["close_day"] += time.perf_counter() - start

    CreditMarket.review, Lender.close_day = timed_review, timed_close_day
    try:
        model = CreditMarket(config, collect=False)
        start = time.perf_counter()
        model.run_days(days)
        wall = time.perf_counter() - start
    finally:
        CreditMarket.review, Lender.close_day = review, close_day
    return {"wall_seconds": wall, **{f"{k}_seconds": v for k, v in spent.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path,
                        default=ROOT / "results" / "benchmarks" / "bench_lenders.json")
    args = parser.parse_args()
    warm_up()
    rows = []
    print(f"{'borrowers':>10} {'mechanisms':>10} {'borrower-days/s':>16} {'reviews s':>10} "
          f"{'day end s':>10}")
    for borrowers in args.sizes:
        for label, overrides in (("on", []), ("off", OFF)):
            best = min((timed_run(borrowers, args.days, overrides)
                        for _ in range(args.repeats)), key=lambda r: r["wall_seconds"])
            rate = borrowers * args.days / best["wall_seconds"]
            rows.append({"borrowers": borrowers, "mechanisms": label, "days": args.days,
                         "borrower_days_per_second": rate, **best})
            print(f"{borrowers:>10,} {label:>10} {rate:>16,.0f} {best['review_seconds']:>10.3f} "
                  f"{best['close_day_seconds']:>10.3f}")
        on, off = rows[-2]["borrower_days_per_second"], rows[-1]["borrower_days_per_second"]
        print(f"{'':>10} {'on / off':>10} {on / off:>16.3f} (throughput ratio)")
    write_json(args.json, {"rows": rows})
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
