"""python -m cypdesk: the same as the installed ``cypdesk`` command."""

import sys

from cypdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
