"""Lenders: review applications by score, bureau record, debt-to-income and capital; review
their credit policy as losses and capital move; carry a balance sheet whose health borrowers
watch."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import NamedTuple

import mesa
import numpy as np
from numba import njit

from sim.columns import Columns
from sim.config import LendingConfig, PlatformRunConfig, SupplyConfig
from sim.ledger import Ledger
from sim.population import ACTIVE
from sim.streams import LENDING_ORDER, uniform
from sim.units import CENTS, DAYS_PER_YEAR, to_cents

REJECTION_REASONS = ("score", "bureau_flag", "dti", "capital")
"""Reasons an application is rejected, in the order the review checks them."""

APPROVED = -1
SCORE_TOO_LOW, BUREAU_FLAG, DTI_TOO_HIGH, NO_CAPITAL = range(len(REJECTION_REASONS))


ORIGINATION_MEMORY_DAYS = 30
"""Days of originations over which `Lender.mean_apr` is taken."""


class CreditPolicy(NamedTuple):
    """A lender's credit policy of the moment."""

    min_score: int  # lowest score accepted, points
    apr_markup: float  # added to every band's APR (annual rate)
    size_share: float  # share of the amount asked that is granted


def lender_stress(loss_rate: float, capital_ratio: float, supply: SupplyConfig) -> float:
    """A lender's stress in percentage points: its annual net loss rate less
    `supply.loss_target` (negative when losses run under target) plus
    `supply.capital_weight` times its capital ratio's shortfall below
    `supply.capital_target` (both shares)."""
    loss_gap = loss_rate - supply.loss_target
    capital_shortfall = max(supply.capital_target - capital_ratio, 0.0)
    return 100.0 * (loss_gap + supply.capital_weight * capital_shortfall)


def credit_policy(stress: float, lending: LendingConfig, supply: SupplyConfig) -> CreditPolicy:
    """The policy a lender under `stress` (percentage points) sets: the scenario's own at 0,
    tighter, dearer and smaller as stress rises; under negative stress only the minimum score
    loosens, by at most `supply.max_loosening_points` (see `SupplyConfig`)."""
    min_score = lending.min_score + supply.score_points_per_stress * stress
    lowest = max(lending.min_score - supply.max_loosening_points, 350)
    highest = max(supply.max_min_score, lending.min_score)
    tight = max(stress, 0.0)
    return CreditPolicy(
        min_score=int(round(min(max(min_score, lowest), highest))),
        apr_markup=supply.apr_points_per_stress * tight / 100.0,
        size_share=max(1.0 - supply.size_cut_per_stress * tight, supply.min_size_share))


def distress(perceived_ratio: float, run: PlatformRunConfig) -> float:
    """How close to failure borrowers believe a lender is (0-1): 0 at or above
    `run.capital_threshold`, rising linearly to 1 as the perceived capital ratio falls to 0."""
    if run.capital_threshold <= 0:
        return 0.0
    return float(np.clip((run.capital_threshold - perceived_ratio) / run.capital_threshold,
                         0.0, 1.0))


