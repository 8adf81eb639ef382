"""Writing an output file safely: every export, printed report, statement and backup.

A target is refused, in one line naming it and why, when it is a file of the live
database (SQLite: the file and its -wal, -shm and -journal, also through a link; even
with force), a folder, in a folder that is missing or is a file, or already there
(unless force). The content goes to a new hidden file in the same folder, renamed onto
the target only once complete: a failed write leaves the target as it was and no
partial file. The rename replaces a link itself, never the file the link points to.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import OutputExists, OutputFailed, OutputRefused

if TYPE_CHECKING:
    from .context import AppContext


def protected_files(ctx: AppContext) -> tuple[Path, ...]:
    """The files no output may replace: those of the database the program works on."""
    from app.adapters import db  # the database adapter knows where a database keeps its files

    return db.database_files(ctx.engine)


def check_suffix(path: str | Path, suffixes: Sequence[str]) -> Path:
    """The path, when its extension is one of `suffixes` (lower case, with the dot)."""
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        wanted = ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]
        raise OutputRefused(f"{target}: the file must end in {wanted}")
    return target


def _key(path: Path) -> str:
    return os.path.normcase(str(path.resolve()))  # links followed; Windows compares without case


def _is_protected(target: Path, protect: Sequence[Path]) -> bool:
    if _key(target) in {_key(p) for p in protect}:
        return True
    # Another name for the same file (a hard link, a differently spelled path).
    return target.exists() and any(p.exists() and os.path.samefile(target, p) for p in protect)


def check_target(path: str | Path, *, force: bool, protect: Iterable[Path], suffixes: Sequence[str] = ()) -> Path:
    """The target as a Path when a file may be written there; else OutputRefused (or its
    OutputExists when only `force` is missing)."""
    target = Path(path)
    if suffixes:
        check_suffix(target, suffixes)
    if _is_protected(target, tuple(protect)):
        raise OutputRefused(f"{target} is the database itself or one of its files; choose another file")
    if target.is_dir():
        raise OutputRefused(f"{target} is a folder; give the name of a file")
    folder = target.parent
    if not folder.is_dir():
        why = "is not a folder" if os.path.lexists(folder) else "does not exist"
        raise OutputRefused(f"{target}: the folder {folder} {why}")
    if os.path.lexists(target):  # a dangling link is there too
        if not target.is_symlink() and not target.is_file():
            raise OutputRefused(f"{target} is not a regular file; choose another file")
        if not force:
            raise OutputExists([target])
    return target


@contextmanager
def output_file(
    path: str | Path, *, force: bool, protect: Iterable[Path], suffixes: Sequence[str] = ()
) -> Iterator[Path]:
    """Check the target, yield a new empty file beside it (same extension) to write, and
    move that onto the target when the block ends without an error.

    On an error the new file is removed and the target is untouched; an OSError becomes
    OutputFailed (one line) and any other error is raised as it was.
    """
    target = check_target(path, force=force, protect=protect, suffixes=suffixes)
    temp = target.with_name(f".{target.stem}.{secrets.token_hex(6)}.part{target.suffix}")
    try:
        with temp.open("xb"):  # a new file: never an existing file or link written through
            pass
    except OSError as exc:
        raise _failed(target, temp, exc) from exc
    try:
        yield temp
        os.replace(temp, target)
    except OSError as exc:
        raise _failed(target, temp, exc) from exc
    finally:
        temp.unlink(missing_ok=True)


def _failed(target: Path, temp: Path, exc: OSError) -> OutputFailed:
    other = exc.filename is not None and str(exc.filename) not in (str(temp), str(target))
    return OutputFailed(f"Cannot write {target}: {exc.strerror or exc}" + (f" ({exc.filename})" if other else ""))


def output_folder(folder: str | Path, names: Iterable[str], *, force: bool, protect: Iterable[Path]) -> list[Path]:
    """The files `names` in `folder`, once every one may be written: the folder is
    created when missing (its parent must exist), and files already there are refused
    all together (OutputExists) before anything is written, unless `force`."""
    where = Path(folder)
    if os.path.lexists(where) and not where.is_dir():
        raise OutputRefused(f"{where} is a file, not a folder")
    targets = [where / name for name in names]
    twice = [name for name, n in Counter(os.path.normcase(t.name) for t in targets).items() if n > 1]
    if twice:  # the second would replace the first
        raise OutputRefused(f"{where}: more than one file would be named {min(twice)}")
    if not where.exists():
        if not where.parent.is_dir():
            why = "is not a folder" if os.path.lexists(where.parent) else "does not exist"
            raise OutputRefused(f"{where}: the folder {where.parent} {why}")
        try:
            where.mkdir()
        except OSError as exc:
            raise OutputFailed(f"Cannot create the folder {where}: {exc.strerror or exc}") from exc
        return targets
    protect = tuple(protect)
    existing = []
    for target in targets:
        check_target(target, force=True, protect=protect)
        if os.path.lexists(target):
            existing.append(target)
    if existing and not force:
        raise OutputExists(existing, where)
    return targets
