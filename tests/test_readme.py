"""The README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)


def test_readme_test_command_is_what_ci_runs() -> None:
    test_commands = [c for c in _commands() if "pytest" in c]
    assert len(test_commands) == 1
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_commands[0].strip() in ci.splitlines()


def test_readme_main_command_installs_and_compares_strict_with_lenient() -> None:
    main = _commands()[0]
    assert main.startswith("bash scripts/install.sh && ")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert main.strip() in ci.splitlines()
    assert "run.py compare scenarios/compare/strict_vs_lenient.toml" in main
    assert (ROOT / "scenarios" / "compare" / "strict_vs_lenient.toml").is_file()


def test_ci_installs_nothing_the_install_script_does_not() -> None:
    """CI runs only the README's commands after linting: anything a fresh machine needs
    comes from `scripts/install.sh` (as a newcomer would run it)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get" not in ci and "playwright install" not in ci
    install = (ROOT / "scripts" / "install.sh").read_text(encoding="utf-8")
    assert "apt-get install" in install and "run.py assets" in install
