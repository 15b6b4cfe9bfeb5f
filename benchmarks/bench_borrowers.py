"""What borrowers who decide cost: throughput of the lenient scenario (deferral on, so false
claims and reviews happen) with the borrower mechanisms at their defaults against the same
runs with them off (no fading history or inquiries, no false claims, forgiveness or
grievance, no enforceable judgments, no scarring, no refusal complaints).

Usage: python benchmarks/bench_borrowers.py [--sizes 10000 100000] [--days 365]
       [--repeats 3] [--json results/benchmarks/bench_borrowers.json]

Each measurement is the fastest of `--repeats` runs (accounting checks on) after the compiled
kernels are loaded; the time spent in the bureau's monthly fading
(`CreditBureau.fade_history`) is shown apart. Prints a table and writes it as JSON; asserts
nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
from benchmarks.on_off import arguments, compare_on_off, timed_scenario_run  # noqa: E402
from sim.bureau import CreditBureau  # noqa: E402

OFF = ["bureau.history_half_life_days=0", "bureau.inquiry_points=0",
       "strategic.false_claim_rate=0", "strategic.forgiveness_weight=0",
       "strategic.grievance_weight=0", "legal.enforceable_share=0",
       "shocks.job_loss_income_scar=0", "deferral.refusal_complaint_probability=0",
       "deferral.review_cost=0"]


def timed_run(borrowers: int, days: int, overrides: list[str]) -> dict[str, float]:
    """One lenient run; wall seconds, and seconds in the monthly fading of scores."""
    return timed_scenario_run(ROOT / "scenarios" / "lenient.toml", borrowers, days, overrides,
                              {"fade": (CreditBureau, "fade_history")})


def main() -> None:
    args = arguments(__doc__.splitlines()[0],
                     ROOT / "results" / "benchmarks" / "bench_borrowers.json")
    compare_on_off(args, timed_run, OFF, {"fade_seconds": "fading s"})


if __name__ == "__main__":
    main()
