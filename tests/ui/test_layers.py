"""The layers of app/ and what each may use (issue 12), read from the source (the whole AST:
imports inside functions count, as do importlib.import_module("...") calls).

    domain    pure: the standard library and app.domain only
    models    the ORM tables: no services, reports, UI or CLI
    adapters  database mechanics: no services (but the errors they raise), reports, UI, CLI or Qt
    services  use cases: no Qt, no UI
    reports   data to PDF/charts: no SQLAlchemy, models, adapters or unit of work; never a session
    cli, ui   call services: no Qt in the CLI; no database, ORM or engine in the UI
    and no dialect check (`.dialect`, `get_bind()`) outside app/adapters.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import app

ROOT = Path(app.__file__).parent
DATABASE = ("sqlalchemy", "alembic", "app.models", "app.adapters", "app.db")
QT = ("PySide6", "shiboken6")

# Imports that break a rule today, in files being restructured by someone else; each must
# still be there (the test fails once it is gone, so that the entry is removed with it).
KNOWN: set[tuple[str, str]] = set()


def sources(*layers: str) -> Iterator[tuple[str, Path, ast.Module]]:
    for layer in layers:
        for path in sorted((ROOT / layer).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path, ast.parse(path.read_text(), str(path))


def _package(path: Path) -> list[str]:
    parts = ["app", *path.relative_to(ROOT).with_suffix("").parts]
    return parts[:-1]  # a module's package (an __init__'s is its own folder's parent: same rule)


def imported(path: Path, tree: ast.Module) -> set[str]:
    """Every module the file imports, absolute; `from a import b` gives a and a.b."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(path)
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in ("importlib.import_module", "import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def offenders(layers: Iterable[str], forbidden: Iterable[str], allowed: Iterable[str] = ()) -> dict[str, list[str]]:
    forbidden, allowed = tuple(forbidden), tuple(allowed)
    found: dict[str, list[str]] = {}
    for name, path, tree in sources(*layers):
        bad = sorted(
            n
            for n in imported(path, tree)
            if within(n, forbidden)
            and not within(n, allowed)
            and not any(k == name and within(n, (m,)) for k, m in KNOWN)
        )
        if bad:
            found[name] = bad
    return found


def attributes(layers: Iterable[str], names: set[str]) -> dict[str, list[str]]:
    """Where an attribute (x.name) or a bare name of these is used: `file:line name`."""
    found: dict[str, list[str]] = {}
    for name, _path, tree in sources(*layers):
        for node in ast.walk(tree):
            used = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
            if used in names:
                found.setdefault(name, []).append(f"{node.lineno} {used}")  # type: ignore[attr-defined]
    return found


def test_domain_imports_the_standard_library_and_itself_only() -> None:
    found = {}
    for name, path, tree in sources("domain"):
        bad = sorted(
            n
            for n in imported(path, tree)
            if not within(n, ("app.domain",)) and n.split(".")[0] not in sys.stdlib_module_names
        )
        if bad:
            found[name] = bad
    assert found == {}


def test_models_import_no_services_reports_ui_or_cli() -> None:
    assert offenders(["models"], ("app.services", "app.reports", "app.ui", "app.cli", *QT)) == {}


def test_adapters_import_no_services_but_their_errors_no_reports_ui_cli_or_qt() -> None:
    forbidden = ("app.services", "app.reports", "app.ui", "app.cli", *QT)
    assert offenders(["adapters"], forbidden, allowed=("app.services.errors",)) == {}


def test_services_import_no_qt_and_no_ui() -> None:
    assert offenders(["services"], (*QT, "app.ui")) == {}


def test_cli_imports_no_qt_and_no_ui() -> None:
    assert offenders(["cli"], (*QT, "app.ui")) == {}


def test_ui_imports_no_database_orm_or_adapter() -> None:
    assert offenders(["ui"], DATABASE) == {}


def test_ui_holds_no_engine_or_session() -> None:
    assert attributes(["ui"], {"engine", "create_engine", "sessionmaker", "sessions", "session", "Session"}) == {}


def test_reports_import_no_sqlalchemy_models_adapters_or_unit_of_work() -> None:
    assert offenders(["reports"], (*DATABASE, "app.services.context", *QT)) == {}


SESSION_ARGS = {"session", "uow", "ctx", "ctx_or_uow", "engine", "conn", "connection"}
SESSION_TYPES = ("Session", "UnitOfWork", "AppContext", "Engine", "Connection")


def test_reports_never_receive_a_session() -> None:
    """Reports get data: no parameter that is (or is named as) a session, unit of work,
    context or engine, and no .session/.engine/.uow() reached through another object."""
    found: dict[str, list[str]] = {}
    for name, _path, tree in sources("reports"):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                a = node.args
                for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
                    if arg is None:
                        continue
                    hint = ast.unparse(arg.annotation) if arg.annotation else ""
                    if arg.arg in SESSION_ARGS or any(t in hint for t in SESSION_TYPES):
                        found.setdefault(name, []).append(f"{node.lineno} {arg.arg}: {hint}")
    found_attributes = attributes(["reports"], {"session", "engine", "uow", "sessions", "execute", "scalars"})
    assert (found, found_attributes) == ({}, {})


def test_no_dialect_check_outside_the_adapters() -> None:
    layers = [p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in ("adapters", "__pycache__")]
    assert attributes(layers, {"dialect", "get_bind"}) == {}


def test_the_known_exceptions_are_still_there() -> None:
    """An exception that is gone is taken off KNOWN (so that it cannot come back unseen)."""
    for name, module in KNOWN:
        path = ROOT / name
        assert module in imported(path, ast.parse(path.read_text())), (name, module)
