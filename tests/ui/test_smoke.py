"""`coop-rebates --smoke` (app.ui.smoke, what `make dist-check` starts the bundled program
with): the real program starts, shows its main window, opens the database and quits with
one line of JSON; a database of an older build is copied beside itself and migrated by the
window's start as by the command line's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app import __version__
from app.adapters import db
from tests.integration.test_upgrade_backup import PREVIOUS, _copies, _older_database, _revision


def _smoke(home: Path, url: str) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    done = subprocess.run(
        [sys.executable, "-m", "app.ui.main", "--smoke", "--db", url, "--user", "clerk"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (line,) = [text for text in done.stdout.splitlines() if text.startswith("{")]
    return json.loads(line)


def test_smoke_shows_the_window_opens_a_new_database_and_quits(tmp_path):
    path = tmp_path / "new.sqlite"
    report = _smoke(tmp_path, f"sqlite:///{path}")
    assert report["version"] == __version__ and report["database"] == f"sqlite:///{path}"
    assert isinstance(report["shown_at"], float) and isinstance(report["ready_at"], float)
    assert _revision(path) == db.head_revision() and _copies(path) == []


def test_the_window_copies_an_older_database_before_migrating_it(tmp_path):
    path = _older_database(tmp_path)
    _smoke(tmp_path, f"sqlite:///{path}")
    (copy,) = _copies(path)
    assert _revision(copy) == PREVIOUS and _revision(path) == db.head_revision()
