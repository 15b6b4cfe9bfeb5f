"""The interactive dashboard: a credit market built from a scenario preset, in tabs (Market,
Collection, Borrowers, Compare), with its own controls in English and Simplified Chinese.

Start it with `python run.py dashboard` (or `solara run sim/dashboard/app.py`). The page is
composed here from solara components rather than Mesa's stock `SolaraViz` page, so that every
label (Step, Play, Reset and the settings included) follows the language switch, and so that
Play can run many simulated days per page update. Each browser session builds its own model
(`Page` creates it with `solara.use_memo`), so two sessions never share a run. A value the
scenario schema rejects shows the schema's message, and the session's last good model goes on
from where it was. The model itself (`sim.dashboard.session.DashboardModel`) is a `mesa.Model`.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable

import matplotlib
import matplotlib.text

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import solara  # noqa: E402
import solara.lab  # noqa: E402

from sim.config import CHANNELS, LANGUAGES  # noqa: E402
from sim.dashboard.session import (  # noqa: E402, F401 (re-exported for tests and callers)
    CHOICE_TEXT,
    CONTROLS,
    MODES,
    PAIR,
    PRESET,
    TRACKED_BEFORE_OPEN,
    DashboardModel,
    StoryEvent,
    build_config,
    default_controls,
    is_classroom,
)
from sim.i18n import LANGUAGE_NAMES, fonts_for, tr  # noqa: E402
from sim.model import CreditMarket  # noqa: E402
from sim.population import KIND_NAMES  # noqa: E402
from sim.presets import POLICIES, SCENARIOS, lesson_text, load_preset, presets  # noqa: E402
from sim.report.figures import (  # noqa: E402
    EVENT_TEXT,
    NEGATIVE_REPORTS,
    borrower_timeline_figure,
    time_series_figures,
)
from sim.scenario import read_toml  # noqa: E402

SPEEDS = (1, 5, 15, 30, 60, 120)
"""Play speeds on offer, in simulated days per second."""
DEFAULT_SPEED = 60
"""Play speed the page opens with (simulated days per second)."""
FRAME_S = 0.25
"""Shortest wall time between two page updates while playing (seconds); at high speeds each
update shows several days, as many as the speed asks for in the time the update took."""
MAX_DAYS_PER_FRAME = 365
"""Most days one page update may cover while playing."""
DPI = 80
"""Resolution of the page's figures (dots per inch; the downloads use DOWNLOAD_DPI)."""
DOWNLOAD_DPI = 120
MIN_FONT_PT = 10.0
"""Smallest text size of the borrower timelines on the page (points), for a projector."""

WARM_UP_NOTE = ("The market ran six years before the page opened, until the credit cycle its "
                "start sets off had died out (its last year in grey in the plots), so loans, "
                "delinquency, contacts and defaults are in their steady state: day")
"""Said on top of a warmed-up market (English; translated by `tr`), followed by the day."""
COMPARE_NOTE = ("Run this preset twice on the same borrowers and shocks, once under strict "
                "collection and once under lenient deferral, and see how they part day by day.")
"""The Compare tab's invitation in single mode (English; translated by `tr`)."""

TABS = ("Market", "Collection", "Borrowers", "Compare")
"""The page's tabs, in order (English; translated by `tr`)."""
TAB_FIGURES = {"Market": ("dpd_buckets", "defaults_and_losses", "lender", "credit_supply"),
               "Collection": ("collection", "deferrals")}
"""The run figures (`sim.report.figures.time_series_figures`) each tab shows."""

DIFFERENCE_MEASURES = {
    "dpd30_share": ("30+ DPD share of balances", 100.0, "percentage points"),
    "bad_debt_loss": ("Bad-debt loss", 1.0, "currency units"),
    "collection_cost_cum": ("Collection cost", 1.0, "currency units"),
    "complaints_cum": ("Complaints", 1.0, "complaints"),
}
"""Measures whose strict-minus-lenient difference side-by-side mode draws over time."""

MODEL_PARAMS = {name: {**spec, "label": label} for name, (_, label, spec) in CONTROLS.items()}
"""The settings' specifications with their English labels (name -> spec)."""

