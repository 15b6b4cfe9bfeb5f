"""The written report of a comparison: setup, headline table, figures, plain sentences."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.batch.stats import q_values
from sim.report.variant_table import differences_from_base, variant_table_lines
from sim.summary import (
    DRIFT_DAYS,
    LIFETIME_MEASURES,
    MEASURE_UNITS,
    RUNOFF_OPEN_LIMIT,
    stationarity,
    window_start,
    window_text,
)

if TYPE_CHECKING:
    from sim.batch.comparison import Comparison
    from sim.batch.runner import Failure

HEADLINE = ("prudential_default_rate", "dpd90_reached_rate", "redefault_rate_12m",
            "lifetime_loss_rate",
            "lifetime_net_loss", "risk_adjusted_profit", "lifetime_profit",
            "lifetime_borrower_paid", "fees_per_delinquent_year",
            "dpd30_share_incl_forborne", "annual_default_rate",
            "forborne_share", "cure_rate", "lifetime_recovery_rate", "collection_cost",
            "complaints_per_1000", "regulatory_cost", "contacts_per_delinquent_week",
            "deferral_rate", "lending_min_score_mean", "mean_apr", "approval_rate",
            "capital_ratio_low", "willingness_to_pay")
"""Measures of the headline table and of the plain sentences: default as supervisors define
it and the 12-month re-default rate first, then the lifetime measures of the lender's and the
borrowers' money."""
HORIZON = ("default_rate", "bad_debt_loss", "recovery_rate", "net_loss", "dpd30_share",
           "lender_profit")
"""The older measures cut at the horizon (cash basis, re-ageing counted as cure), shown
apart so a reader can see what the lifetime view changes."""
LABELS = {
    "prudential_default_rate": "the default rate as supervisors define it (Basel/CRR)",
    "redefault_rate_12m": "the 12-month re-default rate of deferred loans",
    "dpd90_reached_rate": "the rate at which loans reach 90 days past due (the DPD trigger "
                          "alone)",
    "lifetime_borrower_paid": "what borrowers paid over the book's life (interest, fees, "
                              "claims)",
    "fees_per_delinquent_year": "late fees paid per delinquent account-year",
    "lifetime_loss_rate": "the lifetime loss rate",
    "lifetime_net_loss": "the lifetime net loss (credit loss, waived interest and fees, "
                         "collection and legal cost)",
    "risk_adjusted_profit": "the risk-adjusted profit over the window",
    "lifetime_profit": "the lifetime profit of the book",
    "dpd30_share_incl_forborne": "the 30+ DPD share of balances counting re-aged loans",
    "annual_default_rate": "the annual charge-off rate (accounting default)",
    "forborne_share": "the share of balances under forbearance",
    "cure_rate": "the monthly cure rate (re-ageing excluded)",
    "lifetime_recovery_rate": "the lifetime recovery rate",
    "default_rate": "the default rate", "bad_debt_loss": "the bad-debt loss",
    "recovery_rate": "the recovery rate", "collection_cost": "the collection cost",
    "net_loss": "the net loss (bad debt plus collection cost)",
    "dpd30_share": "the 30+ DPD share of balances",
    "complaints_per_1000": "complaints per 1,000 borrowers",
    "contacts_per_delinquent_week": "contacts per delinquent account-week",
    "deferral_rate": "deferrals granted per loan originated",
    "lender_profit": "the lender's profit",
    "regulatory_cost": "the regulator's fines for complaints",
    "lending_min_score_mean": "the lender's minimum score (credit supply)",
    "mean_apr": "the APR of new loans", "approval_rate": "the approval rate",
    "capital_ratio_low": "the lender's lowest capital ratio",
    "willingness_to_pay": "the share of installments borrowers did not refuse",
}


