"""The interactive dashboard: Mesa's SolaraViz over a credit market built from a scenario preset.

Start it with `python run.py dashboard` (or `solara run sim/dashboard/app.py`). Each browser
session builds its own model (`Page` creates it with `solara.use_memo`), so two sessions never
share a run. The sliders set the parameters people most want to move; a value the scenario
schema rejects shows the schema's message in the page and the market keeps the last accepted
settings.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import solara  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402

from sim.config import CHANNELS  # noqa: E402
from sim.model import CreditMarket  # noqa: E402
from sim.report.figures import time_series_figures  # noqa: E402
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


class DashboardMarket(CreditMarket):
    """A credit market built from a preset and the dashboard's controls.

    Attributes:
        input_error: the schema's message for the controls' values when they were rejected
            (the market then runs the last accepted settings), else None.
        last_good: class attribute: the last accepted (preset, seed, controls). `Page` makes
            a subclass per browser session, so each session remembers its own.
    """

    last_good: tuple[str, str | int, dict[str, object]] = ("baseline", "1", {})

    def __init__(self, preset: str = "baseline", seed: str | int = "1",
                 scenario: object = None, **controls: object) -> None:
        # `scenario` is what SolaraViz passes to every Mesa model on reset; unused here.
        self.input_error: str | None = None
        try:
            config = self.build_config(preset, seed, controls)
            type(self).last_good = (preset, seed, dict(controls))
        except ScenarioError as error:
            self.input_error = str(error)
            config = self.build_config(*type(self).last_good)
        super().__init__(config)

    @staticmethod
    def build_config(preset: str, seed: str | int, controls: dict[str, object]):
        """The preset with the controls that differ from their defaults, validated."""
        known = presets()
        if preset not in known:
            raise ScenarioError("dashboard", "preset", f"'{preset}' is not a scenario preset "
                                f"(have: {', '.join(known)})")
        try:
            seed_value = int(str(seed).strip())
        except ValueError:
            raise ScenarioError("dashboard", "run.seed", f"'{seed}' is not a whole number; "
                                "a seed is an integer >= 0") from None
        overrides = [f"run.seed={seed_value}"]
        for name, value in controls.items():
            if name not in SLIDERS:
                raise ScenarioError("dashboard", name, "is not a dashboard control")
            if name == "borrowers" or value != MODEL_PARAMS[name]["value"]:
                overrides.append(f"{SLIDERS[name][0]}={_literal(value)}")
        config = load_scenario(known[preset], overrides)
        return config.model_copy(update={"run": config.run.model_copy(
            update={"days": max(config.run.days, 3650)})})


def _frame(model: CreditMarket):
    return model.metrics.frame()


def make_time_series_component(name: str):
    """A page component drawing one of the run figures from the model's metrics so far."""
    draw = time_series_figures()[name]

    def Component(model: CreditMarket):  # noqa: N802 (a Solara component)
        frame = _frame(model)
        if len(frame) < 2:
            return solara.Text(f"{name.replace('_', ' ')}: step the model to see it")
        fig = draw(frame)
        component = solara.FigureMatplotlib(fig, format="png")
        plt.close(fig)
        return component

    Component.__name__ = f"{name}_plot"
    return Component


def ScoreDistribution(model: CreditMarket):  # noqa: N802 (a Solara component)
    """Histogram of today's scores."""
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(model.population.score, bins=np.arange(350, 955, 10), color="tab:blue")
    ax.set_xlabel("score (points)")
    ax.set_ylabel("borrowers")
    ax.set_title(f"Scores on day {model.day}")
    fig.tight_layout()
    component = solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)
    return component


def Status(model: CreditMarket):  # noqa: N802 (a Solara component)
    """Day, headline numbers, and the schema's message if the controls were rejected."""
    latest = model.metrics.latest
    with solara.Column() as column:
        if getattr(model, "input_error", None):
            solara.Error(f"Not applied: {model.input_error}. The market runs the last "
                         "accepted settings.")
        solara.Markdown(f"**{model.config.title}**, {model.config.run.borrowers:,} borrowers, "
                        f"seed {model.config.run.seed}, day {model.day}")
        if latest:
            contacts = sum(latest.get(f"contacts_{c}", 0) for c in CHANNELS)
            solara.Markdown(
                f"Active loans {latest['loans_active']:,.0f} · 30+ DPD share "
                f"{100 * latest['dpd30_share']:.2f} % · defaults so far "
                f"{latest['defaults_cum']:,.0f} · contacts today {contacts:,.0f}")
    return column


COMPONENTS = [(Status, 0), *((make_time_series_component(n), 0) for n in time_series_figures()),
              (ScoreDistribution, 0)]


@solara.component
def Page():
    """One dashboard per browser session, on its own model."""
    session_market = solara.use_memo(
        lambda: type("SessionMarket", (DashboardMarket,), {}), dependencies=[])
    model = solara.use_memo(lambda: session_market(**default_controls()), dependencies=[])
    SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS,
              name="Credit market simulator", play_interval=150)
