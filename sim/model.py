"""CreditMarket: borrowers, lenders, collectors and a credit bureau, one day per tick.

Borrowers are a numpy population (one row each); lenders and collectors are Mesa agents that
work on index arrays into it; the bureau moves scores. `step()` is one day: on review days
the lenders set their credit policy and the regulator reviews complaints, then the seven
phases in `sim.phases` run in a fixed order, then the day's metrics are recorded.
"""

from __future__ import annotations

import copy
from collections import defaultdict

import mesa
import numpy as np

from sim.agents import Borrower, Collector, Lender, Regulator
from sim.bureau import CreditBureau
from sim.cast import Cast
from sim.columns import Columns
from sim.config import ScenarioConfig
from sim.contacts import contact_policy, ladder_channels
from sim.ledger import AccountingError
from sim.metrics import DPD30_LOAN_SHARE, EVENT_NAMES, METRIC_NAMES, MetricsRecorder
from sim.payments import payment_terms
from sim.people import draw_people, learn_of_deferral, people_traits
from sim.phases import chargeoff, collection, deferral, lending, life, repayment, reporting
from sim.population import ACTIVE, NO_LOAN, BorrowerPopulation
from sim.risk_gradient import RiskRecorder
from sim.streams import life_key
from sim.totals import PopulationTotals, population_totals
from sim.tracking import BorrowerTracker
from sim.transitions import TransitionRecorder
from sim.units import DAYS_PER_MONTH, to_cents

FLOW_NAMES = ("income", "living_expenses", "loans_spent", "contact_costs", "legal_costs",
              "staff_costs", "penalties", "debt_sales", "turnover_cash_out", "turnover_cash_in")
"""Money entering or leaving the system of borrowers and lenders, in cents (see
`money_in_system`)."""


