"""Typed errors raised by services. Every one leaves the database as it was."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.domain.validation import Problem

__all__ = [
    "AlreadyPosted",
    "ImportFailed",
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
