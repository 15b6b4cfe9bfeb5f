"""Driving the dashboard in a real browser, for its browser test and its benchmark: start
`run.py dashboard` on a free local port, and launch Debian's Chromium through Playwright.

Chromium is the system's (`/usr/bin/chromium`, installed by `scripts/install.sh`), never a
browser downloaded by Playwright; the launch flags keep it quiet on machines without a display,
a GPU or internet access.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
"""Flags for a headless Chromium without sandbox privileges, GPU or network beyond localhost."""

START_TIMEOUT_S = 90.0
"""How long the dashboard's server may take to accept connections (seconds)."""


class DashboardError(RuntimeError):
    """The dashboard or the browser could not be started; the message says why."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_dashboard(port: int | None = None) -> Iterator[str]:
    """Run `run.py dashboard` on 127.0.0.1 for the duration of the block; yields its URL.
    Stops the server's whole process group afterwards. Raises DashboardError if it does not
    start."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "run.py", "dashboard", "--port", str(port), "--host", "127.0.0.1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    try:
        deadline = time.time() + START_TIMEOUT_S
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    raise DashboardError(
                        f"the dashboard exited: {process.stdout.read()}") from None
                if time.time() > deadline:
                    raise DashboardError(
                        f"the dashboard did not start within {START_TIMEOUT_S:.0f} s") from None
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        # `run.py dashboard` runs solara as a child: stop the whole group, not only run.py.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def launch_chromium(playwright):
    """A headless Chromium (the system's) from a started `sync_playwright()`. Raises
    DashboardError if it is not installed."""
    if not Path(CHROMIUM).exists():
        raise DashboardError(f"{CHROMIUM} is missing: run `bash scripts/install.sh` as root "
                             "(it installs Chromium), or `apt-get install -y chromium`")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True)