def format_value(measure: str, value: float, difference: bool = False) -> str:
    """A value in the measure's natural unit: shares as percent (points for differences)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = MEASURE_UNITS.get(measure, "")
    if unit.startswith("share") or unit == "annual rate":
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
    runoff = (f"then each variant's book is run off with no new lending until every loan "
              f"and claim has ended (at most {comparison.runoff_max_days} days)"
              if comparison.runoff_max_days else "no run-off (lifetime measures are n/a)")
    lines = [f"# {comparison.title}", "", comparison.description, "",
             *variant_table_lines(differences_from_base(comparison.base, comparison.variants),
                                  comparison.kept),
             "## Setup", "",
             f"- Variants: {', '.join(variants)} (differences are against "
             f"**{variants[0]}**).",
             f"- {comparison.replicates} replicates per variant on common random numbers "
             f"(root seed {run.seed}; replicate r of every variant has the same seed).",
             f"- {run.borrowers:,} borrowers; {comparison.burn_in_days} burn-in days under the "
             f"base scenario, then a window of {run.days} days under each variant; rates are "
             f"averaged over the {comparison_window(comparison)}; {runoff}.",
             f"- {workers} worker process(es); results do not depend on this number.",
             "", *_trust(comparison, summary, differences),
             "", "## Headline", "", *_table(summary, variants, HEADLINE),
             "", "Each cell: mean [95% confidence interval] over replicates. Lifetime "
             "measures follow the book open at the fork and the loans lent in the window "
             "to their end; forborne (re-aged) loans are reported apart and never count as "
             "cures (`docs/accounting.md`).", "",
             "## In plain words", "",
             "q: the paired p-value adjusted for the false discovery rate over this "
             "section's comparisons (Benjamini-Hochberg); a difference is called "
             "distinguishable from no change when q < 0.05.", ""]
    headline = differences[differences["metric"].isin(HEADLINE)].copy()
    headline["q_value"] = q_values(headline["p_value"]) if len(headline) else []
    lines += [_sentence(row) for _, row in headline.iterrows()]
    lines += ["", "## Measures cut at the horizon", "",
              "Cash-basis measures read at the end of the window, before the losses still "
              "in the book have arrived; shown to compare with earlier reports, not to "
              "decide.", "", *_table(summary, variants, HORIZON)]
    if failures or missing:
        lines += ["", "## Missing runs", ""]
        lines += [f"- failed: {f.describe()}" for f in failures]
        lines += [f"- not in the results: {key}" for key in missing]
    lines += ["", "## Figures", ""]
    lines += [f"![{p.stem}](figures/{p.name})" for p in figures]
    return "\n".join(lines) + "\n"


COMMON_SHOCKS_FLOOR = 0.99
"""Smallest `common_shocks_share` at which the variants count as paired (`docs/accounting.md`)."""


def comparison_window(comparison: Comparison) -> str:
    """The window the comparison's rates are averaged over, as a report names it: from
    `run.steady_state_from_day` (the fork at the earliest) to the horizon, or the whole run,
    burn-in included, when the run is no longer than that."""
    run = comparison.base.run
    steady_from = max(run.steady_state_from_day, comparison.burn_in_days)
    days = comparison.burn_in_days + run.days
    start = window_start(steady_from, days)
    text = window_text(start, days - 1, steady_from)
    if start == 0 and comparison.burn_in_days:
        text += f"; the base scenario's burn-in (days 0-{comparison.burn_in_days - 1}) is in it"
    return text


def trust_warnings(comparison: Comparison, summary: pd.DataFrame) -> list[str]:
    """What makes the verdict untrustworthy, one sentence each (empty when nothing does):
    variants that were not paired (`common_shocks_share` under `COMMON_SHOCKS_FLOOR`), a
    run-off that did not finish, a window that is not a steady state, a fork that was not
    stationary. The report opens its trust section with them and the command line prints
    them."""
    def values(measure: str) -> pd.Series:
        return summary.loc[summary["metric"] == measure, "mean"].astype(float).dropna()

    warnings = []
    shocks = values("common_shocks_share")
    if len(shocks) and shocks.min() < COMMON_SHOCKS_FLOOR:
        warnings.append(
            f"PAIRING DID NOT HOLD: common shocks {100 * shocks.min():.2f} % (under "
            f"{100 * COMMON_SHOCKS_FLOOR:.0f} %): the variants did not meet the same "
            "job losses and illnesses, so the differences below cannot be trusted as paired "
            "(did a variant's file change the market itself?).")
    still_open = values("runoff_open_share")
    if comparison.runoff_max_days and len(still_open) and still_open.max() > RUNOFF_OPEN_LIMIT:
        warnings.append(
            f"THE RUN-OFF DID NOT FINISH: up to {100 * still_open.max():.2f} % of the accounts "
            f"open at the horizon were still open after {comparison.runoff_max_days} days "
            f"(limit {100 * RUNOFF_OPEN_LIMIT:.1f} %); the lifetime measures of those runs are "
            "n/a (their losses were still to come): raise runoff_max_days.")
    if "whole run" in comparison_window(comparison):
        warnings.append(
            f"THE WINDOW IS NOT A STEADY STATE: rates are averaged over the "
            f"{comparison_window(comparison)}.")
    if comparison.burn_in_days and fork_stationarity(comparison, summary)[0] == "not met":
        warnings.append(
            f"THE FORK WAS NOT A STEADY STATE: the stationarity criterion (30+ DPD share "
            f"and principal outstanding changing by at most "
            f"{100 * comparison.stationarity_tolerance:.0f} % a year over the last "
            f"{DRIFT_DAYS} burn-in days) is not met or could not be measured; a longer "
            "burn_in_days would help.")
    return warnings


def fork_stationarity(comparison: Comparison, summary: pd.DataFrame
                      ) -> tuple[str, list[pd.Series]]:
    """The stationarity verdict on the fork ("met", "not met" or "undecided"; "not met" also
    when a drift could not be measured) and the rows (mean, ci_low, ci_high) of
    `burn_in_drift` and `burn_in_book_drift` of the comparison's first variant it rests on."""
    table = summary.set_index(["metric", "variant"])
    first = comparison.names[0]
    drifts = [table.loc[(m, first)] for m in ("burn_in_drift", "burn_in_book_drift")]
    verdicts = {stationarity(d["mean"], d["ci_low"], d["ci_high"],
                             comparison.stationarity_tolerance) for d in drifts}
    verdict = ("not met" if verdicts & {"not met", "not measured"}
               else "undecided" if "undecided" in verdicts else "met")
    return verdict, drifts


