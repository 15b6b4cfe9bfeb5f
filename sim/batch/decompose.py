"""Which lever does it: the factorial decomposition of the difference between two policies.

Two variants of a comparison file (the reference A and the target B, by default its first
two) differ in some scenario keys; `sim.levers` groups those keys into levers (deferral,
reporting, legal action, reminders, the contact ladder, ...). Each lever is a factor with two
levels, A's values and B's. The decomposition runs the cells of the 2^k factorial (every
combination of levers at A's or B's values), or the half fraction whose levers' sum is even
(`design = "half"`, for four levers or more), as variants of one comparison: same base, same
burn-in, same seeds, so every cell of replicate r is paired with every other.

For each measure and replicate, a lever's **main effect** is the mean over the cells with
the lever at B's values minus the mean over those at A's (the change the lever makes,
averaged over every setting of the others); an **interaction** of two levers is how much
the first's effect changes when the second is switched too (its effect with the second at
B's values minus with it at A's). Each gets a t-interval and a paired p-value over
replicates. In the full design B - A equals the sum of the main effects only if no
interaction matters; the report gives both. In the half fraction a main effect is aliased
with an interaction of k - 1 levers and a two-lever interaction with one of k - 2: two-lever
interactions are reported from five levers on (resolution V).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.batch.comparison import Comparison
from sim.batch.stats import mean_interval, paired_p_value, q_values
from sim.config import ScenarioConfig
from sim.levers import group_keys
from sim.report.variant_table import flat_config
from sim.scenario import ScenarioError, set_dotted, validate

Design = Literal["full", "half", "auto"]
MAX_LEVERS = 8
"""Most levers a decomposition switches (a full design of 256 cells)."""
HALF_FROM = 4
"""Fewest levers for the half fraction: below, main effects would be aliased with two-lever
interactions."""
INTERACTIONS_IN_HALF_FROM = 5
"""Fewest levers for which the half fraction estimates two-lever interactions."""

MEASURES: dict[str, int] = {
    "prudential_default_rate": -1, "dpd90_reached_rate": -1, "redefault_rate_12m": -1,
    "lifetime_borrower_paid": 0,
    "fees_per_delinquent_year": -1,
    "lifetime_loss_rate": -1, "lifetime_net_loss": -1, "risk_adjusted_profit": +1,
    "lifetime_profit": +1, "annual_default_rate": -1, "dpd30_share_incl_forborne": -1,
    "collection_cost": -1, "complaints_per_1000": -1, "harm_per_delinquent_week": -1,
    "contacts_per_delinquent_week": -1,
}
"""Measures decomposed, each with the direction that is better for the lender's book or the
borrower (-1: lower is better, +1: higher is better, 0: neither: what borrowers pay falls
when less is lent), used only to name the best cell."""


@dataclass(frozen=True)
class Decomposition:
    """A loaded decomposition: the levers in which `target` differs from `reference`, the
    cells (name and, per lever, 1 where it takes the target's values) and the comparison
    that runs them (cell 0, the reference policy, first)."""

    comparison: Comparison
    reference: str
    target: str
    levers: dict[str, list[str]]
    cells: tuple[tuple[str, tuple[int, ...]], ...]
    design: Literal["full", "half"]

    @property
    def interactions(self) -> bool:
        """Whether two-lever interactions are estimable in this design."""
        k = len(self.levers)
        return k >= 2 and (self.design == "full" or k >= INTERACTIONS_IN_HALF_FROM)


def build_decomposition(comparison: Comparison, reference: str | None = None,
                        target: str | None = None, design: Design = "auto") -> Decomposition:
    """The decomposition of `target` against `reference` (variant names of `comparison`; by
    default its first two). `design`: "full" (2^k cells), "half" (the even half fraction,
    four levers or more) or "auto" (full up to four levers, half from five). Raises
    ScenarioError naming the problem."""
    names = comparison.names
    reference = reference or names[0]
    target = target or names[1]
    source = str(comparison.path)
    for flag, name in (("--from", reference), ("--to", target)):
        if name not in names:
            raise ScenarioError(source, flag, f"no variant named {name!r}; the variants are "
                                f"{', '.join(names)}")
    if reference == target:
        raise ScenarioError(source, "--to", "must name another variant than --from")
    configs = dict(comparison.variants)
    a, b = flat_config(configs[reference]), flat_config(configs[target])
    keys = [key for key in a if a[key] != b.get(key)] + [k for k in b if k not in a]
    levers = group_keys(keys)
    k = len(levers)
    if k == 0:
        raise ScenarioError(source, None, f"{reference} and {target} do not differ")
    if k > MAX_LEVERS:
        raise ScenarioError(source, None, f"{reference} and {target} differ in {k} levers "
                            f"({', '.join(levers)}); at most {MAX_LEVERS} can be decomposed")
    chosen = ("full" if k < INTERACTIONS_IN_HALF_FROM else "half") if design == "auto" \
        else design
    if chosen == "half" and k < HALF_FROM:
        raise ScenarioError(source, "--design", f"half needs {HALF_FROM} levers or more; "
                            f"{reference} and {target} differ in {k}: use full")
    cells = []
    for bits in itertools.product((0, 1), repeat=k):
        if chosen == "half" and sum(bits) % 2:
            continue
        switched = [lever for lever, bit in zip(levers, bits, strict=True) if bit]
        name = (reference if not switched else target if len(switched) == k
                else "+".join([reference, *switched]))
        cells.append((name, bits))
    variants = tuple((name, _cell_config(configs[reference], b, levers, bits, source, name))
                     for name, bits in cells)
    cell_comparison = Comparison(
        path=comparison.path, title=comparison.title, description=comparison.description,
        base=comparison.base, variants=variants, replicates=comparison.replicates,
        burn_in_days=comparison.burn_in_days, runoff_max_days=comparison.runoff_max_days,
        stationarity_tolerance=comparison.stationarity_tolerance)
    return Decomposition(cell_comparison, reference, target, levers, tuple(cells), chosen)


def _cell_config(reference: ScenarioConfig, target: dict, levers: dict[str, list[str]],
                 bits: tuple[int, ...], source: str, name: str) -> ScenarioConfig:
    """The reference policy with the keys of the levers whose bit is 1 at the target's
    values, validated whole."""
    raw = reference.model_dump(mode="json")
    for (lever, keys), bit in zip(levers.items(), bits, strict=True):
        if bit:
            for key in keys:
                set_dotted(raw, key, target[key], source=f"{source} [lever {lever}]")
    return validate(raw, source=f"{source} [cell {name}]")


def factorial_effects(runs: pd.DataFrame, decomposition: Decomposition,
                      measures: tuple[str, ...] = tuple(MEASURES)) -> pd.DataFrame:
    """One row per term (each lever's main effect, each estimable two-lever interaction, and
    the total: target - reference where both were run) and measure: `term`, `kind`
    (main, interaction, total), `measure`, `effect`, `ci_low`, `ci_high`, `p_value`,
    `q_value` (the p-value adjusted for the false discovery rate, Benjamini-Hochberg, over
    the main effects and interactions of the measure) and `n` (replicates with every cell
    finished and the measure defined)."""
    names = [name for name, _ in decomposition.cells]
    bits = np.array([b for _, b in decomposition.cells], dtype=float)
    levers = list(decomposition.levers)
    terms: list[tuple[str, str, np.ndarray]] = [
        (lever, "main", _main_contrast(bits[:, j])) for j, lever in enumerate(levers)]
    if decomposition.interactions:
        terms += [(f"{levers[i]} x {levers[j]}", "interaction",
                   _interaction_contrast(bits[:, i], bits[:, j]))
                  for i, j in itertools.combinations(range(len(levers)), 2)]
    if decomposition.target in names:
        total = np.zeros(len(names))
        total[names.index(decomposition.target)] = 1.0
        total[names.index(decomposition.reference)] = -1.0
        terms.append(("total", "total", total))
    rows = []
    for measure in measures:
        if measure not in runs:
            continue
        table = runs.pivot_table(index="replicate", columns="variant", values=measure,
                                 dropna=False).reindex(columns=names).dropna()
        values = table.to_numpy(dtype=float)
        for term, kind, contrast in terms:
            per_replicate = values @ contrast
            mean, _, low, high, n = mean_interval(per_replicate)
            rows.append({"term": term, "kind": kind, "measure": measure, "effect": mean,
                         "ci_low": low, "ci_high": high,
                         "p_value": paired_p_value(per_replicate), "n": n})
    frame = pd.DataFrame(rows, columns=["term", "kind", "measure", "effect", "ci_low",
                                        "ci_high", "p_value", "n"])
    frame["q_value"] = np.nan
    for _, terms_of in frame[frame["kind"] != "total"].groupby("measure"):
        frame.loc[terms_of.index, "q_value"] = q_values(terms_of["p_value"])
    return frame[["term", "kind", "measure", "effect", "ci_low", "ci_high", "p_value",
                  "q_value", "n"]]


def _main_contrast(bit: np.ndarray) -> np.ndarray:
    """Weights over cells: mean of the cells with the lever at the target's values minus the
    mean of those at the reference's."""
    return bit / bit.sum() - (1 - bit) / (1 - bit).sum()


def _interaction_contrast(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Weights over cells: the first lever's effect with the second at the target's values
    minus its effect with the second at the reference's."""
    weights = np.zeros(first.size)
    for f, s, sign in ((1, 1, 1), (0, 1, -1), (1, 0, -1), (0, 0, 1)):
        cell = (first == f) & (second == s)
        weights[cell] = sign / cell.sum()
    return weights


def best_cells(summary: pd.DataFrame) -> dict[str, str]:
    """For each decomposed measure, the cell with the best mean (`MEASURES` directions)."""
    best = {}
    for measure, direction in MEASURES.items():
        if direction == 0:
            continue
        mine = summary[(summary["metric"] == measure) & summary["mean"].notna()]
        if len(mine):
            row = mine.loc[(mine["mean"] * direction).idxmax()]
            best[measure] = str(row["variant"])
    return best
