"""New people in borrower rows: income, latent risk, type, cash buffer, habits and starting score.

Each person has a latent financial fragility z (standard normal). Strategic and forgetful
people are drawn first, whatever their z (willingness and attention are not fragility); among
the others, the fragile (hardship) type is the upper tail of z (so that
`borrowers.hardship_share` of all people are fragile) and the rest are regular. z also scales
the person's shock rates (`borrowers.risk_shock_loading`: exp(loading z - loading^2 / 2),
which averages 1 over all people). Fragile people, the upper tail, are more prone on average
(1.55 at the defaults against 0.70 for regular people), and their rates are also multiplied by
`hardship_shock_multiplier`: together they meet about 5.5 times the shocks of regular people
(`mean_proneness`). Their starting score is drawn with correlation
`bureau.score_risk_correlation` to -z: the bureau knows something, not everything, of who is
fragile. The starting score is also the score's anchor, to which payment history fades
(`sim.bureau`).

Rows get new people at the start of a run and when a borrower without a loan leaves the market
(turnover, `sim.phases.life`). `draw_people` is compiled (numba) so that the life phase can
call it inside its own loop. A person's traits are counter-based draws (`sim.streams`) keyed on
the slot and its generation (how many people the slot has held before), so the same slot gets
the same person in every policy variant of a run.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from sim.population import (
    FORGETFUL,
    FRAGILE,
    NEVER,
    REGULAR,
    SCORE_MAX,
    SCORE_MIN,
    STRATEGIC,
    set_score,
)
from sim.streams import PERSON, normal, uniform
from sim.units import CENTS

if TYPE_CHECKING:
    from sim.columns import Columns
    from sim.config import ScenarioConfig


class PeopleTraits(NamedTuple):
    """How new people are drawn (the scenario's `borrowers`, `bureau` and `deferral` settings;
    see `sim.config` for units and meanings)."""

    income_median: float  # currency units per month
    income_sigma: float
    strategic_below: float  # a uniform draw under this makes a strategic person
    forgetful_below: float  # ... under this (and not strategic) a forgetful one
    fragile_above: float  # latent risk above which any other person is fragile (inf: nobody)
    risk_shock_loading: float
    buffer_months_median: float
    buffer_sigma: float
    hardship_buffer_multiplier: float
    autopay_share: float
    opt_out_share: float
    awareness: float
    score_mean: float
    score_sd: float
    score_risk_correlation: float


BIRTH_TRAIT_KEYS: tuple[str, ...] = (
    "borrowers.income_median", "borrowers.income_sigma", "borrowers.hardship_share",
    "borrowers.strategic_share", "borrowers.forgetful_share", "borrowers.risk_shock_loading",
    "borrowers.buffer_months_median", "borrowers.buffer_sigma",
    "borrowers.hardship_buffer_multiplier", "borrowers.autopay_share",
    "borrowers.opt_out_share", "bureau.initial_score_mean", "bureau.initial_score_sd",
    "bureau.score_risk_correlation")
"""Scenario keys read only when a person is drawn (`people_traits`): changed at a fork, they
would reach only the people who arrive after it, so a comparison refuses a variant that
changes them (deferral awareness is the exception: `CreditMarket.adopt_policy` tells the
people already there)."""


def people_traits(config: ScenarioConfig) -> PeopleTraits:
    """The scenario's settings for drawing new people."""
    b, bureau = config.borrowers, config.bureau
    shares = np.asarray(type_shares(b.hardship_share, b.strategic_share, b.forgetful_share))
    regular_or_fragile = float(shares[REGULAR] + shares[FRAGILE])
    regular_given = (float(shares[REGULAR]) / regular_or_fragile if regular_or_fragile > 0
                     else 1.0)
    fragile_above = (np.inf if regular_given >= 1 else -np.inf if regular_given <= 0
                     else NormalDist().inv_cdf(regular_given))
    return PeopleTraits(
        income_median=b.income_median, income_sigma=b.income_sigma,
        strategic_below=float(shares[STRATEGIC]),
        forgetful_below=float(shares[STRATEGIC] + shares[FORGETFUL]),
        fragile_above=fragile_above,
        risk_shock_loading=b.risk_shock_loading,
        buffer_months_median=b.buffer_months_median, buffer_sigma=b.buffer_sigma,
        hardship_buffer_multiplier=b.hardship_buffer_multiplier,
        autopay_share=b.autopay_share, opt_out_share=b.opt_out_share,
        awareness=config.deferral.awareness, score_mean=bureau.initial_score_mean,
        score_sd=bureau.initial_score_sd, score_risk_correlation=bureau.score_risk_correlation)


