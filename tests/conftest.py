"""Test options: `--no-browser` skips the real-browser dashboard test (it never skips by
itself: without Chromium it fails and says how to install it)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-browser", action="store_true",
                     help="skip the tests that drive the dashboard in Chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--no-browser"):
        return
    skip = pytest.mark.skip(reason="--no-browser given")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
