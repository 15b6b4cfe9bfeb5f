"""CreditMarket: borrowers, lenders, collectors and a credit bureau, one day per tick.

The model orchestrates. It builds the market's state (`sim.state.MarketState`: borrower
columns, the Mesa agents and their ledgers, the bureau, calendars and random streams) and its
parameters (`sim.params.derive`, once per scenario), and `step()` runs one day on Mesa's clock:
on review days the lenders review their credit policy and the regulator reviews complaints,
then the seven phases of `sim.phases` run in a fixed order as functions of (state, params),
then the day is recorded. Lenders, collectors and the regulator are Mesa agents, reached
through `agents_by_type`; borrowers are rows of numpy columns (`sim.agents.Borrower` is an
optional view of one row). See `docs/architecture.md`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.agents import Borrower, Collector, Lender, Regulator
from sim.agents.lender import LENDER_REPORTERS
from sim.bureau import CreditBureau
from sim.cast import Cast
from sim.config import ScenarioConfig
from sim.default_status import DEFAULT_EVENTS, review_defaults
from sim.ledger import AccountingError
from sim.metrics import EVENT_NAMES, METRIC_NAMES, MetricsRecorder, peer_delinquency, take_snapshot
from sim.params import MarketParams, derive
from sim.people import draw_people, learn_of_deferral
from sim.phases import chargeoff, collection, deferral, lending, life, repayment, reporting
from sim.phases.lending import schedule_needs
from sim.phases.life import schedule_life
from sim.population import NO_LOAN, BorrowerPopulation
from sim.redefaults import RedefaultCohorts
from sim.risk_gradient import RiskRecorder
from sim.scenario import ScenarioError, load_scenario, with_values
from sim.state import MarketState, check_memory
from sim.streams import decision_key, life_key
from sim.totals import book_totals, population_totals
from sim.tracking import BorrowerTracker
from sim.transitions import TransitionRecorder
from sim.units import to_cents

FLOW_NAMES = ("income", "living_expenses", "loans_spent", "contact_costs", "legal_costs",
              "staff_costs", "penalties", "debt_sales", "turnover_cash_out", "turnover_cash_in")
"""Money entering or leaving the system of borrowers and lenders, in cents (see
`money_in_system`)."""


class CreditMarket(mesa.Model):
    """A consumer credit market.

    Attributes:
        config: the validated scenario.
        state: the market's state (`sim.state.MarketState`); the attributes below that name
            part of it are read-only views of it.
        params: the parameters derived from the scenario (`sim.params.MarketParams`).
        regulator: the regulator (`sim.agents.Regulator`).
        metrics: daily metrics recorder; `metrics.frame()` is the time series.
        datacollector: Mesa DataCollector with one model reporter per metric and the
            lenders' variables (`MarketDataCollector`), or None.
        running: True until `run.days` days are done (Mesa's `run_model` runs to there).
    """

    def __init__(self, config: ScenarioConfig | None = None, rng: int | None = None,
                 collect: bool = True, *, scenario: str | Path | None = None,
                 **settings: Any) -> None:
        """Build the market.

        Args:
            config: the scenario; default `ScenarioConfig()` (the baseline).
            rng: seed overriding `config.run.seed` (default None: use the config's seed).
            collect: also feed Mesa's DataCollector every day (default True; batches, which
                read `metrics` directly, switch it off to save time).
            scenario: a scenario file to read instead of `config` (default None).
            **settings: scenario keys in dotted form laid over the scenario and validated
                like `--set`, e.g. `CreditMarket(**{"deferral.mode": "rate_cut"})`: how
                `mesa.batch_run` passes its parameters (default: none).
        """
        config = scenario_config(config, scenario, settings)
        check_fits_in_memory(config)
        seed = config.run.seed if rng is None else rng
        super().__init__(rng=seed)
        self.params: MarketParams = derive(config)
        population = BorrowerPopulation(config, self.rng)
        state = MarketState(population, TransitionRecorder(config.run.borrowers),
                            RiskRecorder(),
                            RedefaultCohorts(config.deferral.redefault_window_days),
                            decision_key(seed), life_key(seed), Cast(config), EVENT_NAMES)
        self.state = state
        draw_people(state.columns, state.life_key, np.arange(config.run.borrowers), 0,
                    self.params.people)
        state.cast.place(population)
        state.top_proneness[0] = population.shock_proneness.max(initial=0.0)
        # Each slot's chains of candidate days of its recurring events (`sim.streams`).
        chained = np.arange(state.cast.size, config.run.borrowers)
        schedule_life(state.columns, state.life_key, chained, after_day=-1)
        schedule_needs(state.columns, chained, after_day=-1)
        state.bureau = CreditBureau(config.bureau, population, first_faded_row=state.cast.size)

        n_lenders = config.lending.lenders
        capital = to_cents(config.lending.capital_per_borrower) * config.run.borrowers
        state.lenders = [Lender(self, k, capital // n_lenders) for k in range(n_lenders)]
        for lender in state.lenders:
            for _ in range(config.collection.collectors_per_lender):
                self._add_collector(lender)
        self.regulator = Regulator(self)
        if config.run.borrower_agents:
            Borrower.create_agents(self, config.run.borrowers, list(range(config.run.borrowers)))

        self._tracker: BorrowerTracker | None = None
        self.initial_money = self.money_in_system()
        self.metrics = MetricsRecorder(config.run.days)
        if state.cast.size:
            self.track(state.cast.rows)
        self.datacollector = metrics_collector() if collect else None

    # Read-only views of the state and parameters, for agents, reports and dashboards.
    @property
    def config(self) -> ScenarioConfig:
        """The scenario in force."""
        return self.params.config

    @property
    def day(self) -> int:
        """The day being simulated during a step, else the next day to simulate (0 before the
        first step): Mesa's `steps` count the days done."""
        return self.state.day

    @property
    def population(self) -> BorrowerPopulation:
        """Borrower columns (`sim.population.BorrowerPopulation`)."""
        return self.state.population

    @property
    def columns(self):
        """The compiled view of the borrower columns (`sim.columns.Columns`)."""
        return self.state.columns

    @property
    def bureau(self) -> CreditBureau:
        """The credit bureau."""
        return self.state.bureau

    @property
    def cast(self) -> Cast:
        """The scripted borrowers of the scenario's `[[cast]]` (rows 0..k-1)."""
        return self.state.cast

    @property
    def transitions(self) -> TransitionRecorder:
        """The monthly transition recorder."""
        return self.state.transitions

    @property
    def risk(self) -> RiskRecorder:
        """Loans by score at origination and their defaults within a year."""
        return self.state.risk

    @property
    def tracker(self) -> BorrowerTracker | None:
        """The stories of tracked borrowers (see `track`), or None."""
        return self._tracker

    @property
    def events(self) -> dict[str, int]:
        """Today's event counts (the last day's after a step)."""
        return self.state.events

    @property
    def totals(self) -> dict[str, int]:
        """Cumulative event counts."""
        return self.state.totals

    @property
    def flows(self) -> dict[str, int]:
        """Cumulative external money flows in cents (see FLOW_NAMES)."""
        return self.state.flows

    @property
    def market_dpd30_share(self) -> float:
        """The market's delinquency strategic borrowers last saw (`MarketState`)."""
        return self.state.market_dpd30_share

    @property
    def lending_open(self) -> bool:
        """Whether the lending phase runs (False during a run-off)."""
        return self.state.lending_open

    @property
    def lender_list(self) -> list[Lender]:
        """The lenders, in index order (Mesa's `agents_by_type[Lender]` holds the same)."""
        return self.state.lenders

    @property
    def collector_list(self) -> list[Collector]:
        """The collectors, lender by lender, slot by slot."""
        return self.state.collectors

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
        self.params = derive(config)
        self.state.bureau.adopt(config.bureau)
        for lender in self.lender_list:
            lender.set_capital_structure(config.lending.equity_share)
        for collector in self.collector_list:
            collector.capacity = self.params.collector_capacity
        # Borrowers already in the market hear of the new policy's deferral as new ones would.
        learn_of_deferral(self.state.columns, self.state.life_key, config.deferral.awareness,
                          self.state.cast.size)

    def collector_capacity(self) -> int:
        """Daily capacity of one collector (capacity-using attempts), from the scenario."""
        return self.params.collector_capacity

    def _add_collector(self, lender: Lender) -> Collector:
        collector = Collector(self, lender.index, len(lender.collectors),
                              capacity=self.params.collector_capacity)
        lender.collectors.append(collector)
        self.state.collectors = [c for x in self.lender_list for c in x.collectors]
        return collector

    def hire_collector(self, lender: Lender) -> Collector:
        """A new collector for `lender`, in the next slot (the caseloads are dealt afresh:
        account i goes to slot i % collectors)."""
        self.state.events["collectors_hired"] += 1
        return self._add_collector(lender)

    def step(self) -> None:
        """Simulate one day: the reviews when due, the phases in order, then the day's
        metrics. Mesa counts the step before calling this, so today is `steps - 1`;
        `running` turns False after the scenario's `run.days` (Mesa's `run_model` and
        `batch_run` stop there; `run_days` and `run_off` go on)."""
        state, params = self.state, self.params
        state.start_day(self.steps - 1)
        self.review()
        for lender in self.lender_list:
            lender.forget_lending(state.day)
        life.run(state, params)
        if state.lending_open:
            lending.run(state, params)
        repayment.run(state, params)
        deferral.run(state, params)
        collection.run(state, params)
        reporting.run(state, params)
        chargeoff.run(state, params)
        self.record_day()
        state.day = self.steps
        self.running = self.steps < self.config.run.days

    def review(self) -> None:
        """Phase 0, reviews (not on day 0): every `supply.review_days` each lender sets its
        credit policy from its losses and capital and hires collectors it lacks; every
        `regulation.period_days` the regulator reviews complaints."""
        day = self.day
        if day == 0:
            return
        if day % self.config.supply.review_days == 0:
            self.agents_by_type[Lender].do("review_policy")
        if day % self.config.regulation.period_days == 0:
            self.regulator.review()

    def record_day(self) -> None:
        """Phase 8, metrics: loans enter and leave default as supervisors define it and the
        provisions follow their stage (`sim.default_status`), the lenders close their day
        (funding accrues, the public signal of their health moves, the regulator's count of
        their accounts grows), today's events go into the totals, the books are checked (every
        `run.check_every_days` days and on the run's last day) and the day is recorded; the
        market's delinquency becomes what borrowers see tomorrow."""
        state = self.state
        counts, provisions = review_defaults(state.columns, state.day, self.params.defaults,
                                             len(self.lender_list))
        for name, count in zip(DEFAULT_EVENTS, counts.tolist(), strict=True):
            state.events[name] += count
        totals = population_totals(state.columns, state.day, len(self.lender_list))
        for lender, provided, accounts in zip(self.lender_list, provisions.tolist(),
                                              totals.accounts_by_lender.tolist(), strict=True):
            lender.close_day(provided, accounts)
        state.add_to_totals()
        run = self.config.run
        if run.check_invariants and (state.day % run.check_every_days == 0
                                     or state.day == run.days - 1):
            self.check_accounts()
        snapshot = take_snapshot(state, self.active_loans(), totals)
        self.metrics.record(snapshot)
        state.transitions.close_month_if_due(state.population, state.day)
        state.day_ended()
        if state.lending_open:
            # During a run-off the book only shrinks and its late tail grows as a share of
            # it: borrowers keep the market's delinquency they last saw in a normal market.
            state.market_dpd30_share = peer_delinquency(snapshot)
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
        (same state, same life and decision keys, same generator state): the branches of a
        comparison and the side-by-side dashboard start from one. The compiled columns
        structure cannot be copied; the copy gets its own over its own arrays and generator."""
        with self.columns_detached():
            clone = copy.deepcopy(self)
        clone.state.rebuild_columns()
        return clone

    @contextmanager
    def columns_detached(self) -> Iterator[None]:
        """Within the block the market holds no compiled columns structure, which can be
        neither copied nor pickled (`fork`, `sim.batch.burn_in_cache`); a copy made in it
        calls `state.rebuild_columns()`."""
        columns = self.state.columns
        self.state.columns = None
        try:
            yield
        finally:
            self.state.columns = columns

    def open_accounts(self) -> int:
        """Accounts still open: active loans and charged-off claims being collected."""
        return int(np.count_nonzero(self.population.status != NO_LOAN))

    def run_off(self, max_days: int, progress=None) -> tuple[int, int]:
        """Follow the book under the current policy with no new lending until every loan and
        claim open now has ended (repaid, charged off and collected through its recovery
        window, or sold), or for `max_days` at most. Returns (accounts open at the start,
        accounts still open at the end)."""
        self.state.lending_open = False
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
        if self._tracker is not None:
            self.state.observers.remove(self._tracker)
        self._tracker = BorrowerTracker(np.asarray(rows))
        self.state.watch(self._tracker)
        return self._tracker

    def active_loans(self) -> int:
        """Active loans: originated, not yet repaid or charged off (from the day's totals)."""
        return self.totals["originations"] - self.totals["paid_off"] - self.totals["defaults"]

    def check_accounts(self) -> None:
        """Raise AccountingError if a lender's books, the count of active loans or the system's
        money do not balance, or a cash, principal or claim is negative (a scan of every
        borrower, `book_totals`)."""
        totals = book_totals(self.columns)
        if len(self.lender_list) == 1:
            self.lender_list[0].ledger.check(totals.principal, name="lender 0")
        else:
            for lender in self.lender_list:
                lender.ledger.check(lender.outstanding(), name=f"lender {lender.index}")
        if totals.active_loans != self.active_loans():
            raise AccountingError("active loans in the columns differ from the event counts")
        flows = self.flows
        expected = (self.initial_money + flows["income"] - flows["living_expenses"]
                    - flows["loans_spent"] - flows["contact_costs"]
                    - flows["legal_costs"] - flows["staff_costs"]
                    - flows["penalties"] + flows["debt_sales"]
                    - flows["turnover_cash_out"] + flows["turnover_cash_in"])
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


def check_fits_in_memory(config: ScenarioConfig) -> None:
    """Raise `sim.state.InsufficientMemoryError` (a ScenarioError naming `run.borrowers`) if
    one market of `config` will not fit in the memory this process can still take."""
    check_memory(config, len(METRIC_NAMES))


def scenario_config(config: ScenarioConfig | None, scenario: str | Path | None,
                    settings: dict[str, Any]) -> ScenarioConfig:
    """The scenario a market is built on: `config` (default the baseline) or the scenario
    file `scenario`, with the dotted `settings` laid over it. Raises ScenarioError on a
    problem, naming the key."""
    if scenario is not None:
        if config is not None:
            raise ScenarioError("CreditMarket", None, "give a config or a scenario file, "
                                "not both")
        config = load_scenario(scenario)
    return with_values(config or ScenarioConfig(), settings, source="CreditMarket")


class MarketDataCollector(mesa.DataCollector):
    """Mesa's DataCollector whose agent variables are the lenders' (`LENDER_REPORTERS`,
    Mesa's per-type reporters): borrowers are rows of columns, not agents, so only lenders
    report; `get_agent_vars_dataframe()` is `get_agenttype_vars_dataframe(Lender)`."""

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """The lenders' variables, one row per day and lender (index Step, AgentID)."""
        return self.get_agenttype_vars_dataframe(Lender)


def metrics_collector() -> MarketDataCollector:
    """Mesa's DataCollector with one model reporter per metric: `get_model_vars_dataframe()`
    has a column per metric and a row per day, read from the row `model.metrics` recorded
    that day (each metric is measured once, by `sim.metrics`); and the lenders' variables
    (`get_agent_vars_dataframe()`, `LENDER_REPORTERS`)."""
    return MarketDataCollector(
        model_reporters={name: partial(latest_metric, position=k)
                         for k, name in enumerate(METRIC_NAMES)},
        agenttype_reporters={Lender: LENDER_REPORTERS})


def latest_metric(model: CreditMarket, position: int) -> float:
    """The metric at `position` (in `METRIC_NAMES`) of the day `model` recorded last."""
    return model.metrics.latest_row[position]
