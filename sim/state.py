"""The market's state: everything a day's phases read and change.

`MarketState` holds the borrower columns, the lenders and their collectors (Mesa agents whose
ledgers are the money side of the state), the credit bureau and its queue of reports, the due
and court calendars (inside the population), the keys of the random streams, today's event
counts and the money that crossed the system's edge. Each phase (`sim.phases`) is a function of
(state, params) that changes the state and counts its events in `state.events`; the model
(`sim.model.CreditMarket`) builds the state, runs the phases in order and records the day.

Feedback from one day to the next that behaviour reads is state too: the market's
delinquency that strategic borrowers watch (`market_dpd30_share`), each lender's health (its
ledger and the perceived ratio of its balance sheet).
"""

from __future__ import annotations

import resource
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.columns import Columns
from sim.config import ScenarioConfig
from sim.population import BorrowerPopulation
from sim.scenario import ScenarioError

if TYPE_CHECKING:
    from sim.agents import Collector, Lender
    from sim.bureau import CreditBureau
    from sim.cast import Cast
    from sim.redefaults import RedefaultCohorts
    from sim.risk_gradient import RiskRecorder
    from sim.transitions import TransitionRecorder


class Observer(Protocol):
    """Something that watches loan events without changing them (the borrower tracker,
    `sim.tracking.BorrowerTracker`): the phases tell every observer through the state
    (`MarketState.note`, `contacted`, `reported`), and the model tells it when a day ends."""

    def noted(self, rows: np.ndarray, event: str) -> None:
        """A loan decision or deferral step `event` about `rows` today."""

    def contacted(self, rows: np.ndarray, kind: str) -> None:
        """Contact attempts on `rows` today by `kind` (a channel, or "reminder")."""

    def reported(self, rows: np.ndarray, event: str, day: int) -> None:
        """A lender reported `event` to the bureau about `rows` on `day`."""

    def day_ended(self, population: BorrowerPopulation, columns: Columns, day: int) -> None:
        """`day` is over (borrower columns as they stand at its end)."""


class MarketState:
    """The state of one market (see the module docstring).

    Attributes:
        day: the day being simulated (during a step), else the next day to simulate.
        population: borrower columns (`sim.population.BorrowerPopulation`).
        columns: the compiled view of the same arrays and the decision key
            (`sim.columns.Columns`).
        decision_key: the key of the counter-based decision draws (`sim.streams`).
        life_key: the key of the counter-based life draws (`sim.streams`).
        lenders, collectors: the Mesa agents, in index order (collectors lender by lender,
            slot by slot).
        bureau: the credit bureau.
        cast: the scripted borrowers of a classroom preset (rows 0..k-1).
        transitions: the monthly transition recorder.
        risk: loans by score at origination and their defaults within a year.
        redefault_cohorts: loans by the day of their first deferral and their re-defaults
            (`sim.redefaults`).
        observers: what watches loan events (`Observer`), in the order they were added.
        events: today's event counts (`sim.metrics.EVENT_NAMES`).
        totals: cumulative event counts.
        flows: cumulative money entering or leaving the system, in cents.
        market_dpd30_share: the market's 30+ DPD share of loans (forborne from 30+ DPD
            included) as borrowers last saw it, yesterday's in a normal market.
        lending_open: whether the lending phase runs (False during a run-off).
        top_proneness: (one element) at least the highest `shock_proneness` of anyone in
            the market: where even it keeps every shock's daily chance under
            `sim.streams.CANDIDATE_CHANCE`, the life phase looks only at candidate days.
    """

    def __init__(self, population: BorrowerPopulation, transitions: TransitionRecorder,
                 risk: RiskRecorder, redefault_cohorts: RedefaultCohorts,
                 decision_key: np.uint64, life_key: np.uint64, cast: Cast,
                 event_names: tuple[str, ...]) -> None:
        self.day = 0
        self.population = population
        self.transitions = transitions
        self.risk = risk
        self.redefault_cohorts = redefault_cohorts
        self.decision_key = decision_key
        self.life_key = life_key
        self.columns: Columns
        self.rebuild_columns()
        self.cast = cast
        self.bureau: CreditBureau | None = None
        self.lenders: list[Lender] = []
        self.collectors: list[Collector] = []
        self.observers: list[Observer] = []
        self.events: dict[str, int] = dict.fromkeys(event_names, 0)
        self.totals: dict[str, int] = dict.fromkeys(event_names, 0)
        self.flows: dict[str, int] = defaultdict(int)
        self.market_dpd30_share = 0.0
        self.lending_open = True
        self.top_proneness = np.zeros(1)

    def sum_by_lender(self, rows: np.ndarray, values: np.ndarray) -> list[int]:
        """Exact integer sums of `values` (cents or counts) over `rows`, per lender index."""
        if len(self.lenders) == 1:
            return [int(values.sum())]
        lender = self.population.lender[rows]
        return [int(values[lender == k].sum()) for k in range(len(self.lenders))]

    def count_by_lender(self, rows: np.ndarray) -> list[int]:
        """How many of `rows` each lender holds."""
        return self.sum_by_lender(rows, np.ones(rows.size, np.int64))

    def note(self, rows: np.ndarray, event: str) -> None:
        """Tell the observers of a loan decision or deferral step `event` about `rows`
        today."""
        for observer in self.observers:
            observer.noted(rows, event)

    def contacted(self, rows: np.ndarray, kind: str) -> None:
        """Tell the observers of contact attempts on `rows` today by `kind`."""
        for observer in self.observers:
            observer.contacted(rows, kind)

    def reported(self, rows: np.ndarray, event: str, day: int) -> None:
        """Tell the observers of a bureau report `event` about `rows` on `day` (the bureau's
        `on_report` while any observer watches)."""
        for observer in self.observers:
            observer.reported(rows, event, day)

    def watch(self, observer: Observer) -> None:
        """Add `observer`; the bureau tells the state of its reports from now on."""
        self.observers.append(observer)
        self.bureau.on_report = self.reported

    def start_day(self, day: int) -> None:
        """Begin `day`: today's event counts start at zero."""
        self.day = day
        self.events = dict.fromkeys(self.events, 0)

    def add_to_totals(self) -> None:
        """Add today's events to the totals."""
        for name, count in self.events.items():
            self.totals[name] += count

    def day_ended(self) -> None:
        """Tell the observers today is over."""
        for observer in self.observers:
            observer.day_ended(self.population, self.columns, self.day)

    def rebuild_columns(self) -> None:
        """A compiled view over this state's arrays and decision key: when the state is built,
        and after a copy (the compiled structure itself cannot be copied)."""
        self.columns = Columns.of(self.population, self.transitions,
                                  self.decision_key)


