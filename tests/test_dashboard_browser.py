"""The dashboard in a real browser: Debian's Chromium driven by Playwright against `run.py
dashboard` on a free local port. Step, watch the day counter and a plot change, switch to
side-by-side mode, save a screenshot. Marked `browser`: `--no-browser` skips it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.dashboard.assets import fill_cache
from tests.test_cli import REPO

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`, or run the tests "
                    "with --no-browser")
    fill_cache()  # the page's front-end files, from the npm registry if not cached yet
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "run.py", "dashboard", "--port", str(port), "--host", "127.0.0.1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"the dashboard exited: {process.stdout.read()}")
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the dashboard did not start within 90 s")
    yield url
    # `run.py dashboard` runs solara as a child: stop the whole session, not only run.py.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _status(page) -> str:
    return page.inner_text("body")


def _plot_source(page) -> str:
    return page.locator("img").first.get_attribute("src") or ""


def test_dashboard_steps_plots_and_side_by_side_in_chromium(server, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(server, wait_until="domcontentloaded", timeout=60_000)
            step = page.get_by_role("button", name="Step", exact=True)
            step.wait_for(timeout=60_000)
            page.wait_for_selector(".solara-markdown", timeout=30_000)
            assert re.search(r"seed 1, day 0\b", _status(page))
            for _ in range(2):
                step.click()
            page.wait_for_function(
                "() => /seed 1, day 2\\b/.test(document.body.innerText)",
                timeout=30_000)
            page.wait_for_selector("img", timeout=30_000)
            before = _plot_source(page)
            step.click()
            page.wait_for_function(
                "() => /seed 1, day 3\\b/.test(document.body.innerText)",
                timeout=30_000)
            page.wait_for_function(
                "(old) => document.querySelector('img') && "
                "document.querySelector('img').src !== old", arg=before, timeout=30_000)
            assert _plot_source(page) != before

            page.get_by_label(re.compile("^Mode")).click(force=True)
            page.get_by_role("option", name="side_by_side").click()
            page.get_by_role("button", name="Reset", exact=True).click()
            step.click()
            page.wait_for_function(
                "() => /Strict collection[^]*day 1\\b/.test(document.body.innerText) && "
                "/Lenient deferral[^]*day 1\\b/.test(document.body.innerText)",
                timeout=30_000)
            page.get_by_role("button", name="简体中文").click()
            page.wait_for_function(
                "() => /严格催收[^]*天 1\\b/.test(document.body.innerText) && "
                "/宽松延期[^]*天 1\\b/.test(document.body.innerText)", timeout=30_000)
            page.wait_for_timeout(1500)  # let the plots of day 1 arrive for the screenshot
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
            keep = os.environ.get("DASHBOARD_SCREENSHOT")
            if keep:
                shutil.copy(shot, keep)
        finally:
            browser.close()
