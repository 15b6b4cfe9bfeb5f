"""The scenario schema: every parameter of the model, with its unit, default, meaning and source.

A scenario file (TOML) is validated against `ScenarioConfig`. Each field is declared with
`param(default, unit, doc, source)`: the documented `scenarios/baseline.toml` is generated from
these declarations (`python run.py params`), so the schema is the single place a parameter's
meaning lives. Money is given in currency units; the model converts it to integer cents.
"""

from __future__ import annotations

import math
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.units import CENTS

ASSUMPTION = "assumption"

CHANNELS: tuple[str, ...] = ("app", "sms", "letter", "phone")
"""Contact channels, in the order collectors use them within a day (cheapest first)."""

DPD_BUCKETS: tuple[str, ...] = ("dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_90_plus")
"""Days-past-due buckets of the collection ladder: 1-30, 31-60, 61-90 and 90 or more."""

SCORE_BAND_EDGES: tuple[int, ...] = (350, 550, 600, 650, 700, 950)
"""Score band edges: poor 350-550, fair 550-600, good 600-650, very good 650-700, excellent
700-950. Source: F18 (Sesame-style bands, secondary sources)."""

SCORE_BAND_NAMES: tuple[str, ...] = ("poor", "fair", "good", "very_good", "excellent")


CALIBRATED_STEADY_STATE = ("calibrated to F1, F4, F6 and F10 "
                           "(scenarios/calibration/steady_state.toml, docs/validation.md)")
"""Source of the parameters set by the steady-state calibration."""
CALIBRATED_REMINDERS = ("calibrated to F7, the on-time lift of an SMS reminder (Cadena and "
                        "Schoar, NBER w17020): the misses a reminder prevents must be about "
                        "7 % of installments (docs/validation.md)")
"""Source of the forgetful borrowers' parameters."""

MAX_AMOUNT = 1e12
"""Largest amount of money any one parameter may give, in currency units (10^14 cents, under
the 2^53 up to which a float holds whole cents exactly). The books of a whole run must also fit
int64 (see `ScenarioConfig`); money in a currency of small units (dong, rupiah) can be given in
thousands."""

MAX_DAY = 1_000_000
"""Largest day number or length in days a parameter may give (days are int32 in the columns)."""

MAX_CONTACTS_PER_7_DAYS = 1_000
"""Largest weekly contact cap: far above what any ladder attempts (four channels at most 7 a
week each, and a reminder per due day), so it refuses nothing that caps anything."""

INT64_MAX = 2**63 - 1
"""Most cents an int64 column, sum or ledger holds (about 9.2e18 cents, 9.2e16 currency units)."""

BOOKS_HEADROOM = 100
"""How far under `INT64_MAX` the money a run can hold must stay (`ScenarioConfig`): the money
is counted at the mean of the lognormal draws; the factor covers the draws in their tails, and
interest and fees owed on top of principal."""

RUN_ALLOWANCE_DAYS = 2_190
"""Days the bound on a run's books allows beyond `run.days`: a comparison's burn-in and run-off
(730 + 1,460 days in the shipped comparisons) run the same market on."""


def param(default: Any, unit: str, doc: str, source: str = ASSUMPTION, **limits: Any) -> Any:
    """Declare a scenario parameter: default, unit, one-line meaning, source, and limits
    (`ge`, `le`, `gt`, `lt` as in pydantic). A number parameter is finite (inf and NaN are
    refused); money (a unit in currency units) is at most `MAX_AMOUNT` unless `le` says less."""
    if isinstance(default, float):
        limits.setdefault("allow_inf_nan", False)
    if unit.startswith("currency units") and isinstance(default, float):
        limits.setdefault("le", MAX_AMOUNT)
    return Field(default, description=doc, json_schema_extra={"unit": unit, "source": source},
                 **limits)


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RunConfig(Section):
    """Size, length and seed of one simulation."""

    borrowers: int = param(
        10_000, "borrowers", "Number of borrowers in the market. With the money parameters "
        "and the run's length it must keep the books within int64 cents (the capital, cash "
        "and income a run can hold, times a headroom of 100; checked when a scenario is "
        "loaded), and the run must fit in memory (checked before the columns are allocated).",
        ge=1, le=50_000_000)
    days: int = param(1095, "days", "Number of simulated days (one tick is one day).", ge=1,
                      le=36_500)
    seed: int = param(20261125, "integer", "Root seed of the random number generator.", ge=0,
                      le=2**63 - 1)
    steady_state_from_day: int = param(
        365, "day", "First day of the window over which summary averages (30+ and 90+ DPD "
        "shares, annual charge-off rate) are taken; earlier days are the book filling up.", ge=0,
        le=MAX_DAY)
    check_invariants: bool = param(
        True, "flag", "Check the accounting identities of every lender, the count of active "
        "loans and the money in the system (a scan of every borrower) and stop with an error if "
        "one fails, at the end of day 0, of every `check_every_days`-th day and of the run's last "
        "day.")
    check_every_days: int = param(
        7, "days", "Days between two full accounting checks (`check_invariants`). The "
        "identities are cumulative, so a broken one stays broken and the next check finds it; "
        "1 checks every day (the tests do), which costs a scan of every borrower a day.",
        ge=1, le=36_500)
    borrower_agents: bool = param(
        False, "flag", "Also create one Borrower mesa.Agent per borrower as a read-only view of "
        "its row (for inspection and teaching; costs memory and time at large sizes).")


