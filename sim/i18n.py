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


@functools.cache
def use_cjk_font() -> str | None:
    """Let Matplotlib draw Chinese text: put the first installed CJK font after its default
    font in the fallback list. Returns the font's name, or None (with a warning) if none is
    installed, in which case Chinese characters show as boxes."""
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            families = list(matplotlib.rcParams["font.sans-serif"])
            matplotlib.rcParams["font.sans-serif"] = [families[0], name, *families[1:]]
            return name
    warnings.warn("no font with Chinese glyphs is installed (Debian: apt-get install "
                  "fonts-wqy-microhei); Chinese text in figures shows as boxes", stacklevel=2)
    return None
