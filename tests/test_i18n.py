"""Languages: every text the dashboard, its figures and the borrower timeline show has a
Simplified Chinese translation, and Chinese figures draw with a Chinese font."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.config import CHANNELS, LANGUAGES, SCORE_BAND_NAMES
from sim.i18n import catalog, tr, use_cjk_font
from sim.population import KIND_NAMES
from sim.tracking import CONTACT_KINDS
from sim.transitions import STATES

SIM = Path(__file__).resolve().parents[1] / "sim"
LITERAL = re.compile(r"""\btr\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
LABELS = re.compile(r'\b_label\(\w+, "([^"]+)", "([^"]+)"')  # figures' title and axis texts


def shown_texts() -> list[str]:
    """Every English text passed to `tr`: the literals in the code, and the names the code
    translates through a variable (types, channels, states, controls, events)."""
    from sim.dashboard.app import (
        CHOICE_TEXT,
        COMPARE_NOTE,
        CONTROLS,
        DIFFERENCE_MEASURES,
        PAIR,
        POLICY_TITLES,
        TABS,
        WARM_UP_NOTE,
    )
    from sim.dashboard.session import CAST_CHANGES, MARKET_FIRSTS
    from sim.presets import load_preset, presets
    from sim.report.figures import EVENT_TEXT, NEGATIVE_REPORTS

    texts = []
    for path in sorted(SIM.rglob("*.py")):
        code = path.read_text()
        texts += [a or b for a, b in LITERAL.findall(code)]
        texts += [t for pair in LABELS.findall(code) for t in pair]
    texts += [*KIND_NAMES, *CHANNELS, *CONTACT_KINDS, "jobless", "ill", *PAIR,
              *POLICY_TITLES.values(), "requested", "granted", "refused",
              *(s.replace("_", " ") for s in STATES),
              *(b.replace("_", " ") for b in SCORE_BAND_NAMES),
              *EVENT_TEXT.values(), *NEGATIVE_REPORTS.values(),
              *(label for _, label, _ in CONTROLS.values()),
              *(t for title, _, unit in DIFFERENCE_MEASURES.values() for t in (title, unit)),
              *CHOICE_TEXT.values(), *TABS, WARM_UP_NOTE, COMPARE_NOTE, *MARKET_FIRSTS.values(),
              *(t for pair in CAST_CHANGES.values() for t in pair)]
    # the dashboard names presets by title and case-study borrowers by name
    for name in presets():
        config = load_preset(name)
        if "zh-CN" not in config.lesson:
            texts.append(config.title)
        texts += [member.name for member in config.cast]
    return list(dict.fromkeys(texts))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_shown_text_has_a_translation(language):
    missing = [t for t in shown_texts() if t not in catalog(language)]
    assert not missing, f"{len(missing)} texts lack a {language} translation: {missing[:10]}"


def test_unknown_texts_stay_english_and_unknown_languages_are_refused():
    assert tr("day", "zh-CN") != "day"
    assert tr("a text nobody translated", "zh-CN") == "a text nobody translated"
    assert tr("day", "en") == "day"
    with pytest.raises(ValueError, match="unknown language"):
        catalog("fr")


def test_chinese_figures_use_an_installed_chinese_font():
    import matplotlib.pyplot as plt

    font = use_cjk_font()
    assert font is not None, "install a CJK font (Debian: apt-get install fonts-wqy-microhei)"
    from matplotlib import font_manager

    fig, ax = plt.subplots()
    title = ax.set_title(tr("Delinquent loans by days past due", "zh-CN"))
    found = font_manager.findfont(font_manager.FontProperties(family=font))
    plt.close(fig)
    assert "Delinquent" not in title.get_text() and Path(found).exists()


def test_chinese_figures_get_their_font_in_every_session(monkeypatch) -> None:
    """Solara's server keeps Matplotlib's settings per browser session: a session that starts
    with the default font families must still get the CJK fallback when it draws Chinese."""
    import matplotlib

    from sim.i18n import fonts_for, use_cjk_font

    name = use_cjk_font()  # as another session (or an import) would have done first
    assert name is not None, "a font with Chinese glyphs is installed by the install script"
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])  # a new session
    fonts_for("zh-CN")
    assert matplotlib.rcParams["font.family"] == ["sans-serif", name]
    fonts_for("zh-CN")
    assert matplotlib.rcParams["font.family"] == ["sans-serif", name]  # added once
