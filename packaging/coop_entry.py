"""Entry script of the bundled `coop` (the installed program's console script)."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
