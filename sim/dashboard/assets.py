"""`run.py assets`: put Solara's front-end packages into its asset cache, for offline use.

Solara's page loads its front-end files (the Vuetify app, requirejs, fonts) from a public CDN at
run time, through a proxy that keeps what it fetched in a cache folder
(`solara.server.settings.assets.proxy_cache_dir`, movable with
`SOLARA_ASSETS_PROXY_CACHE_DIR`). Where the CDN cannot be reached (a classroom behind a
firewall, a CI machine) the page never gets past "Loading app". This module finds the exact
`<package>@<version>` strings the installed Solara asks for, and fills the cache with those
packages from the npm registry, one folder per package, as the proxy lays them out. It needs no
`npm`: each package's tarball is downloaded over HTTPS from the registry (`NPM_CONFIG_REGISTRY`,
default https://registry.npmjs.org), checked against the registry's checksum and unpacked.
It is idempotent: packages already in the cache are left alone.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

PACKAGE_PATTERN = re.compile(r"(?:@[a-z0-9-]+/)?[a-z0-9.-]+@\d+\.\d+\.\d+[a-z0-9.-]*")
"""A pinned npm package as it appears in a CDN address: `name@1.2.3` or `@scope/name@1.2.3`."""

DEFAULT_REGISTRY = "https://registry.npmjs.org"
"""The npm registry the packages come from unless `NPM_CONFIG_REGISTRY` names another."""

TIMEOUT_S = 60.0
"""How long one request to the registry may take (seconds)."""


class AssetsError(Exception):
    """The assets cannot be fetched; the message says what to do."""


SOURCE_SUFFIXES = (".py", ".vue", ".j2", ".html")
"""Files of Solara that can name a CDN package: its server and page templates, and the Vue
components that load their own libraries (the grid layout, KaTeX for Markdown, ...)."""

Download = Callable[[str], bytes]
"""Fetches a URL and returns its body (raises OSError on failure)."""


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


def registry_url() -> str:
    """The npm registry's base address (`NPM_CONFIG_REGISTRY` or `npm_config_registry`, else
    the public registry), without a trailing slash."""
    for name in ("NPM_CONFIG_REGISTRY", "npm_config_registry"):
        if os.environ.get(name):
            return os.environ[name].rstrip("/")
    return DEFAULT_REGISTRY


def http_get(url: str) -> bytes:
    """The body of `url` (HTTP GET, following redirects and the usual proxy variables)."""
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        return response.read()


def fill_cache(folder: Path | None = None, packages: list[str] | None = None,
               download: Download = http_get,
               registry: str | None = None) -> list[tuple[str, str]]:
    """Fetch each package missing from the cache; returns (package, 'cached' or 'fetched').
    Raises AssetsError naming the package and the registry when one cannot be fetched."""
    folder = Path(folder) if folder is not None else cache_dir()
    packages = packages if packages is not None else required_packages()
    registry = registry or registry_url()
    report = []
    for package in packages:
        if (folder / package / "package.json").is_file():
            report.append((package, "cached"))
            continue
        try:
            _fetch(package, folder / package, registry, download)
        except (OSError, ValueError, KeyError, tarfile.TarError) as error:
            raise AssetsError(
                f"cannot fetch {package} from {registry} ({error}). The dashboard's page needs "
                "it; run `python run.py assets` again where the npm registry is reachable (or "
                "set NPM_CONFIG_REGISTRY to a mirror), or copy a filled cache folder to "
                f"{folder}.") from error
        report.append((package, "fetched"))
    return report


def split_package(package: str) -> tuple[str, str]:
    """`@scope/name@1.2.3` -> (`@scope/name`, `1.2.3`)."""
    name, _, version = package.rpartition("@")
    return name, version


def _fetch(package: str, target: Path, registry: str, download: Download) -> None:
    """Download the package's tarball, check it, and move its contents to `target` in one
    rename."""
    name, version = split_package(package)
    meta = json.loads(download(f"{registry}/{urllib.parse.quote(name, safe='@')}/{version}"))
    dist = meta["dist"]
    archive = download(dist["tarball"])
    _check(archive, dist, package)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pack-") as work:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            tar.extractall(Path(work) / "unpacked", filter="data")
        # npm tarballs hold one top folder, nearly always `package/`.
        tops = list((Path(work) / "unpacked").iterdir())
        if len(tops) != 1 or not (tops[0] / "package.json").is_file():
            raise ValueError("the tarball has no package.json in a single top folder")
        if target.exists():
            shutil.rmtree(target)
        tops[0].rename(target)


def _check(archive: bytes, dist: dict[str, str], package: str) -> None:
    """Compare the tarball with the registry's checksum (sha512 integrity, else sha1)."""
    integrity = dist.get("integrity", "")
    if integrity.startswith("sha512-"):
        expected = base64.b64decode(integrity.removeprefix("sha512-"))
        actual = hashlib.sha512(archive).digest()
    elif dist.get("shasum"):
        expected, actual = dist["shasum"], hashlib.sha1(archive).hexdigest()
    else:
        return
    if expected != actual:
        raise ValueError(f"the tarball of {package} does not match the registry's checksum")