class BorrowerConfig(Section):
    """Who the borrowers are: income, expenses, savings and behavioural types."""

    income_median: float = param(6_000.0, "currency units per month",
                                 "Median monthly income (lognormal across borrowers).", gt=0)
    income_sigma: float = param(0.5, "log-units", "Standard deviation of log income across "
                                "borrowers.", ge=0, le=3)
    income_volatility: float = param(0.10, "log-units per month",
                                     "Standard deviation of the log of each month's income "
                                     "around the borrower's own income.", ge=0, le=2)
    expense_ratio: float = param(0.80, "share of income", "Living expenses paid each pay day, "
                                 "as a share of the borrower's normal monthly income.", ge=0,
                                 le=2)
    buffer_months_median: float = param(1.0, "months of income", "Median starting liquidity "
                                        "(cash buffer), in months of income (lognormal).", ge=0,
                                        le=1200)
    buffer_sigma: float = param(0.8, "log-units", "Standard deviation of the log of the "
                                "starting buffer across borrowers.", ge=0, le=3)
    hardship_share: float = param(0.25, "share of borrowers", "Share of financially fragile "
                                  "borrowers: small buffers and more frequent shocks; they miss "
                                  "because they cannot pay.", ge=0, le=1,
                              source="calibrated to F1 and F4 (see docs/validation.md)")
    strategic_share: float = param(0.05, "share of borrowers", "Share of strategic borrowers: "
                                   "able to pay, they may choose not to when enforcement looks "
                                   "weak.", ge=0, le=1)
    forgetful_share: float = param(0.25, "share of borrowers", "Share of forgetful borrowers: "
                                   "they miss installments without hardship.", ge=0, le=1,
                                   source=CALIBRATED_REMINDERS)
    autopay_share: float = param(0.40, "share of borrowers", "Share of borrowers who opted into "
                                 "automatic repayment from their account.", ge=0, le=1)
    hardship_buffer_multiplier: float = param(0.25, "multiplier", "Starting buffer of fragile "
                                              "borrowers relative to the others.", ge=0, le=1)
    hardship_shock_multiplier: float = param(2.5, "multiplier", "Shock rates of fragile "
                                             "borrowers relative to the others.", ge=1)
    risk_shock_loading: float = param(
        0.5, "log-units per standard deviation of latent risk", "How strongly a borrower's "
        "latent financial fragility (a standard normal trait; the fragile type is its upper "
        "tail) scales their job-loss and illness rates: a borrower z standard deviations above "
        "the mean has them multiplied by exp(loading * z - loading^2 / 2), which averages 1 "
        "over all people (fragile people, the upper tail, average more, on top of "
        "`hardship_shock_multiplier`).", ge=0, le=3)
    turnover_rate: float = param(0.25, "departures per borrower-year", "Rate at which a "
                                 "borrower without a loan or open debt leaves the market and "
                                 "is replaced by a new borrower (keeps the market from being "
                                 "cleansed of risky borrowers for ever).", ge=0, le=365)
    opt_out_share: float = param(0.05, "share of borrowers", "Share of borrowers who have "
                                 "opted out of calls and SMS from collectors at the start.",
                                 ge=0, le=1)

    @model_validator(mode="after")
    def _shares_fit(self) -> BorrowerConfig:
        total = self.hardship_share + self.strategic_share + self.forgetful_share
        if total > 1.0 + 1e-12:
            raise ValueError(
                f"hardship_share + strategic_share + forgetful_share = {total:g}; "
                "the three behavioural types must sum to at most 1")
        return self


class MacroShock(Section):
    """One window of the macro shock schedule."""

    start_day: int = param(0, "day", "First day of the window.", ge=0, le=MAX_DAY)
    end_day: int = param(0, "day", "Last day of the window (inclusive).", ge=0, le=MAX_DAY)
    job_loss_multiplier: float = param(1.0, "multiplier", "Job-loss rate multiplier in the "
                                       "window.", ge=0)
    illness_multiplier: float = param(1.0, "multiplier", "Illness rate multiplier in the "
                                      "window.", ge=0)
    force_majeure: bool = param(False, "flag", "Declared force majeure: every borrower may "
                                "claim it when asking for deferral.")

    @model_validator(mode="after")
    def _ordered(self) -> MacroShock:
        if self.end_day < self.start_day:
            raise ValueError(f"end_day ({self.end_day}) is before start_day ({self.start_day})")
        return self


class ShockConfig(Section):
    """Life shocks that cut income or add costs, and the macro schedule that scales them."""

    job_loss_rate: float = param(0.13, "events per borrower-year", "Rate at which an "
                                 "employed borrower loses their job.", ge=0, le=365,
                                 source=CALIBRATED_STEADY_STATE)
    job_loss_mean_days: float = param(120.0, "days", "Mean duration of unemployment "
                                      "(geometric).", ge=1, le=36_500)
    job_loss_income_replacement: float = param(0.3, "share of income", "Income kept while "
                                               "unemployed (benefits).", ge=0, le=1)
    job_loss_income_scar: float = param(
        0.1, "share of income", "Share of a borrower's normal income lost for good at each "
        "job loss (the next job pays less): hardship that a pause cannot cure.", ge=0, le=1,
        source="assumption below the 25 % long-run earnings loss of displaced high-tenure "
        "workers (Jacobson, LaLonde and Sullivan 1993, AER), since most job losses are not "
        "mass lay-offs (Davis and von Wachter 2011, Brookings Papers)")
    illness_rate: float = param(0.06, "events per borrower-year", "Rate of a costly illness.",
                                ge=0, le=365)
    illness_mean_days: float = param(45.0, "days", "Mean duration of an illness (geometric).",
                                     ge=1, le=36_500)
    illness_cost_share: float = param(0.6, "share of monthly income per month", "Extra "
                                      "expenses while ill.", ge=0, le=5)
    macro: list[MacroShock] = param([], "list of windows", "Macro shock schedule: windows of "
                                    "days in which shock rates are multiplied (TOML "
                                    "[[shocks.macro]] tables).")


class StrategicConfig(Section):
    """Willingness to pay of strategic borrowers."""

    base_propensity: float = param(0.22, "probability per installment", "Chance that a "
                                   "strategic borrower who can pay decides to stop paying, "
                                   "when perceived enforcement is nil.", ge=0, le=1,
                                   source=CALIBRATED_STEADY_STATE)
    peer_weight: float = param(3.0, "probability per unit of 30+ DPD share", "Added propensity "
                               "per unit of the market's share of loans 30+ DPD: peers' "
                               "defaults make default look normal.", ge=0)
    enforcement_weight_report: float = param(0.35, "weight", "Perceived enforcement from an "
                                             "early bureau report (scaled by how early).",
                                             ge=0, le=1)
    enforcement_weight_legal: float = param(0.35, "weight", "Perceived enforcement from early "
                                            "legal action (scaled by how early).", ge=0, le=1)
    enforcement_weight_contacts: float = param(0.30, "weight", "Perceived enforcement from "
                                               "collection contacts received in the last 7 "
                                               "days (relative to the weekly cap).", ge=0, le=1)
    enforcement_horizon_days: float = param(180.0, "days", "A bureau report or legal action "
                                            "filed at DPD d weighs max(0, 1 - d / horizon) in "
                                            "perceived enforcement.", gt=0, le=36_500)
    contact_response: float = param(0.39, "multiplier", "A strategic defaulter's response to "
                                    "a contact, relative to the channel's pay effect.", ge=0,
                                    le=1, source=CALIBRATED_STEADY_STATE)
    deferral_apply_multiplier: float = param(2.0, "multiplier", "How much more readily "
                                             "strategic defaulters ask for deferral.", ge=0)
    false_claim_rate: float = param(
        0.1, "applications per borrower-month", "Rate at which an aware strategic borrower "
        "who is current and in no shock asks for a deferral claiming hardship (a pause is "
        "worth having if the review can be fooled).", ge=0, le=30)
    forgiveness_weight: float = param(
        0.1, "probability per unit of forgiveness chance", "Added propensity to stop paying "
        "per unit of the chance of being forgiven that a borrower who knows deferral exists "
        "sees: the chance that a hardship claim passes the lender's review (0 where the "
        "lender grants no deferrals). Moral hazard: an outcome of this rule, not imposed.",
        ge=0, le=1)
    grievance_weight: float = param(
        0.02, "probability per unit of stress", "Added propensity to stop paying per point "
        "of collection stress the borrower still carries (relative to `collection."
        "churn_stress`, at most 1): borrowers treated harshly pay less willingly.", ge=0,
        le=1, source="assumption; direction from reactance to aggressive collection "
        "reported in the CFPB 2017 debt collection survey")