WORKING_FACTOR = 1.5
"""Memory a market takes per byte of its borrower columns: the day's phases make temporary
arrays over many rows and the due calendar lists the loans due (measured: 1.2 at 1,000,000
borrowers over 400 days)."""

ROW_EXTRA_BYTES = 8 + 2
"""Bytes a borrower takes outside the population's columns: its place in the rows paid on its
pay day (int64) and its transition state and end (int8 each)."""

BORROWER_AGENT_BYTES = 1_000
"""Bytes one `sim.agents.Borrower` view takes (`run.borrower_agents`; measured: about 600)."""

METRIC_BYTES = 48
"""Bytes one day's value of one metric takes: the recorder's float64 and the DataCollector's
Python float in a list."""

BASE_BYTES = 50_000_000
"""Bytes a market takes whatever its size (agents, the bureau, the score histogram, the
calendars' dictionaries)."""


class InsufficientMemoryError(ScenarioError):
    """A run that will not fit in the memory this process can still take."""


def memory_needed(config: ScenarioConfig, metrics: int) -> int:
    """Bytes a market of `config` will take, recording `metrics` metrics a day: its borrower
    columns (bytes per row from their dtypes) with the day's working arrays, and what grows
    with its length."""
    return int(BASE_BYTES + config.run.borrowers * _bytes_per_borrower(config)
               + config.run.days * metrics * METRIC_BYTES)


def _bytes_per_borrower(config: ScenarioConfig) -> float:
    per_row = WORKING_FACTOR * (BorrowerPopulation.bytes_per_row() + ROW_EXTRA_BYTES)
    return per_row + (BORROWER_AGENT_BYTES if config.run.borrower_agents else 0)


def memory_available() -> tuple[int, str] | None:
    """The bytes this process can still take and what limits them: the system's available
    memory (`MemAvailable`), the memory cgroup's limit less what it uses (less the file cache
    it can drop) and the address-space limit (`RLIMIT_AS`) less the process's size, whichever
    is least; None where none can be read."""
    limits = []
    meminfo = _read_fields(Path("/proc/meminfo"))
    if "MemAvailable" in meminfo:
        limits.append((meminfo["MemAvailable"] * 1024, "the system's available memory"))
    cgroup = _cgroup_room()
    if cgroup is not None:
        limits.append((cgroup, "the memory cgroup's limit"))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        size = _read_fields(Path("/proc/self/status")).get("VmSize", 0) * 1024
        limits.append((max(soft - size, 0), "the address-space limit (ulimit -v)"))
    return min(limits) if limits else None


def check_memory(config: ScenarioConfig, metrics: int) -> None:
    """Raise InsufficientMemoryError, naming `run.borrowers` and the most that fit, if a
    market of `config` will not fit in the memory this process can still take."""
    available = memory_available()
    needed = memory_needed(config, metrics)
    if available is None or needed <= available[0]:
        return
    room, what = available
    per_borrower = _bytes_per_borrower(config)
    most = max(int((room - needed) / per_borrower) + config.run.borrowers, 0)
    raise InsufficientMemoryError(
        "memory", "run.borrowers",
        f"{config.run.borrowers:,} borrowers over {config.run.days:,} days need about "
        f"{needed / 1e9:,.1f} GB ({per_borrower:,.0f} bytes a borrower), but {what} leaves "
        f"{room / 1e9:,.1f} GB; at most about {most:,} borrowers fit")


def _read_fields(path: Path) -> dict[str, int]:
    """`name: number [kB]` lines of a /proc file (or `name number` lines of a cgroup's
    memory.stat) as {name: number}; empty if it cannot be read."""
    fields: dict[str, int] = {}
    try:
        text = path.read_text(encoding="ascii")
    except OSError:
        return fields
    for line in text.splitlines():
        name, _, rest = line.replace(":", " ", 1).partition(" ")
        words = rest.split()
        if words and words[0].isdigit():
            fields[name] = int(words[0])
    return fields


def _cgroup_room() -> int | None:
    """Bytes the process's memory cgroup (v2 or v1) can still take, or None if it has no
    limit or none can be read."""
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    root = Path("/sys/fs/cgroup")
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            files = ("memory.max", "memory.current", "inactive_file")
            folders = [root / path.lstrip("/"), root]
        elif "memory" in controllers.split(","):
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
            folders = [root / "memory" / path.lstrip("/"), root / "memory"]
        else:
            continue
        for folder in folders:
            try:
                limit_text = (folder / files[0]).read_text(encoding="ascii").strip()
                used = int((folder / files[1]).read_text(encoding="ascii"))
            except (OSError, ValueError):
                continue
            if not limit_text.isdigit() or int(limit_text) >= 2**60:
                break
            cache = _read_fields(folder / "memory.stat").get(files[2], 0)
            return max(int(limit_text) - used + cache, 0)
    return None
