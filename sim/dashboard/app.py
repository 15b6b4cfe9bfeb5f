"""The interactive dashboard: Mesa's SolaraViz over a credit market built from a scenario preset.

Start it with `python run.py dashboard` (or `solara run sim/dashboard/app.py`). Each browser
session builds its own model (`Page` creates it with `solara.use_memo`), so two sessions never
share a run. The sliders set the parameters people most want to move; a value the scenario
schema rejects shows the schema's message in the page, and the session's last good model goes
on from where it was.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mesa  # noqa: E402
import numpy as np  # noqa: E402
import solara  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402

from sim.config import CHANNELS, LANGUAGES  # noqa: E402
from sim.i18n import LANGUAGE_NAMES, fonts_for, tr  # noqa: E402
from sim.model import CreditMarket  # noqa: E402
from sim.params_doc import format_value  # noqa: E402
from sim.population import KIND_NAMES  # noqa: E402
from sim.presets import POLICIES, SCENARIOS, lesson_text, load_preset, presets  # noqa: E402
from sim.report.figures import borrower_timeline_figure, time_series_figures  # noqa: E402
from sim.scenario import ScenarioError, read_toml  # noqa: E402

# Control -> (scenario key or None, English label, SolaraViz spec). A slider left at its
# default, or a choice left at "preset", keeps the preset's own value.
PRESET = "preset"
CONTROLS: dict[str, tuple[str | None, str, dict[str, object]]] = {
    "mode": (None, "Mode (side_by_side: the preset under strict and under lenient policies)",
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


def model_params(language: str = "en", values: dict[str, object] | None = None):
    """SolaraViz controls labelled in `language`, showing `values` where given (a language
    switch keeps the settings of the running model)."""
    params = {}
    for name, (_, label, spec) in CONTROLS.items():
        params[name] = {**spec, "label": tr(label, language)}
        if values and name in values:
            params[name]["value"] = values[name]
    return params


MODEL_PARAMS = model_params()
"""The controls in English, at their defaults."""


def default_controls() -> dict[str, object]:
    """The controls' starting values (the model the page opens on)."""
    return {name: spec["value"] for name, (_, _, spec) in CONTROLS.items()}


SWITCH = {"on": True, "off": False}
"""What the on/off choices set."""


CLASSROOM = "classroom"
"""Folder of the classroom presets (`scenarios/classroom/`)."""

TRACKED_BORROWERS = 50
"""Borrowers 0-49 of each market have their daily story recorded for the inspector."""

MODES = {"single": "One market", "side_by_side": "Strict vs lenient, side by side"}
PAIR = POLICIES
"""The policies side-by-side mode lays over the preset, on the same seed and controls."""

DIFFERENCE_MEASURES = {
    "dpd30_share": ("30+ DPD share of balances", 100.0, "percentage points"),
    "bad_debt_loss": ("Bad-debt loss", 1.0, "currency units"),
    "collection_cost_cum": ("Collection cost", 1.0, "currency units"),
    "complaints_cum": ("Complaints", 1.0, "complaints"),
}
"""Measures whose strict-minus-lenient difference side-by-side mode draws over time."""


def build_config(preset: str, seed: str | int, controls: dict[str, object],
                 policy: str | None = None):
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
    own = preset.startswith(f"{CLASSROOM}/")
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