class ForgetfulConfig(Section):
    """Forgetful borrowers and what fixes them."""

    miss_probability: float = param(0.55, "probability per installment", "Chance a forgetful "
                                    "borrower without auto-repay forgets an installment.",
                                    ge=0, le=1, source=CALIBRATED_REMINDERS)
    reminder_fix_share: float = param(0.9, "share", "Share of those misses a pre-due reminder "
                                      "prevents.", ge=0, le=1, source=CALIBRATED_REMINDERS)
    contact_cure_probability: float = param(0.9, "probability", "Chance a forgetful borrower "
                                            "reached by a collector pays (if able).", ge=0,
                                            le=1)


class LendingConfig(Section):
    """Borrowing needs, credit review, pricing and capital."""

    lenders: int = param(1, "lenders", "Number of lenders (all follow this scenario's "
                         "policy).", ge=1, le=8)
    need_rate: float = param(1.5, "needs per borrower-year", "Rate at which a borrower without "
                             "a loan needs to borrow.", ge=0, le=365)
    loan_months_of_income_median: float = param(1.5, "months of income", "Median requested "
                                                "amount (lognormal).", gt=0, le=1200)
    loan_size_sigma: float = param(0.5, "log-units", "Standard deviation of the log of the "
                                   "requested amount.", ge=0, le=3)
    term_months: int = param(12, "months", "Term of a new loan.", ge=1, le=120)
    min_score: int = param(550, "score points", "Lowest bureau score the lender accepts.",
                           ge=350, le=950)
    max_dti: float = param(0.35, "share of monthly income", "Largest installment accepted, as a "
                           "share of the applicant's current monthly income.", gt=0, le=2)
    apr_by_band: list[float] = param([0.36, 0.30, 0.24, 0.18, 0.12], "annual rate per band",
                                     "Annual percentage rate by score band (poor, fair, good, "
                                     "very good, excellent).")
    capital_per_borrower: float = param(8_000.0, "currency units per borrower", "Lender "
                                        "starting capital, per borrower in the market (split "
                                        "equally among lenders).", ge=0)
    bureau_flag_lookback_days: int = param(365, "days", "Applicants with a negative bureau "
                                           "report (serious delinquency, legal, charge-off) "
                                           "that took effect this recently are rejected.",
                                           ge=0, le=36500)
    repeat_cooldown_days: int = param(30, "days", "Days after a loan is repaid before the "
                                      "borrower can need a new one.", ge=0, le=36500)
    cost_of_funds_rate: float = param(
        0.05, "share of principal per year", "What the lender pays for the money it lends "
        "(charged on principal outstanding in `risk_adjusted_profit`).", ge=0, le=1,
        source="assumption, near short-term funding rates of 2023-24 (US federal funds "
        "effective rate 5.33 %, Federal Reserve H.15)")

    equity_share: float = param(
        0.10, "share of assets", "Share of the lender's assets financed by its own equity at "
        "the start (and when a comparison's variant takes the lender over at the fork); the "
        "rest is funding owed to investors or depositors; the part lent out accrues "
        "`cost_of_funds_rate` (idle cash is taken to earn what it costs). "
        "The capital ratio (equity over cash plus loans) moves with profit and loss from "
        "there.", ge=0, le=1,
        source="US commercial banks' equity capital is about 10 % of their assets (FDIC "
        "Quarterly Banking Profile)")
    provision_dpd: int = param(
        90, "days", "Loans this many days past due or more are provisioned in full: their "
        "principal no longer counts towards the lender's equity.", ge=1, le=36500,
        source="the Basel default definition (90 days past due, BCBS 2006 para. 452)")
    stage2_dpd: int = param(
        30, "days", "Loans this many days past due or more (and under `provision_dpd`) are "
        "provisioned at `stage2_provision_share` of their principal.", ge=1, le=36500,
        source="IFRS 9 B5.5.19: 30 days past due presumes a significant increase in credit "
        "risk (stage 2, lifetime expected loss)")
    stage2_provision_share: float = param(
        0.4, "share of principal", "Provision on loans from `stage2_dpd` to `provision_dpd` "
        "days past due.", ge=0, le=1,
        source="assumption, near the model's own roll from 30 DPD to charge-off")
    forborne_provision_share: float = param(
        0.15, "share of principal", "Provision on forborne loans (granted a deferral or a "
        "plan, on probation) under `stage2_dpd` days past due and not in default (IFRS 9 stage "
        "2); a loan in default (`sim.default_status`) is provisioned in full until it cures.",
        ge=0, le=1,
        source="assumption, of the order of the model's own 12-month re-default rate of "
        "deferred loans (`redefault_rate_12m`) with a loss given default near 1 (circular, "
        "and a 12-month figure where stage 2 asks for a lifetime one); docs/assumptions.md "
        "shows its effect")

    @model_validator(mode="after")
    def _five_bands(self) -> LendingConfig:
        if len(self.apr_by_band) != len(SCORE_BAND_NAMES):
            raise ValueError(f"apr_by_band needs {len(SCORE_BAND_NAMES)} rates (one per band: "
                             f"{', '.join(SCORE_BAND_NAMES)}), got {len(self.apr_by_band)}")
        if any(not 0 <= r <= 5 for r in self.apr_by_band):
            raise ValueError("apr_by_band rates must lie between 0 and 5 (500% a year)")
        return self


