#!/usr/bin/env bash
# Build the portable cypdesk from a clean clone, in one command:
#
#   bash packaging/build.sh
#
#  1. a virtual environment: the checkout's .venv if it has a suitable Python (made by
#     scripts/setup.sh), else one made here; `pip install -e ".[packaging]"` into it,
#     skipped while pyproject.toml is unchanged since the last successful install;
#  2. PyInstaller on packaging/cypdesk.spec: dist/cypdesk/ (one folder, two programs);
#     build/pyinstaller/ is kept, so a second build only redoes what changed;
#  3. packaging/slim.py: Qt's ICU data trimmed to English and Welsh, libraries nothing
#     in the bundle needs removed (icu-devtools, binutils and gcc: scripts/setup.sh);
#  4. dist/cypdesk-<version>-<platform>.zip, its .sha256 beside it, and
#     dist/largest-files.txt (what takes the space).
#
# CYPDESK_BUILD_VENV=DIR builds in another environment (made if missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'build: %s\n' "$*"; }
fail() { printf 'build: %s\n' "$*" >&2; exit 1; }
python_ok() { "$1" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))' >/dev/null 2>&1; }

VENV=${CYPDESK_BUILD_VENV:-.venv}
if ! { [ -x "$VENV/bin/python" ] && python_ok "$VENV/bin/python"; }; then
    python=
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then python=$candidate; break; fi
    done
    [ -n "$python" ] || fail "need Python 3.11 (python3.11, or python3 at 3.11 to 3.13); none found"
    say "creating $VENV"
    "$python" -m venv --clear "$VENV" || fail "could not create $VENV (on Debian: apt-get install python3-venv)"
fi
PY=$VENV/bin/python

MARKER=$VENV/.cypdesk-packaging
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$PY" -c 'import sys; print(sys.version)')"
if ! { [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$want" ] && "$PY" -c 'import PyInstaller, cypdesk' 2>/dev/null; }; then
    say "installing cypdesk and PyInstaller into $VENV"
    log=$(mktemp)
    if "$PY" -m pip install --quiet --disable-pip-version-check -e ".[packaging]" >"$log" 2>&1; then
        rm -f "$log"; printf '%s\n' "$want" >"$MARKER"
    else
        cat "$log" >&2; rm -f "$log"; fail "pip install failed (output above)"
    fi
fi

started=$(date +%s)
say "running PyInstaller (a few minutes on a small machine)"
log=build/pyinstaller.log
mkdir -p build
if ! "$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
        packaging/cypdesk.spec >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "PyInstaller failed (whole log: $log)"
fi
say "PyInstaller done in $(( $(date +%s) - started )) s (log: $log)"
"$PY" packaging/slim.py dist/cypdesk
"$PY" packaging/make_zip.py dist/cypdesk
