"""The written report and the figure of a decomposition (`sim.batch.decompose`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.levers import meaning_of  # noqa: E402
from sim.report.compare_report import comparison_window, format_value  # noqa: E402
from sim.report.writer import write_atomic  # noqa: E402
from sim.summary import MEASURE_UNITS  # noqa: E402

if TYPE_CHECKING:
    from sim.batch.decompose import Decomposition
    from sim.batch.runner import Failure

FIGURE_MEASURES = ("prudential_default_rate", "lifetime_loss_rate", "risk_adjusted_profit",
                   "lifetime_borrower_paid", "fees_per_delinquent_year",
                   "harm_per_delinquent_week")
"""The measures drawn in the effects figure, one panel each."""
SIGNIFICANCE = 0.05
"""A lever or interaction whose false-discovery-rate adjusted p-value (`q_value`) is under
this is named as acting; the others as not distinguishable from zero."""
MATERIAL_SHARE = 0.2
"""An interaction is named only if it is significant and at least this share of the largest
main effect on the same measure (with many replicates, tiny interactions are significant)."""


def decomposition_report(decomposition: Decomposition, effects: pd.DataFrame,
                         summary: pd.DataFrame, best: dict[str, str], figure: Path | None,
                         failures: list[Failure], missing: list[str]) -> str:
    """Markdown: what differs by lever, the design, then per measure (in `effects`' order)
    which levers act and the interactions that matter, and the best cell of each measure
    (`best`)."""
    comparison = decomposition.comparison
    a, b = decomposition.reference, decomposition.target
    k, cells = len(decomposition.levers), len(decomposition.cells)
    lines = [f"# Which lever does it: {b} against {a}", "",
             f"{comparison.title}. The keys in which {b} differs from {a}, grouped into "
             f"{k} levers, each switched from {a}'s values to {b}'s as one factor, on common "
             "random numbers.", "", "## Levers", "",
             "| lever | what it is | keys |", "|---|---|---|"]
    for lever, keys in decomposition.levers.items():
        lines.append(f"| {lever} | {meaning_of(lever)} | "
                     + ", ".join(f"`{key}`" for key in keys) + " |")
    design = ("full factorial" if decomposition.design == "full" else
              "half fraction of the factorial (cells whose number of switched levers is "
              "even; each main effect is aliased with the interaction of the other "
              f"{k - 1} levers)")
    lines += ["", "## Setup", "",
              f"- Design: {design}, {cells} cells; {comparison.replicates} replicates per "
              "cell on the same seeds (every cell of a replicate forks from one burn-in).",
              f"- {comparison.base.run.borrowers:,} borrowers; {comparison_window(comparison)}",
              "- A lever's main effect: the mean over cells with the lever at "
              f"{b}'s values minus the mean over those at {a}'s, per replicate, then a "
              "t-interval and paired p-value over replicates. An interaction: how much one "
              "lever's effect changes when the other is switched too."]
    if decomposition.target not in decomposition.comparison.names:
        lines.append(f"- {b} itself (every lever switched) is not a cell of this fraction; "
                     f"its difference from {a} is in the comparison's own report.")
    lines.append("")
    if figure is not None:
        lines += [f"![main effects](figures/{figure.name})", ""]
    lines += ["## In plain words", "",
              "A lever or interaction is named as acting when its p-value, adjusted for the "
              "false discovery rate over the terms of the measure (Benjamini-Hochberg), is "
              f"under {SIGNIFICANCE}.", ""]
    for measure in effects["measure"].unique():
        mine = effects[effects["measure"] == measure]
        if mine.empty:
            continue
        lines.append(f"**{measure}** ({MEASURE_UNITS.get(measure, '')})")
        lines += _measure_sentences(measure, mine, a, b)
        lines.append("")
    if best:
        policies = [p for p in (a, b) if p in comparison.names]
        lines += ["## The best cell for each measure", "",
                  "| measure | best cell | its mean | " + " | ".join(policies) + " |",
                  "|---|---|---:|" + "---:|" * len(policies)]
        means = summary.set_index(["variant", "metric"])["mean"]
        for measure, cell in best.items():
            lines.append(f"| {measure} | {cell} | {format_value(measure, means[(cell, measure)])} "
                         + "".join(f"| {format_value(measure, means[(p, measure)])} "
                                   for p in policies) + "|")
        lines += ["", "A best cell is found on the seeds it was run on; judge it on fresh "
                  "seeds (a comparison with another `run.seed`) before citing it.", ""]
    if failures or missing:
        lines += ["## Missing runs", ""]
        lines += [f"- failed: {f.describe()}" for f in failures]
        lines += [f"- {len(missing)} run(s) missing: effects use the replicates with every "
                  "cell finished.", ""]
    lines += ["Tables: `effects.csv` (every term and measure), `cells.csv` (each cell's "
              "measures), `levers.csv`, `runs.parquet`; `manifest.json` has each cell's "
              "whole configuration.", ""]
    return "\n".join(lines)


def _measure_sentences(measure: str, effects: pd.DataFrame, a: str, b: str) -> list[str]:
    """Sentences naming the levers that move `measure` beyond noise, then the others."""
    lines = []
    mains = effects[effects["kind"] == "main"]
    acting = mains[mains["q_value"] < SIGNIFICANCE].sort_values(
        "effect", key=lambda s: -s.abs())
    for _, row in acting.iterrows():
        lines.append(f"- {row['term']} at {b}'s values {_moves(measure, row)} "
                     f"{_interval(measure, row)}.")
    unmeasured = mains[mains["effect"].isna()]
    if len(unmeasured):
        lines.append("- Not measured (no replicate has it in every cell; for a lifetime "
                     "measure, a run-off that did not finish): "
                     + ", ".join(unmeasured["term"]) + ".")
    quiet = mains[mains["effect"].notna() & ~(mains["q_value"] < SIGNIFICANCE)]
    if len(quiet):
        lines.append("- Not distinguishable from zero: " + ", ".join(
            f"{row['term']} ({format_value(measure, row['effect'], True)})"
            for _, row in quiet.iterrows()) + ".")
    largest = mains["effect"].abs().max()
    pairs = effects[(effects["kind"] == "interaction") & (effects["q_value"] < SIGNIFICANCE)]
    material = pairs[pairs["effect"].abs() >= MATERIAL_SHARE * largest]
    if len(pairs) > len(material):
        lines.append(f"- {len(pairs) - len(material)} more interaction(s) significant but under "
                     f"{100 * MATERIAL_SHARE:.0f} % of the largest main effect "
                     "(`effects.csv`).")
    for _, row in material.iterrows():
        first, second = row["term"].split(" x ")
        lines.append(f"- Interaction: switching {second} too changes {first}'s effect by "
                     f"{format_value(measure, row['effect'], True)} {_interval(measure, row)}.")
    total = effects[effects["kind"] == "total"]
    if len(total):
        row = total.iloc[0]
        summed = mains["effect"].sum()
        lines.append(f"- All levers together ({b} - {a}): "
                     f"{format_value(measure, row['effect'], True)} {_interval(measure, row)}; "
                     f"the main effects sum to {format_value(measure, summed, True)}.")
    return lines


def _moves(measure: str, row: pd.Series) -> str:
    verb = "raises" if row["effect"] > 0 else "lowers"
    return f"{verb} it by {format_value(measure, abs(row['effect']), True)}"


def _interval(measure: str, row: pd.Series) -> str:
    adjusted = "" if pd.isna(row["q_value"]) else f", adjusted {row['q_value']:.3g}"
    return (f"(95% CI {format_value(measure, row['ci_low'], True)} to "
            f"{format_value(measure, row['ci_high'], True)}, p = {row['p_value']:.3g}"
            f"{adjusted})")


def write_effects_figure(effects: pd.DataFrame, folder: Path) -> Path | None:
    """Main effects with their 95 % intervals, one panel per measure of `FIGURE_MEASURES`;
    returns the file written (None when no measure has effects)."""
    measures = [m for m in FIGURE_MEASURES
                if not effects[(effects["measure"] == m) & (effects["kind"] == "main")].empty]
    if not measures:
        return None
    columns = min(len(measures), 3)
    rows_of_panels = -(-len(measures) // columns)
    fig, axes = plt.subplots(rows_of_panels, columns,
                             figsize=(4.2 * columns, 3.2 * rows_of_panels + 0.4), squeeze=False)
    for ax in axes.flat[len(measures):]:
        ax.set_visible(False)
    for ax, measure in zip(axes.flat, measures, strict=False):
        rows = effects[(effects["measure"] == measure) & (effects["kind"] == "main")]
        y = np.arange(len(rows))
        effect = rows["effect"].to_numpy()
        errors = np.vstack([effect - rows["ci_low"].to_numpy(),
                            rows["ci_high"].to_numpy() - effect])
        colours = ["tab:red" if q < SIGNIFICANCE else "tab:grey" for q in rows["q_value"]]
        ax.barh(y, effect, xerr=errors, color=colours, capsize=3)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, rows["term"])
        ax.invert_yaxis()
        ax.set_title(measure, fontsize=10)
        ax.set_xlabel(MEASURE_UNITS.get(measure, ""), fontsize=8)
    fig.suptitle("Main effect of each lever (95 % CI; red: FDR-adjusted p < 0.05)",
                 fontsize=11)
    fig.tight_layout()
    path = folder / "effects.png"
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return path