class CreditMarket(mesa.Model):
    """A consumer credit market.

    Attributes:
        config: the validated scenario.
        day: the day the next `step()` simulates (0 before the first step).
        lending_open: whether the lending phase runs (False during a run-off).
        life_key: the key of the counter-based life draws (`sim.streams`).
        population: borrower columns (`sim.population.BorrowerPopulation`).
        lender_list, collector_list: the Mesa agents, in index order (collectors lender by
            lender, slot by slot).
        regulator: the regulator (`sim.agents.Regulator`).
        bureau: the credit bureau.
        cast: the scripted borrowers of the scenario's `[[cast]]` (rows 0..k-1), tracked
            from day 0.
        metrics: daily metrics recorder; `metrics.frame()` is the time series.
        risk: loans by score at origination and their defaults within a year
            (`sim.risk_gradient`).
        events: today's event counts; totals: cumulative event counts.
        flows: cumulative external money flows in cents (see FLOW_NAMES).
        datacollector: Mesa DataCollector with one model reporter per metric.
    """

    def __init__(self, config: ScenarioConfig | None = None, rng: int | None = None,
                 collect: bool = True) -> None:
        """Build the market.

        Args:
            config: the scenario; default `ScenarioConfig()` (the baseline).
            rng: seed overriding `config.run.seed` (default None: use the config's seed).
            collect: also feed Mesa's DataCollector every day (default True; batches, which
                read `metrics` directly, switch it off to save time).
        """
        config = config or ScenarioConfig()
        super().__init__(rng=config.run.seed if rng is None else rng)
        self.config = config
        self.day = 0
        self.population = BorrowerPopulation(config, self.rng)
        self.transitions = TransitionRecorder(config.run.borrowers)
        self.risk = RiskRecorder()
        self.columns = Columns.of(self.population, self.transitions, self.rng)
        self.life_key = life_key(config.run.seed if rng is None else rng)
        draw_people(self.columns, self.life_key, np.arange(config.run.borrowers), 0,
                    people_traits(config))
        self.cast = Cast(config)
        self.cast.place(self.population)
        self.bureau = CreditBureau(config.bureau, self.population,
                                   first_faded_row=self.cast.size)
        self.pay_day_rows = [np.flatnonzero(self.population.pay_dom == d)
                             for d in range(DAYS_PER_MONTH)]
        self.market_dpd30_share = 0.0
        self.lending_open = True

        n_lenders = config.lending.lenders
        capital = to_cents(config.lending.capital_per_borrower) * config.run.borrowers
        self.lender_list = [Lender(self, k, capital // n_lenders) for k in range(n_lenders)]
        self.collector_list: list[Collector] = []
        for lender in self.lender_list:
            for slot in range(config.collection.collectors_per_lender):
                collector = Collector(self, lender.index, slot, capacity=0)
                lender.collectors.append(collector)
                self.collector_list.append(collector)
        self.regulator = Regulator(self)
        self._derive_from_config()
        if config.run.borrower_agents:
            Borrower.create_agents(self, config.run.borrowers, list(range(config.run.borrowers)))

        self.events: dict[str, int] = dict.fromkeys(EVENT_NAMES, 0)
        self.totals: dict[str, int] = dict.fromkeys(EVENT_NAMES, 0)
        self.flows: dict[str, int] = defaultdict(int)
        self.initial_money = self.money_in_system()
        self.metrics = MetricsRecorder(config.run.days)
        self.tracker: BorrowerTracker | None = None
        if self.cast.size:
            self.track(self.cast.rows)
        self.datacollector = MetricsCollector() if collect else None

    def adopt_policy(self, config: ScenarioConfig) -> None:
        """Continue this market under another scenario's policies (a comparison's variant
        taking over after the burn-in). The market's structure must be the same: borrowers,
        lenders and collectors per lender."""
        for what, now, new in (
            ("run.borrowers", self.config.run.borrowers, config.run.borrowers),
            ("lending.lenders", self.config.lending.lenders, config.lending.lenders),
            ("collection.collectors_per_lender", self.config.collection.collectors_per_lender,
             config.collection.collectors_per_lender),
            ("supply.loss_window_days", self.config.supply.loss_window_days,
             config.supply.loss_window_days),
        ):
            if now != new:
                raise ValueError(f"cannot switch policy: {what} differs ({now} vs {new})")
        self.config = config
        self._derive_from_config()
        for lender in self.lender_list:
            lender.set_capital_structure(config.lending.equity_share)
        # Borrowers already in the market hear of the new policy's deferral as new ones would.
        learn_of_deferral(self.columns, self.life_key, config.deferral.awareness, self.cast.size)

    def _derive_from_config(self) -> None:
        config = self.config
        self.small_balance_cents = to_cents(config.deferral.small_balance_max)
        self.people_traits = people_traits(config)
        self.policy_enforcement = _policy_enforcement(config)
        self.ladder_channels = ladder_channels(config)
        self.contact_policy = contact_policy(config)
        self.payment_terms = payment_terms(config)
        self.repayment_policy = repayment.repayment_policy(config)
        self.lending_terms = lending.lending_terms(config)
        self.life_rates = life.life_rates(config)
        self.bureau.adopt(config.bureau)
        for collector in self.collector_list:
            collector.capacity = self.collector_capacity()

    def collector_capacity(self) -> int:
        """Daily capacity of one collector (capacity-using attempts), from the scenario."""
        config = self.config
        return int(round(config.collection.capacity_per_1000_borrowers
                         * config.run.borrowers / config.lending.lenders / 1000))

    def hire_collector(self, lender: Lender) -> Collector:
        """A new collector for `lender`, in the next slot (the caseloads are dealt afresh:
        account i goes to slot i % collectors)."""
        collector = Collector(self, lender.index, len(lender.collectors),
                              capacity=self.collector_capacity())
        lender.collectors.append(collector)
        self.collector_list = [c for x in self.lender_list for c in x.collectors]
        self.events["collectors_hired"] += 1
        return collector

    def step(self) -> None:
        """Simulate one day: the reviews when due, the phases in order, then the day's
        metrics."""
        self.events = dict.fromkeys(EVENT_NAMES, 0)
        self.review()
        for lender in self.lender_list:
            lender.forget_lending(self.day)
        life.run(self)
        if self.lending_open:
            lending.run(self)
        repayment.run(self)
        deferral.run(self)
        collection.run(self)
        reporting.run(self)
        chargeoff.run(self)
        self.record_day()
        self.day += 1

    def provisions(self) -> np.ndarray:
        """Per lender, in cents: the principal of active loans `lending.provision_dpd` or
        more days past due (provisioned in full) plus `stage2_provision_share` of the
        principal of those `stage2_dpd` days past due or more."""
        pop, lending = self.population, self.config.lending
        rows = pop.watched
        rows = rows[(pop.status[rows] == ACTIVE) & (pop.dpd[rows] >= lending.stage2_dpd)]
        share = np.where(pop.dpd[rows] >= lending.provision_dpd, 1.0,
                         lending.stage2_provision_share)
        return np.bincount(pop.lender[rows], weights=share * pop.principal[rows],
                           minlength=len(self.lender_list))

    def review(self) -> None:
        """Phase 0, reviews (not on day 0): every `supply.review_days` each lender sets its
        credit policy from its losses and capital and hires collectors it lacks; every
        `regulation.period_days` the regulator reviews complaints."""
        if self.day == 0:
            return
        if self.day % self.config.supply.review_days == 0:
            for lender in self.lender_list:
                lender.review_policy()
        if self.day % self.config.regulation.period_days == 0:
            self.regulator.review()

    def record_day(self) -> None:
        """Phase 8, metrics: the lenders close their day (funding accrues, the public signal
        of their health moves), today's events go into the totals, the books are checked and
        the day is recorded."""
        for lender, provisions in zip(self.lender_list, self.provisions(), strict=True):
            lender.close_day(provisions)
        for name, count in self.events.items():
            self.totals[name] += count
        totals = population_totals(self.columns, self.day)
        if self.config.run.check_invariants:
            self.check_accounts(totals)
        row = self.metrics.record(self, totals)
        self.transitions.close_month_if_due(self.population, self.day)
        if self.tracker is not None:
            self.tracker.record(self)
        if self.lending_open:
            # During a run-off the book only shrinks and its late tail grows as a share of
            # it: borrowers keep the market's delinquency they last saw in a normal market.
            self.market_dpd30_share = row[DPD30_LOAN_SHARE]
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def run_days(self, days: int | None = None, progress=None) -> None:
        """Step `days` days (default: the scenario's `run.days`); `progress(n)` is called after
        each day if given."""
        for _ in range(self.config.run.days if days is None else days):
            self.step()
            if progress is not None:
                progress(1)

    def fork(self) -> CreditMarket:
        """An independent copy of this market that goes on exactly as the original would
        (same state, same generator state, same life key): the branches of a comparison
        and the side-by-side dashboard start from one. The compiled columns structure cannot
        be copied; the copy gets its own over its own arrays and generator."""
        columns = self.columns
        self.columns = None
        try:
            clone = copy.deepcopy(self)
        finally:
            self.columns = columns
        clone.columns = Columns.of(clone.population, clone.transitions, clone.rng)
        return clone

    def open_accounts(self) -> int:
        """Accounts still open: active loans and charged-off claims being collected."""
        return int(np.count_nonzero(self.population.status != NO_LOAN))

    def run_off(self, max_days: int, progress=None) -> tuple[int, int]:
        """Follow the book under the current policy with no new lending until every loan and
        claim open now has ended (repaid, charged off and collected through its recovery
        window, or sold), or for `max_days` at most. Returns (accounts open at the start,
        accounts still open at the end)."""
        self.lending_open = False
        opened = self.open_accounts()
        for _ in range(max_days):
            if self.open_accounts() == 0:
                break
            self.step()
            if progress is not None:
                progress(1)
        return opened, self.open_accounts()

    def track(self, rows) -> BorrowerTracker:
        """Record the daily story of borrowers `rows` from now on (see `sim.tracking`)."""
        self.tracker = BorrowerTracker(np.asarray(rows))
        self.bureau.on_report = self.tracker.reported
        return self.tracker

    def active_loans(self) -> int:
        """Active loans: originated, not yet repaid or charged off (from the day's totals)."""
        return self.totals["originations"] - self.totals["paid_off"] - self.totals["defaults"]

    def check_accounts(self, totals: PopulationTotals | None = None) -> None:
        """Raise AccountingError if a lender's books, the count of active loans or the system's
        money do not balance; `totals` are today's `population_totals` if already known."""
        totals = totals or population_totals(self.columns, self.day)
        if len(self.lender_list) == 1:
            self.lender_list[0].ledger.check(totals.principal, name="lender 0")
        else:
            for lender in self.lender_list:
                lender.ledger.check(lender.outstanding(), name=f"lender {lender.index}")
        if totals.active_loans != self.active_loans():
            raise AccountingError("active loans in the columns differ from the event counts")
        expected = (self.initial_money + self.flows["income"] - self.flows["living_expenses"]
                    - self.flows["loans_spent"] - self.flows["contact_costs"]
                    - self.flows["legal_costs"] - self.flows["staff_costs"]
                    - self.flows["penalties"] + self.flows["debt_sales"]
                    - self.flows["turnover_cash_out"] + self.flows["turnover_cash_in"])
        money = self.money_in_system(borrower_cash=totals.cash)
        if money != expected:
            raise AccountingError(f"money in system {money} != {expected}")
        if min(totals.min_cash, totals.min_principal, totals.min_claim, 0) < 0:
            raise AccountingError("negative cash, principal or claim")

    def money_in_system(self, borrower_cash: int | None = None) -> int:
        """Cash of all borrowers and lenders, in cents. It changes only by the external flows:
        income in; living expenses, loan-financed spending, contact, legal and hiring costs and
        regulators' fines out; debt sale proceeds in (paid by outside buyers); the cash of
        borrowers who leave out and of those who replace them in. `borrower_cash`: the
        borrowers' part, if already summed."""
        if borrower_cash is None:
            borrower_cash = int(self.population.cash.sum())
        return borrower_cash + sum(x.ledger.cash for x in self.lender_list)


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector with one model reporter per metric (`get_model_vars_dataframe()`
    has a column per metric, a row per day), fed the day's row of the metrics recorder at
    once. Mesa's own `collect` calls each reporter and deep-copies its value; the values here
    are plain floats, so the row is appended as it is."""

    def __init__(self) -> None:
        super().__init__(model_reporters={name: _latest(name) for name in METRIC_NAMES})

    def collect(self, model: CreditMarket) -> None:
        """Append today's metrics (the row `model.metrics` recorded last)."""
        self._collection_steps.append(model.time)
        # model_vars has one list per metric, in the order of the row (METRIC_NAMES).
        for values, value in zip(self.model_vars.values(), model.metrics.latest_row,
                                 strict=True):
            values.append(value)


def _latest(name: str):
    return lambda model: model.metrics.latest.get(name)


def _policy_enforcement(config: ScenarioConfig) -> float:
    """Enforcement a strategic borrower perceives from the policy alone (0-1): an early bureau
    report and early legal action weigh more."""
    s = config.strategic

    def earliness(dpd: int) -> float:
        return max(0.0, 1.0 - dpd / s.enforcement_horizon_days)

    felt = s.enforcement_weight_report * earliness(config.bureau.report_dpd)
    if config.legal.enabled:
        felt += s.enforcement_weight_legal * earliness(config.legal.dpd)
    return float(np.clip(felt, 0.0, 1.0))
