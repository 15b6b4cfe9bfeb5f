"""The interactive dashboard: Mesa's SolaraViz over a credit market built from a scenario preset.

Start it with `python run.py dashboard` (or `solara run sim/dashboard/app.py`). Each browser
session builds its own model (`Page` creates it with `solara.use_memo`), so two sessions never
share a run. The sliders set the parameters people most want to move; a value the scenario
schema rejects shows the schema's message in the page, and the session's last good model goes
on from where it was.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mesa  # noqa: E402
import numpy as np  # noqa: E402
import solara  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402

from sim.config import CHANNELS  # noqa: E402
from sim.model import CreditMarket  # noqa: E402
from sim.population import KIND_NAMES  # noqa: E402
from sim.report.figures import borrower_timeline_figure, time_series_figures  # noqa: E402
from sim.scenario import ScenarioError, load_scenario  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def presets() -> dict[str, Path]:
    """Every scenario file under `scenarios/` by its name relative to it, without `.toml`
    (comparison, validation and calibration files are not scenarios)."""
    skip = {"compare", "validation", "calibration", "sweeps"}
    found = {}
    for path in sorted(SCENARIOS.rglob("*.toml")):
        relative = path.relative_to(SCENARIOS)
        if relative.parts[0] not in skip:
            found[relative.with_suffix("").as_posix()] = path
    return found


# Slider key -> (scenario key, label); each slider's default and range come from MODEL_PARAMS.
SLIDERS: dict[str, tuple[str, str]] = {
    "borrowers": ("run.borrowers", "Borrowers"),
    "job_loss_rate": ("shocks.job_loss_rate", "Job losses per borrower-year"),
    "strategic_share": ("borrowers.strategic_share", "Strategic borrowers (share)"),
    "deferral": ("deferral.enabled", "Deferral on"),
    "deferral_months": ("deferral.extend_months", "Deferral term (months)"),
    "contact_cap": ("collection.max_contacts_per_7_days", "Contact cap per 7 days"),
    "report_dpd": ("bureau.report_dpd", "Bureau report at DPD"),
    "legal_dpd": ("legal.dpd", "Legal action at DPD"),
    "chargeoff_dpd": ("chargeoff.dpd", "Charge-off at DPD"),
}

MODEL_PARAMS = {
    "mode": {"type": "Select", "value": "single", "values": ["single", "side_by_side"],
             "label": "Mode (side_by_side: strict and lenient presets together)"},
    "preset": {"type": "Select", "value": "baseline", "values": list(presets()),
               "label": "Scenario preset"},
    "seed": {"type": "InputText", "value": "1", "label": "Seed"},
    "borrowers": {"type": "SliderInt", "value": 1000, "min": 100, "max": 20_000, "step": 100,
                  "label": SLIDERS["borrowers"][1]},
    "job_loss_rate": {"type": "SliderFloat", "value": 0.045, "min": 0.0, "max": 0.5,
                      "step": 0.005, "label": SLIDERS["job_loss_rate"][1]},
    "strategic_share": {"type": "SliderFloat", "value": 0.08, "min": 0.0, "max": 0.5,
                        "step": 0.01, "label": SLIDERS["strategic_share"][1]},
    "deferral": {"type": "Checkbox", "value": False, "label": SLIDERS["deferral"][1]},
    "deferral_months": {"type": "SliderInt", "value": 3, "min": 1, "max": 12, "step": 1,
                        "label": SLIDERS["deferral_months"][1]},
    "contact_cap": {"type": "SliderInt", "value": 7, "min": 0, "max": 14, "step": 1,
                    "label": SLIDERS["contact_cap"][1]},
    "report_dpd": {"type": "SliderInt", "value": 60, "min": 1, "max": 180, "step": 1,
                   "label": SLIDERS["report_dpd"][1]},
    "legal_dpd": {"type": "SliderInt", "value": 150, "min": 1, "max": 360, "step": 1,
                  "label": SLIDERS["legal_dpd"][1]},
    "chargeoff_dpd": {"type": "SliderInt", "value": 120, "min": 30, "max": 360, "step": 10,
                      "label": SLIDERS["chargeoff_dpd"][1]},
}
"""SolaraViz controls. A slider left at its default keeps the preset's own value."""


def default_controls() -> dict[str, object]:
    """The controls' starting values (the model the page opens on)."""
    return {name: spec["value"] for name, spec in MODEL_PARAMS.items()}


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


TRACKED_BORROWERS = 50
"""Borrowers 0-49 of each market have their daily story recorded for the inspector."""

