#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install the project (with its test tools) into it.
# Idempotent: an existing .venv with a suitable Python is reused and brought up to date.
# Set PYTHON=/path/to/python3.12 to choose the interpreter yourself.
set -euo pipefail
cd "$(dirname "$0")/.."

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
echo "installed: $(.venv/bin/python -c 'import mesa, numpy; print("mesa", mesa.__version__, "numpy", numpy.__version__)')"
