"""What one dashboard session runs: the controls, the scenario they build, the market(s), the
warm-up, and a classroom preset's story events.

A preset opens on a market in its steady state: the market first runs WARM_UP_DAYS days, the
burn-in every shipped comparison forks after (a market that starts empty goes through a
credit cycle of about five years first: docs/validation.md, "Where the market is steady").
The warm-up of each scenario, seed and settings is kept on disk by the burn-in cache
(`sim.batch.burn_in_cache`: paid once per machine) and in memory; each session gets its own
copy. Classroom presets, which tell their story from day 0, start at day 0. Side by side, one
warm-up under the preset's own settings is forked into the strict and the lenient policy (the
comparisons' burn-in and fork), so both start from the same market.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import mesa
import numpy as np

from sim.batch.burn_in_cache import burned_in
from sim.config import ScenarioConfig, dotted_value
from sim.model import CreditMarket
from sim.params_doc import format_value
from sim.presets import POLICIES, load_preset, presets
from sim.scenario import ScenarioError

# Control -> (scenario key or None, English label, spec). A slider left at its default, or a
# choice left at "preset", keeps the preset's own value.
PRESET = "preset"
CONTROLS: dict[str, tuple[str | None, str, dict[str, object]]] = {
    "mode": (None, "Mode",
             {"type": "Select", "value": "single", "values": ["single", "side_by_side"]}),
    "preset": (None, "Scenario preset",
               {"type": "Select", "value": "baseline", "values": list(presets())}),
    "seed": (None, "Seed", {"type": "InputText", "value": "1"}),
    "borrowers": ("run.borrowers", "Borrowers",
                  {"type": "SliderInt", "value": 1000, "min": 100, "max": 20_000, "step": 100}),
    "job_loss_rate": ("shocks.job_loss_rate", "Job losses per borrower-year",
                      {"type": "SliderFloat", "value": 0.045, "min": 0.0, "max": 0.5,
                       "step": 0.005}),
    "strategic_share": ("borrowers.strategic_share", "Strategic borrowers (share)",
                        {"type": "SliderFloat", "value": 0.08, "min": 0.0, "max": 0.5,
                         "step": 0.01}),
    "autopay_share": ("borrowers.autopay_share", "Auto-repay users (share)",
                      {"type": "SliderFloat", "value": 0.4, "min": 0.0, "max": 1.0,
                       "step": 0.05}),
    "reminders": ("collection.reminder_channel", "Reminder before the due day",
                  {"type": "Select", "value": PRESET, "values": [PRESET, "none", "app", "sms"]}),
    "deferral": ("deferral.enabled", "Deferral",
                 {"type": "Select", "value": PRESET, "values": [PRESET, "on", "off"]}),
    "deferral_months": ("deferral.extend_months", "Deferral term (months)",
                        {"type": "SliderInt", "value": 3, "min": 1, "max": 12, "step": 1}),
    "contact_cap": ("collection.max_contacts_per_7_days", "Contact cap per 7 days",
                    {"type": "SliderInt", "value": 7, "min": 0, "max": 14, "step": 1}),
    "report_dpd": ("bureau.report_dpd", "Bureau report at DPD",
                   {"type": "SliderInt", "value": 60, "min": 1, "max": 180, "step": 1}),
    "legal_dpd": ("legal.dpd", "Legal action at DPD",
                  {"type": "SliderInt", "value": 150, "min": 1, "max": 360, "step": 1}),
    "chargeoff_dpd": ("chargeoff.dpd", "Charge-off at DPD",
                      {"type": "SliderInt", "value": 120, "min": 30, "max": 360, "step": 10}),
}
SLIDERS = {name: key for name, (key, _, _) in CONTROLS.items() if key is not None}
"""Controls that set a scenario key (the others choose the mode, preset and seed)."""

_DEFAULTS = ScenarioConfig()
for _name, (_key, _, _spec) in CONTROLS.items():
    # A slider starts at the model's default (the baseline's calibrated value), so that a
    # slider left where it is shows the value the market runs on.
    if _key is not None and _name != "borrowers" and _spec["type"].startswith("Slider"):
        _spec["value"] = dotted_value(_DEFAULTS, _key)

CHOICE_TEXT = {"single": "One market", "side_by_side": "Strict vs lenient, side by side",
               PRESET: "the preset's own", "none": "none", "app": "app", "sms": "sms",
               "on": "on", "off": "off"}
"""How the page names each value of the choice controls (English; translated by `tr`)."""


def default_controls() -> dict[str, object]:
    """The controls' starting values (the model the page opens on)."""
    return {name: spec["value"] for name, (_, _, spec) in CONTROLS.items()}


SWITCH = {"on": True, "off": False}
"""What the on/off choices set."""

CLASSROOM = "classroom"
"""Folder of the classroom presets (`scenarios/classroom/`); they start at day 0."""

TRACKED_BORROWERS = 50
"""Borrowers 0-49 of each market have their daily story recorded for the inspector."""
TRACKED_BEFORE_OPEN = 90
"""Days of a warm-up whose end the inspector shows (the stories of borrowers 0-49 start this
many days before the page opens; a longer history makes every copy of a warm-up slower)."""

