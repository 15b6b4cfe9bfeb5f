"""`run.py assets`: put Solara's front-end packages into its asset cache, for offline use.

Solara's page loads its front-end files (the Vuetify app, requirejs, fonts) from a public CDN at
run time, through a proxy that keeps what it fetched in a cache folder
(`solara.server.settings.assets.proxy_cache_dir`, movable with
`SOLARA_ASSETS_PROXY_CACHE_DIR`). Where the CDN cannot be reached (a classroom behind a
firewall, a CI machine) the page never gets past "Loading app". This module finds the exact
`<package>@<version>` strings the installed Solara asks for, and fills the cache with those
packages from the npm registry (`npm pack`), one folder per package, as the proxy lays them out.
It is idempotent: packages already in the cache are left alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE_PATTERN = re.compile(r"(?:@[a-z0-9-]+/)?[a-z0-9.-]+@\d+\.\d+\.\d+[a-z0-9.-]*")
"""A pinned npm package as it appears in a CDN address: `name@1.2.3` or `@scope/name@1.2.3`."""


class AssetsError(Exception):
    """The assets cannot be fetched; the message says what to do."""


SOURCE_SUFFIXES = (".py", ".vue", ".j2", ".html")
"""Files of Solara that can name a CDN package: its server and page templates, and the Vue
components that load their own libraries (the grid layout, KaTeX for Markdown, ...)."""


def solara_sources() -> list[Path]:
    """Files of the installed Solara that may name CDN packages."""
    import solara

    root = Path(solara.__file__).parent
    return sorted(p for p in root.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())


def required_packages() -> list[str]:
    """Every `<package>@<version>` the installed Solara's page and server load from the CDN."""
    found: set[str] = set()
    for path in solara_sources():
        found.update(m.rstrip(".") for m in PACKAGE_PATTERN.findall(path.read_text()))
    return sorted(found)


def cache_dir() -> Path:
    """Solara's asset proxy cache folder."""
    from solara.server.settings import assets

    return Path(assets.proxy_cache_dir)


def fill_cache(folder: Path | None = None, npm: str = "npm",
               packages: list[str] | None = None) -> list[tuple[str, str]]:
    """Fetch each package missing from the cache; returns (package, 'cached' or 'fetched')."""
    folder = Path(folder) if folder is not None else cache_dir()
    packages = packages if packages is not None else required_packages()
    missing = [p for p in packages if not (folder / p / "package.json").is_file()]
    if missing and shutil.which(npm) is None:
        raise AssetsError(f"'{npm}' was not found, and {len(missing)} package(s) are missing "
                          f"from {folder}: {', '.join(missing)}. Install Node.js (it brings "
                          "npm), e.g. `apt-get install nodejs npm`, then run this again.")
    report = []
    for package in packages:
        if package not in missing:
            report.append((package, "cached"))
            continue
        _fetch(package, folder / package, npm)
        report.append((package, "fetched"))
    return report


def _fetch(package: str, target: Path, npm: str) -> None:
    """npm pack the package and move its contents to `target` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pack-") as work:
        done = subprocess.run([npm, "pack", package, "--silent"], cwd=work,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AssetsError(f"npm pack {package} failed: {done.stderr.strip()[-500:]}")
        archive = Path(work) / done.stdout.strip().splitlines()[-1]
        with tarfile.open(archive) as tar:
            tar.extractall(Path(work) / "unpacked", filter="data")
        unpacked = Path(work) / "unpacked" / "package"
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)
