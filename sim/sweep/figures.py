"""Figures of a sweep: sensitivity bars with their intervals (one figure per metric), the
one-at-a-time response curves of the top parameters, a heat map per metric for a
two-parameter grid, and the policy frontier with the anchors marked."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.batch.stats import measure_interval  # noqa: E402
from sim.report.figures import save_figures  # noqa: E402
from sim.summary import MEASURE_UNITS  # noqa: E402
from sim.sweep.analysis import MAIN_INDEX  # noqa: E402
from sim.sweep.spec import FRONTIER_MEASURES, Sweep  # noqa: E402

MAX_PANELS = 12
"""Worlds drawn in one panel figure; a sweep with more worlds draws the first ones."""

MAX_FRONTIER_ROWS = 8
"""Worlds drawn in the frontier figure (a row each); frontier.csv has every world."""


def write_sweep_figures(sweep: Sweep, tables: dict[str, pd.DataFrame],
                        indices: pd.DataFrame, frontier: pd.DataFrame, top: list[str],
                        folder: Path) -> list[Path]:
    """Draw every figure of the sweep into `folder`; returns the files written."""
    figures = {}
    for metric in sweep.spec.metrics:
        if len(indices) and (indices["metric"] == metric).any():
            figures[f"sensitivity_{metric}"] = (
                lambda m=metric: _sensitivity(sweep, indices, m))
    if top and len(tables["curves"]):
        figures["response_curves"] = lambda: _curves(sweep, tables["curves"], top)
    if sweep.spec.design == "grid" and len(sweep.parameters) == 2 and len(tables["samples"]):
        for metric in sweep.spec.metrics:
            figures[f"heatmap_{metric}"] = lambda m=metric: _heatmap(sweep, tables["samples"], m)
    if len(tables["points"]):
        figures["frontier"] = lambda: _frontier(sweep, tables["points"], frontier)
    return save_figures(figures, folder)


def _grid(panels: int, width: float = 4.6, height: float = 3.6,
          columns: int = 3) -> tuple[plt.Figure, list[plt.Axes]]:
    panels = max(1, min(panels, MAX_PANELS))
    cols = min(columns, panels)
    rows = math.ceil(panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[panels:]:
        ax.set_visible(False)
    return fig, flat[:panels]


def _sensitivity(sweep: Sweep, indices: pd.DataFrame, metric: str) -> plt.Figure:
    mine = indices[indices["metric"] == metric]
    names = [p.key for p in sweep.parameters]
    shown = ["S1", "ST"] if sweep.spec.design == "sobol" else [MAIN_INDEX[sweep.spec.design]]
    fig, axes = _grid(len(sweep.worlds))
    for ax, world in zip(axes, sweep.worlds, strict=False):
        here = mine[mine["world"] == world.index]
        y = np.arange(len(names))
        height = 0.8 / len(shown)
        for k, index in enumerate(shown):
            rows = here[here["index"] == index].set_index("parameter").reindex(names)
            ax.barh(y + (k - (len(shown) - 1) / 2) * height, rows["value"], height,
                    xerr=rows["ci"].fillna(0), capsize=2, label=index)
        ax.set_yticks(y, names, fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_title(_panel_title(world.name) if len(sweep.worlds) > 1 else metric, fontsize=8)
        ax.set_xlabel(_index_label(sweep.spec.design, metric), fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle(f"Sensitivity of {metric} (95% CI)", fontsize=11)
    return fig


def _panel_title(world_name: str) -> str:
    """A world's name, one value per line, so panels side by side do not overlap."""
    return world_name.replace(", ", "\n")


def _index_label(design: str, metric: str) -> str:
    if design == "morris":
        return f"mu* ({MEASURE_UNITS.get(metric, '')})"
    return "share of variance"


