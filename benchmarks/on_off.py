"""The table both mechanism benchmarks print: throughput with a set of mechanisms on (the
defaults) against off, at each size, with chosen parts of the time shown apart."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from sim.compiled import warm_up
from sim.model import CreditMarket
from sim.report.writer import write_json
from sim.scenario import load_scenario

Run = Callable[[int, int, list[str]], dict[str, float]]
"""(borrowers, days, overrides) -> wall_seconds and other *_seconds of one run."""


def timed_scenario_run(scenario: Path, borrowers: int, days: int, overrides: list[str],
                       parts: dict[str, tuple[type, str]]) -> dict[str, float]:
    """One run of `scenario` with `overrides`: `wall_seconds`, and `<name>_seconds` for each
    `parts` entry name -> (class, method), the time spent in that method (wrapped for the
    run, restored after)."""
    config = load_scenario(scenario, [f"run.borrowers={borrowers}", f"run.days={days}",
                                      *overrides])
    spent = dict.fromkeys(parts, 0.0)
    originals = {name: getattr(owner, method) for name, (owner, method) in parts.items()}

    def timed(name: str, original: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            result = original(*args, **kwargs)
            spent[name] += time.perf_counter() - start
            return result
        return wrapper

    for name, (owner, method) in parts.items():
        setattr(owner, method, timed(name, originals[name]))
    try:
        model = CreditMarket(config, collect=False)
        start = time.perf_counter()
        model.run_days(days)
        wall = time.perf_counter() - start
    finally:
        for name, (owner, method) in parts.items():
            setattr(owner, method, originals[name])
    return {"wall_seconds": wall, **{f"{name}_seconds": v for name, v in spent.items()}}


def arguments(description: str, default_json: Path) -> argparse.Namespace:
    """The benchmarks' command line: --sizes, --days, --repeats, --json."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=default_json)
    return parser.parse_args()


def compare_on_off(args: argparse.Namespace, timed_run: Run, off: list[str],
                   parts: dict[str, str]) -> None:
    """Time the fastest of `args.repeats` runs with the defaults and with `off`, at each size;
    print borrower-days per second and the seconds of `parts` (result key -> column title),
    then the on/off throughput ratio; write the rows to `args.json`."""
    warm_up()
    rows = []
    print(f"{'borrowers':>10} {'mechanisms':>10} {'borrower-days/s':>16} "
          + " ".join(f"{title:>10}" for title in parts.values()))
    for borrowers in args.sizes:
        for label, overrides in (("on", []), ("off", off)):
            best = min((timed_run(borrowers, args.days, overrides)
                        for _ in range(args.repeats)), key=lambda r: r["wall_seconds"])
            rate = borrowers * args.days / best["wall_seconds"]
            rows.append({"borrowers": borrowers, "mechanisms": label, "days": args.days,
                         "borrower_days_per_second": rate, **best})
            print(f"{borrowers:>10,} {label:>10} {rate:>16,.0f} "
                  + " ".join(f"{best[key]:>10.3f}" for key in parts))
        on, off_rate = rows[-2]["borrower_days_per_second"], rows[-1]["borrower_days_per_second"]
        print(f"{'':>10} {'on / off':>10} {on / off_rate:>16.3f} (throughput ratio)")
    write_json(args.json, {"rows": rows})
    print(f"wrote {args.json}")
