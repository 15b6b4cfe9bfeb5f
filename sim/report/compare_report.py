"""The written report of a comparison: setup, headline table, figures, plain sentences."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.summary import MEASURE_UNITS

if TYPE_CHECKING:
    from sim.batch.comparison import Comparison
    from sim.batch.runner import Failure

HEADLINE = ("default_rate", "bad_debt_loss", "recovery_rate", "collection_cost", "net_loss",
            "dpd30_share", "complaints_per_1000", "contacts_per_delinquent_week",
            "deferral_rate", "lender_profit")
LABELS = {
    "default_rate": "the default rate", "bad_debt_loss": "the bad-debt loss",
    "recovery_rate": "the recovery rate", "collection_cost": "the collection cost",
    "net_loss": "the net loss (bad debt plus collection cost)",
    "dpd30_share": "the 30+ DPD share of balances",
    "complaints_per_1000": "complaints per 1,000 borrowers",
    "contacts_per_delinquent_week": "contacts per delinquent account-week",
    "deferral_rate": "deferrals per loan", "lender_profit": "the lender's profit",
}


def format_value(measure: str, value: float, difference: bool = False) -> str:
    """A value in the measure's natural unit: shares as percent (points for differences)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = MEASURE_UNITS.get(measure, "")
    if unit.startswith("share"):
        return f"{100 * value:.2f} {'points' if difference else '%'}"
    if unit == "currency units":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def comparison_report(comparison: Comparison, summary: pd.DataFrame,
                      differences: pd.DataFrame, figures: list[Path],
                      failures: list[Failure], missing: list[str], workers: int) -> str:
    """Markdown report of a comparison."""
    variants = comparison.names
    run = comparison.base.run
    lines = [f"# {comparison.title}", "", comparison.description, "",
             "## Setup", "",
             f"- Variants: {', '.join(variants)} (differences are against "
             f"**{variants[0]}**).",
             f"- {comparison.replicates} replicates per variant on common random numbers "
             f"(root seed {run.seed}; replicate r of every variant has the same seed).",
             f"- {run.borrowers:,} borrowers; {comparison.burn_in_days} burn-in days under the "
             f"base scenario, then {run.days} days under each variant; averages of rates over "
             f"days {max(run.steady_state_from_day, comparison.burn_in_days)} onwards.",
             f"- {workers} worker process(es); results do not depend on this number.",
             "", "## Headline", "",
             "| measure | " + " | ".join(variants) + " |",
             "|---|" + "---:|" * len(variants)]
    table = summary.set_index(["metric", "variant"])
    for measure in HEADLINE:
        cells = []
        for variant in variants:
            row = table.loc[(measure, variant)]
            cells.append(f"{format_value(measure, row['mean'])} "
                         f"[{format_value(measure, row['ci_low'])}, "
                         f"{format_value(measure, row['ci_high'])}]")
        lines.append(f"| {measure} ({MEASURE_UNITS.get(measure, '')}) | "
                     + " | ".join(cells) + " |")
    lines += ["", "Each cell: mean [95% confidence interval] over replicates.", "",
              "## In plain words", ""]
    lines += [_sentence(row) for _, row in differences.iterrows()
              if row["metric"] in HEADLINE]
    if failures or missing:
        lines += ["", "## Missing runs", ""]
        lines += [f"- failed: {f.describe()}" for f in failures]
        lines += [f"- not in the results: {key}" for key in missing]
    lines += ["", "## Figures", ""]
    lines += [f"![{p.stem}](figures/{p.name})" for p in figures]
    return "\n".join(lines) + "\n"


def _sentence(row: pd.Series) -> str:
    measure, diff = row["metric"], row["mean_difference"]
    label = LABELS.get(measure, measure)
    if diff is None or math.isnan(diff):
        return f"- {row['variant']}: {label} could not be compared."
    verb = "raised" if diff > 0 else "lowered" if diff < 0 else "did not change"
    size = format_value(measure, abs(diff), difference=True)
    if MEASURE_UNITS.get(measure) == "currency units":
        size += " currency units"
    interval = (f"95% CI {format_value(measure, row['ci_low'], True)} to "
                f"{format_value(measure, row['ci_high'], True)}, paired p = "
                f"{row['p_value']:.3g}")
    sure = "" if row["p_value"] < 0.05 else "; not distinguishable from no change"
    if diff == 0:
        return f"- {row['variant'].capitalize()} did not change {label} ({interval})."
    return (f"- {row['variant'].capitalize()} {verb} {label} by {size} compared with "
            f"{row['reference']} ({interval}{sure}).")
