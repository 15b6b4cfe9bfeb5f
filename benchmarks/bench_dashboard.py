"""Dashboard speed in a real browser: simulated days per second while Play runs, as a user
sees them in Chromium, at the dashboard's defaults (baseline preset, 1,000 borrowers).

Usage: python benchmarks/bench_dashboard.py [--seconds 15] [--width 1280] [--height 800]
       [--json results/benchmarks/bench_dashboard.json]

Starts `run.py dashboard` on a free port, opens it in Debian's Chromium (Playwright), and on
each tab of the page (the whole page where it has no tabs) presses Play, reads the day counter
the page shows every 0.25 s for `--seconds`, then presses Pause. Days per second is the day
counter's advance divided by the wall time between the first and the last reading; the page's
updates per second count how often the counter changed. Every plot of the tab is on screen.
Prints a table and writes it as JSON; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.dashboard.browser import launch_chromium, running_dashboard  # noqa: E402

DAY = re.compile(r"\b(?:day|Day)\s+([\d,]+)")
PLAY = re.compile(r"^(▶|Play)$")
PAUSE = re.compile(r"^(❚❚|Pause)$")


def shown_day(page) -> int:
    """The first day number the page's text shows."""
    match = DAY.search(page.inner_text("body"))
    return int(match.group(1).replace(",", "")) if match else -1


def measure(page, seconds: float) -> dict[str, float]:
    """Play for `seconds` and return days/s and page updates/s."""
    page.get_by_role("button", name=PLAY).first.click()
    readings = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        readings.append((time.perf_counter(), shown_day(page)))
        page.wait_for_timeout(250)
    page.get_by_role("button", name=PAUSE).first.click()
    changes = [(t, d) for (t, d), (_, before) in zip(readings[1:], readings, strict=False)
               if d != before]
    first_t, first_d = readings[0]
    last_t, last_d = changes[-1] if changes else readings[-1]
    wall = max(last_t - first_t, 1e-9)
    return {"days": last_d - first_d, "seconds": round(wall, 2),
            "days_per_second": round((last_d - first_d) / wall, 1),
            "updates_per_second": round(len(changes) / wall, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="Play time per tab (s)")
    parser.add_argument("--width", type=int, default=1280, help="window width (px)")
    parser.add_argument("--height", type=int, default=800, help="window height (px)")
    parser.add_argument("--json", type=Path, help="also write the table here")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    rows = []
    with running_dashboard() as url, sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url, wait_until="domcontentloaded", timeout=60_000)
            page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)
            page.wait_for_timeout(3000)  # the first plots
            tabs = page.get_by_role("tab")
            names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())] or ["page"]
            for i, name in enumerate(names):
                if tabs.count():
                    tabs.nth(i).click()
                    page.wait_for_timeout(1500)
                row = {"tab": name, **measure(page, args.seconds)}
                rows.append(row)
                print(f"{name:12s} {row['days_per_second']:8.1f} days/s  "
                      f"{row['updates_per_second']:5.2f} updates/s  "
                      f"({row['days']} days in {row['seconds']} s)", flush=True)
                page.wait_for_timeout(1000)
        finally:
            browser.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": platform.platform(),
                                         "viewport": [args.width, args.height],
                                         "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