class SupplyConfig(Section):
    """How each lender reviews its credit policy (minimum score, price, loan size) as its
    losses and capital move.

    At every review the lender measures its stress: the annualised net loss rate of its book
    over the last `loss_window_days` less `loss_target`, in percentage points (negative when
    losses run under target), plus `capital_weight` times the shortfall of its capital ratio
    below `capital_target`, in percentage points. Its minimum score is then
    `lending.min_score` plus `score_points_per_stress` per point of stress (down to
    `max_loosening_points` below it, up to `max_min_score`); under positive stress its prices
    are `lending.apr_by_band` plus `apr_points_per_stress` per point (capped at `max_apr`),
    and the loans it grants the amount asked for times 1 - `size_cut_per_stress` per point
    (at least `min_size_share`)."""

    enabled: bool = param(True, "flag", "Lenders review their policy (off: the scenario's "
                          "policy holds for ever).")
    review_days: int = param(30, "days", "Days between policy reviews (a monthly credit "
                             "committee).", ge=1, le=3650)
    loss_window_days: int = param(90, "days", "Trailing window over which the net loss rate "
                                  "is measured at a review.", ge=1, le=3650)
    loss_target: float = param(
        0.032, "share of the book per year", "Annual net loss rate (charge-offs less "
        "recoveries over the mean book) the lender budgets for and accepts without "
        "tightening.", ge=0, le=1,
        source=CALIBRATED_STEADY_STATE + "; a budget inside F4's range (US card net "
        "charge-offs 1.93-6.02 % a year), above the steady state's losses so that only a "
        "rise in them binds")
    capital_target: float = param(
        0.03, "share of assets", "Capital ratio (equity over assets) below which the lender "
        "tightens.", ge=0, le=1,
        source="Basel III leverage ratio minimum: Tier 1 capital of 3 % of total exposure "
        "(BCBS 2014)")
    capital_weight: float = param(1.0, "stress points per point of capital shortfall",
                                  "Weight of the capital shortfall in the lender's stress.",
                                  ge=0)
    score_points_per_stress: float = param(
        25.0, "score points per stress point", "Rise of the minimum score per point of "
        "stress.", ge=0, source="assumption; direction from Fedaseyeu (2020, JFE) and "
        "Fonseca (2023, J. Finance): collection restrictions cut credit to riskier "
        "borrowers; no source for the size")
    max_loosening_points: float = param(
        25.0, "score points", "Most a lender lowers its minimum score below "
        "`lending.min_score` when its losses run under target (negative stress; prices and "
        "loan sizes do not loosen).", ge=0, le=600, source="assumption")
    apr_points_per_stress: float = param(
        0.5, "APR percentage points per stress point", "Rise of every band's APR per point of "
        "stress.", ge=0)
    size_cut_per_stress: float = param(0.05, "share per stress point", "Cut of the amount "
                                       "granted per point of stress.", ge=0, le=1)
    min_size_share: float = param(0.5, "share of the amount asked", "Smallest share of the "
                                  "amount asked that a stressed lender still grants.", gt=0,
                                  le=1)
    max_apr: float = param(
        0.36, "annual rate", "Highest APR the lender may charge.", ge=0, le=5,
        source="China's Supreme People's Court, Provisions on private lending (2015): "
        "interest above 36 % a year is void (24-36 % is not enforced); replaced in 2020 by "
        "four times the one-year loan prime rate")
    max_min_score: int = param(800, "score points", "Highest minimum score a lender sets.",
                               ge=350, le=950)


class PlatformRunConfig(Section):
    """Borrowers who watch their lender's health: when it looks likely to fail, repaying
    buys no future credit, and some stop paying (China's P2P platform failures of 2018)."""

    capital_threshold: float = param(
        0.05, "share of assets", "Perceived capital ratio below which borrowers see the "
        "lender in distress; distress rises linearly to 1 as the perceived ratio falls to "
        "0.", ge=0, le=1, source="assumption")
    signal_half_life_days: float = param(
        30.0, "days", "Half-life of the public signal of the lender's health: borrowers "
        "learn its capital ratio through news and peers, with this lag.", gt=0, le=36_500,
        source="assumption")
    rumour_day: int = param(
        -1, "day", "Day on which news of other platforms' failures sets the capital ratio "
        "borrowers believe of every lender to `rumour_ratio` (-1: never); the belief then "
        "moves back towards the true ratio with the signal's half-life.", ge=-1, le=MAX_DAY,
        source="assumption; the June-July 2018 wave of P2P failures in China hit sound and "
        "weak platforms alike")
    rumour_ratio: float = param(0.03, "share of assets", "Capital ratio borrowers believe "
                                "of every lender on `rumour_day`.", ge=0, le=1,
                                source="assumption")
    strategic_weight: float = param(
        0.5, "probability per installment at full distress", "Added chance that a strategic "
        "borrower stops paying, times distress and one minus the enforcement they perceive.",
        ge=0, le=1, source="assumption")
    others_weight: float = param(
        0.2, "probability per installment at full distress", "Chance that any other "
        "borrower who can pay stops paying their loan, times distress and one minus the "
        "enforcement they perceive, if they have the cash to pay (at full distress most "
        "borrowers have walked away within a year).", ge=0, le=1,
        source="assumption; pattern from reports on China's 2018 P2P failures (most "
        "borrowers of failed platforms stopped repaying), no published rate")


class RegulationConfig(Section):
    """A regulator watching complaints about each lender's collection."""

    enabled: bool = param(True, "flag", "The regulator acts on complaints.")
    period_days: int = param(90, "days", "Days between the regulator's reviews of complaints "
                             "(a quarter).", ge=1, le=3650)
    complaint_threshold_per_1000: float = param(
        14.0, "complaints per 1,000 accounts per period", "Complaints about a lender in a "
        "period, per 1,000 of its accounts (loans and claims) on the period's average day, above "
        "which it is sanctioned.",
        ge=0, source="assumption, set to catch outliers rather than the typical lender and "
        "so that strict collection, restricted now and then, gives F13 (4+ contacts a week "
        "for 40 % of contacted consumers); complaints per 1,000 accounts is the measure the "
        "UK FCA publishes for each firm")
    penalty_per_excess_complaint: float = param(
        650.0, "currency units per complaint", "Fine per complaint above the threshold, "
        "booked as regulatory cost.", ge=0, source="assumption; a stand-in of the order of "
        "the UK Financial Ombudsman Service's case fee (GBP 650 per case referred, 2023/24), "
        "a fee rather than a fine")
    restriction_days: int = param(90, "days", "Days a sanctioned lender's contacts are "
                                  "restricted.", ge=0, le=3650, source="assumption")
    restricted_max_contacts_per_7_days: int = param(
        3, "contacts per rolling 7 days", "Cap on contact attempts per borrower while a "
        "lender is restricted.", ge=0, le=MAX_CONTACTS_PER_7_DAYS, source="assumption")


class RepaymentConfig(Section):
    """How installments are paid, missed and charged."""

    late_fee: float = param(15.0, "currency units", "Fee added when an installment is missed "
                            "(at each 30 days past due).", ge=0)
    partial_payments: bool = param(True, "flag", "Borrowers who cannot pay in full pay part "
                                   "of what they have.")
    partial_pay_share: float = param(0.767, "share of cash", "Share of their cash a borrower "
                                     "pays when paying partially.", ge=0, le=1,
                                     source=CALIBRATED_STEADY_STATE)
    autopay_withholds: bool = param(
        False, "flag", "Auto-repay withholds on pay day: a borrower who signed up keeps their "
        "arrears and what falls due within a month out of that day's living expenses "
        "(spending is cut instead), so the installment is there when it falls due. Off: "
        "auto-repay only prevents forgetting.",
        source="assumption; off until the delinquency facts are calibrated with it (see "
        "docs/validation.md)")
    self_cure_rate: float = param(1.5, "attempts per borrower-month", "Rate at which a "
                                  "delinquent borrower tries, unprompted, to pay arrears.",
                                  ge=0, le=30, source=CALIBRATED_STEADY_STATE)


