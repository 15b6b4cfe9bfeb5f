"""The dashboard in a real browser: Debian's Chromium driven by Playwright against `run.py
dashboard` on a free local port. Step and watch the day counter and a plot change; switch to
side-by-side mode and to Chinese; at 1280x800 and 1920x1080, in English and in Chinese, on
every tab: no card's content overflows its card, no two cards overlap, no English label is
left in Chinese, and the case-study timelines are at least 400 px wide. Screenshots of every
view are kept in `results/test-artifacts/dashboard/` (or `$DASHBOARD_SCREENSHOTS`).
Marked `browser`: `--no-browser` skips it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sim.dashboard.assets import fill_cache
from sim.dashboard.browser import CHROMIUM, REPO, launch_chromium, running_dashboard
from sim.i18n import catalog

pytestmark = pytest.mark.browser
SIZES = ((1280, 800), (1920, 1080))
TABS = {"en": ("Market", "Collection", "Borrowers", "Compare"),
        "zh-CN": ("市场", "催收", "借款人", "对比")}
MESA_LABELS = ("Controls", "Model Parameters", "Play Interval", "Render Interval",
               "Use Threads", "RESET", "PAGE 0")
"""What Mesa's stock page showed in English whatever the language."""

LAYOUT_PROBLEMS = """() => {
  const visible = el => el.offsetParent !== null && el.getBoundingClientRect().width > 0;
  const cards = [...document.querySelectorAll('.dashboard-card')].filter(visible);
  const problems = [];
  const name = el => (el.innerText || el.tagName).trim().slice(0, 50);
  for (const card of cards) {
    const box = card.getBoundingClientRect();
    if (card.scrollWidth > card.clientWidth + 1)
      problems.push(`card scrolls sideways: ${name(card)}`);
    for (const el of card.querySelectorAll('*')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.height === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
          || r.bottom > box.bottom + 1)
        problems.push(`${el.tagName} overflows its card '${name(card)}': ${name(el)}`);
    }
  }
  const boxes = cards.map(c => c.getBoundingClientRect());
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1)
        problems.push(`cards overlap: '${name(cards[i])}' and '${name(cards[j])}'`);
    }
  return problems;
}"""


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install.sh` as root (it installs "
                    "Chromium), or run the tests with --no-browser")
    fill_cache()  # the page's front-end files, from the npm registry if not cached yet
    with running_dashboard() as url:
        yield url


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS")
                  or REPO / "results" / "test-artifacts" / "dashboard")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(browser, server: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server, wait_until="domcontentloaded", timeout=60_000)
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)
    page.wait_for_selector(".dashboard-figure", timeout=60_000)
    return page


def _settle(page) -> None:
    """Wait until the page has no image still loading, then a little more."""
    page.wait_for_timeout(1200)
    page.wait_for_function("() => [...document.images].every(i => i.complete)",
                           timeout=30_000)


def _layout_problems(page) -> list[str]:
    """LAYOUT_PROBLEMS once the page has stopped moving (a drawer or tab still sliding in
    after a language switch is not a defect): the same problems twice, 1.5 s apart."""
    first = page.evaluate(LAYOUT_PROBLEMS)
    if not first:
        return []
    page.wait_for_timeout(1500)
    second = page.evaluate(LAYOUT_PROBLEMS)
    return [p for p in second if p in first]


def _shoot(page, path: Path) -> None:
    """A screenshot of the whole page: the window made as tall as the content, then back."""
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')]"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]),
                                                                  8000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def _untranslated(page) -> list[str]:
    """Visible lines of the page (labels, buttons, titles, text) that are English texts of the
    catalogue, or Mesa's own English controls."""
    english = {k for k, v in catalog("zh-CN").items() if k != v and re.search("[a-z]{3}", k)}
    lines = [line.strip() for line in page.inner_text("body").splitlines() if line.strip()]
    found = [line for line in lines if line.split(":")[0].strip() in english]
    found += [label for label in MESA_LABELS
              if re.search(rf"\b{re.escape(label)}\b", page.inner_text("body"))]
    return found


@pytest.mark.slow
def test_dashboard_steps_plots_and_side_by_side_in_chromium(server):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = _open(browser, server, 1500, 1100)
            assert re.search(r"seed 1, day 2160\b", page.inner_text("body"))
            before = page.locator(".dashboard-figure img, img.dashboard-figure").first \
                .get_attribute("src")
            page.get_by_role("button", name="Step", exact=True).click()
            page.wait_for_function(
                "() => /seed 1, day 2161\\b/.test(document.body.innerText)", timeout=30_000)
            page.wait_for_function(
                "(old) => { const i = document.querySelector('img.dashboard-figure, "
                ".dashboard-figure img'); return i && i.src !== old; }",
                arg=before, timeout=30_000)

            page.get_by_label("Mode").click(force=True)
            page.get_by_role("option", name="Strict vs lenient, side by side").click()
            page.get_by_role("button", name="Reset", exact=True).click()
            page.get_by_role("button", name="Step", exact=True).click()
            # The first side-by-side Reset on a machine pays the two markets' warm-up (the
            # burn-in, about 8 s on an idle machine, several times that on a busy one).
            page.wait_for_function(
                "() => /Strict collection[^]*day 2161\\b/.test(document.body.innerText) && "
                "/Lenient deferral[^]*day 2161\\b/.test(document.body.innerText)",
                timeout=120_000)
            page.get_by_role("tab", name="Compare").click()
            page.wait_for_selector(".dashboard-figure", timeout=30_000)  # the differences
            page.get_by_role("button", name="简体中文").click()
            page.wait_for_function(
                "() => /严格催收[^]*天 2161\\b/.test(document.body.innerText) && "
                "/宽松延期[^]*天 2161\\b/.test(document.body.innerText)", timeout=30_000)
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.parametrize("width,height", SIZES)
def test_no_card_clips_or_overlaps_and_every_label_is_translated(server, shots, width,
                                                                  height):
    playwright = pytest.importorskip("playwright.sync_api")
    problems = []
    with playwright.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = _open(browser, server, width, height)
            for language, button in (("en", "English"), ("zh-CN", "简体中文")):
                page.get_by_role("button", name=button, exact=True).click()
                page.wait_for_function(
                    f"() => document.body.textContent.includes('{TABS[language][0]}')",
                    timeout=30_000)
                for tab in TABS[language]:
                    page.get_by_role("tab", name=tab).click()
                    _settle(page)
                    problems += [f"{width}x{height} {language} {tab}: {p}"
                                 for p in _layout_problems(page)]
                    if language != "en":
                        problems += [f"{width}x{height} {tab}: English '{t}'"
                                     for t in _untranslated(page)]
                    _shoot(page, shots / f"{width}x{height}-{language}-{tab}.png")
            # a classroom preset's case studies, side by side in the Borrowers tab
            page.get_by_role("button", name="English", exact=True).click()
            page.get_by_label("Scenario preset").click(force=True)
            page.get_by_role("option", name="Two borrowers, one illness").click()
            page.get_by_role("button", name="Reset", exact=True).click()
            page.wait_for_function("() => /seed 7, day 0\\b/.test(document.body.innerText)",
                                   timeout=30_000)
            for _ in range(2):
                page.get_by_role("button", name="Next story event").click()
                page.wait_for_timeout(1500)
            page.wait_for_function("() => /seed 7, day 101\\b/.test(document.body.innerText)",
                                   timeout=30_000)
            page.get_by_role("tab", name="Borrowers").click()
            page.wait_for_function(
                "() => document.querySelectorAll('.dashboard-figure').length >= 3",
                timeout=30_000)
            _settle(page)
            widths = page.evaluate("() => [...document.querySelectorAll('.dashboard-figure')]"
                                   ".map(i => i.getBoundingClientRect().width)")
            assert len(widths) == 3  # Li Na, Wang Fang and the inspector's borrower
            assert min(widths[:2]) >= 400, widths
            problems += [f"{width}x{height} two borrowers: {p}"
                         for p in _layout_problems(page)]
            _shoot(page, shots / f"{width}x{height}-en-two_borrowers.png")
        finally:
            browser.close()
    assert not problems, "\n".join(problems[:20])
