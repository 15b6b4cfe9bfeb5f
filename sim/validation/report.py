"""The validation figure (every fact as its published range with the model's point and 95 %
interval on it) and the written report."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.report.writer import write_atomic  # noqa: E402

if TYPE_CHECKING:
    from sim.validation.measures import ExperimentRuns
    from sim.validation.spec import Validation

VERDICT_COLOURS = {"inside": "tab:green", "below": "tab:red", "above": "tab:red",
                   "respected": "tab:green", "violated": "tab:red"}


def _number(value: object) -> float:
    return float("nan") if value is None else float(value)


def validation_figure(table: pd.DataFrame, path: Path) -> Path:
    """One panel per fact, each on its own scale: the published range as a band, the model's
    mean as a point with its 95 % confidence interval; facts without a model figure say why."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(len(table), 1, figsize=(10, 0.75 * len(table) + 0.8))
    axes = [axes] if len(table) == 1 else list(axes)
    for ax, (_, row) in zip(axes, table.iterrows(), strict=True):
        low, high = row["published_low"], row["published_high"]
        mean, ci_low, ci_high = (_number(row[k]) for k in ("model_mean", "ci_low", "ci_high"))
        points = [v for v in (low, high, mean, ci_low, ci_high) if not math.isnan(v)]
        span = max(max(points) - min(points), abs(max(points)) * 0.1, 1e-9)
        ax.set_xlim(min(points) - 0.25 * span, max(points) + 0.25 * span)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        if high >= low:  # (a clock-hours window such as 22-8 has no band)
            ax.axvspan(low, max(high, low + span * 0.01), color="tab:blue", alpha=0.25)
        if not math.isnan(mean):
            colour = VERDICT_COLOURS.get(row["verdict"].removeprefix("input, "), "black")
            xerr = None
            if not math.isnan(ci_low):
                xerr = [[mean - ci_low], [ci_high - mean]]
            ax.errorbar([mean], [0], xerr=xerr, fmt="o", color=colour, capsize=4)
        else:
            ax.text(0.5, 0, row["verdict"], transform=ax.get_yaxis_transform(), ha="center",
                    va="center", fontsize=8, color="grey")
        ax.set_ylabel(row["fact"], rotation=0, ha="right", va="center", fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        ax.text(1.01, 0, f"{row['verdict']}\n{row['unit']}"[:60], transform=ax.transAxes,
                fontsize=7, va="center")
    axes[0].set_title("Published range (band) and the model's mean with 95 % CI (point)",
                      fontsize=10)
    fig.tight_layout()
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return path


def _format(value: object) -> str:
    number = _number(value)
    return "" if math.isnan(number) else f"{number:,.3g}"


def validation_report(validation: Validation, table: pd.DataFrame, figure: Path,
                      experiments: dict[str, ExperimentRuns], wall: float) -> str:
    """Markdown report: setup, the table, one sentence per fact, where each policy's market
    sits, the figure."""
    policies = table[table["role"] == "policy"]
    table = table[table["role"] == "check"]
    counted = table[table["verdict"].isin(["inside", "below", "above"])]
    inside = int((counted["verdict"] == "inside").sum())
    lines = [f"# {validation.spec.title}", "",
             f"Validation file `{validation.path}`; {wall:.0f} s. Of {len(counted)} facts the "
             f"model measures, {inside} fall inside their published range.", "",
             "Experiments (each a comparison; its own report is in `experiments/<name>/`):", ""]
    for name, runs in experiments.items():
        run = runs.comparison.base.run
        lines.append(f"- `{name}`: {runs.comparison.title}; {runs.comparison.replicates} "
                     f"replicates of {run.borrowers:,} borrowers, burn-in "
                     f"{runs.comparison.burn_in_days} days then {run.days} days.")
    lines += ["", "| fact | published | model mean | 95 % CI | verdict | gap | unit |",
              "|---|---|---:|---|---|---:|---|"]
    for _, row in table.iterrows():
        ci = (f"[{_format(row['ci_low'])}, {_format(row['ci_high'])}]"
              if not math.isnan(_number(row["ci_low"])) else "")
        lines.append(f"| {row['fact']} | {_format(row['published_low'])}-"
                     f"{_format(row['published_high'])} | {_format(row['model_mean'])} | {ci} | "
                     f"{row['verdict']} | {_format(row['gap'])} | {row['unit']} |")
    lines += ["", "## Fact by fact", ""]
    for _, row in table.iterrows():
        lines.append(f"- **{row['fact']}** {row['description']} ({row['source']}): "
                     + _sentence(row))
    lines += _policy_lines(table, policies)
    lines += ["", f"![facts]({figure.as_posix()})", ""]
    return "\n".join(lines)


def _policy_lines(checks: pd.DataFrame, policies: pd.DataFrame) -> list[str]:
    """A table of each measured fact under every variant of its experiment: where each
    policy's market sits against the published range (a policy may well leave it)."""
    if policies.empty:
        return []
    measured = checks[checks["kind"] == "measure"]
    both = pd.concat([measured, policies])
    variants = list(dict.fromkeys(both["variant"]))
    lines = ["", "## Where each policy's market sits", "",
             "Each measured fact under every variant of its experiment (the fact's own check "
             "in bold); a policy may leave a range the baseline meets.", "",
             "| fact | published | " + " | ".join(variants) + " |",
             "|---|---|" + "---|" * len(variants)]
    for fact, rows in both.groupby("fact", sort=False):
        first = rows.iloc[0]
        cells = []
        for variant in variants:
            mine = rows[rows["variant"] == variant]
            if mine.empty:
                cells.append("")
                continue
            row = mine.iloc[0]
            text = f"{_format(row['model_mean'])} ({row['verdict']})"
            cells.append(f"**{text}**" if row["role"] == "check" else text)
        lines.append(f"| {fact} | {_format(first['published_low'])}-"
                     f"{_format(first['published_high'])} | " + " | ".join(cells) + " |")
    return lines


def _sentence(row: pd.Series) -> str:
    note = f" {row['note']}" if row["note"] else ""
    published = f"{_format(row['published_low'])}-{_format(row['published_high'])} {row['unit']}"
    if row["kind"] in ("not_modelled", "by_construction"):
        return f"{row['verdict']}.{note}"
    where = (f"`{row['measure']}` of `{row['variant']}` in `{row['experiment']}`"
             if row["experiment"] else f"parameter `{row['measure']}`")
    return (f"model {_format(row['model_mean'])} ({where}) against {published}: "
            f"{row['verdict']}.{note}")