class DeferralConfig(Section):
    """Payment deferral (forbearance): eligibility, application, review and new terms."""

    enabled: bool = param(False, "flag", "The lender grants deferrals at all.")
    eligible_hardship: bool = param(True, "flag", "A borrower in a job-loss or illness shock "
                                    "is eligible.")
    eligible_force_majeure: bool = param(True, "flag", "Every borrower is eligible during a "
                                         "declared force-majeure window.")
    eligible_small_balance: bool = param(False, "flag", "A small balance with a good record "
                                         "is eligible.")
    small_balance_max: float = param(2_000.0, "currency units", "Largest principal that counts "
                                     "as a small balance.", ge=0)
    good_record_max_dpd: int = param(0, "days", "Worst DPD on the loan that still counts as a "
                                     "good record.", ge=0, le=36_500)
    awareness: float = param(0.3, "share of borrowers", "Share of borrowers who know deferral "
                             "exists at the start (contacts that mention it raise it).", ge=0,
                             le=1)
    apply_rate: float = param(6.0, "applications per borrower-month", "Rate at which an aware "
                              "borrower in difficulty (in a shock or past due) applies.", ge=0,
                              le=30)
    verification_accuracy: float = param(0.8, "probability", "Chance the lender's review sees "
                                         "that an ineligible applicant is ineligible; the "
                                         "rest are granted by mistake.", ge=0, le=1)
    false_claim_detection: float = param(
        0.6, "probability", "Chance the review sees through a strategic borrower's false "
        "claim of hardship (papers made to look right are harder to catch than an honest "
        "applicant who does not qualify).", ge=0, le=1)
    wrongful_refusal_share: float = param(
        0.1, "probability", "Chance the review refuses an eligible applicant (papers missing "
        "or late).", ge=0, le=1)
    new_schedule_resets_refusal: bool = param(
        True, "flag", "A grant (or a collector's repayment plan) ends a strategic borrower's "
        "decision to stop paying: they decide afresh at the next due date, at their usual "
        "propensity. Off: the decision stands until they pay or are prompted to.",
        source="assumption (a strategic defaulter's response to a modification is not "
        "measured as such; Mayer et al. 2014, AER 104(9), find borrowers who become "
        "delinquent to qualify for one; docs/assumptions.md shows its effect on the verdict)")
    requests_without_offer: bool = param(
        False, "flag", "Borrowers in difficulty ask a lender that offers no deferral for one "
        "all the same (and are refused, and may complain). Off: where deferral is not offered "
        "nobody applies, and contacts do not tell of it.", source="assumption (no published "
        "rate of hardship requests to lenders without a programme; docs/assumptions.md shows "
        "its effect on the verdict)")
    refusal_complaint_probability: float = param(
        0.05, "probability", "Chance that a borrower in a shock whose deferral application is "
        "refused (deferral off, limit used, or a wrongful refusal) complains about the lender "
        "(the complaint counts towards the regulator's threshold).", ge=0, le=1)
    review_cost: float = param(
        20.0, "currency units per application", "Cost of reviewing one deferral application "
        "(documents, a call), booked as staff cost.", ge=0)
    mode: Literal["extend", "rate_cut"] = param("extend", "choice", "Outcome of a grant: "
                                                "'extend' pauses payments for extend_months and "
                                                "adds them to the term; 'rate_cut' cuts the rate "
                                                "by rate_cut_share.")
    extend_months: int = param(3, "months", "Length of the payment pause of an 'extend' "
                               "deferral.", ge=1, le=24)
    rate_cut_share: float = param(0.5, "share of the rate", "Cut of the interest rate of a "
                                  "'rate_cut' deferral.", ge=0, le=1)
    accrue_interest: bool = param(True, "flag", "Interest accrues during the pause and is due "
                                  "with the first installment after it.")
    waive_arrears_interest: bool = param(True, "flag", "Past-due interest and fees are waived "
                                         "at the grant (otherwise they are carried, not past "
                                         "due, to the first installment after it).")
    reapply_after_days: int = param(30, "days", "Days a borrower waits after asking before "
                                    "asking again (for any loan).", ge=1, le=36500)
    max_per_loan: int = param(1, "deferrals", "Largest number of deferrals per loan.", ge=0,
                              le=12)
    redefault_dpd: int = param(60, "days", "DPD at which a loan that was deferred counts as "
                               "re-defaulted.", ge=1, le=36500, source="F11 (OCC/OTS 60+ DPD "
                               "re-default definition)")
    redefault_window_days: int = param(
        365, "days", "A loan counts for the cohort re-default rate (`redefault_rate_12m`) if it "
        "reaches `redefault_dpd` within this many days of its first deferral or plan.", ge=1,
        le=36500, source="F11 (OCC/OTS Mortgage Metrics: re-default 12 months after "
        "modification)")
    probation_days: int = param(
        730, "days", "A loan granted a deferral stays forborne (reported apart, never a cure) "
        "until it has been current for this many days after its pause; a missed installment "
        "restarts the count. Forborne loans re-aged from 30+ DPD count as 30+ delinquent "
        "meanwhile.", ge=0, le=36500, source="EBA ITS on forbearance and non-performing "
        "exposures (Commission Implementing Regulation (EU) 2015/227, Annex V, para. 176): "
        "a probation period of at least two years")


class PrudentialDefaultConfig(Section):
    """Default as supervisors define it (the Basel/CRR definition, with the EBA's guidelines),
    measured beside the accounting charge-off (`sim.default_status`): a loan is in default
    from the day a trigger applies until it has been through a cure probation with no
    trigger; every entry into default counts."""

    dpd_threshold: int = param(
        90, "days", "A loan this many days past due or more is in default.", ge=1, le=36500,
        source="CRR Art. 178(1)(b); BCBS (2006) Basel II para. 452: more than 90 days past "
        "due on a material obligation")
    forborne_dpd_threshold: int = param(
        30, "days", "A forborne loan (granted a deferral or a plan, still on probation) that "
        "was re-aged from more than this many days past due and is more than this many days "
        "past due again is in default (non-performing).", ge=0, le=36500,
        source="Commission Implementing Regulation (EU) 2015/227, Annex V, para. 179-180: "
        "a forborne exposure under probation that becomes more than 30 days past due is "
        "reclassified as non-performing")
    restructuring_loss_threshold: float = param(
        0.01, "share of the obligation", "A deferral or plan that cuts the present value of "
        "what the borrower owes by more than this share (interest and fees waived, interest "
        "not charged during a pause, a rate cut; discounted at the loan's own rate) is a "
        "distressed restructuring: the loan is in default.", ge=0, le=1,
        source="EBA/GL/2016/07 para. 51: diminished financial obligation above 1 %")
    cure_probation_days: int = param(
        90, "days", "A defaulted loan leaves default (a cure) after this many days without a "
        "trigger and without being past due; a day past due starts the count again.", ge=0,
        le=36500, source="EBA/GL/2016/07 para. 71(a): at least three months")
    restructuring_probation_days: int = param(
        365, "days", "The same after a distressed restructuring, counted from the later of "
        "the grant and the end of its payment pause.", ge=0, le=36500,
        source="EBA/GL/2016/07 para. 72: at least one year")


class ChannelRates(Section):
    """Contacts per week on each channel, for one DPD bucket."""

    app: float = param(0.0, "contacts per week", "App notices.", ge=0, le=7)
    sms: float = param(0.0, "contacts per week", "SMS messages.", ge=0, le=7)
    letter: float = param(0.0, "contacts per week", "Letters.", ge=0, le=7)
    phone: float = param(0.0, "contacts per week", "Phone calls.", ge=0, le=7)


