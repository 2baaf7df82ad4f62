#!/usr/bin/env bash
# Run every check: sets up (scripts/setup.sh), then
#  1. the whole test suite, offscreen (arguments are passed to pytest);
#  2. the import contracts (lint-imports, configured in pyproject.toml);
#  3. the non-ui test folders again with PySide6 blocked (CYPDESK_BLOCK_QT=1, see
#     tests/conftest.py), so that "everything but the window runs without Qt" holds.
# Every step runs; the exit status is non-zero if any of them failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh || exit 1

failed=()

echo "== tests"
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest "$@" || failed+=("tests")

echo "== import contracts"
.venv/bin/lint-imports --no-logo || failed+=("import contracts")

echo "== tests without Qt"
qt_free=()
for dir in tests/common tests/model tests/services tests/io tests/cli; do
    [ -d "$dir" ] && qt_free+=("$dir")
done
if [ ${#qt_free[@]} -eq 0 ]; then
    echo "no Qt-free test folders yet"
else
    CYPDESK_BLOCK_QT=1 .venv/bin/python -m pytest -q "${qt_free[@]}"
    status=$?
    # 5: no tests collected, while those folders are still empty.
    if [ $status -ne 0 ] && [ $status -ne 5 ]; then
        failed+=("tests without Qt")
    fi
fi

if [ ${#failed[@]} -ne 0 ]; then
    summary=$(printf '%s, ' "${failed[@]}")
    echo "test.sh: FAILED: ${summary%, }" >&2
    exit 1
fi
echo "test.sh: all passed"