class DashboardModel(mesa.Model):
    """What one dashboard session runs: one credit market, or the preset under the strict and
    the lenient policies side by side on the same seed, stepping together.

    Attributes:
        markets: label -> CreditMarket (the preset's name in single mode, "strict" and
            "lenient" side by side).
        mode: "single" or "side_by_side".
        preset: the preset's name; controls: every control's value the model was built with.
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
        self.mode, self.preset = mode, preset
        self.controls = {"mode": mode, "preset": preset, "seed": str(seed), **controls}
        self.markets = {label: CreditMarket(config) for label, config in configs.items()}
        for market in self.markets.values():
            market.track(np.arange(min(TRACKED_BORROWERS, market.config.run.borrowers)))

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
        return next(iter(self.markets.values())).day

    def step(self) -> None:
        """One day in every market of the session."""
        for market in self.markets.values():
            market.step()


POLICY_TITLES = {p: read_toml(SCENARIOS / f"{p}.toml").get("title", p) for p in POLICIES}


def market_title(model: DashboardModel, label: str, language: str) -> str:
    """How a market is named on the page: its scenario's title, and side by side the policy
    laid over it."""
    market = model.markets[label]
    text = lesson_text(market.config, language)
    title = text.title if text and text.title else market.config.title
    if model.mode == "side_by_side":
        return f"{tr(POLICY_TITLES[label], language)} ({title})"
    return title


def _figure_component(fig) -> solara.Element:
    component = solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)
    return component


def make_time_series_component(name: str, language: str):
    """A page component drawing one of the run figures from each market's metrics so far,
    in columns side by side."""
    draw = time_series_figures()[name]

    def Component(model: DashboardModel):  # noqa: N802 (a Solara component)
        if model.day < 2:
            return solara.Text(tr("Step the model to see this plot", language))
        with solara.Columns([1] * len(model.markets)) as columns:
            for label, market in model.markets.items():
                with solara.Column():
                    if len(model.markets) > 1:
                        solara.Markdown(f"**{tr(label, language)}**")
                    _figure_component(draw(market.metrics.frame(), language))
        return columns

    Component.__name__ = f"{name}_plot"
    return Component


def make_components(language: str) -> list[tuple[object, int]]:
    """The page's components, with their text in `language`."""

    def Lesson(model: DashboardModel):  # noqa: N802 (a Solara component)
        """The preset's classroom text: title, learning goal, explanation."""
        config = next(iter(model.markets.values())).config
        text = lesson_text(config, language)
        with solara.Column() as column:
            if text is None:
                solara.Markdown(f"**{config.title}**. {config.description}")
            else:
                solara.Markdown(f"### {text.title}\n\n**{tr('Learning goal', language)}:** "
                                f"{text.goal}\n\n{text.explanation}")
        return column

    def Status(model: DashboardModel):  # noqa: N802 (a Solara component)
        """Day, headline numbers and who misses payments in each market, and the schema's
        message if the controls were rejected."""
        with solara.Column() as column:
            if model.input_error:
                solara.Error(tr("Not applied", language) + f": {model.input_error}. "
                             + tr("The last good model goes on.", language))
            for label, market in model.markets.items():
                latest = market.metrics.latest
                line = (f"**{market_title(model, label, language)}**, "
                        f"{market.config.run.borrowers:,} {tr('borrowers', language)}, "
                        f"{tr('seed', language)} {market.config.run.seed}, "
                        f"{tr('day', language)} {market.day}")
                if latest:
                    contacts = sum(latest.get(f"contacts_{c}", 0) for c in CHANNELS)
                    line += (f" · {tr('active loans', language)} {latest['loans_active']:,.0f}"
                             f" · {tr('30+ DPD', language)} {100 * latest['dpd30_share']:.2f} %"
                             f" · {tr('defaults', language)} {latest['defaults_cum']:,.0f}"
                             f" · {tr('contacts today', language)} {contacts:,.0f}")
                solara.Markdown(line)
                solara.Markdown(_who_misses(market, language))
        return column

    def ScoreDistribution(model: DashboardModel):  # noqa: N802 (a Solara component)
        """Histogram of today's scores in each market."""
        fonts_for(language)
        fig, axes = plt.subplots(1, len(model.markets), figsize=(6 * len(model.markets), 3),
                                 squeeze=False)
        for ax, (label, market) in zip(axes[0], model.markets.items(), strict=True):
            ax.hist(market.population.score, bins=np.arange(350, 955, 10), color="tab:blue")
            ax.set_xlabel(tr("score (points)", language))
            ax.set_ylabel(tr("borrowers", language))
            ax.set_title(f"{tr(label, language)}: {tr('scores on day', language)} {model.day}")
        fig.tight_layout()
        return _figure_component(fig)

    def Differences(model: DashboardModel):  # noqa: N802 (a Solara component)
        """Side by side: strict minus lenient over time, for the headline measures."""
        if model.mode != "side_by_side" or model.day < 2:
            return solara.Text(tr("Differences: switch to side-by-side mode and step the model",
                                  language))
        fonts_for(language)
        strict, lenient = (model.markets[label].metrics.frame() for label in PAIR)
        fig, axes = plt.subplots(1, len(DIFFERENCE_MEASURES), figsize=(14, 3))
        for ax, (column, (title, scale, unit)) in zip(axes, DIFFERENCE_MEASURES.items(),
                                                      strict=True):
            ax.plot(strict["day"], scale * (strict[column] - lenient[column]),
                    color="tab:purple")
            ax.axhline(0, color="grey", linewidth=0.8)
            ax.set_title(f"{tr(title, language)}: {tr('strict - lenient', language)}",
                         fontsize=9)
            ax.set_xlabel(tr("day", language))
            ax.set_ylabel(tr(unit, language), fontsize=8)
        fig.tight_layout()
        return _figure_component(fig)

    def BorrowerInspector(model: DashboardModel):  # noqa: N802 (a Solara component)
        """The preset's named borrowers side by side, if it has any; then pick any borrower
        and see their story (side by side: the same person under strict and under lenient)."""
        borrower, set_borrower = solara.use_state(0)
        borrowers = min(m.config.run.borrowers for m in model.markets.values())

        def choose(row: int) -> None:
            for market in model.markets.values():
                if row not in market.tracker.rows:
                    market.tracker.add([row])  # followed from today on
            set_borrower(row)

        def timeline(market: CreditMarket, row: int, title: str) -> None:
            story = market.tracker.frame(row)
            if len(story) < 2:
                solara.Text(f"{title}: {tr('followed from day', language)} {model.day}; "
                            + tr("step on", language))
            else:
                _figure_component(borrower_timeline_figure(story, title, language))

        with solara.Column() as column:
            if model.day < 2:
                solara.Text(tr("Borrower timeline: step the model to see it", language))
            for label, market in model.markets.items():
                if model.day >= 2 and market.cast.size:
                    solara.Markdown(f"**{tr('Case studies', language)}** "
                                    f"({market_title(model, label, language)})")
                    with solara.Columns([1] * market.cast.size):
                        for row, name in market.cast.names.items():
                            timeline(market, row, name)
            solara.SliderInt(tr("Borrower to inspect", language),
                             value=min(borrower, borrowers - 1), on_value=choose, min=0,
                             max=borrowers - 1)
            solara.Text(tr("Borrowers 0-49 are followed from day 0, others from when picked.",
                           language))
            borrower = min(borrower, borrowers - 1)
            if model.day >= 2:
                with solara.Columns([1] * len(model.markets)):
                    for label, market in model.markets.items():
                        kind = tr(KIND_NAMES[market.population.kind[borrower]], language)
                        name = market.cast.names.get(borrower, f"{tr('borrower', language)} "
                                                               f"{borrower}")
                        timeline(market, borrower, f"{tr(label, language)}: {name} ({kind})")
        return column

    return [(Lesson, 0), (Status, 0), (Differences, 0), (BorrowerInspector, 0),
            *((make_time_series_component(n, language), 0) for n in time_series_figures()),
            (ScoreDistribution, 0)]