POLICY_TITLES = {p: read_toml(SCENARIOS / f"{p}.toml").get("title", p) for p in POLICIES}


def preset_title(name: str, language: str) -> str:
    """How the preset chooser names a preset: its lesson title (classroom presets) or its
    scenario title, in `language`."""
    config = load_preset(name)
    text = lesson_text(config, language)
    return text.title if text and text.title else tr(config.title, language)


PRESET_TITLES = {language: {name: preset_title(name, language) for name in presets()}
                 for language in LANGUAGES}
"""language -> preset name -> its title, for the preset chooser."""


def market_title(model: DashboardModel, label: str, language: str) -> str:
    """How a market is named on the page: its scenario's title, and side by side the policy
    laid over it."""
    market = model.markets[label]
    text = lesson_text(market.config, language)
    title = text.title if text and text.title else tr(market.config.title, language)
    if model.mode == "side_by_side":
        return f"{tr(POLICY_TITLES[label], language)} ({title})"
    return title


def png(fig: plt.Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (laid out tightly); closes it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


SHOWN_WARM_UP_DAYS = 365
"""Days of the warm-up the time series show (greyed) before the day the page opened."""


def shown_days(frame: pd.DataFrame, warm_up: int) -> pd.DataFrame:
    """The rows of a market's daily metrics the page plots: the last SHOWN_WARM_UP_DAYS of
    the warm-up and every day since (the start-up's credit cycle would dwarf the rest)."""
    return frame[frame["day"] >= warm_up - SHOWN_WARM_UP_DAYS]


def shade_warm_up(fig: plt.Figure, days: int, language: str) -> plt.Figure:
    """Grey out the shown part of the warm-up (the SHOWN_WARM_UP_DAYS before day `days`) on
    every axis of a time-series figure."""
    if days:
        for i, ax in enumerate(fig.axes):
            ax.axvspan(max(0, days - SHOWN_WARM_UP_DAYS), days, color="grey", alpha=0.12,
                       linewidth=0, label=tr("warm-up", language) if i == 0 else None)
    return fig


def legible(fig: plt.Figure, width_in: float, height_in: float) -> plt.Figure:
    """Resize a figure and raise any text smaller than MIN_FONT_PT, so it reads on a projector
    when drawn about 450 px wide."""
    fig.set_size_inches(width_in, height_in)
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_fontsize() < MIN_FONT_PT:
            text.set_fontsize(MIN_FONT_PT)
    return fig


def story(market: CreditMarket, row: int) -> pd.DataFrame:
    """The recorded days of borrower `row` (empty if not followed)."""
    if market.tracker is None:
        return pd.DataFrame()
    return pd.DataFrame([d for d in market.tracker.days if d["borrower"] == row])


def timeline_figure(market: CreditMarket, row: int, title: str,
                    language: str) -> plt.Figure | None:
    """Borrower `row`'s timeline, sized for the page, or None before two days are recorded."""
    days = story(market, row)
    if len(days) < 2:
        return None
    return legible(borrower_timeline_figure(days, title, language), 6.0, 7.0)


def scores_figure(model: DashboardModel, language: str, label: str) -> plt.Figure:
    """Histogram of today's scores in market `label`."""
    fonts_for(language)
    market = model.markets[label]
    fig, ax = plt.subplots(figsize=(10, 3.6))
    ax.hist(market.population.score, bins=np.arange(350, 955, 10), color="tab:blue")
    ax.set_xlabel(tr("score (points)", language))
    ax.set_ylabel(tr("borrowers", language))
    ax.set_title(f"{tr('scores on day', language)} {model.day}")
    return fig


def differences_figure(model: DashboardModel, language: str) -> plt.Figure:
    """Side by side: strict minus lenient over time, for the headline measures (zero until the
    two policies part after the warm-up)."""
    fonts_for(language)
    strict, lenient = (shown_days(model.markets[label].metrics.frame(), model.warm_up)
                       for label in PAIR)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6))
    for ax, (column, (title, scale, unit)) in zip(axes.flat, DIFFERENCE_MEASURES.items(),
                                                  strict=True):
        ax.plot(strict["day"], scale * (strict[column] - lenient[column]), color="tab:purple")
        ax.axhline(0, color="grey", linewidth=0.8)
        if model.warm_up:
            ax.axvline(model.warm_up, color="grey", linestyle=":", linewidth=1)
        ax.set_title(f"{tr(title, language)}: {tr('strict - lenient', language)}")
        ax.set_xlabel(tr("day", language))
        ax.set_ylabel(tr(unit, language))
    fig.tight_layout()
    return fig