def mean_proneness(traits: PeopleTraits) -> tuple[float, float]:
    """Mean shock proneness of fragile and of regular people (1 over everyone): with
    E[exp(bz - b^2/2); z > a] = 1 - Phi(a - b) for the fragile tail above a."""
    a, loading, cdf = traits.fragile_above, traits.risk_shock_loading, NormalDist().cdf
    upper = 1.0 - cdf(a) if np.isfinite(a) else float(a < 0)
    fragile = (1.0 - cdf(a - loading)) / upper if upper > 0 else 1.0
    regular = cdf(a - loading) / (1.0 - upper) if upper < 1 else 1.0
    return fragile, regular


def type_shares(hardship: float, strategic: float, forgetful: float) -> list[float]:
    """Shares of REGULAR, FRAGILE, STRATEGIC and FORGETFUL borrowers, normalised to 1."""
    regular = max(0.0, 1.0 - hardship - strategic - forgetful)
    shares = [regular, hardship, strategic, forgetful]
    total = sum(shares)
    return [s / total for s in shares]


@njit(cache=True)
def draw_people(col: Columns, key: np.uint64, rows: np.ndarray, day: int,
                traits: PeopleTraits) -> None:
    """Give rows `rows` (no row twice) new people arriving on `day`: income, latent risk,
    type, shock proneness, buffer, habits, score (and its anchor), and a clean history; keeps
    `score_counts` in step. `key`: the run's life key (`sim.streams.life_key`)."""
    for j in range(rows.size):
        i = rows[j]
        g = col.generation[i] + 1
        col.generation[i] = g
        income = traits.income_median * np.exp(traits.income_sigma * normal(key, i, g, PERSON))
        col.income[i] = np.int64(np.rint(income * CENTS))
        risk = normal(key, i, g, PERSON + 7)
        u = uniform(key, i, g, PERSON + 1)
        if u < traits.strategic_below:
            col.kind[i] = STRATEGIC
        elif u < traits.forgetful_below:
            col.kind[i] = FORGETFUL
        elif risk > traits.fragile_above:
            col.kind[i] = FRAGILE
        else:
            col.kind[i] = REGULAR
        loading = traits.risk_shock_loading
        col.shock_proneness[i] = np.exp(loading * risk - 0.5 * loading * loading)
        buffer_months = traits.buffer_months_median * np.exp(
            traits.buffer_sigma * normal(key, i, g, PERSON + 2))
        if col.kind[i] == FRAGILE:
            buffer_months *= traits.hardship_buffer_multiplier
        col.cash[i] = np.int64(np.rint(np.float64(col.income[i]) * buffer_months))
        col.autopay[i] = uniform(key, i, g, PERSON + 3) < traits.autopay_share
        col.opted_out[i] = uniform(key, i, g, PERSON + 4) < traits.opt_out_share
        col.aware[i] = uniform(key, i, g, PERSON + 5) < traits.awareness
        rho = traits.score_risk_correlation
        score = traits.score_mean + traits.score_sd * (
            -rho * risk + np.sqrt(1.0 - rho * rho) * normal(key, i, g, PERSON + 6))
        new = min(max(np.rint(score), SCORE_MIN), SCORE_MAX)
        col.score_anchor[i] = new
        col.score_history[i] = 0.0
        set_score(col.score, col.score_counts, i, np.int64(new))
        col.jobless_until[i] = NEVER
        col.ill_until[i] = NEVER
        col.stress[i] = 0.0
        col.contacts_week[:, i] = 0
        col.churned[i] = 0
        col.cooldown_until[i] = NEVER
        col.flag_day[i] = NEVER
        col.loans_taken[i] = 0
        col.chargeoff_day[i] = NEVER
        col.deferral_asked_day[i] = NEVER


@njit(cache=True)
def learn_of_deferral(col: Columns, key: np.uint64, awareness: float, first_row: int) -> None:
    """Under a policy whose `deferral.awareness` is `awareness`, the people of rows from
    `first_row` on whose awareness draw (the one made when they arrived) is under it know that
    deferral exists: a larger share makes more of the same people aware, and nobody forgets."""
    for i in range(first_row, col.aware.size):
        if not col.aware[i] and uniform(key, i, col.generation[i], PERSON + 5) < awareness:
            col.aware[i] = True
