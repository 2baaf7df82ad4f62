"""The program's entry point for the packaged build (packaging/cypdesk.spec) and for a
checkout: ``python main.py [FILE | COMMAND ...]`` is ``cypdesk [FILE | COMMAND ...]``.

Before anything else it settles where this run may write (portable mode when a marker
file beside the program asks for it; caches of matplotlib and fontconfig in the user's
data folder), so that nothing is ever written beside the program.
"""

import sys


def _main() -> int:
    import warnings

    # The build leaves matplotlib's 3D axes (mpl_toolkits) out: no chart of cypdesk's is
    # 3D, and matplotlib's warning that it cannot find them would only alarm IT.
    warnings.filterwarnings("ignore", message="Unable to import Axes3D", category=UserWarning)
    from cypdesk.paths import prepare_environment

    warning = prepare_environment()
    if warning and sys.stderr is not None:  # the window program on Windows has no stderr
        print(warning, file=sys.stderr)
    from cypdesk.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(_main())
