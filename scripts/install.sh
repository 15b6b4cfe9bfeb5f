#!/usr/bin/env bash
# Set up everything the simulator, its dashboard and its tests need:
# 1. beyond Python (Debian/Ubuntu): Chromium, which the dashboard's browser test drives, and a
#    font with Chinese glyphs for the Chinese figures; installed with apt-get when running as
#    root; otherwise, if they are missing, the script prints the command and stops (status 1).
#    SKIP_SYSTEM_PACKAGES=1 skips this step (then the browser and Chinese-font tests fail).
# 2. .venv with a Python >= 3.12 and the project (with its test tools); set
#    PYTHON=/path/to/python3.12 to choose the interpreter yourself.
# 3. the simulation's compiled kernels, and Solara's front-end files from the npm registry
#    (`run.py assets`), so that the dashboard's page also works offline.
# Idempotent: what is already there is reused and brought up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=/usr/bin/chromium

has_cjk_font() {
    if command -v fc-list >/dev/null 2>&1; then
        fc-list :lang=zh 2>/dev/null | grep -q . && return 0
    fi
    find /usr/share/fonts /usr/local/share/fonts -iregex \
        '.*\(wqy\|wenquanyi\|notosanscjk\|notoserifcjk\|sourcehansans\).*' \
        -print -quit 2>/dev/null | grep -q .
}

system_packages() {
    local missing=()
    [ -x "$CHROMIUM" ] || missing+=(chromium)
    has_cjk_font || missing+=(fonts-wqy-microhei)
    if [ ${#missing[@]} -eq 0 ]; then
        echo "system packages: Chromium and a Chinese font are installed"
        return 0
    fi
    if [ "${SKIP_SYSTEM_PACKAGES:-0}" = 1 ]; then
        echo "warning: SKIP_SYSTEM_PACKAGES=1: not installing ${missing[*]}; the browser and" \
             "Chinese-font tests will fail" >&2
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: missing ${missing[*]} (Chromium at $CHROMIUM, a font with Chinese glyphs)," \
             "and this is not a Debian/Ubuntu machine: install them with your system's package" \
             "manager, or run with SKIP_SYSTEM_PACKAGES=1 to go without them." >&2
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "error: missing ${missing[*]}. Install them with:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        echo "then run this script again (or SKIP_SYSTEM_PACKAGES=1 to go without them)." >&2
        exit 1
    fi
    echo "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" \
        || { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
}

system_packages

suitable() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    if [ -n "${PYTHON:-}" ]; then
        suitable "$PYTHON" && { echo "$PYTHON"; return 0; }
        echo "PYTHON=$PYTHON is not Python 3.12 or newer" >&2
        return 1
    fi
    for candidate in python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && suitable "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    # pyenv may hold a suitable version that is not the active one.
    if command -v pyenv >/dev/null 2>&1; then
        local root version
        root=$(pyenv root)
        for version in $(ls -1 "$root/versions" 2>/dev/null | sort -rV); do
            if [ -x "$root/versions/$version/bin/python3" ] \
                && suitable "$root/versions/$version/bin/python3"; then
                echo "$root/versions/$version/bin/python3"
                return 0
            fi
        done
    fi
    return 1
}

if [ -x .venv/bin/python ] && suitable .venv/bin/python; then
    echo "using existing .venv ($(.venv/bin/python --version))"
else
    if ! python=$(find_python); then
        echo "error: no Python 3.12 or newer found (tried python3.13, python3.12, python3 and" \
             "pyenv's versions). Install one, or set PYTHON=/path/to/python3.12." >&2
        exit 1
    fi
    echo "creating .venv with $python ($("$python" --version))"
    rm -rf .venv
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
echo "compiling the simulation kernels (once per version, about a minute)"
.venv/bin/python -c 'from sim.compiled import warm_up; warm_up()'
echo "fetching the dashboard's front-end files into Solara's asset cache (once)"
.venv/bin/python run.py assets
echo "installed: $(.venv/bin/python -c 'import mesa, numpy; print("mesa", mesa.__version__, "numpy", numpy.__version__)')"