def run_figures(model: DashboardModel, language: str) -> dict[str, Callable[[], plt.Figure]]:
    """Every figure of the current run, by file name (for the download)."""
    draws: dict[str, Callable[[], plt.Figure]] = {}
    for label, market in model.markets.items():
        prefix = label.replace("/", "-")
        for name, draw in time_series_figures().items():
            draws[f"{prefix}-{name}"] = (
                lambda m=market, d=draw: shade_warm_up(
                    d(shown_days(m.metrics.frame(), model.warm_up), language), model.warm_up,
                    language))
        draws[f"{prefix}-scores"] = lambda lab=label: scores_figure(model, language, lab)
        for row, name in market.cast.names.items():
            draws[f"{prefix}-{name.replace(' ', '_')}"] = (
                lambda m=market, r=row, n=name: timeline_figure(m, r, tr(n, language), language))
    if model.mode == "side_by_side":
        draws["differences"] = lambda: differences_figure(model, language)
    return draws


def figures_zip(model: DashboardModel, language: str) -> bytes:
    """The current run's figures as PNG files in a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, draw in run_figures(model, language).items():
            fig = draw()
            if fig is not None:
                archive.writestr(f"{name}.png", png(fig, DOWNLOAD_DPI))
    return buffer.getvalue()


def tables_zip(model: DashboardModel) -> bytes:
    """The current run's tables as CSV files in a zip archive: per market the daily metrics,
    the running totals of events, and the followed borrowers' daily stories."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for label, market in model.markets.items():
            prefix = label.replace("/", "-")
            archive.writestr(f"{prefix}-timeseries.csv", market.metrics.frame().to_csv(
                index=False))
            totals = pd.DataFrame({"event": list(market.totals),
                                   "count": list(market.totals.values())})
            archive.writestr(f"{prefix}-totals.csv", totals.to_csv(index=False))
            if market.tracker is not None:
                archive.writestr(f"{prefix}-borrowers.csv",
                                 market.tracker.frame().to_csv(index=False))
    return buffer.getvalue()


@solara.component
def Figure(fig: plt.Figure | None, empty: str = "") -> None:
    """A figure drawn as an image as wide as its card (or `empty` when there is none)."""
    if fig is None:
        solara.Text(empty)
    else:
        solara.Image(png(fig), width="100%", classes=["dashboard-figure"])


@solara.component
def Choice(label: str, value: object, options: dict[object, str],
           on_value: Callable[[object], None]) -> None:
    """A drop-down whose entries show a text (in the page's language) for each value."""
    import ipyvuetify as v

    v.Select.element(label=label, v_model=value, on_v_model=on_value,
                     items=[{"text": text, "value": key} for key, text in options.items()],
                     class_="dashboard-choice")


@solara.component
def Settings(settings: solara.Reactive[dict[str, object]], language: str) -> None:
    """The settings a Reset applies: mode, preset, seed and the scenario sliders."""

    def setter(name: str) -> Callable[[object], None]:
        return lambda value: settings.set({**settings.value, name: value})

    values = settings.value
    for name, (_, label, spec) in CONTROLS.items():
        text = tr(label, language)
        kind = spec["type"]
        if name == "preset":
            Choice(text, values[name], PRESET_TITLES[language], setter(name))
        elif kind == "Select":
            Choice(text, values[name], {v: tr(CHOICE_TEXT[v], language) for v in spec["values"]},
                   setter(name))
        elif kind == "InputText":
            solara.InputText(text, value=str(values[name]), on_value=setter(name),
                             continuous_update=False)
        elif kind == "SliderInt":
            solara.SliderInt(f"{text}: {values[name]}", value=int(values[name]),
                             min=spec["min"], max=spec["max"], step=spec["step"],
                             on_value=setter(name))
        else:
            solara.SliderFloat(f"{text}: {values[name]:g}", value=float(values[name]),
                               min=spec["min"], max=spec["max"], step=spec["step"],
                               on_value=setter(name))


