"""One simulation from a validated config to a complete results folder."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sim.config import ScenarioConfig
from sim.lifetime import MeasuredRun, auc_from, measure_window
from sim.model import CreditMarket
from sim.params_doc import render_toml
from sim.report.figures import write_run_figures
from sim.report.writer import manifest, staged_folder, write_frame, write_json, write_text
from sim.summary import (
    SUMMARY_MEASURES,
    contacts_by_channel,
    measure_status,
    window_start,
    window_text,
)
from sim.transitions import as_frame as transitions_frame

RESOLVED_HEADER = """\
# Resolved scenario of this run: every parameter as the model used it.
# Run it again with:  python run.py run config.toml
"""


def simulate(config: ScenarioConfig, progress: bool = False,
             runoff_max_days: int | None = None) -> tuple[CreditMarket, MeasuredRun]:
    """Build the model, run it to `run.steady_state_from_day`, then measure the window to
    `run.days` (and the run-off after it, with `runoff_max_days`; see `sim.lifetime`)."""
    model = CreditMarket(config)
    start = window_start(config.run.steady_state_from_day, config.run.days)
    window = config.model_copy(update={"run": config.run.model_copy(
        update={"steady_state_from_day": start})})
    with tqdm(total=config.run.days + (runoff_max_days or 0), unit="day", desc="simulating",
              disable=not progress, leave=False) as bar:
        model.run_days(start, progress=bar.update)
        measured = measure_window(model, window, config.run.days - start, runoff_max_days,
                                  progress=bar.update)
    return model, measured


def run_to_folder(config: ScenarioConfig, scenario: str, out: Path, overwrite: bool = False,
                  progress: bool = True, runoff_max_days: int | None = None
                  ) -> tuple[Path, dict[str, float]]:
    """Simulate and write the results folder `out`; returns it and the summary. With
    `runoff_max_days`, the book is run off after the last day (lifetime measures)."""
    started = datetime.now(UTC)
    with staged_folder(out, "run", overwrite=overwrite) as staging:
        clock = time.perf_counter()
        model, measured = simulate(config, progress=progress, runoff_max_days=runoff_max_days)
        wall = time.perf_counter() - clock
        frame, summary, moves = measured.frame, measured.summary, measured.transitions
        write_frame(staging / "transitions.csv", transitions_frame(moves))
        start = window_start(config.run.steady_state_from_day, config.run.days)
        write_frame(staging / "risk_gradient.csv", model.risk.risk_gradient(
            auc_from(start, model.day - 1), model.day - 1))
        frame.to_parquet(staging / "timeseries.parquet", index=False)
        status = measure_status(summary, config.run.steady_state_from_day)
        write_json(staging / "summary.json", {**summary,
                                              "contacts_by_channel": contacts_by_channel(frame),
                                              "status": status})
        units = {m.name: m.unit for m in SUMMARY_MEASURES}
        pd.DataFrame({"measure": list(summary), "value": list(summary.values()),
                      "unit": [units[k] for k in summary],
                      "status": [status[k] for k in summary]}).to_csv(
            staging / "summary.csv", index=False)
        write_text(staging / "config.toml", render_toml(config, header=RESOLVED_HEADER))
        figures = write_run_figures(frame, model.population.score, staging / "figures",
                                    title=f"{config.title} (seed {config.run.seed})",
                                    transitions=moves,
                                    window=window_text(start, config.run.days - 1,
                                                       config.run.steady_state_from_day,
                                                       short=True))
        write_text(staging / "report.md", _report(config, scenario, summary, status, figures,
                                                  wall))
        write_json(staging / "manifest.json", manifest(
            config.model_dump(mode="json"), config.run.seed, scenario, wall, started,
            extra={"borrowers": config.run.borrowers, "days": config.run.days,
                   "runoff_max_days": runoff_max_days,
                   "borrower_ticks_per_second": config.run.borrowers * config.run.days
                   / max(wall, 1e-9)}, kind="run"))
    return out, summary


def _report(config: ScenarioConfig, scenario: str, summary: dict[str, float],
              status: dict[str, str], figures: list[Path], wall: float) -> str:
    """report.md of one run: what ran, the window the rates are taken over, every value the
    reader should not take at face value (`status`), the summary table and the figures."""
    units = {m.name: m.unit for m in SUMMARY_MEASURES}
    start, end = int(summary["window_start_day"]), int(summary["window_end_day"])
    window = window_text(start, end, config.run.steady_state_from_day)
    lines = [f"# {config.title}", "", config.description or "", "",
             f"Scenario `{scenario}`, seed {config.run.seed}, {config.run.borrowers} borrowers, "
             f"{config.run.days} days; simulated in {wall:.1f} s. Rates are taken over the "
             f"{window}.", ""]
    flagged = read_with_care(status)
    if flagged:
        lines += ["## Read with care", "", *flagged, ""]
    lines += ["| measure | value | unit | status |", "|---|---:|---|---|"]
    lines += [f"| {k} | {v:,.4g} | {units[k]} | {'' if status[k] == 'ok' else status[k]} |"
              for k, v in summary.items()]
    lines += ["", "## Figures", ""]
    lines += [f"![{p.stem}](figures/{p.name})" for p in figures]
    return "\n".join(lines) + "\n"


def read_with_care(status: dict[str, str]) -> list[str]:
    """One line per distinct reason a measure is not what its name promises (the measures it
    concerns named), most serious first: an unfinished run-off, then the window, the score's
    ranking and the stationarity of the fork."""
    reasons: dict[str, list[str]] = {}
    for measure, text in status.items():
        if text not in ("ok", "steady"):
            reasons.setdefault(text, []).append(measure)
    order = ("run-off did not", "whole run")
    lines = []
    for text, measures in sorted(reasons.items(), key=lambda item: next(
            (i for i, lead in enumerate(order) if item[0].startswith(lead)), len(order))):
        if text.startswith("no run-off"):
            continue  # no run-off asked for: the lifetime measures are simply absent
        lead = ("**The run-off did not finish.** " if text.startswith("run-off did not")
                else "**The window is not a steady state.** " if text.startswith("whole run")
                else "")
        lines.append(f"- {lead}{', '.join(f'`{m}`' for m in measures)}: {text}.")
    return lines
