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


@pytest.fixture(autouse=True, scope="session")
def _burn_in_cache(tmp_path_factory: pytest.TempPathFactory):
    """Burned-in markets kept in a folder of this test session (each xdist worker its own),
    not in the user's cache; command-line runs started by tests inherit it."""
    import os

    from sim.batch.burn_in_cache import ENV_VAR

    previous = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(tmp_path_factory.mktemp("burn_in_cache"))
    yield
    if previous is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = previous