def summary_status(comparison: Comparison, summary: pd.DataFrame,
                   runs: pd.DataFrame) -> list[str]:
    """A status for each row (variant, metric) of a comparison's summary table: "ok", or why
    the mean is not what the measure's name promises (runs whose run-off did not finish and
    are left out of a lifetime measure, a window that is not a steady state, a fork that was
    not stationary, variants that were not paired)."""
    lifetime = {m.name for m in LIFETIME_MEASURES} - {"runoff_open_share", "runoff_days"}
    rates = {"annual_default_rate", "annual_net_chargeoff_rate", "dpd30_share",
             "dpd90_share", "dpd30_share_incl_forborne", "forborne_share", "cure_rate",
             "roll_rate_30_60"}
    window = comparison_window(comparison)
    tolerance = comparison.stationarity_tolerance
    out = []
    for row in summary.itertuples():
        status = "ok"
        mine = runs[runs["variant"] == row.variant] if len(runs) else runs
        if row.metric in lifetime and comparison.runoff_max_days and len(mine):
            unfinished = int((mine["runoff_open_share"] > RUNOFF_OPEN_LIMIT).sum())
            if unfinished:
                status = (f"run-off did not finish in {unfinished} of {len(mine)} runs "
                          f"(over {100 * RUNOFF_OPEN_LIMIT:.1f} % of accounts still open): "
                          "those runs are left out")
        elif row.metric in rates and "whole run" in window:
            status = f"window: {window}"
        elif row.metric in ("burn_in_drift", "burn_in_book_drift"):
            verdict = stationarity(row.mean, row.ci_low, row.ci_high, tolerance)
            if verdict == "not measured":
                status = f"not measured: fewer than {DRIFT_DAYS} burn-in days"
            elif verdict == "not met":
                status = f"stationarity not met (tolerance {100 * tolerance:.0f} %)"
            elif verdict == "undecided":
                status = (f"stationarity undecided: the interval reaches beyond the "
                          f"tolerance ({100 * tolerance:.0f} %) but no drift beyond it is "
                          "detected")
        elif row.metric == "common_shocks_share" and row.mean < COMMON_SHOCKS_FLOOR:
            status = (f"pairing did not hold (under {100 * COMMON_SHOCKS_FLOOR:.0f} %): "
                      "the verdict cannot be trusted as paired")
        out.append(status)
    return out


def _table(summary: pd.DataFrame, variants: list[str], measures: tuple[str, ...]) -> list[str]:
    lines = ["| measure | " + " | ".join(variants) + " |",
             "|---|" + "---:|" * len(variants)]
    table = summary.set_index(["metric", "variant"])
    for measure in measures:
        cells = []
        for variant in variants:
            row = table.loc[(measure, variant)]
            cells.append(f"{format_value(measure, row['mean'])} "
                         f"[{format_value(measure, row['ci_low'])}, "
                         f"{format_value(measure, row['ci_high'])}]")
        lines.append(f"| {measure} ({MEASURE_UNITS.get(measure, '')}) | "
                     + " | ".join(cells) + " |")
    return lines


