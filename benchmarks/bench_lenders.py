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

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
from benchmarks.on_off import arguments, compare_on_off, timed_scenario_run  # noqa: E402
from sim.agents.lender import Lender  # noqa: E402
from sim.model import CreditMarket  # noqa: E402

OFF = ["supply.enabled=false", "regulation.enabled=false", "collection.hiring=false"]


def timed_run(borrowers: int, days: int, overrides: list[str]) -> dict[str, float]:
    """One baseline run; wall seconds, and seconds in the reviews and the lenders' day end."""
    return timed_scenario_run(ROOT / "scenarios" / "baseline.toml", borrowers, days, overrides,
                              {"review": (CreditMarket, "review"),
                               "close_day": (Lender, "close_day")})


def main() -> None:
    args = arguments(__doc__.splitlines()[0],
                     ROOT / "results" / "benchmarks" / "bench_lenders.json")
    compare_on_off(args, timed_run, OFF,
                   {"review_seconds": "reviews s", "close_day_seconds": "day end s"})


if __name__ == "__main__":
    main()
