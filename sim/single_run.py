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
from sim.summary import SUMMARY_MEASURES, contacts_by_channel
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
    start = config.run.steady_state_from_day
    if start >= config.run.days:  # a run no longer than its burn-in is measured whole
        start = 0
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
    with staged_folder(out, overwrite=overwrite) as staging:
        clock = time.perf_counter()
        model, measured = simulate(config, progress=progress, runoff_max_days=runoff_max_days)
        wall = time.perf_counter() - clock
        frame, summary, moves = measured.frame, measured.summary, measured.transitions
        write_frame(staging / "transitions.csv", transitions_frame(moves))
        start = config.run.steady_state_from_day
        write_frame(staging / "risk_gradient.csv", model.risk.risk_gradient(
            auc_from(start if start < config.run.days else 0, model.day - 1), model.day - 1))
        frame.to_parquet(staging / "timeseries.parquet", index=False)
        write_json(staging / "summary.json", {**summary,
                                              "contacts_by_channel": contacts_by_channel(frame)})
        units = {m.name: m.unit for m in SUMMARY_MEASURES}
        pd.DataFrame({"measure": list(summary), "value": list(summary.values()),
                      "unit": [units[k] for k in summary]}).to_csv(
            staging / "summary.csv", index=False)
        write_text(staging / "config.toml", render_toml(config, header=RESOLVED_HEADER))
        figures = write_run_figures(frame, model.population.score, staging / "figures",
                                    title=f"{config.title} (seed {config.run.seed})",
                                    transitions=moves)
        write_text(staging / "report.md", _report(config, scenario, summary, figures, wall))
        write_json(staging / "manifest.json", manifest(
            config.model_dump(mode="json"), config.run.seed, scenario, wall, started,
            extra={"borrowers": config.run.borrowers, "days": config.run.days,
                   "runoff_max_days": runoff_max_days,
                   "borrower_ticks_per_second": config.run.borrowers * config.run.days
                   / max(wall, 1e-9)}))
    return out, summary


def _report(config: ScenarioConfig, scenario: str, summary: dict[str, float],
            figures: list[Path], wall: float) -> str:
    units = {m.name: m.unit for m in SUMMARY_MEASURES}
    lines = [f"# {config.title}", "", config.description or "", "",
             f"Scenario `{scenario}`, seed {config.run.seed}, {config.run.borrowers} borrowers, "
             f"{config.run.days} days; simulated in {wall:.1f} s. Steady-state window from "
             f"day {config.run.steady_state_from_day}.", "",
             "| measure | value | unit |", "|---|---:|---|"]
    lines += [f"| {k} | {v:,.4g} | {units[k]} |" for k, v in summary.items()]
    lines += ["", "## Figures", ""]
    lines += [f"![{p.stem}](figures/{p.name})" for p in figures]
    return "\n".join(lines) + "\n"