def _trust(comparison: Comparison, summary: pd.DataFrame,
           differences: pd.DataFrame | None = None) -> list[str]:
    """How far the comparison can be trusted: common shocks, the fork's steady state and
    the run-off's completeness."""
    table = summary.set_index(["metric", "variant"])
    first = comparison.names[0]

    def mean(measure: str, agg=None) -> float:
        values = summary.loc[summary["metric"] == measure, "mean"]
        return float(agg(values)) if agg is not None else float(table.loc[(measure, first),
                                                                         "mean"])

    shocks, people = mean("common_shocks_share", min), mean("common_people_share", min)
    lines = ["## Can the verdict be trusted?", ""]
    warnings = trust_warnings(comparison, summary)
    verdict, drifts = (fork_stationarity(comparison, summary) if comparison.burn_in_days
                       else ("not measured", []))
    if warnings:
        lines += [f"> **WARNING: {w}**" for w in warnings]
        lines += ["", "**The verdict below cannot be trusted as it stands.**", ""]
    elif verdict == "undecided":
        lines += ["No warning, one caveat: the variants were paired and the run-off "
                  "finished, but whether the window started from a steady state is "
                  "**undecided at this size** (below): more replicates or borrowers would "
                  "decide it.", ""]
    else:
        lines += ["No warning: the variants were paired, the run-off finished and the window "
                  "started from a steady state.", ""]
    lines += [f"- Common shocks: of the borrower slots that met a job loss or illness in the "
             f"window, {100 * shocks:.2f} % met exactly the same shocks on the same days "
             f"under every variant (life events are counter-based draws per slot and day); "
             f"{100 * people:.1f} % of slots held the same people (a borrower leaves the "
             f"market only without a loan, which the policy changes)."]
    if differences is not None and len(differences):
        ratios = _pairing_ratios(differences)
        if ratios:
            lines.append("- How much luck the pairing shares: the variance of each paired "
                         "difference as a share of what two independent samples would give "
                         "(100 %: nothing shared; the largest over variants): "
                         + ", ".join(f"{m} {100 * r:.0f} %" for m, r in ratios.items()) + ".")
    if comparison.burn_in_days:
        tolerance = comparison.stationarity_tolerance
        explained = {"met": "**met** (both intervals within it)",
                     "not met": "**not met**",
                     "undecided": "**undecided at this size**: an interval reaches beyond "
                                  "the tolerance, but no drift beyond it is detected (more "
                                  "replicates or borrowers would decide)"}[verdict]
        lines.append(
            f"- Steady state at the fork: over the last {DRIFT_DAYS} burn-in days the 30+ "
            f"DPD share changed by {100 * drifts[0]['mean']:+.1f} % of its level a year (95 % "
            f"CI {100 * drifts[0]['ci_low']:+.1f} to {100 * drifts[0]['ci_high']:+.1f} %) and "
            f"the principal outstanding by {100 * drifts[1]['mean']:+.1f} % a year (95 % CI "
            f"{100 * drifts[1]['ci_low']:+.1f} to {100 * drifts[1]['ci_high']:+.1f} %); the "
            f"criterion (both within {100 * tolerance:.0f} %) is {explained}.")
    if comparison.runoff_max_days:
        still_open = mean("runoff_open_share", max)
        unfinished = still_open > RUNOFF_OPEN_LIMIT
        lines.append(f"- Run-off: at most {100 * still_open:.2f} % of the accounts open at "
                     f"the horizon were still open when it stopped (longest run-off "
                     f"{mean('runoff_days', max):.0f} days)."
                     + (" **The run-off did not finish**: the lifetime measures of the runs "
                        "it left open are n/a, not counted as no loss." if unfinished else
                        " Their remaining losses are not counted." if still_open > 0 else ""))
    lines.append("- Each sentence below gives the smallest true difference the comparison "
                 "would detect (5 % test, 80 % power) where the difference is not "
                 "distinguishable from zero.")
    return lines


def _sentence(row: pd.Series) -> str:
    measure, diff = row["metric"], row["mean_difference"]
    label = LABELS.get(measure, measure)
    if diff is None or math.isnan(diff):
        return f"- {row['variant']}: {label} could not be compared."
    verb = "raised" if diff > 0 else "lowered"
    size = format_value(measure, abs(diff), difference=True)
    if MEASURE_UNITS.get(measure) == "currency units":
        size += " currency units"
    interval = (f"95% CI {format_value(measure, row['ci_low'], True)} to "
                f"{format_value(measure, row['ci_high'], True)}, paired p = "
                f"{row['p_value']:.3g}, q = {row.get('q_value', float('nan')):.3g}")
    if diff == 0 or not any(c in "123456789" for c in size.split(" ")[0]):
        return (f"- {row['variant'].capitalize()} did not change {label} to the precision "
                f"shown ({interval}).")
    sure = ""
    if not row.get("q_value", row["p_value"]) < 0.05:
        detectable = format_value(measure, row.get("detectable", float("nan")), True)
        sure = (f"; not distinguishable from no change: only a difference of {detectable} "
                "or more would have been detected")
    return (f"- {row['variant'].capitalize()} {verb} {label} by {size} compared with "
            f"{row['reference']} ({interval}{sure}).")


def _pairing_ratios(differences: pd.DataFrame) -> dict[str, float]:
    """`pairing_variance_ratio` of each headline measure (the largest over variants), in the
    headline's order, leaving out measures where it is undefined (no variance)."""
    ratios = {}
    for measure in HEADLINE:
        values = differences.loc[differences["metric"] == measure, "pairing_variance_ratio"]
        if len(values) and not values.isna().all():
            ratios[measure] = float(values.max())
    return ratios