@solara.component
def Header(model: DashboardModel, language: str, version: int,
           events: list[StoryEvent]) -> None:
    """The preset's lesson (title, goal, explanation), the day, headline numbers of each
    market, the schema's message if the settings were rejected, and the last story event."""
    config = next(iter(model.markets.values())).config
    text = lesson_text(config, language)
    with solara.Card(classes=["dashboard-card"]):
        if model.input_error:
            solara.Error(tr("Not applied", language) + f": {model.input_error}. "
                         + tr("The last good model goes on.", language))
        solara.Text(f"{tr('Day', language)} {model.day}", classes=["day-counter"],
                    style={"font-size": "1.6em", "font-weight": "bold"})
        if text is None:
            solara.Markdown(f"**{tr(config.title, language)}**")
        else:
            solara.Markdown(f"### {text.title}\n\n**{tr('Learning goal', language)}:** "
                            f"{text.goal}\n\n{text.explanation}")
        if model.warm_up:
            solara.Markdown(f"{tr(WARM_UP_NOTE, language)} {model.warm_up}.")
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
        if events:
            solara.Info(f"{tr('Day', language)} {events[0].day}: " + "; ".join(
                event_text(e, model, language) for e in events))


def event_text(event: StoryEvent, model: DashboardModel, language: str) -> str:
    """A story event as the page says it."""
    what = EVENT_TEXT.get(event.what) or NEGATIVE_REPORTS.get(event.what) or event.what
    where = f" ({tr(event.market, language)})" if model.mode == "side_by_side" else ""
    who = f"{tr(event.who, language)}: " if event.who else ""
    return f"{who}{tr(what, language)}{where}"


@solara.component
def SeriesCard(model: DashboardModel, name: str, language: str, version: int) -> None:
    """One run figure, side by side for each market."""
    draw = time_series_figures()[name]
    with solara.Card(classes=["dashboard-card"]), solara.Columns([1] * len(model.markets)):
        for label, market in model.markets.items():
            with solara.Column():
                if len(model.markets) > 1:
                    solara.Markdown(f"**{tr(label, language)}**")
                if market.day < 2:
                    solara.Text(tr("Step the model to see this plot", language))
                else:
                    Figure(shade_warm_up(
                        draw(shown_days(market.metrics.frame(), model.warm_up), language),
                        model.warm_up, language))


@solara.component
def MarketTab(model: DashboardModel, language: str, version: int) -> None:
    """Who misses payments, delinquency, defaults and losses, the lender, and scores."""
    with (solara.Card(tr("Who misses payments", language), classes=["dashboard-card"]),
          solara.Columns([1] * len(model.markets))):
        for label, market in model.markets.items():
            with solara.Column():
                if len(model.markets) > 1:
                    solara.Markdown(f"**{tr(label, language)}**")
                solara.Markdown(_who_misses(market, language))
    for name in TAB_FIGURES["Market"]:
        SeriesCard(model, name, language, version)
    with solara.Card(classes=["dashboard-card"]), solara.Columns([1] * len(model.markets)):
        for label in model.markets:
            with solara.Column():
                if len(model.markets) > 1:
                    solara.Markdown(f"**{tr(label, language)}**")
                Figure(scores_figure(model, language, label))


@solara.component
def CollectionTab(model: DashboardModel, language: str, version: int) -> None:
    """Contacts by channel, collection cost and recoveries, deferrals."""
    for name in TAB_FIGURES["Collection"]:
        SeriesCard(model, name, language, version)


