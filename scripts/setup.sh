#!/usr/bin/env bash
# Set up a development checkout; safe to run again and again (quick when nothing changed).
#  1. On Debian/Ubuntu, install the system libraries Qt needs, only those missing
#     (and xvfb when there is no display, to open the real window).
#  2. Create .venv with Python 3.11 (or python3 if it is 3.11 to 3.13).
#  3. pip install -e ".[test]", skipped while pyproject.toml is unchanged since the last
#     successful install.
# Quiet unless something goes wrong; errors are shown in full.
#
# When another package manager holds the dpkg/apt lock (unattended-upgrades on a fresh
# machine), apt-get waits for it: up to CYPDESK_APT_LOCK_WAIT seconds (120), with
# -o DPkg::Lock::Timeout, and by trying again where an apt-get does not wait itself
# (apt-get update on the lists lock, in older apt).
#
#   bash scripts/setup.sh                 all three steps
#   bash scripts/setup.sh --system-only   step 1 only (for images and their tests)
set -euo pipefail

SYSTEM_ONLY=0
case "${1:-}" in
    "") ;;
    --system-only) SYSTEM_ONLY=1 ;;
    *) printf 'setup: unknown option %s (only --system-only)\n' "$1" >&2; exit 2 ;;
esac
APT_LOCK_WAIT=${CYPDESK_APT_LOCK_WAIT:-120}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=.venv
MARKER=$VENV/.cypdesk-installed

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- 1. system libraries -------------------------------------------------------------
QT_DEBS=(
    libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
    libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
    libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libnss3
    fonts-dejavu-core
)

deb_installed() {
    # Debian 13 renamed some libraries with a t64 suffix (libglib2.0-0t64).
    local pkg
    for pkg in "$1" "${1}t64"; do
        if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ]; then
            return 0
        fi
    done
    return 1
}

apt_get() {
    # apt-get "$@" as root (sudo when needed), output appended to $APT_LOG, waiting up to
    # APT_LOCK_WAIT seconds for another package manager's lock.
    local waited=0 status
    while :; do
        status=0
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" "$@" \
            >>"$APT_LOG" 2>&1 || status=$?
        [ $status -eq 0 ] && return 0
        if [ $waited -lt "$APT_LOCK_WAIT" ] &&
            tail -n 5 "$APT_LOG" | grep -qiE 'could not get lock|unable to lock|unable to acquire'; then
            [ $waited -eq 0 ] && say "another package manager is busy: waiting for it (up to ${APT_LOCK_WAIT} s)"
            sleep 5
            waited=$((waited + 5))
            continue
        fi
        return $status
    done
}

install_system_libraries() {
    if [ "$(uname -s)" != Linux ]; then
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "not a Debian-based system: make sure Qt 6's X11/xcb libraries and OpenGL are installed"
        return 0
    fi
    local wanted=("${QT_DEBS[@]}")
    wanted+=(strace)  # tests/model/test_commit_syscalls.py watches SQLite sync the commit
    wanted+=(wixl msitools)  # packaging/smoke.py compiles the Windows installer's WiX source
    wanted+=(icu-devtools binutils gcc)  # packaging/slim.py trims Qt's ICU data (32 MB -> 4.5 MB)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
        wanted+=(xvfb xauth)  # to open the real window without a screen (run-demo.sh)
    fi
    local missing=() pkg
    for pkg in "${wanted[@]}"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            say "missing system packages, and no root or password-less sudo to install them."
            say "please run: sudo apt-get install ${missing[*]}"
            return 0
        fi
    fi
    say "installing system packages: ${missing[*]}"
    APT_LOG=$(mktemp)
    if apt_get update -qq && apt_get install -y -qq --no-install-recommends "${missing[@]}"; then
        rm -f "$APT_LOG"
    else
        tail -n 20 "$APT_LOG" >&2
        rm -f "$APT_LOG"
        say "could not install them; please run: sudo apt-get install ${missing[*]}"
        say "continuing: the tests that need Qt may fail until they are installed"
    fi
}

# --- 2. the virtual environment -----------------------------------------------------
python_ok() {  # a Python within requires-python (>=3.11,<3.14)
    "$1" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))' >/dev/null 2>&1
}

make_venv() {
    if [ -x "$VENV/bin/python" ] && python_ok "$VENV/bin/python"; then
        return 0
    fi
    local candidate python=
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            python=$candidate
            break
        fi
    done
    [ -n "$python" ] || fail "need Python 3.11 (python3.11, or python3 at 3.11 to 3.13); none found"
    if [ -e "$VENV" ]; then
        say "$VENV does not work with a suitable Python: recreating it"
    fi
    say "creating $VENV with $("$python" -c 'import sys; print(sys.version.split()[0])')"
    "$python" -m venv --clear "$VENV" || fail "could not create $VENV (on Debian: apt-get install python3-venv)"
    rm -f "$MARKER"
}

# --- 3. the package and its test tools ------------------------------------------------
install_package() {
    local want
    want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$VENV/bin/python" -c 'import sys; print(sys.version)')"
    if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$want" ] && [ -x "$VENV/bin/cypdesk" ]; then
        return 0
    fi
    say "installing cypdesk and its test tools into $VENV (pip install -e \".[test]\")"
    local log
    log=$(mktemp)
    if "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >"$log" 2>&1 &&
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]" >>"$log" 2>&1; then
        rm -f "$log"
        printf '%s\n' "$want" >"$MARKER"
    else
        cat "$log" >&2
        rm -f "$log"
        fail "pip install failed (output above)"
    fi
}

install_system_libraries
[ "$SYSTEM_ONLY" -eq 1 ] && exit 0
make_venv
install_package