def _curves(sweep: Sweep, curves: pd.DataFrame, top: list[str]) -> plt.Figure:
    metrics = sweep.spec.metrics[:3]
    fig, axes = plt.subplots(len(top), len(metrics), squeeze=False,
                             figsize=(4.2 * len(metrics), 3.0 * len(top)))
    for i, key in enumerate(top):
        mine = curves[curves["curve_parameter"] == key]
        for j, metric in enumerate(metrics):
            ax = axes[i][j]
            for world in sweep.worlds:
                here = mine[mine["world"] == world.index]
                if not len(here):
                    continue
                levels = sorted(here[key].unique(), key=_order)
                stats = np.array([measure_interval(metric,
                                                   here.loc[here[key] == v, metric].to_numpy())
                                  for v in levels], dtype=float)
                x = np.arange(len(levels)) if not _numeric(levels) else \
                    np.array(levels, dtype=float)
                line, = ax.plot(x, stats[:, 0], marker="o", label=world.name)
                ax.fill_between(x, stats[:, 2], stats[:, 3], alpha=0.2,
                                color=line.get_color())
                if not _numeric(levels):
                    ax.set_xticks(x, [str(v) for v in levels])
            ax.set_xlabel(key)
            ax.set_ylabel(metric, fontsize=8)
            if i == 0 and j == 0 and len(sweep.worlds) > 1:
                ax.legend(fontsize=7)
    fig.suptitle("One at a time: each parameter moved alone, others at the base "
                 "(mean, 95% CI over replicates)", fontsize=10)
    return fig


def _numeric(values: list) -> bool:
    return all(isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
               for v in values)


def _order(value: object) -> tuple[int, object]:
    return (0, value) if _numeric([value]) else (1, str(value))


def _heatmap(sweep: Sweep, samples: pd.DataFrame, metric: str) -> plt.Figure:
    first, second = (p.key for p in sweep.parameters)
    fig, axes = _grid(len(sweep.worlds))
    for ax, world in zip(axes, sweep.worlds, strict=False):
        here = samples[samples["world"] == world.index]
        table = here.groupby([second, first])[metric].mean().unstack(first)
        image = ax.imshow(table.to_numpy(float), origin="lower", aspect="auto",
                          cmap="viridis")
        ax.set_xticks(range(table.shape[1]), [f"{v:g}" if _numeric([v]) else str(v)
                                              for v in table.columns], fontsize=7)
        ax.set_yticks(range(table.shape[0]), [f"{v:g}" if _numeric([v]) else str(v)
                                              for v in table.index], fontsize=7)
        ax.set_xlabel(first)
        ax.set_ylabel(second)
        ax.set_title(_panel_title(world.name), fontsize=8)
        fig.colorbar(image, ax=ax, label=metric)
    fig.suptitle(f"{metric}: mean over replicates", fontsize=11)
    return fig


def _frontier(sweep: Sweep, points: pd.DataFrame, frontier: pd.DataFrame) -> plt.Figure:
    loss, *others = FRONTIER_MEASURES
    worlds = sweep.worlds[:MAX_FRONTIER_ROWS]
    fig, axes = plt.subplots(len(worlds), len(others), squeeze=False,
                             figsize=(5.2 * len(others), 3.4 * len(worlds)))
    for i, world in enumerate(worlds):
        here = points[points["world"] == world.index]
        samples = here[here["source"] == "sample"]
        anchors = here[here["source"] == "anchor"]
        for j, other in enumerate(others):
            ax = axes[i][j]
            ax.scatter(samples[other], samples[loss], s=10, color="0.65", label="samples")
            listed = frontier[(frontier["world"] == world.index)
                              & (frontier["against"] == other)].sort_values(other)
            front = listed[listed["on_mean_frontier"].astype(bool)]
            ax.step(front[other], front[loss], where="post", color="tab:red", linewidth=1.2)
            bootstrapped = listed["frontier_share"].notna().any()
            shares = listed["frontier_share"].fillna(1.0)
            ax.scatter(listed[other], listed[loss], s=12 + 60 * shares, color="tab:red",
                       alpha=0.35 + 0.65 * shares.to_numpy(),
                       label="frontier (size: share of bootstrap resamples on it)"
                       if bootstrapped else "frontier (one replicate: no bootstrap)")
            for marker, (_, row) in zip("*Ds^v", anchors.iterrows(), strict=False):
                ax.scatter(row[other], row[loss], s=140, marker=marker, edgecolor="black",
                           zorder=5, label=row["name"])
                ax.annotate(row["name"], (row[other], row[loss]), xytext=(6, 4),
                            textcoords="offset points", fontsize=8)
            ax.set_xlabel(f"{other} ({MEASURE_UNITS.get(other, '')})", fontsize=8)
            ax.set_ylabel(f"{loss} ({MEASURE_UNITS.get(loss, '')})", fontsize=8)
            title = f"{world.name}\n" if len(sweep.worlds) > 1 else ""
            ax.set_title(f"{title}loss against {other}", fontsize=8)
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    fig.suptitle("Policy frontier (lower is better on both axes; means over replicates)",
                 fontsize=11)
    return fig