class LadderConfig(Section):
    """Collection ladder: contacts per week on each channel in each DPD bucket."""

    dpd_1_30: ChannelRates = ChannelRates(app=2.0, sms=2.0)
    dpd_31_60: ChannelRates = ChannelRates(app=2.0, sms=2.0, phone=1.0)
    dpd_61_90: ChannelRates = ChannelRates(sms=2.0, letter=1.0, phone=2.0)
    dpd_90_plus: ChannelRates = ChannelRates(letter=1.0, phone=2.0)


class ChannelSpec(Section):
    """Cost, reach and effect of one contact channel."""

    cost: float = param(0.0, "currency units per attempt", "Cost of one contact attempt.", ge=0)
    rpc_rate: float = param(1.0, "probability", "Right-party-contact rate: chance an attempt "
                            "reaches the borrower.", ge=0, le=1)
    pay_effect: float = param(0.0, "probability", "Chance a reached borrower tries to pay.",
                              ge=0, le=1)
    stress: float = param(0.0, "stress points", "Stress a reached borrower takes from the "
                          "contact.", ge=0)
    complaint_probability: float = param(0.0, "probability", "Chance of a complaint per "
                                         "contact to a borrower at zero stress.", ge=0, le=1)
    uses_capacity: bool = param(False, "flag", "Each attempt takes one unit of a collector's "
                                "daily capacity.")
    informs_deferral: bool = param(False, "flag", "A reached borrower learns that deferral "
                                   "exists (where the lender offers it, or borrowers ask "
                                   "without an offer: `deferral.requests_without_offer`).")


class ChannelsConfig(Section):
    """The four contact channels."""

    app: ChannelSpec = ChannelSpec(cost=0.01, rpc_rate=0.6, pay_effect=0.10, stress=0.05,
                                   complaint_probability=0.0005, informs_deferral=True)
    sms: ChannelSpec = ChannelSpec(cost=0.05, rpc_rate=0.8, pay_effect=0.15, stress=0.1,
                                   complaint_probability=0.001)
    letter: ChannelSpec = ChannelSpec(cost=1.0, rpc_rate=0.7, pay_effect=0.20, stress=0.3,
                                      complaint_probability=0.002, uses_capacity=True,
                                      informs_deferral=True)
    phone: ChannelSpec = ChannelSpec(cost=2.5, rpc_rate=0.25, pay_effect=0.40, stress=0.8,
                                     complaint_probability=0.01, uses_capacity=True,
                                     informs_deferral=True)


class CollectionConfig(Section):
    """Collection policy: ladder, reminders, capacity and the rules that limit contact."""

    ladder: LadderConfig = LadderConfig()
    segment_min_score: int = param(
        951, "score points", "Borrowers with at least this score today are collected along "
        "`good_customer_ladder`, the others along `ladder` (951: one ladder for everyone).",
        ge=350, le=951, source="assumption; personalising collection by customer segment "
        "is the practice the project's seed 003 describes (mild early for good customers, "
        "strict late)")
    good_customer_ladder: LadderConfig = LadderConfig(
        dpd_1_30=ChannelRates(app=2.0), dpd_31_60=ChannelRates(app=2.0, sms=1.0),
        dpd_61_90=ChannelRates(sms=2.0, letter=1.0, phone=2.0),
        dpd_90_plus=ChannelRates(letter=1.0, phone=2.0))
    repayment_plans: bool = param(
        False, "flag", "The collector offers a repayment plan to a borrower who reaches "
        "`plan_dpd` days past due without the cash to catch up: the arrears are spread over "
        "the rest of the term plus `plan_months`, past-due interest and fees are waived, with "
        "no pause, no rate cut and no application (unlike a deferral). The loan is forborne "
        "and the plan counts against `deferral.max_per_loan`.",
        source="assumption; negotiated repayment plans are the collector's alternative to "
        "forbearance that the project's seed 001 describes")
    plan_dpd: int = param(31, "days", "Days past due at which a repayment plan is offered.",
                          ge=1, le=36500)
    plan_months: int = param(6, "months", "Months added to the term over which a plan spreads "
                             "the arrears.", ge=0, le=60)
    plan_acceptance: float = param(0.5, "probability", "Chance a borrower offered a plan "
                                   "takes it.", ge=0, le=1)
    reminder_channel: Literal["none", "app", "sms"] = param(
        "app", "choice", "Channel of the reminder sent on the due day to borrowers without "
        "auto-repay ('none' sends none).")
    collectors_per_lender: int = param(2, "collectors", "Collectors working each lender's "
                                       "delinquent accounts.", ge=1, le=64)
    capacity_per_1000_borrowers: float = param(
        20.0, "contacts per collector-day per 1,000 borrowers", "Daily capacity of one "
        "collector for capacity-using channels, scaled with the size of its lender's share of "
        "the market (borrowers / lenders).", ge=0,
        le=1_000_000)
    capacity_priority: Literal["highest_dpd", "lowest_dpd", "largest_balance",
                               "expected_recovery", "random"] = param(
        "highest_dpd", "choice", "Which accounts a collector contacts first when capacity is "
        "short: by days past due (highest or lowest first), by balance owed (largest "
        "first), by expected recovery (balance times exp(-dpd / recovery_decay_days), "
        "largest first) or at random.")
    recovery_decay_days: float = param(
        90.0, "days", "Days past due over which the chance of recovering an account falls "
        "by a factor e, for the `expected_recovery` priority.", gt=0, le=36_500,
        source="assumption; collectability falls with delinquency age (F12: fresh debt "
        "sells at 16 cents, resold at 9)")
    hiring: bool = param(True, "flag", "A lender hires a collector at a review when the "
                         "capacity-using attempts its collectors could not make exceed "
                         "`hire_when_unmet_share` of those wanted since the last review.")
    hire_when_unmet_share: float = param(0.2, "share of wanted attempts", "Unmet share of "
                                         "capacity-using attempts that makes a lender hire.",
                                         ge=0, le=1)
    hire_cost: float = param(
        5_000.0, "currency units per hire", "One-off cost of hiring and training a "
        "collector, booked as collection cost.", ge=0, source="assumption")
    max_collectors_per_lender: int = param(16, "collectors", "Most collectors a lender "
                                           "employs.", ge=1, le=64)
    max_contacts_per_7_days: int = param(7, "contacts per rolling 7 days", "Cap on contact "
                                         "attempts per borrower per 7 days.", ge=0,
                                         le=MAX_CONTACTS_PER_7_DAYS,
                                         source="F16 (CFPB Regulation F, 7 calls in 7 days)")
    opt_out_channels: list[Literal["app", "sms", "letter", "phone"]] = param(
        ["sms", "phone"], "channels", "Channels an opted-out borrower is never contacted on.")
    complaint_opt_out_probability: float = param(0.3, "probability", "Chance a complaint also "
                                                 "opts the borrower out.", ge=0, le=1)
    third_party_contact: bool = param(False, "flag", "Calls that miss the borrower may reach "
                                      "family or employer (off: not allowed).")
    third_party_reach: float = param(0.5, "probability", "Chance a missed call reaches a third "
                                     "party, when third-party contact is on.", ge=0, le=1)
    third_party_complaint_multiplier: float = param(5.0, "multiplier", "Complaint chance of a "
                                                    "third-party contact relative to a "
                                                    "direct one.", ge=0)
    stress_half_life_days: float = param(14.0, "days", "Half-life of a borrower's contact "
                                         "stress.", gt=0, le=36_500)
    complaint_stress_elasticity: float = param(1.0, "per stress point", "Relative rise in "
                                               "complaint chance per point of stress.", ge=0)
    churn_stress: float = param(4.0, "stress points", "Stress at which a borrower stops "
                                "borrowing from the lender that contacts them.", gt=0)