MODES = {"single": "One market", "side_by_side": "Strict vs lenient, side by side"}
PAIR = POLICIES
"""The policies side-by-side mode lays over the preset, on the same seed and controls."""

WARM_UP_CACHE_SIZE = 16
"""Warmed-up markets kept in memory (one per scenario, seed and settings)."""


def is_classroom(preset: str) -> bool:
    """Whether `preset` is a classroom preset (a story told from day 0)."""
    return preset.startswith(f"{CLASSROOM}/")


def build_config(preset: str, seed: str | int, controls: dict[str, object],
                 policy: str | None = None) -> ScenarioConfig:
    """The preset (under `policy` if given) with the controls that differ from their defaults
    (and the seed and borrowers, except for classroom presets), validated by the scenario
    schema. Raises ScenarioError."""
    try:
        seed_value = int(str(seed).strip())
    except ValueError:
        raise ScenarioError("dashboard", "run.seed", f"'{seed}' is not a whole number; a seed "
                            "is an integer >= 0") from None
    # A classroom preset keeps its own seed and size unless they are changed; any other
    # preset runs on the seed box and the borrowers slider.
    own = is_classroom(preset)
    overrides = [] if own and str(seed).strip() == CONTROLS["seed"][2]["value"] else [
        f"run.seed={seed_value}"]
    for name, value in controls.items():
        if name not in SLIDERS:
            raise ScenarioError("dashboard", name, "is not a dashboard control")
        if value == PRESET:
            continue
        if (name == "borrowers" and not own) or value != CONTROLS[name][2]["value"]:
            overrides.append(f"{SLIDERS[name]}={format_value(SWITCH.get(value, value))}")
    config = load_preset(preset, overrides, policy, source="dashboard")
    # A dashboard runs as long as it is played; the metrics table grows as needed.
    return config.model_copy(update={"run": config.run.model_copy(
        update={"days": max(config.run.days, 3650)})})


WARM_UP_DAYS = 2160
"""Days a preset's market runs before the page shows it: the burn-in after which every
shipped comparison, sweep and validation experiment forks (`burn_in_days`), where the market
is steady."""


def warm_up_days(preset: str) -> int:
    """Days a preset's market runs before the page shows it: WARM_UP_DAYS, or 0 for a
    classroom preset (a story told from day 0)."""
    return 0 if is_classroom(preset) else WARM_UP_DAYS


_warm: OrderedDict[str, CreditMarket] = OrderedDict()
_warm_lock = threading.Lock()


def warmed_up(config: ScenarioConfig, days: int) -> CreditMarket:
    """A market of `config` after `days` days, as a fresh copy, with borrowers 0-49 followed
    over the last TRACKED_BEFORE_OPEN of them; the days before those come from the burn-in
    cache, and the warm-up of each configuration is kept in memory (at most
    WARM_UP_CACHE_SIZE)."""
    key = f"{days}:{config.model_dump_json()}"
    with _warm_lock:
        market = _warm.get(key)
        if market is None:
            market = burned_in(config, config.run.seed, max(0, days - TRACKED_BEFORE_OPEN))
            market.track(np.arange(min(TRACKED_BORROWERS, config.run.borrowers)))
            market.run_days(min(days, TRACKED_BEFORE_OPEN))
            _warm[key] = market
            while len(_warm) > WARM_UP_CACHE_SIZE:
                _warm.popitem(last=False)
        _warm.move_to_end(key)
        return market.fork()


