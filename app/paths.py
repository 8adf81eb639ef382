"""Where the program's own files are: the fonts and the demo company (resources/) and the
schema migrations (migrations/).

From a source checkout (or `pip install -e .`) they are beside the `app` package. In the
self-contained application folder (`make dist`, PyInstaller) they are in the folder's
bundle directory, which PyInstaller names in `sys._MEIPASS`. Paths are joined with
pathlib only, so the same lookups work on Windows.
"""

from __future__ import annotations

import sys
from pathlib import Path


def bundle_root() -> Path:
    """The folder that holds resources/ and migrations/."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen is not None:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource(*parts: str) -> Path:
    """A file or folder of resources/, e.g. resource("fonts", "DejaVuSans.ttf")."""
    return bundle_root().joinpath("resources", *parts)


def migrations_dir() -> Path:
    """The Alembic script folder (env.py, versions/)."""
    return bundle_root() / "migrations"
