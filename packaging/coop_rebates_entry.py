"""Entry script of the bundled `coop-rebates` (the installed program's gui-script)."""

import sys

from app.ui.main import main

if __name__ == "__main__":
    sys.exit(main())
