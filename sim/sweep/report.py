"""report.md of a sweep: what was run, which parameters matter most for each metric in each
world, the policy frontier and where the anchors stand on it, and what failed or is missing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.batch.pool import RunFailure
from sim.params_doc import format_value
from sim.report.variant_table import differences_from_base, variant_table_lines
from sim.sweep.analysis import MAIN_INDEX, too_small
from sim.sweep.execute import SweepTask
from sim.sweep.frontier import dominated_by
from sim.sweep.spec import FRONTIER_MEASURES, Sweep

if TYPE_CHECKING:
    from sim.sweep.plan import SweepPlan

TOP_ROWS = 5
"""Parameters listed per metric and world."""


def sweep_report(sweep: Sweep, plan: SweepPlan, tables: dict[str, pd.DataFrame],
                 indices: pd.DataFrame, notes: list[str], frontier: pd.DataFrame,
                 top: list[str], figures: list[Path], failures: list[RunFailure],
                 retried: list[SweepTask], missing: list[str], where: str,
                 wall: float) -> str:
    """The report; `where` says what ran the runs ("the local backend with 2 worker(s)")."""
    spec = sweep.spec
    runs = sum(len(tables[k]) for k in ("samples", "anchors", "curves"))
    lines = [f"# {spec.title}", ""]
    if spec.description:
        lines += [spec.description.strip(), ""]
    lines += [
        "## What was run", "",
        f"- Base scenario: `{spec.base}` with {_overrides(spec.set)}; "
        f"{sweep.base.run.borrowers:,} borrowers, {sweep.base.run.days:,} days"
        + (f" after a {spec.burn_in_days}-day burn-in" if spec.burn_in_days else "") + ".",
        f"- Design: {spec.design}, {len(plan.values):,} samples of {len(spec.parameter)} "
        f"parameters, {spec.replicates} replicate(s) each on the same seeds "
        f"({', '.join(str(s) for s in plan.seeds[:5])}{', ...' if spec.replicates > 5 else ''}"
        f"), in {len(sweep.worlds)} world(s); anchors: "
        f"{', '.join(n for n, _ in sweep.anchors) or 'none'}.",
        f"- {runs:,} runs finished on {where} in {wall:,.1f} s.",
        "", "| parameter | range |", "|---|---|",
    ]
    for parameter in spec.parameter:
        if parameter.is_choice:
            span = ", ".join(format_value(v) for v in parameter.values or [])
        else:
            cast = int if parameter.integer else float
            span = (f"{format_value(cast(parameter.low))} to "
                    f"{format_value(cast(parameter.high))}"
                    + (" (log scale)" if parameter.log else "")
                    + (" (whole numbers)" if parameter.integer else ""))
        lines.append(f"| `{parameter.key}` | {span} |")
    lines.append("")
    if spec.worlds:
        lines += ["Worlds:", ""] + [f"- world {w.index}: {w.name}" for w in sweep.worlds] + [""]
    if sweep.anchors:
        lines += variant_table_lines(differences_from_base(sweep.base, sweep.anchors),
                                     sweep.kept, noun="anchor")

    lines += _sensitivity_section(sweep, indices, notes, len(plan.values))
    if top:
        lines += ["## One at a time", "",
                  f"The {len(top)} most influential parameters on `{spec.metrics[0]}` "
                  f"({', '.join(f'`{k}`' for k in top)}) were each moved alone over "
                  f"{spec.levels} values, the others at the base scenario's values "
                  "(`curves.parquet`, `figures/response_curves.png`).", ""]
    lines += _frontier_section(sweep, tables["points"], frontier)
    if failures or missing or retried:
        lines += ["## Failures", ""]
        lines += [f"- retried after its worker died: {t.describe()}" for t in retried]
        lines += [f"- failed: {f.describe()}" for f in failures]
        lines += [f"- missing: {m}" for m in missing[:50]]
        if len(missing) > 50:
            lines.append(f"- ... and {len(missing) - 50} more")
        if missing:
            lines += ["", "Rerun the same command with `--resume` to run only the missing "
                      "runs."]
        lines.append("")
    lines += ["## Files", "",
              "- `samples.parquet`: one row per design sample, world and replicate: the "
              "world's and the sample's values and every end-of-run measure.",
              "- `anchors.parquet`, `curves.parquet`: the same for the anchors and the "
              "response curves.",
              "- `sensitivity.csv`: world, metric, parameter, method, index, value, ci "
              "(half-width of the 95% interval).",
              "- `frontier.csv`: the policies not beaten on both axes, per world.",
              "- `manifest.json`: the sweep, the base config, seeds, versions, git commit.",
              ""]
    lines += [f"![{p.stem}](figures/{p.name})" for p in figures]
    return "\n".join(lines) + "\n"


def _overrides(values: dict[str, Any]) -> str:
    if not values:
        return "no overrides"
    return ", ".join(f"`{k} = {format_value(v)}`" for k, v in values.items())


def _sensitivity_section(sweep: Sweep, indices: pd.DataFrame, notes: list[str],
                         samples: int) -> list[str]:
    """Which parameters matter, per world and metric (`samples`: the design's size); a design
    too small for its index says so instead of showing numbers."""
    spec = sweep.spec
    main = MAIN_INDEX[spec.design]
    lines = ["## Which parameters matter", "",
             f"Ranked by {main} ({_explain(spec.design)}); the interval is 95%.", ""]
    small = too_small(spec, samples)
    if small is not None:
        return lines[:2] + [f"**Design too small:** {small}", ""]
    for world in sweep.worlds:
        if len(sweep.worlds) > 1:
            lines += [f"### World {world.index}: {world.name}", ""]
        lines += ["| metric | most influential (index ± half-interval) |", "|---|---|"]
        for metric in spec.metrics:
            rows = indices[(indices["world"] == world.index) & (indices["metric"] == metric)
                           & (indices["index"] == main)] if len(indices) else indices
            if not len(rows):
                lines.append(f"| {metric} | no indices (see notes) |")
                continue
            rows = rows.sort_values("value", ascending=False).head(TOP_ROWS)
            cells = "; ".join(f"`{r.parameter}` {_with_interval(r.value, r.ci)}"
                              for r in rows.itertuples())
            lines.append(f"| {metric} | {cells} |")
        lines.append("")
    if notes:
        lines += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    return lines


def _with_interval(value: float, ci: float) -> str:
    """An index with its half-interval, or "(no interval)" where the bootstrap gave none (an
    interval of exactly 0 is no measure of the uncertainty)."""
    if not np.isfinite(ci) or ci <= 0:
        return f"{value:.3g} (no interval)"
    return f"{value:.3g} ± {ci:.2g}"


def _explain(design: str) -> str:
    return {
        "sobol": "Sobol' total-order index: the share of the metric's variance that involves "
                 "the parameter, alone or with others",
        "morris": "Morris mu*: the mean absolute change of the metric for one step of the "
                  "parameter, in the metric's unit",
    }.get(design, "RBD-FAST first-order index: the share of the metric's variance due to "
                  "the parameter alone")


def _frontier_section(sweep: Sweep, points: pd.DataFrame, frontier: pd.DataFrame) -> list[str]:
    loss, *others = FRONTIER_MEASURES
    bootstrapped = bool(len(frontier)) and frontier["frontier_share"].notna().any()
    lines = ["## Policy frontier", "",
             f"Policies (design samples and anchors, means over replicates) that no other "
             f"beats on both `{loss}` and the other measure; lower is better on both. "
             + ("`frontier.csv` lists them with `frontier_share`, the share of bootstrap "
                "resamples of the replicates in which each is on the frontier (a policy on it "
                "rarely is not reliably better than its neighbours), and "
                if bootstrapped else
                "`frontier.csv` lists them (`frontier_share` is empty: with one replicate "
                "and no confirmation runs there was nothing to bootstrap), and ")
             + "`figures/frontier.png` draws them.", ""]
    for world in sweep.worlds:
        here = points[points["world"] == world.index]
        title = f"World {world.index} ({world.name})" if len(sweep.worlds) > 1 else "All runs"
        for other in others:
            listed = frontier[(frontier["world"] == world.index)
                              & (frontier["against"] == other)]
            front = listed[listed["on_mean_frontier"].astype(bool)]
            robust = listed[listed["frontier_share"] >= 0.5]
            lines.append(f"- {title}, `{loss}` against `{other}`: {len(front)} of "
                         f"{len(here)} policies on the frontier of means; "
                         + (f"{len(robust)} on it in at least half of the bootstrap "
                            + (f"resamples of {sweep.spec.confirm_replicates} runs of each "
                               "candidate on fresh seeds."
                               if sweep.spec.confirm_replicates else
                               "resamples of the replicates.")
                            if listed["frontier_share"].notna().any()
                            else "one replicate and no confirmation runs, so replicate "
                            "noise is not shown."))
            for _, anchor in here[here["source"] == "anchor"].iterrows():
                better = dominated_by(here, anchor, loss, other)
                if not len(better):
                    lines.append(f"  - {anchor['name']} is on the frontier.")
                else:
                    best = better.sort_values(loss).iloc[0]
                    lines.append(
                        f"  - {anchor['name']} ({anchor[loss]:,.0f}, {anchor[other]:.3g}) is "
                        f"beaten by {len(better)} polic{'y' if len(better) == 1 else 'ies'}, "
                        f"e.g. {best['source']} {best['name']} ({best[loss]:,.0f}, "
                        f"{best[other]:.3g}).")
    lines.append("")
    return lines
