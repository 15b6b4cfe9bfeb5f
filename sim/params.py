"""The market's parameters: everything the phases read, derived once from the scenario.

`derive(config)` turns a validated `ScenarioConfig` into one `MarketParams`: the scenario
itself (`params.config`, read by the phases for plain settings such as `legal.dpd`) and the
values derived from it in the shapes the compiled rules read (daily chances, cents, per-channel
arrays), each built here and nowhere else. The model derives its parameters when it is built
and again when a comparison's variant takes over at the fork (`CreditMarket.adopt_policy`);
nothing else changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.config import CHANNELS, DPD_BUCKETS, LadderConfig, ScenarioConfig
from sim.default_status import DefaultRules, default_rules
from sim.people import PeopleTraits, people_traits
from sim.population import SCORE_MAX, WEEK
from sim.units import DAYS_PER_MONTH, daily_probability, to_cents


class PaymentTerms(NamedTuple):
    """The scenario's settings the payment rules read (see `sim.config`)."""

    cooldown_days: int  # lending.repeat_cooldown_days: wait after an account closes
    partial_payments: bool
    partial_pay_share: float
    chargeoff_willingness: float  # chargeoff.payment_willingness
    reporting_delay_days: int  # bureau.reporting_delay_days


def payment_terms(config: ScenarioConfig) -> PaymentTerms:
    """The scenario's `PaymentTerms`."""
    return PaymentTerms(cooldown_days=config.lending.repeat_cooldown_days,
                        partial_payments=config.repayment.partial_payments,
                        partial_pay_share=config.repayment.partial_pay_share,
                        chargeoff_willingness=config.chargeoff.payment_willingness,
                        reporting_delay_days=config.bureau.reporting_delay_days)


class LifeRates(NamedTuple):
    """Today's chances (per borrower per day) and the settings of the life phase (see
    `sim.config` for units and meanings)."""

    turnover: float  # chance that a borrower leaves (if without a loan or debt)
    job_loss_fragile: float  # chance of losing one's job, hardship borrowers
    job_loss_other: float  # the same, other borrowers
    job_loss_mean_days: float
    illness_fragile: float
    illness_other: float
    illness_mean_days: float
    income_volatility: float
    income_replacement: float
    income_scar: float
    expense_ratio: float
    illness_cost_share: float
    autopay_withholds: bool
    garnish_share: float


def life_rates(config: ScenarioConfig, job_loss_multiplier: float = 1.0,
               illness_multiplier: float = 1.0) -> LifeRates:
    """The scenario's `LifeRates`, with shock rates multiplied as a macro window does."""
    shocks, b = config.shocks, config.borrowers
    fragile = b.hardship_shock_multiplier
    job, ill = shocks.job_loss_rate * job_loss_multiplier, shocks.illness_rate * illness_multiplier
    return LifeRates(
        turnover=float(daily_probability(b.turnover_rate)),
        job_loss_fragile=float(daily_probability(job * fragile)),
        job_loss_other=float(daily_probability(job)),
        job_loss_mean_days=shocks.job_loss_mean_days,
        illness_fragile=float(daily_probability(ill * fragile)),
        illness_other=float(daily_probability(ill)),
        illness_mean_days=shocks.illness_mean_days,
        income_volatility=b.income_volatility,
        income_replacement=shocks.job_loss_income_replacement,
        income_scar=shocks.job_loss_income_scar,
        expense_ratio=b.expense_ratio,
        illness_cost_share=shocks.illness_cost_share,
        autopay_withholds=config.repayment.autopay_withholds,
        garnish_share=config.legal.garnish_share,
    )


def macro_multipliers(config: ScenarioConfig, day: int) -> tuple[float, float, bool]:
    """(job-loss multiplier, illness multiplier, force majeure) of the scenario's macro
    schedule on `day`; overlapping windows multiply."""
    job, ill, force = 1.0, 1.0, False
    for window in config.shocks.macro:
        if window.start_day <= day <= window.end_day:
            job *= window.job_loss_multiplier
            ill *= window.illness_multiplier
            force = force or window.force_majeure
    return job, ill, force


class LendingTerms(NamedTuple):
    """The scenario's settings the application loop reads (see `sim.config` for meanings)."""

    need_daily: float  # chance per day that a borrower without a loan needs one
    months_of_income_median: float  # median request, months of income
    size_sigma: float  # log-units
    apr_by_band: np.ndarray  # annual rate of each score band
    term_months: int
    income_replacement: float  # share of income while jobless
    max_apr: float  # a stressed lender's markup stops here (never below a band's own APR)


def lending_terms(config: ScenarioConfig) -> LendingTerms:
    """The scenario's lending settings as `LendingTerms`."""
    lending = config.lending
    return LendingTerms(
        need_daily=float(daily_probability(lending.need_rate)),
        months_of_income_median=lending.loan_months_of_income_median,
        size_sigma=lending.loan_size_sigma,
        apr_by_band=np.asarray(lending.apr_by_band, np.float64),
        term_months=lending.term_months,
        income_replacement=config.shocks.job_loss_income_replacement,
        max_apr=config.supply.max_apr)