MODES = {"single": "One market", "side_by_side": "Strict vs lenient, side by side"}
PAIR = ("strict", "lenient")
"""The presets that side-by-side mode runs together, on the same seed and controls."""

DIFFERENCE_MEASURES = {
    "dpd30_share": ("30+ DPD share of balances", 100.0, "percentage points"),
    "bad_debt_loss": ("Bad-debt loss", 1.0, "currency units"),
    "collection_cost_cum": ("Collection cost", 1.0, "currency units"),
    "complaints_cum": ("Complaints", 1.0, "complaints"),
}
"""Measures whose strict-minus-lenient difference side-by-side mode draws over time."""


def build_config(preset: str, seed: str | int, controls: dict[str, object]):
    """The preset with the controls that differ from their defaults (the borrowers slider
    always applies), validated by the scenario schema. Raises ScenarioError."""
    known = presets()
    if preset not in known:
        raise ScenarioError("dashboard", "preset", f"'{preset}' is not a scenario preset "
                            f"(have: {', '.join(known)})")
    try:
        seed_value = int(str(seed).strip())
    except ValueError:
        raise ScenarioError("dashboard", "run.seed", f"'{seed}' is not a whole number; a seed "
                            "is an integer >= 0") from None
    overrides = [f"run.seed={seed_value}"]
    for name, value in controls.items():
        if name not in SLIDERS:
            raise ScenarioError("dashboard", name, "is not a dashboard control")
        if name == "borrowers" or value != MODEL_PARAMS[name]["value"]:
            overrides.append(f"{SLIDERS[name][0]}={_literal(value)}")
    config = load_scenario(known[preset], overrides)
    # A dashboard runs as long as it is played; the metrics table grows as needed.
    return config.model_copy(update={"run": config.run.model_copy(
        update={"days": max(config.run.days, 3650)})})


class DashboardModel(mesa.Model):
    """What one dashboard session runs: one credit market, or the strict and lenient presets
    side by side on the same seed, stepping together.

    Attributes:
        markets: label -> CreditMarket (one label in single mode, "strict" and "lenient" side
            by side).
        mode: "single" or "side_by_side".
        input_error: the schema's message when the controls were rejected (the session then
            goes on with its last good model, in the state it had reached), else None.
        last_good: class attribute, the session's last model built from accepted controls;
            `Page` makes a subclass per browser session, so each session keeps its own.
    """

    last_good: DashboardModel | None = None

    def __init__(self, mode: str = "single", preset: str = "baseline", seed: str | int = "1",
                 scenario: object = None, **controls: object) -> None:
        # `scenario` is what SolaraViz passes to every Mesa model on reset; unused here.
        try:
            configs = self._configs(mode, preset, seed, controls)
        except ScenarioError as error:
            previous = type(self).last_good
            if previous is None:
                raise
            # SolaraViz replaces the model on Reset; this one becomes the last good model.
            self.__dict__.update(previous.__dict__)
            self.input_error = str(error)
            return
        self.input_error: str | None = None
        type(self).last_good = self
        first = next(iter(configs.values()))
        super().__init__(rng=first.run.seed)
        self.mode = mode
        self.markets = {label: CreditMarket(config) for label, config in configs.items()}
        for market in self.markets.values():
            market.track(np.arange(min(TRACKED_BORROWERS, market.config.run.borrowers)))

    @staticmethod
    def _configs(mode: str, preset: str, seed: str | int, controls: dict[str, object]):
        if mode not in MODES:
            raise ScenarioError("dashboard", "mode", f"'{mode}' is not a mode (have: "
                                f"{', '.join(MODES)})")
        labels = PAIR if mode == "side_by_side" else (preset,)
        return {label: build_config(label, seed, controls) for label in labels}

    @property
    def day(self) -> int:
        return next(iter(self.markets.values())).day

    def step(self) -> None:
        """One day in every market of the session."""
        for market in self.markets.values():
            market.step()


def _figure_component(fig) -> solara.Element:
    component = solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)
    return component


def make_time_series_component(name: str):
    """A page component drawing one of the run figures from each market's metrics so far,
    in columns side by side."""
    draw = time_series_figures()[name]

    def Component(model: DashboardModel):  # noqa: N802 (a Solara component)
        if model.day < 2:
            return solara.Text(f"{name.replace('_', ' ')}: step the model to see it")
        with solara.Columns([1] * len(model.markets)) as columns:
            for label, market in model.markets.items():
                with solara.Column():
                    if len(model.markets) > 1:
                        solara.Markdown(f"**{label}**")
                    _figure_component(draw(market.metrics.frame()))
        return columns

    Component.__name__ = f"{name}_plot"
    return Component


