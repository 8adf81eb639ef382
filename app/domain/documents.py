"""Supporting documents of disputes and actuals (SPEC §14): PDF, PNG, JPEG, XLSX or CSV, told
apart by their content, never by their name; at most 10 MB each. Pure rules: no I/O beyond the
bytes given."""

from __future__ import annotations

import io
import zipfile

from .validation import Problem

MAX_BYTES = 10 * 1024 * 1024  # 10 MB
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
TYPE_NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", XLSX: "XLSX", CSV: "CSV"}
ACCEPTED_TEXT = "PDF, PNG, JPEG, XLSX or CSV"
# How programs start: a Windows executable, an ELF binary, a script.
EXECUTABLE = (b"MZ", b"\x7fELF", b"#!")


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def content_type(data: bytes) -> str | None:
    """The document's type from its first bytes (and, for a zip, its parts); None when it is
    none of the accepted types. An executable is never one."""
    if data.startswith(EXECUTABLE):
        return None
    if data.startswith(b"%PDF"):
        return PDF
    if data.startswith(b"\x89PNG"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK"):
        return XLSX if _is_workbook(data) else None
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return CSV


def _is_workbook(data: bytes) -> bool:
    """A zip holding a workbook (xl/…), as an XLSX file is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.startswith("xl/") for name in archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def document_problems(label: str, name: str, size: int, data: bytes | None) -> list[Problem]:
    """Why a document is refused: too large (data may be None then: it was not read), empty,
    an executable, or of a type not accepted."""
    field = f"attachment {name}"
    if size > MAX_BYTES:
        return [Problem(label, field, f"is {size_text(size)}; a document may be at most {size_text(MAX_BYTES)}")]
    if data is None or size == 0:
        return [Problem(label, field, "is empty")]
    if data.startswith(EXECUTABLE):
        return [Problem(label, field, f"is an executable program; only {ACCEPTED_TEXT} documents are accepted")]
    if content_type(data) is None:
        return [Problem(label, field, f"is not a {ACCEPTED_TEXT} document (checked by its content)")]
    return []