@solara.component
def BorrowersTab(model: DashboardModel, language: str, version: int) -> None:
    """The preset's case-study borrowers, then any borrower's story (side by side: the same
    person under both policies)."""
    borrower, set_borrower = solara.use_state(0)
    borrowers = min(m.config.run.borrowers for m in model.markets.values())
    borrower = min(borrower, borrowers - 1)

    def choose(row: int) -> None:
        for market in model.markets.values():
            if row not in market.tracker.rows:
                market.tracker.add([row])  # followed from today on
        set_borrower(row)

    def timeline(market: CreditMarket, row: int, title: str) -> None:
        Figure(timeline_figure(market, row, title, language),
               empty=f"{title}: {tr('followed from day', language)} {market.day}; "
                     + tr("step on", language))

    first = next(iter(model.markets.values()))
    if first.cast.size:
        with solara.Card(tr("Case studies", language), classes=["dashboard-card"]):
            for label, market in model.markets.items():
                if len(model.markets) > 1:
                    solara.Markdown(f"**{market_title(model, label, language)}**")
                with solara.Columns([1] * market.cast.size, gutters_dense=True):
                    for row, name in market.cast.names.items():
                        with solara.Column():
                            timeline(market, row, tr(name, language))
    with solara.Card(tr("Borrower inspector", language), classes=["dashboard-card"]):
        solara.SliderInt(f"{tr('Borrower to inspect', language)}: {borrower}", value=borrower,
                         on_value=choose, min=0, max=borrowers - 1)
        solara.Text(f"{tr('Borrowers 0-49 are followed from day', language)} "
                    f"{max(0, model.warm_up - TRACKED_BEFORE_OPEN)}; "
                    + tr("others from the day they are picked.", language))
        with solara.Columns([1] * len(model.markets)):
            for label, market in model.markets.items():
                with solara.Column():
                    kind = tr(KIND_NAMES[market.population.kind[borrower]], language)
                    name = market.cast.names.get(borrower)
                    name = tr(name, language) if name else (f"{tr('borrower', language)} "
                                                            f"{borrower}")
                    timeline(market, borrower, f"{tr(label, language)}: {name} ({kind})")


@solara.component
def CompareTab(model: DashboardModel, language: str, version: int,
               compare: Callable[[], None]) -> None:
    """Side by side: strict minus lenient over time and today's headline numbers of both;
    otherwise a button that starts the comparison."""
    with solara.Card(tr("Strict collection vs lenient deferral", language),
                     classes=["dashboard-card"]):
        if model.mode != "side_by_side":
            solara.Markdown(tr(COMPARE_NOTE, language))
            solara.Button(tr("Compare strict and lenient", language), color="primary",
                          on_click=compare)
            return
        if model.day < 1:
            solara.Text(tr("Step the model: the differences appear after the first day.",
                           language))
            return
        rows = []
        for column, (title, scale, unit) in DIFFERENCE_MEASURES.items():
            values = [scale * model.markets[p].metrics.latest[column] for p in PAIR]
            rows.append(f"| {tr(title, language)} ({tr(unit, language)}) | "
                        + " | ".join(f"{v:,.2f}" for v in values)
                        + f" | {values[0] - values[1]:+,.2f} |")
        head = (f"| | {tr('strict', language)} | {tr('lenient', language)} | "
                f"{tr('strict - lenient', language)} |\n|---|---:|---:|---:|\n")
        solara.Markdown(head + "\n".join(rows))
        Figure(differences_figure(model, language))


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


CSS = """
.dashboard-card { margin: 0 0 12px 0; overflow: visible; }
.dashboard-card .v-card__text { overflow-x: auto; }
.dashboard-figure { max-width: 100%; height: auto; display: block; }
.dashboard-main { padding: 4px; width: 100%; box-sizing: border-box; }
.dashboard-card > .v-card__text { padding: 6px; }
.dashboard-card .row { margin: 0; }
.dashboard-card .row > [class*="col"] { padding: 4px; }
.solara-markdown table { border-collapse: collapse; }
.solara-markdown td, .solara-markdown th { padding: 2px 10px; }
.v-btn { text-transform: none; }
.dashboard-choice { margin-top: 14px; }
.dashboard-card .v-slider__label { white-space: normal; }

"""
"""Page style: cards in one column with room between them, figures as wide as their card."""


