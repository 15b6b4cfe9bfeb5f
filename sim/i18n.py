"""Languages of the dashboard, the figures it draws and the borrower timeline.

Texts are written in English in the code, wrapped in `tr(text, language)`; their Simplified
Chinese translations live in the gettext catalog `sim/locale/zh_CN.po` (msgid: the English
text), read with Babel. A text missing from the catalog stays in English. Figures with Chinese
text need a CJK font: `use_cjk_font()` adds the first installed one to Matplotlib's fallback
list (Debian: `apt-get install fonts-wqy-microhei`).
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

from babel.messages.pofile import read_po

from sim.config import LANGUAGES

LOCALE = Path(__file__).resolve().parent / "locale"
CATALOG_FILES = {"zh-CN": LOCALE / "zh_CN.po"}
"""Gettext catalog of each language other than English."""

LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei", "PingFang SC")
"""Fonts with Chinese glyphs that figures fall back to, in order of preference."""


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """msgid -> translation of `language` (empty for English)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language '{language}' (have: {', '.join(LANGUAGES)})")
    path = CATALOG_FILES.get(language)
    if path is None:
        return {}
    with path.open("rb") as handle:
        entries = read_po(handle)
    return {m.id: m.string for m in entries if m.id and m.string and not m.fuzzy}


def tr(text: str, language: str = "en") -> str:
    """`text` (English) in `language`; English if the catalog has no translation."""
    return catalog(language).get(text, text) if language != "en" else text


def fonts_for(language: str) -> None:
    """Before drawing text in `language`: make sure its glyphs have a font. Applied at every
    call: Solara's server keeps Matplotlib's settings per browser session, so a font set
    once, in another session or at import, would not be seen by this one."""
    if language == "en":
        return
    import matplotlib

    name = use_cjk_font()
    families = list(matplotlib.rcParams["font.family"])
    if name is not None and name not in families:
        matplotlib.rcParams["font.family"] = [*families, name]


@functools.cache
def use_cjk_font() -> str | None:
    """Let Matplotlib draw Chinese text: add the first installed CJK font to its font families,
    after the default, as the fallback for glyphs the default lacks. Returns the font's name,
    or None (with a warning) if none is installed; Chinese characters then show as boxes."""
    import matplotlib
    from matplotlib import font_manager

    manager = font_manager.fontManager
    installed = {f.name for f in manager.ttflist}
    if not installed.intersection(CJK_FONTS):
        # Matplotlib's font cache predates a font installed since: add the system's fonts.
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {f.name for f in manager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            # A list of families makes Matplotlib fall back glyph by glyph (since 3.6).
            families = [f for f in matplotlib.rcParams["font.family"] if f != name]
            matplotlib.rcParams["font.family"] = [*families, name]
            return name
    warnings.warn("no font with Chinese glyphs is installed (Debian: apt-get install "
                  "fonts-wqy-microhei); Chinese text in figures shows as boxes", stacklevel=2)
    return None