class RepaymentPolicy(NamedTuple):
    """The scenario's settings the repayment loop reads (see `sim.config` for meanings)."""

    late_fee_cents: int
    reminders: bool  # a reminder channel is set
    miss_probability: float
    reminder_fix_share: float
    base_propensity: float
    peer_weight: float
    enforcement_weight_contacts: float
    contact_cap: int  # max(max_contacts_per_7_days, 1)
    self_cure_daily: float  # self_cure_rate / DAYS_PER_MONTH
    payment: PaymentTerms
    run_strategic_weight: float  # platform_run.strategic_weight
    run_others_weight: float  # platform_run.others_weight
    expected_contacts: float  # contacts a week a first month late brings, over the cap (<= 1)
    forgiveness_chance: float  # chance a hardship claim passes review (0: no deferral)
    forgiveness_weight: float
    grievance_weight: float
    churn_stress: float
    stress_half_life_days: float


def repayment_policy(config: ScenarioConfig, payment: PaymentTerms) -> RepaymentPolicy:
    """The scenario's repayment settings as a `RepaymentPolicy` (`payment`: its
    `PaymentTerms`)."""
    contact_cap = max(config.collection.max_contacts_per_7_days, 1)
    return RepaymentPolicy(
        late_fee_cents=to_cents(config.repayment.late_fee),
        reminders=config.collection.reminder_channel != "none",
        miss_probability=config.forgetful.miss_probability,
        reminder_fix_share=config.forgetful.reminder_fix_share,
        base_propensity=config.strategic.base_propensity,
        peer_weight=config.strategic.peer_weight,
        enforcement_weight_contacts=config.strategic.enforcement_weight_contacts,
        contact_cap=contact_cap,
        self_cure_daily=config.repayment.self_cure_rate / DAYS_PER_MONTH,
        payment=payment,
        run_strategic_weight=config.platform_run.strategic_weight,
        run_others_weight=config.platform_run.others_weight,
        expected_contacts=min(sum(config.collection.ladder.dpd_1_30.model_dump().values())
                              / contact_cap, 1.0),
        forgiveness_chance=(1.0 - config.deferral.false_claim_detection
                            if config.deferral.enabled else 0.0),
        forgiveness_weight=config.strategic.forgiveness_weight,
        grievance_weight=config.strategic.grievance_weight,
        churn_stress=config.collection.churn_stress,
        stress_half_life_days=config.collection.stress_half_life_days,
    )


def policy_enforcement(config: ScenarioConfig) -> float:
    """Enforcement a strategic borrower perceives from the policy alone (0-1): an early bureau
    report and early legal action weigh more."""
    s = config.strategic

    def earliness(dpd: int) -> float:
        return max(0.0, 1.0 - dpd / s.enforcement_horizon_days)

    felt = s.enforcement_weight_report * earliness(config.bureau.report_dpd)
    if config.legal.enabled:
        felt += s.enforcement_weight_legal * earliness(config.legal.dpd)
    return float(np.clip(felt, 0.0, 1.0))


class ContactPolicy(NamedTuple):
    """The collection settings compiled code reads. Per-channel arrays follow
    `ladder_channels(config)`, the ladder's channels in use in channel order; probabilities
    are per attempt unless stated. Values that meet float32 stress arithmetic are float32, as
    numpy would cast them.
    """

    daily_p: np.ndarray  # chance of an attempt today, channel x DPD bucket
    daily_p_good: np.ndarray  # the same along the good customers' ladder
    good_min_score: int  # lowest score of a good customer (951: none)
    blocked_by_opt_out: np.ndarray  # bool per channel
    uses_capacity: np.ndarray  # bool per channel
    reaches_third_party: np.ndarray  # bool per channel: phone with third parties allowed
    rpc_rate: np.ndarray
    stress: np.ndarray  # float32 stress points per contact
    complaint_probability: np.ndarray  # float32
    informs_deferral: np.ndarray  # bool per channel
    pay_effect: np.ndarray
    max_contacts_per_7_days: int
    third_party_reach: float
    third_party_complaint_multiplier: float
    stress_half_life_days: np.float32
    complaint_stress_elasticity: np.float32
    complaint_opt_out_probability: float
    churn_stress: np.float32
    forgetful_cure_probability: float
    strategic_contact_response: float
    payment: PaymentTerms
    priority: int  # index in PRIORITIES
    recovery_decay_days: float  # for the expected_recovery priority


PRIORITIES = ("highest_dpd", "lowest_dpd", "largest_balance", "expected_recovery", "random")
"""The orders in which a collector short of capacity works its caseload
(`collection.capacity_priority`)."""


