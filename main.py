"""The program's entry point for the packaged build (packaging/cypdesk.spec) and for a
checkout: ``python main.py [FILE | COMMAND ...]`` is ``cypdesk [FILE | COMMAND ...]``.

Before anything else it settles where this run may write (portable mode when a marker
file beside the program asks for it; caches of matplotlib and fontconfig in the user's
data folder), so that nothing is ever written beside the program.
"""

import sys


def _main() -> int:
    from cypdesk.paths import prepare_environment

    warning = prepare_environment()
    if warning and sys.stderr is not None:  # the window program on Windows has no stderr
        print(warning, file=sys.stderr)
    from cypdesk.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(_main())