def _who_misses(market: CreditMarket, language: str) -> str:
    """A Markdown table: installments missed by type, deferrals, defaults (since day 0)."""
    t = market.totals
    rows = [
        (tr("installments missed: hardship", language), f"{t['missed_hardship']:,}"),
        (tr("installments missed: strategic", language), f"{t['missed_strategic']:,}"),
        (tr("installments missed: forgetful", language), f"{t['missed_forgetful']:,}"),
        (tr("reminders sent", language), f"{t['reminders']:,}"),
        (tr("deferrals granted (of them not in hardship)", language),
         f"{t['deferrals_granted']:,} ({t['deferrals_granted_ineligible']:,})"),
        (tr("defaults (of them strategic)", language),
         f"{t['defaults']:,} ({t['defaults_strategic']:,})"),
    ]
    head = f"| {tr('since day 0', language)} | |\n|---|---:|\n"
    return head + "\n".join(f"| {name} | {value} |" for name, value in rows)


COMPONENTS_BY_LANGUAGE = {language: make_components(language) for language in LANGUAGES}
"""The components of each language, made once so a page keeps the same ones across renders."""
COMPONENTS = COMPONENTS_BY_LANGUAGE["en"]


@solara.component
def Page():
    """One dashboard per browser session, on its own model, with a language switch at the top
    of the sidebar (the model and its settings carry over when the language changes)."""
    session_model = solara.use_memo(
        lambda: type("SessionModel", (DashboardModel,), {}), dependencies=[])
    first = solara.use_memo(lambda: session_model(**default_controls()), dependencies=[])
    model = solara.use_reactive(first)
    language = solara.use_reactive("en")
    with solara.Sidebar():
        solara.ToggleButtonsSingle(value=language,
                                   children=[solara.Button(LANGUAGE_NAMES[code], value=code,
                                                           text=True) for code in LANGUAGES])
    SolaraViz(model, components=COMPONENTS_BY_LANGUAGE[language.value],
              model_params=model_params(language.value, model.value.controls),
              name=tr("Credit market simulator", language.value),
              play_interval=150).key(f"viz-{language.value}")  # remount in the new language