class LegalConfig(Section):
    """Legal action against delinquent or charged-off accounts."""

    enabled: bool = param(True, "flag", "The lender sues.")
    dpd: int = param(150, "days", "DPD at which legal action is filed.", ge=1, le=36500)
    cost: float = param(300.0, "currency units per case", "Cost of filing a case.", ge=0)
    delay_days: int = param(90, "days", "Days from filing to judgment.", ge=0, le=36500)
    garnish_share: float = param(
        0.25, "share of income", "Share of each month's income a judgment's payment order "
        "takes on pay day, until the claim is paid or the order ends; never more than the "
        "income left after living expenses (the debtor's subsistence is protected), and "
        "nothing from unemployment benefits.", ge=0, le=1,
        source="US Consumer Credit Protection Act, 15 U.S.C. 1673(a): the lesser of 25 % of "
        "disposable earnings and what exceeds a subsistence floor; benefits exempt (31 CFR "
        "Part 212)")
    enforceable_share: float = param(
        0.03, "share of judgments", "Chance that a judgment can be enforced (the court finds "
        "income to garnish); an unenforceable judgment leaves the claim to ordinary "
        "collection.", ge=0, le=1,
        source=CALIBRATED_STEADY_STATE + "; China's courts close a large share of "
        "enforcement cases for want of property (the 'difficulty of enforcement' the Supreme "
        "People's Court campaigned against in 2016-2018)")
    order_months: int = param(24, "months", "How long a judgment's payment order runs (the "
                              "claim is kept at least that long, beyond the recovery "
                              "window).", ge=0, le=1200)


class BureauConfig(Section):
    """Credit bureau: scores, reporting and score moves."""

    initial_score_mean: float = param(640.0, "score points", "Mean starting score.", ge=350,
                                      le=950)
    initial_score_sd: float = param(60.0, "score points", "Standard deviation of the starting "
                                    "score.", ge=0)
    score_risk_correlation: float = param(
        0.9, "correlation", "Correlation between a new borrower's starting score (what the "
        "bureau knows of their identity, stability and history elsewhere) and minus their "
        "latent financial fragility: 0, a score that knows nothing; 1, a score that ranks "
        "fragility exactly.", ge=0, le=1,
        source="assumption, set so that the lowest decile of scores at origination defaults "
        "at least five times as often as the highest; default rates falling steeply by score "
        "decile: Board of Governors of the Federal Reserve System (2007), Report to the "
        "Congress on Credit Scoring and Its Effects on the Availability and Affordability of "
        "Credit")
    history_half_life_days: float = param(
        730.0, "days", "Half-life of the score's memory of payment history and applications: "
        "every 30 days each score moves back towards the borrower's starting score by the "
        "share this implies, so recent delinquency weighs more than old (0: never fades).",
        ge=0, le=36_500, source="assumption; US bureaus keep most negative items for 7 years, with "
        "weight falling with age (CFPB, Key Dimensions and Processes in the U.S. Credit "
        "Reporting System, 2012)")
    inquiry_points: int = param(-5, "score points", "Score change per application for a "
                                "loan (a hard inquiry, fading like payment history).",
                                ge=-100, le=0)
    report_dpd: int = param(60, "days", "DPD at which the lender reports serious delinquency "
                            "to the bureau.", ge=1, le=36500)
    reporting_delay_days: int = param(15, "days", "Days between a lender's report and the "
                                      "score move (reports made after the day's reporting "
                                      "phase move scores the next day at the earliest).", ge=0,
                                      le=365)
    on_time_points: int = param(2, "score points", "Score gain per installment paid on time.",
                                ge=0, le=100)
    missed_points: int = param(-8, "score points", "Score change per missed installment.",
                               ge=-300, le=0)
    reported_points: int = param(-60, "score points", "Score change when serious delinquency "
                                 "is reported.", ge=-600, le=0)
    legal_points: int = param(-120, "score points", "Score change at a legal judgment.",
                              ge=-600, le=0)
    charged_off_points: int = param(-100, "score points", "Score change at charge-off.",
                                    ge=-600, le=0)


class ChargeOffConfig(Section):
    """Charge-off, later recoveries and debt sale."""

    dpd: int = param(120, "days", "DPD at which a loan is charged off.", ge=1, le=36500,
                     source="F15 (FFIEC retail classification: 120 DPD for closed-end loans)")
    recovery_window_days: int = param(365, "days", "Days after charge-off during which the "
                                      "lender keeps collecting.", ge=0, le=36500)
    payment_willingness: float = param(
        0.003, "multiplier", "Willingness of a borrower to pay a charged-off claim once the "
        "charge-off shows on their credit file (after the bureau's reporting delay: what "
        "they see, not the lender's booking), relative to arrears on an active loan (scales "
        "unprompted and prompted payments; a court's payment order does not depend on it).",
        ge=0, le=1, source=CALIBRATED_STEADY_STATE)
    debt_sale: bool = param(False, "flag", "Sell charged-off debt instead of collecting it.")
    sale_price: float = param(0.10, "currency units per unit of face value", "Price of sold "
                              "debt.", ge=0, le=1,
                              source="F12 (FTC 2013: 4 cents; CFPB 2014: 16 cents fresh)")
    sale_after_days: int = param(0, "days", "Days after charge-off at which debt is sold.",
                                 ge=0, le=36500)


Language = Literal["en", "zh-CN"]

LANGUAGES: tuple[str, ...] = get_args(Language)
"""Languages of the dashboard and of classroom texts: English and Simplified Chinese."""


class LessonText(Section):
    """A classroom preset's text in one language, shown in the dashboard when it is selected."""

    title: str = param("", "text", "Title of the demonstration.")
    goal: str = param("", "text", "Learning goal: what students should understand afterwards.")
    explanation: str = param("", "text", "What happens in the run and why, in a few sentences.")


