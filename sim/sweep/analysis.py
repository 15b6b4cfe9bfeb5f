"""Sensitivity indices (SALib) of a sweep's design runs, per world and metric.

The output of a sample is the mean of its replicates (which share their seeds with every
other sample, so the mean differs between samples only by the parameters). The estimators:

- sobol: Sobol' first-order (S1) and total-order (ST) indices with bootstrap intervals;
- morris: Morris' mu* (mean absolute elementary effect, in the metric's unit) with its
  bootstrap interval, and sigma (spread of the effects: interactions or curvature);
- lhs and grid: RBD-FAST first-order indices (S1) with bootstrap intervals, which need no
  particular sample structure.

`ci` is the half-width of the 95 % interval. A metric that does not vary, or a world with runs
missing, gets no indices; `notes` says why. Neither does a design too small for its estimator
(`too_small`): RBD-FAST on fewer than `RBD_FAST_MIN_SAMPLES` samples gives first-order
indices far outside [0, 1] (its bias correction scales with harmonics over samples) and a
bootstrap interval of width 0 (each resample is too short to have more frequencies than the
harmonics counted); such a design gets one note instead of numbers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris, rbd_fast, sobol

from sim.sweep.design import problem
from sim.sweep.spec import SweepSpec

CONFIDENCE = 0.95

MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "lhs": "S1", "grid": "S1"}
"""The index that ranks the parameters, by design."""

COLUMNS = ["world", "metric", "parameter", "method", "index", "value", "ci"]

RBD_FAST_HARMONICS = 10
"""Harmonics RBD-FAST sums (SALib's M) when the design is large enough."""
RBD_FAST_MIN_SAMPLES = 2 * (4 * RBD_FAST_HARMONICS + 1)
"""Fewest samples for RBD-FAST indices: its bootstrap resamples half the samples, and a
resample needs at least four times the harmonics' frequencies (bias correction 2M/N at most
1/4) to leave the first-order index an estimate rather than an artefact."""


def too_small(spec: SweepSpec, samples: int) -> str | None:
    """Why a design of `samples` points is too small for its sensitivity index, as a sentence,
    or None when it is not."""
    if _method(spec.design) == "rbd_fast" and samples < RBD_FAST_MIN_SAMPLES:
        return (f"The {spec.design} design has {samples} samples, too few for RBD-FAST "
                f"first-order indices (at least {RBD_FAST_MIN_SAMPLES}: below that the "
                "estimates fall outside [0, 1] and their bootstrap interval is 0), so no "
                "indices were estimated and no parameter is ranked; use a larger design "
                "(more samples or levels) to rank the parameters.")
    return None


def sample_means(runs: pd.DataFrame, metric: str, world: int, samples: int) -> np.ndarray:
    """Mean over replicates of each design sample's `metric` in `world` (NaN where a sample
    has no run)."""
    mine = runs[(runs["stage"] == "design") & (runs["world"] == world)]
    means = mine.groupby("point")[metric].mean()
    return means.reindex(range(samples)).to_numpy(float)


def sensitivity(spec: SweepSpec, matrix: np.ndarray, runs: pd.DataFrame,
                worlds: int) -> tuple[pd.DataFrame, list[str]]:
    """Tidy indices (world, metric, parameter, method, index, value, ci) and notes on what
    could not be estimated."""
    space = problem(spec.parameter)
    rows, notes = [], []
    reason = too_small(spec, len(matrix))
    if reason is not None:
        return pd.DataFrame(rows, columns=COLUMNS), [reason]
    for world in range(worlds):
        for metric in spec.metrics:
            y = sample_means(runs, metric, world, len(matrix)) if len(runs) else \
                np.full(len(matrix), np.nan)
            if np.isnan(y).any():
                notes.append(f"world {world}, {metric}: {int(np.isnan(y).sum())} sample(s) "
                             "without a result; no indices")
                continue
            if np.ptp(y) == 0:
                notes.append(f"world {world}, {metric}: the same in every sample; no indices")
                continue
            try:
                indices = _analyze(spec, space, matrix, y)
            except (ValueError, ZeroDivisionError, IndexError) as error:
                notes.append(f"world {world}, {metric}: {spec.design} analysis failed "
                             f"({error})")
                continue
            for index, (values, cis) in indices.items():
                for name, value, ci in zip(space["names"], values, cis, strict=True):
                    rows.append({"world": world, "metric": metric, "parameter": name,
                                 "method": _method(spec.design), "index": index,
                                 "value": float(value), "ci": float(ci)})
    return pd.DataFrame(rows, columns=COLUMNS), notes


def _method(design: str) -> str:
    return {"sobol": "sobol", "morris": "morris"}.get(design, "rbd_fast")


def _analyze(spec: SweepSpec, space: dict, matrix: np.ndarray,
             y: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    nan = np.full(space["num_vars"], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if spec.design == "sobol":
            result = sobol.analyze(space, y, calc_second_order=False, conf_level=CONFIDENCE,
                                   seed=spec.seed)
            return {"S1": (result["S1"], result["S1_conf"]),
                    "ST": (result["ST"], result["ST_conf"])}
        if spec.design == "morris":
            result = morris.analyze(space, matrix, y, conf_level=CONFIDENCE,
                                    num_levels=spec.levels, seed=spec.seed)
            return {"mu_star": (np.asarray(result["mu_star"]),
                                np.asarray(result["mu_star_conf"])),
                    "sigma": (np.asarray(result["sigma"]), nan)}
        harmonics = max(1, min(RBD_FAST_HARMONICS, (len(y) - 1) // 2 - 1))
        result = rbd_fast.analyze(space, matrix, y, M=harmonics, conf_level=CONFIDENCE,
                                  seed=spec.seed)
        return {"S1": (np.asarray(result["S1"]), np.asarray(result["S1_conf"]))}


def top_parameters(spec: SweepSpec, indices: pd.DataFrame) -> list[str]:
    """The `top_parameters` most influential parameters on the first metric (main index,
    averaged over worlds), most influential first; ties keep the file's order."""
    if spec.top_parameters == 0 or not len(indices):
        return []
    main = indices[(indices["metric"] == spec.metrics[0])
                   & (indices["index"] == MAIN_INDEX[spec.design])]
    if not len(main):
        return []
    order = [p.key for p in spec.parameter]
    mean = main.groupby("parameter")["value"].mean().reindex(order).fillna(-np.inf)
    ranked = sorted(order, key=lambda key: (-mean[key], order.index(key)))
    return ranked[:spec.top_parameters]
