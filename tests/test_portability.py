"""The application runs on Windows too (issue 18; the workstation build of `make dist`):
nothing in app/ imports a POSIX-only module, calls a POSIX-only function of `os` or
`signal`, builds a file path by gluing strings with "/" (or "\\"), or names a folder of a
Unix home (`~/.local`, `~/.config`, /tmp, …) instead of asking platformdirs or pathlib.

The check reads the source (ast), so it runs on any system. The planted examples below
show what it finds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Modules that exist only on POSIX systems (an import fails on Windows).
POSIX_ONLY_MODULES = frozenset(
    {"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix", "syslog", "crypt", "nis", "spwd", "readline"}
)
# Modules whose use is mostly POSIX-only (signals: no SIGKILL, SIGHUP, alarm… on Windows).
NOT_IN_APP = frozenset({"signal"})
# os functions and constants that Windows has not.
POSIX_ONLY_OS = frozenset(
    {
        "fork", "forkpty", "getuid", "geteuid", "getgid", "getegid", "getpgid", "setsid", "setuid", "setgid",
        "killpg", "chown", "lchown", "uname", "getloadavg", "mkfifo", "sync", "nice", "WNOHANG", "O_NOFOLLOW",
        "getpwnam", "sched_getaffinity", "statvfs",
    }
)  # fmt: skip
# Names of values that hold a file or folder.
PATHISH = re.compile(r"(path|dir|folder|file|home|root|base|prefix|drive|tmp|temp)s?$", re.IGNORECASE)
# String literals naming a Unix-only place.
UNIX_PLACES = re.compile(r"^(~/|/tmp\b|/home/|/usr/|/etc/|/var/|/opt/)|\.local/share|\.config/|\.cache/")


def _name(node: ast.AST) -> str | None:
    """The name a value goes by: x, obj.x, x(), x[...] → "x"; str(x) → "x"."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "str" and len(node.args) == 1:
            return _name(node.args[0])
        return _name(node.func)
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _pathish(node: ast.AST) -> bool:
    name = _name(node)
    return name is not None and PATHISH.search(name) is not None


def _slash(node: ast.AST, at_end: bool) -> bool:
    """A string literal that ends (at_end) or starts with a path separator."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value):
        return False
    edge = node.value[-1] if at_end else node.value[0]
    return edge in "/\\"


def _concatenations(node: ast.AST) -> bool:
    """path + "/" + name, "/" + name after a path, f"{folder}/name", f"{path}\\{name}"."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = node.left, node.right
        return (_slash(right, at_end=False) and _pathish(left)) or (
            _slash(left, at_end=True) and (_pathish(right) or _pathish(_leftmost(left)))
        )
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        for before, after in zip(parts, parts[1:], strict=False):
            if isinstance(before, ast.FormattedValue) and _slash(after, at_end=False) and _pathish(before.value):
                return True
            if isinstance(after, ast.FormattedValue) and _slash(before, at_end=True) and _pathish(after.value):
                return True
    return False


def _leftmost(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.BinOp):
        node = node.left
    return node


def problems(source: str, filename: str = "<planted>") -> list[str]:
    """What in `source` would not work, or not work the same, on Windows."""
    found: list[str] = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top in POSIX_ONLY_MODULES or top in NOT_IN_APP:
                    found.append(f"{where}: imports the POSIX-only module {name}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
            if node.attr in POSIX_ONLY_OS:
                found.append(f"{where}: os.{node.attr} does not exist on Windows")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and UNIX_PLACES.search(node.value):
            found.append(f"{where}: names the Unix place {node.value!r} (platformdirs, pathlib)")
        if _concatenations(node):
            found.append(f"{where}: builds a path by string concatenation (use pathlib's /)")
    return found


def _app_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_the_application_has_nothing_posix_only():
    assert _app_files(), APP
    found = [p for path in _app_files() for p in problems(path.read_text(encoding="utf-8"), str(path))]
    assert found == []


PLANTED = {
    "import fcntl": "POSIX-only module fcntl",
    "from pwd import getpwnam": "POSIX-only module pwd",
    "import resource as r": "POSIX-only module resource",
    "import termios, json": "POSIX-only module termios",
    "import signal\nsignal.signal(signal.SIGHUP, print)": "POSIX-only module signal",
    "import os\nuid = os.getuid()": "os.getuid",
    "import os\npid = os.fork()": "os.fork",
    "data = user_data_dir + '/coop.sqlite'": "string concatenation",
    "out = self.folder + '/' + name": "string concatenation",
    "out = '/' + file_name": None,  # a literal "/" before a file name is not a path by itself: not flagged
    "target = str(base) + '/' + name": "string concatenation",
    "f = open(folder + '\\\\x.csv')": "string concatenation",
    "p = f'{export_dir}/statements'": "string concatenation",
    "p = f'{self.settings.path()}/{name}.pdf'": "string concatenation",
    "p = f'C:/{folder}'": "string concatenation",
    "cfg = Path('~/.local/share/coop')": "Unix place",
    "tmp = Path('/tmp/coop')": "Unix place",
    "p = os.path.expanduser('~/.config/coop')": "Unix place",
}


@pytest.mark.parametrize("source", [s for s, why in PLANTED.items() if why])
def test_a_planted_example_is_found(source: str):
    found = problems(source)
    assert any(PLANTED[source] in f for f in found), found


ALLOWED = [
    "folder = Path(user_data_dir('coop-rebates')) / 'coop.sqlite'",
    "label = f'{r.paid_on_time}/{r.invoices_due} ({pct}%)'",
    "memo = f'Receipt {line.slip_no}/{line.line_no}'",
    "scope = '/'.join(cats)",
    "url = f\"sqlite:///{folder / 'coop.sqlite'}\"",
    "text = f'{done}/{total} vendors'",
    "side = Path(f'{base}{suffix}')",
    "import os\nos.replace(a, b)",
    "import getpass\nwho = getpass.getuser()",
    "key = 'demo_offered/' + self.env.ctx.location",  # a QSettings key with the database URL
]


@pytest.mark.parametrize("source", ALLOWED)
def test_portable_code_is_not_flagged(source: str):
    assert problems(source) == []