class Lender(mesa.Agent):
    """A lender with a policy (the scenario's lending, deferral and collection sections), a
    ledger in cents and a balance sheet: its assets (cash and principal outstanding) are
    financed by equity and by funding owed to investors; the part of the funding that is lent
    out accrues the cost of funds.

    Attributes:
        index: position of the lender (0..lenders-1), the value of the borrower column `lender`.
        ledger: the lender's cumulative accounts.
        collectors: the collectors working this lender's delinquent accounts.
        policy: the credit policy of the moment (`CreditPolicy`).
        stress: the stress measured at the last policy review (percentage points).
        funding: what the lender owes its funders, in cents (float: accrues daily).
        perceived_ratio: the capital ratio borrowers believe (the public signal).
        restricted_until: first day after a regulator's contact restriction (-1: none).
        complaints_period: complaints about this lender since the regulator's last review.
        account_days_period, days_period: its accounts (active loans and open claims) summed
            over the days closed since that review, and those days: the regulator divides
            the complaints by their mean.
        wanted_attempts, unmet_attempts: capacity-using attempts wanted of and not made by
            this lender's collectors since its last policy review.
        approvals: loans this lender approved today (the last day, after a step).
    """

    def __init__(self, model: mesa.Model, index: int, capital_cents: int) -> None:
        super().__init__(model)
        self.index = index
        self.ledger = Ledger(capital=capital_cents)
        self.collectors: list = []
        config = model.config
        self.policy = credit_policy(0.0, config.lending, config.supply)
        self.stress = 0.0
        self.funding = 0.0
        self.provisions = 0.0
        self.set_capital_structure(config.lending.equity_share)
        self.perceived_ratio = self.capital_ratio()
        self.restricted_until = -1
        self.complaints_period = 0
        self.account_days_period = 0
        self.days_period = 0
        self.wanted_attempts = 0
        self.unmet_attempts = 0
        self.approvals = 0
        window = config.supply.loss_window_days + 1
        self._losses = np.zeros(window)  # net charge-offs to date, cents, by day (ring)
        self._book = np.zeros(window)  # principal outstanding, cents, by day (ring)
        self._lent = np.zeros((ORIGINATION_MEMORY_DAYS, 2))  # principal, APR x principal
        self._days_seen = 0

    def set_capital_structure(self, equity_share: float) -> None:
        """Finance the lender's assets as they stand with `equity_share` of equity (after
        provisions) and the rest funding: at the start, and when a comparison's variant takes
        it over (a transfer between owners and funders, no cash moves). Borrowers learn the
        new ratio through the public signal, with its lag."""
        self.funding = (1.0 - equity_share) * self.assets() - self.provisions

    def assets(self) -> float:
        """Cash plus principal outstanding, in cents (charged-off claims count for nothing)."""
        return float(self.ledger.cash + self.ledger.outstanding)

    def equity(self) -> float:
        """Assets less provisions (by the stage of each loan as of the end of the last day,
        `sim.default_status`) less funding owed, in cents."""
        return self.assets() - self.provisions - self.funding

    def capital_ratio(self) -> float:
        """Equity over assets (negative when insolvent; 0 with no assets)."""
        assets = self.assets()
        return self.equity() / assets if assets > 0 else 0.0

    def contact_cap(self) -> int:
        """Contact attempts allowed per borrower per 7 days today: the scenario's cap, or the
        regulator's restricted cap while a restriction lasts."""
        config = self.model.config
        cap = config.collection.max_contacts_per_7_days
        if self.model.day < self.restricted_until:
            cap = min(cap, config.regulation.restricted_max_contacts_per_7_days)
        return cap

    def distress(self) -> float:
        """How close to failure borrowers believe this lender is (0-1, see `distress`)."""
        return distress(self.perceived_ratio, self.model.config.platform_run)

    def close_day(self, provisions: float, accounts: int) -> None:
        """End of day: funding lent out accrues the cost of funds (idle cash is taken to
        earn what its funding costs), the public signal of the capital ratio moves towards
        its value, the day's credit losses and book are remembered for the next policy
        review and its accounts for the regulator's. `provisions`: this lender's provisions
        today by the stage of its loans (`sim.default_status`), in cents; `accounts`: its
        active loans and open claims."""
        config = self.model.config
        self.provisions = provisions
        self.account_days_period += accounts
        self.days_period += 1
        lent_out = min(self.funding, float(self.ledger.outstanding))
        self.funding += lent_out * config.lending.cost_of_funds_rate / DAYS_PER_YEAR
        run = config.platform_run
        self.perceived_ratio += ((self.capital_ratio() - self.perceived_ratio)
                                 * (1.0 - 0.5 ** (1.0 / run.signal_half_life_days)))
        if self.model.day == run.rumour_day:
            self.perceived_ratio = run.rumour_ratio
        slot = self._days_seen % self._losses.size
        self._losses[slot] = (self.ledger.charged_off_principal - self.ledger.recoveries
                              + self.provisions)
        self._book[slot] = self.ledger.outstanding
        self._days_seen += 1

    def lent(self, day: int, principal: np.ndarray, annual_rate: np.ndarray) -> None:
        """Remember today's loans (principal in cents, APR) for `recent_lending`."""
        slot = day % ORIGINATION_MEMORY_DAYS
        self.approvals += principal.size
        self._lent[slot, 0] += float(principal.sum())
        self._lent[slot, 1] += float((annual_rate * principal).sum())

    def forget_lending(self, day: int) -> None:
        """Start the memory slot of `day` afresh and today's approvals at zero (called before
        the day's lending)."""
        self._lent[day % ORIGINATION_MEMORY_DAYS] = 0.0
        self.approvals = 0

    def recent_lending(self) -> tuple[float, float]:
        """The loans this lender originated in the last 30 days: (principal in cents, sum of
        APR x principal); their principal-weighted APR is the second over the first."""
        principal, weighted = self._lent.sum(axis=0)
        return float(principal), float(weighted)

    def loss_rate(self) -> float:
        """Annualised credit loss rate of the book over the remembered days: charge-offs less
        recoveries plus the change in provisions (the impairment charge of IFRS 9, so a loan
        re-aged under forbearance or in default weighs on it before any charge-off), over the
        mean principal outstanding; 0 before two days are known."""
        days = min(self._days_seen, self._losses.size)
        if days < 2:
            return 0.0
        newest = (self._days_seen - 1) % self._losses.size
        oldest = (self._days_seen - days) % self._losses.size
        book = self._book[:days].mean()  # the slots filled so far (all, once the ring is)
        loss = self._losses[newest] - self._losses[oldest]
        return loss / book * DAYS_PER_YEAR / (days - 1) if book > 0 else 0.0

    def review_policy(self) -> None:
        """The monthly credit committee: measure stress (losses against target, capital
        against target) and set the credit policy from it; hire a collector if capacity fell
        short (see `CollectionConfig.hiring`)."""
        config = self.model.config
        if config.supply.enabled:
            self.stress = lender_stress(self.loss_rate(), self.capital_ratio(), config.supply)
            self.policy = credit_policy(self.stress, config.lending, config.supply)
        collection = config.collection
        if (collection.hiring and self.model.collector_capacity() > 0 and self.wanted_attempts
                and self.unmet_attempts > collection.hire_when_unmet_share * self.wanted_attempts
                and len(self.collectors) < collection.max_collectors_per_lender):
            self.model.hire_collector(self)
            cost = to_cents(collection.hire_cost)
            self.ledger.pay_staff_cost(cost)
            self.model.flows["staff_costs"] += cost
        self.wanted_attempts = self.unmet_attempts = 0

    def book(self) -> np.ndarray:
        """Rows of the borrowers with an active loan from this lender."""
        pop = self.model.population
        return np.flatnonzero((pop.lender == self.index) & (pop.status == ACTIVE))

    def outstanding(self) -> int:
        """Principal of this lender's active loans, in cents."""
        pop = self.model.population
        return int(pop.principal[pop.lender == self.index].sum())

    def active_loans(self) -> int:
        """How many active loans this lender holds (with one lender, from the day's counts)."""
        model = self.model
        if len(model.lender_list) == 1:
            return model.active_loans()
        pop = model.population
        return int(np.count_nonzero(pop.lender[pop.status == ACTIVE] == self.index))

    def review_deferrals(self, applicants: np.ndarray, false_claim: np.ndarray,
                         shocked: np.ndarray, force_majeure: bool,
                         draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grant or refuse the deferral applications `applicants` made to this lender, by
        its deferral policy (`deferral` settings; `shocked`: the applicants in a shock;
        `false_claim`: the strategic ones in none; `draws`: a uniform draw per application).
        An application is refused if the loan used its limit; otherwise it is eligible for
        hardship, force majeure or a small balance with a good record. The review errs: an
        eligible applicant is refused with `wrongful_refusal_share` (never the classroom
        cast, whose requests are scripted), an honest ineligible one is granted with 1 -
        `verification_accuracy` and a false claim with 1 - `false_claim_detection`. Returns
        (granted, eligible) masks."""
        model = self.model
        pop, cfg = model.population, model.config.deferral
        within_limit = pop.deferrals_used[applicants] < cfg.max_per_loan
        eligible = (
            (cfg.eligible_hardship & shocked)
            | (cfg.eligible_force_majeure & force_majeure)
            | (cfg.eligible_small_balance
               & (pop.principal[applicants] <= model.params.small_balance_cents)
               & (pop.worst_dpd[applicants] <= cfg.good_record_max_dpd))
        )
        detection = np.where(false_claim, cfg.false_claim_detection, cfg.verification_accuracy)
        wrongful = np.where(applicants < model.cast.size, 0.0, cfg.wrongful_refusal_share)
        passed = np.where(eligible, 1.0 - wrongful, 1.0 - detection)
        return within_limit & (draws < passed), eligible

    def review(self, applicants: np.ndarray, amount: np.ndarray, installment: np.ndarray,
               monthly_income: np.ndarray) -> np.ndarray:
        """Review applications (a compiled loop). Returns, per applicant, APPROVED (-1) or the
        index in REJECTION_REASONS of the first failed check. Capital is rationed in a seeded
        random order (the applications that pass the other checks, sorted by a decision draw
        of each applicant's slot and the day, `sim.streams`):
        applications are approved while their running total fits in today's cash."""
        model = self.model
        policy = model.config.lending
        return _review(model.columns, applicants, amount, installment, monthly_income,
                       model.day, self.policy.min_score, policy.bureau_flag_lookback_days,
                       policy.max_dti, max(self.ledger.cash, 0))


@njit(cache=True)
def _review(col: Columns, applicants: np.ndarray, amount: np.ndarray, installment: np.ndarray,
            monthly_income: np.ndarray, day: int, min_score: int, flag_lookback_days: int,
            max_dti: float, cash: int) -> np.ndarray:
    reason = np.full(applicants.size, APPROVED, np.int8)
    passed = np.empty(applicants.size, np.int64)
    n_passed = 0
    for k in range(applicants.size):
        i = applicants[k]
        if col.score[i] < min_score:
            reason[k] = SCORE_TOO_LOW
        elif day - col.flag_day[i] < flag_lookback_days:
            reason[k] = BUREAU_FLAG
        elif installment[k] > max_dti * monthly_income[k]:
            reason[k] = DTI_TOO_HIGH
        else:
            passed[n_passed] = k
            n_passed += 1
    if n_passed:
        ties = np.empty(n_passed)
        for k in range(n_passed):
            ties[k] = uniform(col.key, applicants[passed[k]], day, LENDING_ORDER)
        order = passed[:n_passed][np.argsort(ties, kind="mergesort")]
        lent = 0
        for k in order:
            lent += amount[k]
            if lent > cash:
                reason[k] = NO_CAPITAL
    return reason


def _book(lender: Lender) -> float:
    return lender.ledger.outstanding / CENTS


def _cash(lender: Lender) -> float:
    return lender.ledger.cash / CENTS


def _equity(lender: Lender) -> float:
    return lender.equity() / CENTS


def _min_score(lender: Lender) -> int:
    return lender.policy.min_score


def _collectors(lender: Lender) -> int:
    return len(lender.collectors)


LENDER_REPORTERS: dict[str, Callable[[Lender], float | int]] = {
    "book": _book,
    "cash": _cash,
    "equity": _equity,
    "capital_ratio": Lender.capital_ratio,
    "loans": Lender.active_loans,
    "approvals": operator.attrgetter("approvals"),
    "min_score": _min_score,
    "collectors": _collectors,
}
"""What each lender reports to Mesa's DataCollector every day (plain numbers; money in
currency units): principal outstanding, cash, equity, capital ratio, active loans, loans
approved that day, its minimum score of the moment and its collectors. Each reads what the
lender keeps; none scans the borrowers but `loans` with two or more lenders."""
