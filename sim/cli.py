"""Command line: `python run.py run SCENARIO ...` and `python run.py params`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.config import ScenarioConfig
from sim.params_doc import render_toml
from sim.report.writer import OutputExistsError
from sim.scenario import ScenarioError, load_scenario

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Agent-based credit market simulator.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run one simulation and write a results folder")
    run.add_argument("scenario", type=Path, help="scenario file (TOML), e.g. "
                     "scenarios/baseline.toml")
    run.add_argument("--seed", type=int, help="root seed (overrides run.seed)")
    run.add_argument("--days", type=int, help="days to simulate (overrides run.days)")
    run.add_argument("--borrowers", type=int, help="number of borrowers (overrides "
                     "run.borrowers)")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     metavar="SECTION.KEY=VALUE", help="override any parameter; repeatable")
    run.add_argument("--out", type=Path, help="results folder (default "
                     "results/<scenario>-seed<seed>)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing results "
                     "folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    commands.add_parser("params", help="print the documented baseline scenario (every "
                        "parameter with unit, meaning and source)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "params":
            sys.stdout.write(render_toml(ScenarioConfig()))
            return 0
        return _run(args)
    except (ScenarioError, OutputExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; no results folder was written", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from sim.single_run import run_to_folder

    overrides = []
    for flag, key in (("seed", "run.seed"), ("days", "run.days"),
                      ("borrowers", "run.borrowers")):
        value = getattr(args, flag)
        if value is not None:
            overrides.append(f"{key}={value}")
    overrides += args.overrides  # given last, so every --set is validated and wins
    config = load_scenario(args.scenario, overrides)
    out = args.out or Path("results") / f"{args.scenario.stem}-seed{config.run.seed}"
    folder, summary = run_to_folder(config, str(args.scenario), out, overwrite=args.overwrite,
                                    progress=not args.quiet)
    print(f"wrote {folder}")
    for key in ("default_rate", "annual_net_chargeoff_rate", "dpd30_share", "dpd90_share",
                "bad_debt_loss", "collection_cost", "complaints_per_1000", "lender_profit"):
        print(f"  {key:28s} {summary[key]:,.4f}")
    return 0