def ladders(config: ScenarioConfig) -> tuple[LadderConfig, ...]:
    """The collection ladders in use: the main one, and the good customers' when segments
    are on (`collection.segment_min_score` within the score range)."""
    policy = config.collection
    if policy.segment_min_score <= SCORE_MAX:
        return policy.ladder, policy.good_customer_ladder
    return (policy.ladder,)


def ladder_channels(config: ScenarioConfig) -> tuple[str, ...]:
    """The channels a collection ladder in use asks for in some DPD bucket, in channel
    order."""
    return tuple(c for c in CHANNELS
                 if any(getattr(getattr(ladder, b), c)
                        for ladder in ladders(config) for b in DPD_BUCKETS))


def _daily_chances(ladder: LadderConfig, channels: tuple[str, ...]) -> np.ndarray:
    """Chance of an attempt today along `ladder`, channel x DPD bucket."""
    weekly = np.array([[getattr(getattr(ladder, b), c) for b in DPD_BUCKETS]
                       for c in channels], np.float64).reshape(len(channels), len(DPD_BUCKETS))
    return weekly / WEEK


def contact_policy(config: ScenarioConfig, payment: PaymentTerms) -> ContactPolicy:
    """The scenario's collection settings as a `ContactPolicy` (`payment`: its
    `PaymentTerms`)."""
    policy = config.collection
    used = ladder_channels(config)
    specs = [getattr(config.channels, c) for c in used]
    return ContactPolicy(
        daily_p=_daily_chances(policy.ladder, used),
        daily_p_good=_daily_chances(policy.good_customer_ladder, used),
        good_min_score=policy.segment_min_score,
        blocked_by_opt_out=np.array([c in policy.opt_out_channels for c in used], bool),
        uses_capacity=np.array([s.uses_capacity for s in specs], bool),
        reaches_third_party=np.array([policy.third_party_contact and c == "phone"
                                      for c in used], bool),
        rpc_rate=np.array([s.rpc_rate for s in specs], np.float64),
        stress=np.array([s.stress for s in specs], np.float32),
        complaint_probability=np.array([s.complaint_probability for s in specs], np.float32),
        informs_deferral=np.array([s.informs_deferral and (config.deferral.enabled or
                                                       config.deferral.requests_without_offer)
                                   for s in specs], bool),
        pay_effect=np.array([s.pay_effect for s in specs], np.float64),
        max_contacts_per_7_days=policy.max_contacts_per_7_days,
        third_party_reach=policy.third_party_reach,
        third_party_complaint_multiplier=policy.third_party_complaint_multiplier,
        stress_half_life_days=np.float32(policy.stress_half_life_days),
        complaint_stress_elasticity=np.float32(policy.complaint_stress_elasticity),
        complaint_opt_out_probability=policy.complaint_opt_out_probability,
        churn_stress=np.float32(policy.churn_stress),
        forgetful_cure_probability=config.forgetful.contact_cure_probability,
        strategic_contact_response=config.strategic.contact_response,
        payment=payment,
        priority=PRIORITIES.index(policy.capacity_priority),
        recovery_decay_days=policy.recovery_decay_days,
    )


def collector_capacity(config: ScenarioConfig) -> int:
    """Daily capacity of one collector (capacity-using attempts), from the scenario."""
    return int(round(config.collection.capacity_per_1000_borrowers
                     * config.run.borrowers / config.lending.lenders / 1000))


@dataclass(frozen=True)
class MarketParams:
    """What the phases read, derived once from the scenario by `derive`.

    Attributes:
        config: the validated scenario (plain settings are read from it as they are).
        people: how new people are drawn.
        payment: the payment rules' settings.
        life: the life phase's chances and settings outside macro windows.
        lending: the application loop's settings.
        repayment: the repayment loop's settings.
        contacts: the collection loop's settings.
        channels: the collection ladder's channels in use, in channel order.
        enforcement: enforcement strategic borrowers perceive from the policy alone (0-1).
        small_balance_cents: `deferral.small_balance_max` in cents.
        collector_capacity: daily capacity-using attempts of one collector.
        defaults: what the daily pass of default and provisions reads.
    """

    config: ScenarioConfig
    people: PeopleTraits
    payment: PaymentTerms
    life: LifeRates
    lending: LendingTerms
    repayment: RepaymentPolicy
    contacts: ContactPolicy
    channels: tuple[str, ...]
    enforcement: float
    small_balance_cents: int
    collector_capacity: int
    defaults: DefaultRules


def derive(config: ScenarioConfig) -> MarketParams:
    """The market's parameters under scenario `config`."""
    payment = payment_terms(config)
    return MarketParams(
        config=config,
        people=people_traits(config),
        payment=payment,
        life=life_rates(config),
        lending=lending_terms(config),
        repayment=repayment_policy(config, payment),
        contacts=contact_policy(config, payment),
        channels=ladder_channels(config),
        enforcement=policy_enforcement(config),
        small_balance_cents=to_cents(config.deferral.small_balance_max),
        collector_capacity=collector_capacity(config),
        defaults=default_rules(config),
    )