def ScoreDistribution(model: DashboardModel):  # noqa: N802 (a Solara component)
    """Histogram of today's scores in each market."""
    fig, axes = plt.subplots(1, len(model.markets), figsize=(6 * len(model.markets), 3),
                             squeeze=False)
    for ax, (label, market) in zip(axes[0], model.markets.items(), strict=True):
        ax.hist(market.population.score, bins=np.arange(350, 955, 10), color="tab:blue")
        ax.set_xlabel("score (points)")
        ax.set_ylabel("borrowers")
        ax.set_title(f"{label}: scores on day {model.day}")
    fig.tight_layout()
    return _figure_component(fig)


def Differences(model: DashboardModel):  # noqa: N802 (a Solara component)
    """Side by side: strict minus lenient over time, for the headline measures."""
    if model.mode != "side_by_side" or model.day < 2:
        return solara.Text("Differences: switch to side-by-side mode and step the model")
    strict, lenient = (model.markets[label].metrics.frame() for label in PAIR)
    fig, axes = plt.subplots(1, len(DIFFERENCE_MEASURES), figsize=(14, 3))
    for ax, (column, (title, scale, unit)) in zip(axes, DIFFERENCE_MEASURES.items(),
                                                  strict=True):
        ax.plot(strict["day"], scale * (strict[column] - lenient[column]), color="tab:purple")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_title(f"{title}: strict - lenient", fontsize=9)
        ax.set_xlabel("day")
        ax.set_ylabel(unit, fontsize=8)
    fig.tight_layout()
    return _figure_component(fig)


def Status(model: DashboardModel):  # noqa: N802 (a Solara component)
    """Day, headline numbers of each market, and the schema's message if the controls were
    rejected."""
    with solara.Column() as column:
        if model.input_error:
            solara.Error(f"Not applied: {model.input_error}. The last good model goes on.")
        for market in model.markets.values():
            latest = market.metrics.latest
            line = (f"**{market.config.title}**, {market.config.run.borrowers:,} borrowers, "
                    f"seed {market.config.run.seed}, day {market.day}")
            if latest:
                contacts = sum(latest.get(f"contacts_{c}", 0) for c in CHANNELS)
                line += (f" · active loans {latest['loans_active']:,.0f} · 30+ DPD "
                         f"{100 * latest['dpd30_share']:.2f} % · defaults "
                         f"{latest['defaults_cum']:,.0f} · contacts today {contacts:,.0f}")
            solara.Markdown(line)
    return column


def BorrowerInspector(model: DashboardModel):  # noqa: N802 (a Solara component)
    """Pick a tracked borrower and see their story; side by side, the same borrower (same
    seed, same person) under strict and under lenient."""
    borrower, set_borrower = solara.use_state(0)
    borrowers = min(m.config.run.borrowers for m in model.markets.values())

    def choose(row: int) -> None:
        for market in model.markets.values():
            if row not in market.tracker.rows:
                market.tracker.add([row])  # followed from today on
        set_borrower(row)

    with solara.Column() as column:
        solara.SliderInt("Borrower to inspect", value=min(borrower, borrowers - 1),
                         on_value=choose, min=0, max=borrowers - 1)
        solara.Text(f"Borrowers 0-{TRACKED_BORROWERS - 1} are followed from day 0; any other "
                    "from the day you pick them.")
        borrower = min(borrower, borrowers - 1)
        if model.day < 2:
            solara.Text("Borrower timeline: step the model to see it")
        else:
            with solara.Columns([1] * len(model.markets)):
                for label, market in model.markets.items():
                    kind = KIND_NAMES[market.population.kind[borrower]]
                    title = f"{label}: borrower {borrower} ({kind})"
                    story = market.tracker.frame(borrower)
                    if len(story) < 2:
                        solara.Text(f"{title}: followed from day {model.day}; step on")
                    else:
                        _figure_component(borrower_timeline_figure(story, title))
    return column


COMPONENTS = [(Status, 0), (Differences, 0), (BorrowerInspector, 0),
              *((make_time_series_component(n), 0) for n in time_series_figures()),
              (ScoreDistribution, 0)]


@solara.component
def Page():
    """One dashboard per browser session, on its own model."""
    session_model = solara.use_memo(
        lambda: type("SessionModel", (DashboardModel,), {}), dependencies=[])
    model = solara.use_memo(lambda: session_model(**default_controls()), dependencies=[])
    SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS,
              name="Credit market simulator", play_interval=150)
