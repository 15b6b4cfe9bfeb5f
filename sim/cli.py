"""Command line: `python run.py run SCENARIO ...` and `python run.py params`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.batch.pool import WorkersDiedError, check_scheduler_address
from sim.batch.runner import NoRunsFinishedError, ShardMismatchError
from sim.config import ScenarioConfig
from sim.lifetime import DEFAULT_RUNOFF_MAX_DAYS
from sim.params_doc import render_toml
from sim.report.writer import OutputError
from sim.scenario import ScenarioError, load_scenario

EXIT_USAGE = 2
DEFAULT_VALIDATION = Path("scenarios/validation/validation.toml")


def _output_options(parser: argparse.ArgumentParser, default_out: Path | None, shown: str,
                    set_help: str = "override a parameter of every run; repeatable",
                    resume: bool = False) -> None:
    """--set, --out, (--resume,) --overwrite and --quiet, shared by every command that runs
    simulations and writes a results folder; `shown` is the default folder as the help says
    it."""
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="SECTION.KEY=VALUE", help=set_help)
    parser.add_argument("--out", type=_out_path, default=default_out,
                        help=f"results folder (default {shown})")
    if resume:
        parser.add_argument("--resume", action="store_true", help="keep finished runs in "
                            "--out and run only the missing ones")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing results "
                        "folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _out_path(text: str) -> Path:
    """--out as a path; an empty one (which would mean the current folder) is refused."""
    if not text.strip():
        raise OutputError("--out is empty; name a results folder")
    return Path(text)


def _runner_options(parser: argparse.ArgumentParser) -> None:
    """Where the runs happen (`sim.batch.pool`), for every command that runs many."""
    parser.add_argument("--workers", type=int, help="worker processes of the local pool or "
                        "LocalCluster (default: all cores)")
    parser.add_argument("--backend", choices=("local", "dask"), help="local: a process pool "
                        "on this machine (default; compare, validate and calibrate with one "
                        "worker and no --backend run in this process); dask: "
                        "dask.distributed, a LocalCluster or the cluster at --scheduler")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="join the Dask cluster at this "
                        "address (tcp://host:8786) instead of starting a LocalCluster")


def _runner(args: argparse.Namespace) -> dict[str, object]:
    """The runner arguments of a command: workers, backend and scheduler."""
    from sim.batch.runner import default_workers

    if args.scheduler is not None:
        if args.backend != "dask":
            raise ScenarioError("--scheduler", None, "needs --backend dask")
        check_scheduler_address(args.scheduler)
    return {"workers": args.workers or default_workers(), "backend": args.backend,
            "scheduler": args.scheduler}


def _batch_options(parser: argparse.ArgumentParser, default_out: Path | None,
                   shown: str) -> None:
    """Options shared by the commands that run comparison files (`compare`, `validate`);
    `shown` is the default results folder as the help says it."""
    parser.add_argument("--replicates", type=int, help="runs per variant (default: each "
                        "comparison file's, 20 if it says nothing)")
    _runner_options(parser)
    parser.add_argument("--borrowers", type=int, help="number of borrowers (overrides "
                        "run.borrowers)")
    parser.add_argument("--days", type=int, help="days after the burn-in (overrides run.days)")
    parser.add_argument("--seed", type=int, help="root seed (overrides run.seed)")
    _output_options(parser, default_out, shown, resume=True)


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
    run.add_argument("--runoff", type=int, nargs="?", const=DEFAULT_RUNOFF_MAX_DAYS,
                     metavar="MAX_DAYS", help="after the last day, follow the book with no new "
                     "lending until every loan and claim has ended (at most MAX_DAYS, default "
                     f"{DEFAULT_RUNOFF_MAX_DAYS}) and report lifetime measures from "
                     "run.steady_state_from_day (docs/accounting.md)")
    _output_options(run, None, "results/<scenario>-seed<seed>",
                    set_help="override any parameter; repeatable")

    compare = commands.add_parser(
        "compare", help="run every variant of a comparison file R times on common random "
        "numbers and write tables, figures and a report")
    compare.add_argument("comparison", type=Path, help="comparison file, e.g. "
                         "scenarios/compare/strict_vs_lenient.toml")
    _batch_options(compare, default_out=None, shown="results/<comparison>")

    decompose = commands.add_parser(
        "decompose", help="which lever does it: run the factorial of the levers in which two "
        "variants of a comparison file differ and write each lever's effects")
    decompose.add_argument("comparison", type=Path, help="comparison file, e.g. "
                           "scenarios/compare/strict_vs_lenient.toml")
    decompose.add_argument("--from", dest="reference", metavar="VARIANT", help="the policy "
                           "the levers start from (default: the file's first variant)")
    decompose.add_argument("--to", dest="target", metavar="VARIANT", help="the policy they "
                           "move to (default: the file's second variant)")
    decompose.add_argument("--design", choices=("auto", "full", "half"), default="auto",
                           help="full: every combination of levers; half: the half fraction "
                           "(four levers or more); auto (default): full up to four levers")
    _batch_options(decompose, default_out=None, shown="results/<comparison>-levers")

    validate = commands.add_parser(
        "validate", help="run the experiments of a validation file and set the model beside "
        "published stylised facts (validation.csv, a figure, report.md)")
    validate.add_argument("validation", type=Path, nargs="?", default=DEFAULT_VALIDATION,
                          help=f"validation file (default {DEFAULT_VALIDATION})")
    _batch_options(validate, default_out=Path("results/validation"),
                   shown="results/validation")

    calibrate = commands.add_parser(
        "calibrate", help="search parameters so the model's steady state meets chosen facts "
        "(trials.csv, best.toml, a figure, report.md)")
    calibrate.add_argument("calibration", type=Path, help="calibration file, e.g. "
                           "scenarios/calibration/steady_state.toml")
    calibrate.add_argument("--trials", type=int, help="parameter sets to try (default: the "
                           "file's)")
    calibrate.add_argument("--replicates", type=int, help="runs per trial (default: the "
                           "file's)")
    _runner_options(calibrate)
    _output_options(calibrate, None, "results/calibration-<file>")

    sweep = commands.add_parser(
        "sweep", help="run a sweep file's design on a process pool or a Dask cluster and "
        "write samples, sensitivity indices, response curves, the policy frontier, figures "
        "and a report")
    sweep.add_argument("sweep", type=Path, help="sweep file, e.g. "
                       "scenarios/sweeps/collection_policy.toml")
    sweep.add_argument("--samples", type=int, help="the design's N (default: the file's)")
    sweep.add_argument("--replicates", type=int, help="runs per sample (default: the file's)")
    _runner_options(sweep)
    sweep.add_argument("--series", action="store_true", help="also keep every run's daily "
                       "metrics (timeseries.parquet)")
    _output_options(sweep, None, "results/sweep-<file>", resume=True)

    dashboard = commands.add_parser(
        "dashboard", help="start the interactive dashboard in a browser (Solara)")
    dashboard.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    dashboard.add_argument("--host", default="localhost", help="host to listen on (default "
                           "localhost; 0.0.0.0 to serve a classroom network)")

    assets = commands.add_parser(
        "assets", help="fill Solara's asset cache from the npm registry, so the dashboard "
        "works where Solara's CDN is unreachable")
    assets.add_argument("--cache", type=Path, help="cache folder (default: Solara's own, "
                        "SOLARA_ASSETS_PROXY_CACHE_DIR or <venv>/share/solara/cdn)")

    commands.add_parser("params", help="print the documented baseline scenario (every "
                        "parameter with unit, meaning and source)")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except OutputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "params":
            sys.stdout.write(render_toml(ScenarioConfig()))
            return 0
        if args.command == "compare":
            return _compare(args)
        if args.command == "decompose":
            return _decompose(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "calibrate":
            return _calibrate(args)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "dashboard":
            return _dashboard(args)
        if args.command == "assets":
            return _assets(args)
        return _run(args)
    except (ScenarioError, OutputError, ShardMismatchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except NoRunsFinishedError as error:
        print(f"error: {error}", file=sys.stderr)
        _report_missing(error.failures, [])
        return 1
    except WorkersDiedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if getattr(args, "resume", None) is None:
            print("interrupted; no results folder was written", file=sys.stderr)
        else:
            print("interrupted; the finished runs are kept in the results folder's shards/: "
                  "the same command with --resume runs the rest", file=sys.stderr)
        return 130


def _overrides(args: argparse.Namespace) -> list[str]:
    """--seed, --days and --borrowers as overrides, then every --set (validated, and wins)."""
    overrides = []
    for flag, key in (("seed", "run.seed"), ("days", "run.days"),
                      ("borrowers", "run.borrowers")):
        value = getattr(args, flag)
        if value is not None:
            overrides.append(f"{key}={value}")
    return overrides + args.overrides


def _check_counts(args: argparse.Namespace,
                  flags: tuple[str, ...] = ("replicates", "workers")) -> None:
    """Each count given on the command line (`--replicates`, ...) is 1 or more."""
    for flag in flags:
        if getattr(args, flag) is not None and getattr(args, flag) < 1:
            raise ScenarioError(f"--{flag}", None, "must be 1 or more")


def _report_missing(failures: list, missing: list) -> None:
    """The failed runs and how many are missing, on standard error."""
    for failure in failures:
        print(f"  run failed: {failure.describe()}", file=sys.stderr)
    if missing:
        print(f"  {len(missing)} run(s) missing; rerun with --resume to retry them",
              file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    from sim.validation.run import run_validation
    from sim.validation.spec import load_validation

    _check_counts(args)
    runner = _runner(args)
    validation = load_validation(args.validation)
    result = run_validation(validation, args.out, replicates=args.replicates,
                            overrides=_overrides(args), resume=args.resume,
                            overwrite=args.overwrite, progress=not args.quiet, **runner)
    print(f"wrote {result.folder}")
    for _, row in result.table[result.table["role"] == "check"].iterrows():
        value = "" if row["n"] == 0 else f"{row['model_mean']:,.3g}"
        print(f"  {row['fact']:4s} {row['published_low']:>8,.3g}-{row['published_high']:<8,.3g}"
              f" model {value:>8s}  {row['verdict']}")
    if result.missing_runs:
        print(f"  {result.missing_runs} run(s) missing; rerun with --resume to retry them",
              file=sys.stderr)
    return 1 if result.missing_runs else 0


def _dashboard(args: argparse.Namespace) -> int:
    import subprocess

    app = Path(__file__).resolve().parent / "dashboard" / "app.py"
    print(f"dashboard on http://{args.host}:{args.port} (Ctrl-C stops it); if the page stays "
          "on 'Loading app', run `python run.py assets` once", flush=True)
    # Solara's corner banner would sit over the page's last card.
    env = {**os.environ, "SOLARA_THEME_SHOW_BANNER": "false"}
    return subprocess.call([sys.executable, "-m", "solara", "run", str(app), "--port",
                            str(args.port), "--host", args.host, "--production"], env=env)


def _assets(args: argparse.Namespace) -> int:
    from sim.dashboard.assets import AssetsError, cache_dir, fill_cache

    folder = args.cache or cache_dir()
    try:
        report = fill_cache(folder)
    except AssetsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for package, status in report:
        print(f"  {status:8s} {package}")
    print(f"Solara's assets are in {folder}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from sim.validation.calibrate import load_calibration, run_calibration

    _check_counts(args, ("trials", "replicates", "workers"))
    runner = _runner(args)
    calibration = load_calibration(args.calibration, args.overrides, args.trials,
                                   args.replicates)
    out = args.out or Path("results") / f"calibration-{args.calibration.stem}"
    result = run_calibration(calibration, out, overwrite=args.overwrite,
                             progress=not args.quiet, **runner)
    print(f"wrote {result.folder}")
    for key, value in result.best.items():
        print(f"  {key:40s} {value:,.4g}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from sim.sweep.job import run_sweep
    from sim.sweep.spec import load_sweep

    _check_counts(args, ("samples", "replicates", "workers"))
    runner = _runner(args)
    # A sweep always runs in worker processes, even with one: a run that kills its worker
    # is then reported instead of ending the sweep.
    runner["backend"] = runner["backend"] or "local"
    sweep = load_sweep(args.sweep, args.overrides, args.samples, args.replicates)
    out = args.out or Path("results") / f"sweep-{args.sweep.stem}"
    try:
        result = run_sweep(sweep, out, resume=args.resume, overwrite=args.overwrite,
                           progress=not args.quiet, series=args.series, **runner)
    except WorkersDiedError as error:
        print(f"error: {error}; finished runs are kept in {out}/shards (--resume)",
              file=sys.stderr)
        return 1
    print(f"wrote {result.folder} ({result.ran} runs now, "
          f"{len(result.samples)} design rows in all)")
    _report_missing(result.failures, result.missing)
    return 1 if result.missing else 0


def _compare(args: argparse.Namespace) -> int:
    from sim.batch.compare import run_comparison
    from sim.batch.comparison import load_comparison
    from sim.model import check_fits_in_memory

    _check_counts(args)
    runner = _runner(args)
    comparison = load_comparison(args.comparison, _overrides(args), args.replicates)
    check_fits_in_memory(comparison.base)
    out = args.out or Path("results") / args.comparison.stem
    result = run_comparison(comparison, out, resume=args.resume, overwrite=args.overwrite,
                            progress=not args.quiet, **runner)
    print(f"wrote {result.folder}")
    _report_missing(result.failures, result.missing)
    from sim.report.compare_report import trust_warnings

    for warning in trust_warnings(comparison, result.summary):
        print(f"WARNING: {warning}", file=sys.stderr)
    diffs = result.differences
    if "metric" not in diffs:  # no variant has runs paired with the reference's
        return 1 if result.missing else 0
    for _, row in diffs[diffs["metric"].isin(["lifetime_loss_rate", "lifetime_net_loss",
                                               "risk_adjusted_profit",
                                               "complaints_per_1000"])].iterrows():
        print(f"  {row['variant']} - {row['reference']}: {row['metric']:26s} "
              f"{row['mean_difference']:+,.4f}  [{row['ci_low']:+,.4f}, {row['ci_high']:+,.4f}]")
    return 1 if result.missing else 0


def _decompose(args: argparse.Namespace) -> int:
    from sim.batch.comparison import load_comparison
    from sim.batch.decompose import build_decomposition
    from sim.batch.decompose_job import run_decomposition
    from sim.model import check_fits_in_memory

    _check_counts(args)
    runner = _runner(args)
    comparison = load_comparison(args.comparison, _overrides(args), args.replicates)
    decomposition = build_decomposition(comparison, args.reference, args.target, args.design)
    check_fits_in_memory(comparison.base)
    out = args.out or Path("results") / f"{args.comparison.stem}-levers"
    result = run_decomposition(decomposition, out, resume=args.resume,
                               overwrite=args.overwrite, progress=not args.quiet, **runner)
    print(f"wrote {result.folder}")
    _report_missing(result.failures, result.missing)
    effects = result.effects
    main = effects[(effects["kind"] == "main")
                   & effects["measure"].isin(["lifetime_loss_rate", "risk_adjusted_profit"])]
    for _, row in main.iterrows():
        print(f"  {row['term']:16s} {row['measure']:22s} {row['effect']:+,.4f}  "
              f"[{row['ci_low']:+,.4f}, {row['ci_high']:+,.4f}]")
    return 1 if result.missing else 0


def _run(args: argparse.Namespace) -> int:
    from sim.single_run import run_to_folder

    config = load_scenario(args.scenario, _overrides(args))
    out = args.out or Path("results") / f"{args.scenario.stem}-seed{config.run.seed}"
    if args.runoff is not None and args.runoff < 1:
        print("error: --runoff takes a number of days >= 1", file=sys.stderr)
        return 2
    folder, summary = run_to_folder(config, str(args.scenario), out, overwrite=args.overwrite,
                                    progress=not args.quiet, runoff_max_days=args.runoff)
    print(f"wrote {folder}")
    keys = ["annual_default_rate", "annual_net_chargeoff_rate", "dpd30_share",
            "dpd30_share_incl_forborne", "bad_debt_loss", "collection_cost",
            "complaints_per_1000", "risk_adjusted_profit"]
    if args.runoff is not None:
        keys += ["lifetime_loss_rate", "lifetime_net_loss", "runoff_open_share"]
    for key in keys:
        print(f"  {key:28s} {summary[key]:,.4f}")
    from sim.single_run import read_with_care
    from sim.summary import measure_status

    for line in read_with_care(measure_status(summary, config.run.steady_state_from_day)):
        print(f"WARNING: {line.removeprefix('- ').replace('**', '')}", file=sys.stderr)
    return 0