class DashboardModel(mesa.Model):
    """What one dashboard session runs: one credit market, or the preset under the strict and
    the lenient policies side by side on the same seed, stepping together.

    Attributes:
        markets: label -> CreditMarket (the preset's name in single mode, "strict" and
            "lenient" side by side).
        mode: "single" or "side_by_side".
        preset: the preset's name; controls: every control's value the model was built with.
        warm_up: days the market(s) ran before the page showed them (0: from day 0).
        input_error: the schema's message when the controls were rejected (the session then
            goes on with its last good model, in the state it had reached), else None.
        last_good: class attribute, the session's last model built from accepted controls;
            `Page` makes a subclass per browser session, so each session keeps its own.
    """

    last_good: DashboardModel | None = None

    def __init__(self, mode: str = "single", preset: str = "baseline", seed: str | int = "1",
                 **controls: object) -> None:
        try:
            configs = self._configs(mode, preset, seed, controls)
        except ScenarioError as error:
            previous = type(self).last_good
            if previous is None:
                raise
            # The page replaces the model on Reset; this one becomes the last good model.
            self.__dict__.update(previous.__dict__)
            self.input_error = str(error)
            return
        self.input_error: str | None = None
        type(self).last_good = self
        first = next(iter(configs.values()))
        super().__init__(rng=first.run.seed)
        self.mode, self.preset = mode, preset
        self.controls = {"mode": mode, "preset": preset, "seed": str(seed), **controls}
        self.warm_up = warm_up_days(preset)
        if self.warm_up:
            base = build_config(preset, seed, controls)
            self.markets = {}
            for label, config in configs.items():
                market = warmed_up(base, self.warm_up)
                if mode == "side_by_side":
                    market.adopt_policy(config)
                self.markets[label] = market
        else:
            self.markets = {label: CreditMarket(config) for label, config in configs.items()}
        for market in self.markets.values():
            rows = np.arange(min(TRACKED_BORROWERS, market.config.run.borrowers))
            if market.tracker is None:
                market.track(rows)
            else:
                market.tracker.add(rows)
        self.story = StoryWatch(self) if is_classroom(preset) else None

    @staticmethod
    def _configs(mode: str, preset: str, seed: str | int, controls: dict[str, object]):
        if mode not in MODES:
            raise ScenarioError("dashboard", "mode", f"'{mode}' is not a mode (have: "
                                f"{', '.join(MODES)})")
        if mode == "side_by_side":
            return {p: build_config(preset, seed, controls, policy=p) for p in PAIR}
        return {preset: build_config(preset, seed, controls)}

    @property
    def day(self) -> int:
        """The number of days simulated so far (the day the next step simulates)."""
        return next(iter(self.markets.values())).day

    def step(self) -> None:
        """One day in every market of the session."""
        for market in self.markets.values():
            market.step()

    def run_to_next_event(self, max_days: int = 400) -> list[StoryEvent]:
        """Step until the story watch sees something happen (at most `max_days` days); returns
        what happened on the day it stopped (empty if nothing within `max_days`)."""
        if self.story is None:
            return []
        for _ in range(max_days):
            self.step()
            events = self.story.check()
            if events:
                return events
        return []


@dataclass(frozen=True)
class StoryEvent:
    """Something a class should notice: on `day`, `who` (a case-study borrower's name, or ""
    for the market) saw `what` (English text, translated by the page), in market `market`."""

    day: int
    market: str
    who: str
    what: str


MARKET_FIRSTS = {
    "missed_installments": "first missed installment",
    "deferrals_granted": "first deferral granted",
    "deferrals_refused": "first deferral refused",
    "bureau_reports": "first report to the credit bureau",
    "legal_filed": "first legal action",
    "defaults": "first default (charge-off)",
    "complaints": "first complaint",
}
"""Running totals whose first count is a story event of a classroom preset without a cast."""

CAST_CHANGES = {
    "ill": ("falls ill", "recovers from illness"),
    "jobless": ("loses the job", "is back at work"),
    "in_deferral": ("payments paused (deferral)", "payments restart"),
    "has_loan": ("takes a loan", "loan ends"),
    "late": ("misses an installment", "is up to date again"),
}
"""A case-study borrower's state that starts or stops: (when it starts, when it stops)."""


class StoryWatch:
    """Watches a classroom preset's markets for story events: what happens to its case-study
    borrowers (shocks start and end, loans, missed installments, deferral, bureau reports,
    loan decisions), else the market's firsts and any macro shock window starting or ending."""

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.seen = {label: self._state(market) for label, market in model.markets.items()}

    @staticmethod
    def _state(market: CreditMarket) -> dict[object, object]:
        if market.cast.size:
            days = market.tracker.days if market.tracker is not None else []
            state: dict[object, object] = {}
            latest = {d["borrower"]: d for d in days[-len(market.tracker.rows):]} if days else {}
            for row in market.cast.names:
                record = latest.get(row, {})
                for key in CAST_CHANGES:
                    value = record.get("dpd", 0) > 0 if key == "late" else record.get(key, False)
                    state[(row, key)] = bool(value)
            return state
        return {name: market.totals[name] > 0 for name in MARKET_FIRSTS}

    def check(self) -> list[StoryEvent]:
        """Events of the day just simulated (call after each step)."""
        events = []
        for label, market in self.model.markets.items():
            day = market.day - 1
            before, now = self.seen[label], self._state(market)
            self.seen[label] = now
            if market.cast.size:
                for (row, key), value in now.items():
                    if value != before.get((row, key)):
                        events.append(StoryEvent(day, label, market.cast.names[row],
                                                 CAST_CHANGES[key][0 if value else 1]))
                tracker = market.tracker
                for record in tracker.days[-len(tracker.rows):]:
                    row = record["borrower"]
                    if row in market.cast.names and record["day"] == day:
                        for what in filter(None, str(record["events"]).split(",")):
                            events.append(StoryEvent(day, label, market.cast.names[row], what))
                        for what in filter(None, str(record["reports"]).split(",")):
                            if what in ("reported", "legal", "charged_off"):
                                events.append(StoryEvent(day, label, market.cast.names[row],
                                                         what))
            else:
                for name, value in now.items():
                    if value and not before[name]:
                        events.append(StoryEvent(day, label, "", MARKET_FIRSTS[name]))
                for shock in market.config.shocks.macro:
                    if day == shock.start_day:
                        events.append(StoryEvent(day, label, "", "macro shock begins"))
                    if day == shock.end_day + 1:
                        events.append(StoryEvent(day, label, "", "macro shock ends"))
        return list(dict.fromkeys(events))
