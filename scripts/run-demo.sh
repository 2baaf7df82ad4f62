#!/usr/bin/env bash
# Open cypdesk on a demo document: sets up (scripts/setup.sh), writes demo.cypdesk in
# the repository root if it is not there yet, and opens the window on it. Arguments
# are passed to cypdesk (e.g. --exit-when-shown for a smoke test).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

DEMO=demo.cypdesk
if [ ! -e "$DEMO" ]; then
    echo "run-demo: writing $DEMO (a fictional trust)"
    .venv/bin/cypdesk demo "$DEMO"
fi

case "$(uname -s)" in
    Linux | *BSD)
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
            if command -v xvfb-run >/dev/null 2>&1; then
                echo "run-demo: no display: running under xvfb-run, so the window is not visible"
                exec xvfb-run -a .venv/bin/cypdesk "$DEMO" "$@"
            fi
            echo "run-demo: no display and no xvfb-run (apt-get install xvfb); the window cannot open" >&2
            exit 1
        fi
        ;;
esac
exec .venv/bin/cypdesk "$DEMO" "$@"
