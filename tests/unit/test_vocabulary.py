"""One vocabulary (issue 12, item 4): kinds, sources, statuses, account roles, permissions and
the ALL rule live in app.domain.vocabulary; the rest of app/ imports them, no copies."""

from __future__ import annotations

import ast
from pathlib import Path

import app
from app.domain import vocabulary as v
from app.domain.ladder import scope_cats

ROOT = Path(app.__file__).parent
HOME = ROOT / "domain" / "vocabulary.py"
# Names that are only ever names: a string equal to one of them is a copy.
CODES = {*v.KINDS, *v.STATUSES, v.DRAFT, v.POSTED, *v.SOURCES, *v.ROLES}
# Names users read: found inside any string (an f-string's text included).
DISPLAY = {*v.KIND_NAMES.values(), *v.KIND_PHRASES.values()}
# Files allowed to spell a name (none: every module imports the vocabulary).
NOT_YET: set[str] = set()


def copies(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in CODES or any(name in node.value for name in DISPLAY):
                found.append(f"line {node.lineno}: {node.value!r}")
    return sorted(found)


def test_no_module_outside_the_vocabulary_spells_a_kind_source_or_role():
    offenders = {}
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if path != HOME and name not in NOT_YET and (found := copies(path)):
            offenders[name] = found
    assert offenders == {}


def test_the_scan_finds_a_copy(tmp_path):
    """The scan above would see a kind name spelled again, in a plain or an f-string."""
    sample = tmp_path / "sample.py"
    sample.write_text('TITLE = f"{n} Volume Rebate Agreements"\nSOURCE = "RERATE"\nOK = "Rerate"\n')
    assert copies(sample) == ["line 1: ' Volume Rebate Agreements'", "line 2: 'RERATE'"]


def test_the_all_rule():
    assert [v.is_all(c) for c in (None, "", "ALL", "all", "All", "AL", "a")] == [True] * 5 + [False] * 2
    assert scope_cats(("A", "all", "", None)) == ("A", v.ALL, v.ALL, v.ALL)
    assert scope_cats(("a",)) == ("a", v.ALL, v.ALL, v.ALL)  # codes keep their case


def test_the_names_users_read():
    assert v.KIND_NAMES == {
        "COOP": "Coop Advertising",
        "VOLUME": "Volume Rebate",
        "PERIODIC": "Periodic Rebate",
        "DAMAGE": "Damage Allowance",
        "FREIGHT": "Freight Allowance",
        "LUMP_SUM": "Lump Sum",
        "PRICE_PROTECTION": "Price Protection",
    }
    assert v.KINDS_TEXT == "COOP, VOLUME, PERIODIC, DAMAGE, FREIGHT, LUMP_SUM or PRICE_PROTECTION"
    assert v.LADDER_KINDS == ("COOP", "VOLUME", "PERIODIC", "DAMAGE", "FREIGHT")
    assert v.PROVISIONAL_KINDS_TEXT == "COOP, DAMAGE or FREIGHT"
    assert {k: v.PNL_ROLES[k] for k in v.KINDS} == {
        "COOP": "ADVERTISING",
        "VOLUME": "REBATE_EARNED",
        "PERIODIC": "REBATE_EARNED",
        "DAMAGE": "DAMAGE_ALLOWANCE",
        "FREIGHT": "FREIGHT_ALLOWANCE",
        "LUMP_SUM": "ADVERTISING",
        "PRICE_PROTECTION": "INVENTORY",
    }
    assert set(v.ROLE_TEXT) == set(v.ROLES) and len(v.ROLES) == 12
    assert v.PERIOD_NAMES == {"M": "Monthly", "Q": "Quarterly", "Y": "Yearly"}
    assert tuple(v.METHOD_NAMES) == v.METHODS == ("SC", "NC", "CD")
    assert v.SOURCES == (
        "RECEIPT", "ACCRUAL", "RETRO", "RERATE", "LUMP_SUM", "PRICE_PROTECTION",
        "INVOICE", "ACTUALS", "EXPECTED_TIER", "VENDOR_INVOICE", "PAYMENT_RUN", "PAYMENT", "CREDIT_NOTE", "WRITE_OFF", "DISPUTE_CREDIT", "REVERSAL",
    )  # fmt: skip
    assert set(v.SOURCE_NAMES) == set(v.SOURCES)
    assert v.GRANTS[v.Role.ADMIN] == frozenset(v.Permission) and set(v.ROLE_NAMES) == set(v.Role)


def test_the_window_starts_without_sqlalchemy():
    """The window's module reads the vocabulary before the services (and SQLAlchemy) load."""
    import subprocess
    import sys

    code = (
        "import sys, app.ui.main; print(sorted(m for m in ('sqlalchemy', 'app.services.security') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