@solara.component
def Page():
    """One dashboard per browser session, on its own model: the controls and settings in the
    sidebar, the lesson and the day on top, the plots in tabs."""
    session_model = solara.use_memo(
        lambda: type("SessionModel", (DashboardModel,), {}), dependencies=[])
    first = solara.use_memo(lambda: session_model(**default_controls()), dependencies=[])
    model = solara.use_reactive(first)
    settings = solara.use_reactive(dict(first.controls))
    language = solara.use_reactive("en")
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    tab = solara.use_reactive(0)
    events = solara.use_reactive([])
    lang = language.value

    def redraw() -> None:
        version.set(version.value + 1)

    drawn = solara.use_memo(threading.Event, dependencies=[])
    solara.use_effect(drawn.set, [version.value])  # after each page update is committed

    def play() -> None:
        # Step, then wait for the page to show it before stepping on: one update in flight at
        # a time, with a pause in between for the browser's clicks (Pause) to come through.
        days = 1
        while playing.value:
            start = time.perf_counter()
            for _ in range(days):
                model.value.step()
            drawn.clear()
            redraw()
            drawn.wait(timeout=30)
            time.sleep(max(0.0, FRAME_S - (time.perf_counter() - start)))
            elapsed = time.perf_counter() - start
            days = int(min(MAX_DAYS_PER_FRAME, max(1, round(speed.value * elapsed))))

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def step() -> None:
        model.value.step()
        events.set([])
        redraw()

    def next_event() -> None:
        events.set(model.value.run_to_next_event())
        redraw()

    def reset() -> None:
        playing.set(False)
        model.set(session_model(**settings.value))
        events.set([])
        redraw()

    def compare() -> None:
        settings.set({**settings.value, "mode": "side_by_side"})
        reset()

    solara.Style(CSS)
    solara.Title(tr("Credit market simulator", lang))
    with solara.AppBarTitle():
        solara.Text(tr("Credit market simulator", lang))
    current = model.value
    with solara.Sidebar():
        solara.ToggleButtonsSingle(value=language,
                                   children=[solara.Button(LANGUAGE_NAMES[code], value=code,
                                                           text=True) for code in LANGUAGES])
        with solara.Card(tr("Run", lang), classes=["dashboard-card"]):
            with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
                solara.Button(tr("Step", lang), color="primary", on_click=step,
                              disabled=playing.value)
                solara.Button(tr("Pause", lang) if playing.value else tr("Play", lang),
                              color="primary", on_click=lambda: playing.set(not playing.value))
                solara.Button(tr("Reset", lang), color="primary", on_click=reset)
            if current.story is not None:
                solara.Button(tr("Next story event", lang), color="secondary",
                              on_click=next_event, disabled=playing.value,
                              style={"margin-top": "8px"})
            Choice(tr("Speed (simulated days per second)", lang), speed.value,
                   {s: str(s) for s in SPEEDS}, speed.set)
        with solara.Card(tr("Settings (applied on Reset)", lang), classes=["dashboard-card"]):
            Settings(settings, lang)
        with solara.Card(tr("Download", lang), classes=["dashboard-card"]):
            solara.FileDownload(lambda: tables_zip(model.value), filename="tables.zip",
                                label=tr("Tables (CSV)", lang))
            solara.FileDownload(lambda: figures_zip(model.value, lang), filename="figures.zip",
                                label=tr("Figures (PNG)", lang))
    with solara.Column(classes=["dashboard-main"]):
        Header(current, lang, version.value, events.value)
        with solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab(tr("Market", lang)):
                MarketTab(current, lang, version.value)
            with solara.lab.Tab(tr("Collection", lang)):
                CollectionTab(current, lang, version.value)
            with solara.lab.Tab(tr("Borrowers", lang)):
                BorrowersTab(current, lang, version.value)
            with solara.lab.Tab(tr("Compare", lang)):
                CompareTab(current, lang, version.value, compare)