class CastMember(Section):
    """A named borrower whose life follows a script (a classroom case study).

    Cast members take the first rows of the population, in order. Their income, buffer, score
    and type are set here instead of drawn; random shocks, turnover, random borrowing needs and
    random deferral applications pass them by, so their shocks, loan applications and deferral
    requests are exactly the scripted ones. Everything else (payments, contacts, the bureau,
    the lender's review) treats them like anyone else."""

    name: str = param("borrower", "text", "Name shown in the dashboard's borrower inspector.")
    kind: Literal["regular", "hardship", "strategic", "forgetful"] = param(
        "regular", "choice", "Behavioural type (see [borrowers]).")
    income: float = param(6_000.0, "currency units per month", "Usual monthly income.", gt=0)
    cash: float = param(6_000.0, "currency units", "Cash at the start.", ge=0)
    score: int = param(700, "score points", "Bureau score at the start.", ge=350, le=950)
    pay_day: int = param(0, "day of the 30-day month", "Day of the month income arrives.",
                         ge=0, le=29)
    autopay: bool = param(False, "flag", "Installments are paid automatically when cash allows.")
    loan_amount: float = param(6_000.0, "currency units", "Amount asked for in each application.",
                               gt=0)
    loan_days: list[int] = param(
        [0], "days", "Days the borrower applies for a loan; an application waits until the "
        "borrower holds no loan and any cooldown after the last one has passed.")
    illness_day: int = param(-1, "day", "Day an illness starts (-1: none).", ge=-1,
                             le=MAX_DAY)
    illness_days: int = param(0, "days", "Length of the illness.", ge=0, le=MAX_DAY)
    job_loss_day: int = param(-1, "day", "Day the borrower loses their job (-1: never).", ge=-1,
                              le=MAX_DAY)
    job_loss_days: int = param(0, "days", "Time until the borrower works again.", ge=0,
                               le=MAX_DAY)
    asks_for_deferral: bool = param(
        False, "flag", "Knows about deferral and asks for it on the first day they may "
        "(in a shock or past due, see [deferral]); otherwise never asks.")


class ScenarioConfig(Section):
    """A whole scenario: every section of the model."""

    title: str = param("Baseline credit market", "text", "Short title of the scenario.")
    description: str = param("", "text", "What the scenario shows.")
    lesson: dict[Language, LessonText] = param(
        {}, "one table per language", "Classroom text by language ('en', 'zh-CN'): title, "
        "learning goal and explanation (TOML [lesson.en], [lesson.zh-CN]).")
    cast: list[CastMember] = param(
        [], "list of borrowers", "Named borrowers with a scripted life, in the first rows "
        "(TOML [[cast]] tables).")
    run: RunConfig = RunConfig()
    borrowers: BorrowerConfig = BorrowerConfig()
    shocks: ShockConfig = ShockConfig()
    strategic: StrategicConfig = StrategicConfig()
    forgetful: ForgetfulConfig = ForgetfulConfig()
    lending: LendingConfig = LendingConfig()
    supply: SupplyConfig = SupplyConfig()
    platform_run: PlatformRunConfig = PlatformRunConfig()
    regulation: RegulationConfig = RegulationConfig()
    repayment: RepaymentConfig = RepaymentConfig()
    deferral: DeferralConfig = DeferralConfig()
    collection: CollectionConfig = CollectionConfig()
    channels: ChannelsConfig = ChannelsConfig()
    legal: LegalConfig = LegalConfig()
    bureau: BureauConfig = BureauConfig()
    chargeoff: ChargeOffConfig = ChargeOffConfig()
    prudential_default: PrudentialDefaultConfig = PrudentialDefaultConfig()

    @model_validator(mode="after")
    def _cast_fits(self) -> ScenarioConfig:
        if len(self.cast) > self.run.borrowers:
            raise ValueError(f"cast has {len(self.cast)} members but run.borrowers is "
                             f"{self.run.borrowers}; the cast takes the first rows")
        return self

    @model_validator(mode="after")
    def _books_fit(self) -> ScenarioConfig:
        terms = books_terms(self)
        total = sum(terms.values())
        if total <= INT64_MAX:
            return self
        key, part = max(terms.items(), key=lambda item: item[1])
        value = dotted_value(self, key)
        room = INT64_MAX - (total - part)
        bound = f"at most {value * room / part:.4g} here" if room > 0 else \
            "the other parameters alone overflow"
        days = self.run.days + RUN_ALLOWANCE_DAYS
        message = (f"{value:g} is too large for the books: with {self.run.borrowers:,} "
                   f"borrowers over {days:,} days ({self.run.days:,} and "
                   f"{RUN_ALLOWANCE_DAYS:,} allowed for a burn-in and run-off), the money the "
                   f"run can hold, times a headroom of {BOOKS_HEADROOM}, passes the {INT64_MAX:.3g}"
                   f" cents an int64 ledger holds ({bound}; or fewer borrowers, a shorter run, "
                   "or money in larger units such as thousands)")
        raise ValidationError.from_exception_data(type(self).__name__, [InitErrorDetails(
            type=PydanticCustomError("books_overflow", message), loc=tuple(key.split(".")),
            input=value)])


def books_terms(config: ScenarioConfig) -> dict[str, float]:
    """The largest amounts of cents a run of `config` can reach in one int64 column sum or
    ledger, by the money parameter that drives each (`ScenarioConfig` refuses a scenario whose
    sum passes `INT64_MAX`). Stocks (the lenders' capital; the borrowers' starting cash and the
    income paid over the run, at the mean of the lognormal draws) count `BOOKS_HEADROOM` times;
    charges (fees and costs) count as if every borrower paid each as often as the rules allow
    on every day of the run, which is headroom enough."""
    n = config.run.borrowers
    days = config.run.days + RUN_ALLOWANCE_DAYS
    months = days / 30
    b = config.borrowers
    income = b.income_median * math.exp(b.income_sigma ** 2 / 2)
    buffer = b.buffer_months_median * math.exp(b.buffer_sigma ** 2 / 2)
    cast_income = sum(member.income for member in config.cast)
    cast_cash = sum(member.cash for member in config.cast)
    cap = max(config.collection.max_contacts_per_7_days,
              config.regulation.restricted_max_contacts_per_7_days)
    contacts_per_day = cap / 7 + 1  # the weekly cap, and a reminder on a due day
    channels = {f"channels.{name}.cost": getattr(config.channels, name).cost
                for name in CHANNELS}
    channel_key = max(channels, key=lambda key: channels[key])
    per_day = {
        "repayment.late_fee": config.repayment.late_fee / 30,
        "deferral.review_cost": config.deferral.review_cost / config.deferral.reapply_after_days,
        "legal.cost": config.legal.cost / 30,
        channel_key: channels[channel_key] * contacts_per_day,
        "regulation.penalty_per_excess_complaint":
            config.regulation.penalty_per_excess_complaint * (contacts_per_day + 1),
    }
    terms = {
        "lending.capital_per_borrower": BOOKS_HEADROOM * n * config.lending.capital_per_borrower,
        "borrowers.income_median": BOOKS_HEADROOM * (n * income * (buffer + months)
                                                      + cast_income * months + cast_cash),
        "collection.hire_cost": config.lending.lenders
        * config.collection.max_collectors_per_lender * config.collection.hire_cost,
    }
    for key, amount in per_day.items():
        terms[key] = n * days * amount
    return {key: CENTS * amount for key, amount in terms.items()}


def dotted_value(config: BaseModel, key: str) -> Any:
    """The value at `section.key` (`channels.sms.cost`) of a config."""
    value: Any = config
    for part in key.split("."):
        value = getattr(value, part)
    return value
