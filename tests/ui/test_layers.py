"""The Qt layer calls services only: no database or ORM imports under app/ui."""

from __future__ import annotations

import ast
from pathlib import Path

import app.ui

FORBIDDEN = ("sqlalchemy", "alembic", "app.models", "app.db")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_ui_modules_do_not_touch_the_database_directly():
    folder = Path(app.ui.__file__).parent
    offenders = {
        path.name: sorted(n for n in imported(path) if n.startswith(FORBIDDEN)) for path in folder.glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_services_and_domain_do_not_import_qt():
    root = Path(app.ui.__file__).parent.parent
    for folder in ("services", "domain"):
        for path in (root / folder).glob("*.py"):
            assert not any(n.startswith("PySide6") for n in imported(path)), path
