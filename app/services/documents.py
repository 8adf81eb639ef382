"""Supporting documents kept in the database (SPEC §14): read from files or given as bytes,
checked by content (app.domain.documents), stored as document rows of their owner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.documents import MAX_BYTES, content_type, document_problems
from app.models import Document

from .errors import Problem

# A document as a caller gives it: a file, or a name and its bytes (the screen's upload).
Attachment = Path | tuple[str, bytes]
NAME_MAX = 200  # document.file_name


@dataclass(frozen=True)
class DocumentIn:
    """A document read and accepted: its name, type and bytes."""

    file_name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DocumentView:
    id: int
    file_name: str
    content_type: str
    size: int


def read_documents(label: str, attachments: Sequence[Attachment]) -> tuple[list[DocumentIn], list[Problem]]:
    """The attachments read and checked; every problem, naming the file. A file larger than the
    limit is refused without being read."""
    docs: list[DocumentIn] = []
    problems: list[Problem] = []
    for item in attachments:
        if isinstance(item, Path):
            name, data, size = _read_file(label, item, problems)
        else:
            name, data = item
            size = len(data)
        if name is None:
            continue
        found = document_problems(label, name, size, data)
        if found:
            problems.extend(found)
            continue
        assert data is not None
        kind = content_type(data)
        assert kind is not None
        docs.append(DocumentIn(name[-NAME_MAX:], kind, data))
    return docs, problems


def _read_file(label: str, path: Path, problems: list[Problem]) -> tuple[str | None, bytes | None, int]:
    field = f"attachment {path.name}"
    try:
        size = path.stat().st_size
        if not path.is_file():
            problems.append(Problem(label, field, f"{path} is not a file"))
            return None, None, 0
        if size > MAX_BYTES:
            return path.name, None, size
        return path.name, path.read_bytes(), size
    except FileNotFoundError:
        problems.append(Problem(label, field, f"{path} does not exist"))
    except OSError as exc:
        problems.append(Problem(label, field, f"{path} cannot be read ({exc.strerror or exc})"))
    return None, None, 0


def store_documents(
    session: Session, owner: str, owner_id: int, docs: Sequence[DocumentIn], user: str, stamp: datetime
) -> None:
    session.add_all(
        Document(
            owner=owner, owner_id=owner_id, file_name=d.file_name, content_type=d.content_type, size=len(d.data),
            data=d.data, created_by=user, created_at=stamp,
        )
        for d in docs
    )  # fmt: skip


def documents_of(session: Session, owner: str, owner_id: int) -> list[DocumentView]:
    d = Document
    query = select(d.id, d.file_name, d.content_type, d.size).where(d.owner == owner, d.owner_id == owner_id)
    return [DocumentView(*row) for row in session.execute(query.order_by(d.id))]


def document_data(session: Session, document_id: int) -> bytes | None:
    return session.scalar(select(Document.data).where(Document.id == document_id))
