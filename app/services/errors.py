"""Typed errors raised by services. Every one leaves the database as it was."""

from __future__ import annotations

from app.domain.validation import Problem

__all__ = [
    "AlreadyPosted",
    "ImportFailed",
    "NotFound",
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
