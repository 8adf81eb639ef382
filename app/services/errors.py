"""Typed errors raised by services. Every one leaves the database as it was."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.money import units_text
from app.domain.validation import Problem

if TYPE_CHECKING:  # the window imports the errors at start, the accrual engine only when needed
    from app.domain.accrual_audit import CacheDifference

__all__ = [
    "AlreadyPosted",
    "ImportFailed",
    "JournalMismatch",
    "NotFound",
    "OutputExists",
    "OutputFailed",
    "OutputRefused",
    "PermissionDenied",
    "PostingRefused",
    "Problem",
    "ServiceError",
    "StaleRecord",
    "ValidationFailed",
]


class ServiceError(Exception):
    pass


class ValidationFailed(ServiceError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ImportFailed(ValidationFailed):
    pass


class NotFound(ServiceError):
    pass


class StaleRecord(ServiceError):
    def __init__(self, record: str, changed_by: str, changed_at: str) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(
            f"{record} was changed by {changed_by} at {changed_at} since you opened it; "
            "reload it and apply your changes again."
        )


class AlreadyPosted(ServiceError):
    pass


class PostingRefused(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class OutputRefused(ServiceError):
    """An output file that may not be written there (app.services.outfile); nothing was written."""


class OutputExists(OutputRefused):
    """Output files that are already there and are replaced only when asked (--force)."""

    def __init__(self, paths: Sequence[Path], folder: Path | None = None) -> None:
        self.paths = tuple(paths)
        self.folder = folder
        plural = len(self.paths) != 1
        super().__init__(f"{self.what()}; use --force to replace {'them' if plural else 'it'}")

    def what(self) -> str:
        """Which files are there, without the command-line advice (screens ask instead)."""
        if self.folder is None and len(self.paths) == 1:
            return f"{self.paths[0]} already exists"
        shown = ", ".join(p.name for p in self.paths[:3]) + (", …" if len(self.paths) > 3 else "")
        n = len(self.paths)
        return f"{n} file{'s' if n != 1 else ''} already {'exist' if n != 1 else 'exists'} in {self.folder} ({shown})"


class OutputFailed(ServiceError):
    """An output file that could not be written (disk full, no permission); the file that
    was there is unchanged and no partial file is left."""


class JournalMismatch(ServiceError):
    """`rerate --full` found vendors whose line_accrual differs from their journal (changed
    outside the program): those vendors were not re-rated and nothing was posted for them;
    the other vendors were re-rated and committed (`posted` RERATE entries).

    held: (vendor code, differences) per vendor, in vendor order."""

    SHOWN = 20  # differences named in the message; `coop audit` lists them all

    def __init__(self, posted: int, held: Sequence[tuple[str, Sequence[CacheDifference]]]) -> None:
        self.posted = posted
        self.held = [(code, list(differences)) for code, differences in held]
        self.lines = [
            f"{code} slip {d.slip_no} line {d.line_no} {d.kind} {d.field}: line_accrual "
            f"{units_text(d.cached, 2)}, journal {units_text(d.journal, 2)}"
            for code, differences in self.held
            for d in differences
        ]
        n = len(self.held)
        done = f"Re-rated the other vendors: {posted} RERATE entries posted." if posted else "Nothing else to post."
        shown = "\n  ".join(self.lines[: self.SHOWN])
        more = f"\n  … and {len(self.lines) - self.SHOWN} more" if len(self.lines) > self.SHOWN else ""
        super().__init__(
            f"{n} vendor{'s' if n != 1 else ''} not re-rated: the accruals cached in line_accrual differ from "
            f"the journal (changed outside the program?); nothing was posted for "
            f"{'them' if n != 1 else 'it'}. {done} `coop audit` lists every difference:\n  {shown}{more}"
        )
