"""How the screens ask and tell the user (confirm, inform, error, choose a file): through
one injectable interaction, Qt's dialogs in the application (QtInteraction) and a recorder
with scripted answers in tests and screenshot scripts (HeadlessInteraction)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

MAX_LISTED = 25


class Interaction(Protocol):
    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool: ...
    def inform(self, parent: QWidget | None, title: str, text: str) -> None: ...
    def error(self, parent: QWidget | None, title: str, text: str, details: Sequence[str] = ()) -> None: ...
    def save_path(self, parent: QWidget | None, title: str, suggested: str, filters: str) -> str | None: ...
    def folder_path(self, parent: QWidget | None, title: str, start: str) -> str | None: ...
    def open_path(self, parent: QWidget | None, title: str, start: str, filters: str) -> str | None: ...
    def show_file(self, path: str) -> bool: ...


class QtInteraction:
    """Message boxes."""

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            parent,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def inform(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def error(self, parent: QWidget | None, title: str, text: str, details: Sequence[str] = ()) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
        if details:
            shown = list(details[:MAX_LISTED])
            if len(details) > MAX_LISTED:
                shown.append(f"… and {len(details) - MAX_LISTED} more")
            box.setInformativeText("\n".join(f"• {d}" for d in shown))
            box.setDetailedText("\n".join(details))
        box.exec()

    def save_path(self, parent: QWidget | None, title: str, suggested: str, filters: str) -> str | None:
        """A file to write (None when cancelled); filters like "PDF (*.pdf);;CSV (*.csv)".

        The dialog does not ask about replacing a file: the extension may be added after
        it closes, so Runner.run_writing asks once the file to write is known.
        """
        path, chosen = QFileDialog.getSaveFileName(
            parent, title, suggested, filters, options=QFileDialog.Option.DontConfirmOverwrite
        )
        if path and not Path(path).suffix:
            match = re.search(r"\*(\.\w+)", chosen)
            path += match.group(1) if match else ""
        return path or None

    def folder_path(self, parent: QWidget | None, title: str, start: str) -> str | None:
        return QFileDialog.getExistingDirectory(parent, title, start) or None

    def open_path(self, parent: QWidget | None, title: str, start: str, filters: str) -> str | None:
        """An existing file to read (None when cancelled)."""
        path, _chosen = QFileDialog.getOpenFileName(parent, title, start, filters)
        return path or None

    def show_file(self, path: str) -> bool:
        """Open a written file in the desktop's viewer, where there is one."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


@dataclass
class Message:
    kind: str  # confirm, inform, error, save_path, folder_path, open_path, show_file
    title: str
    text: str
    details: tuple[str, ...] = ()


@dataclass
class HeadlessInteraction:
    """Records every message; confirm answers from `answers` (then `default`)."""

    default: bool = True
    answers: list[bool] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    chosen_paths: list[str] = field(default_factory=list)  # save_path / folder_path / open_path answers (then None)

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        self.messages.append(Message("confirm", title, text))
        return self.answers.pop(0) if self.answers else self.default

    def inform(self, parent: QWidget | None, title: str, text: str) -> None:
        self.messages.append(Message("inform", title, text))

    def error(self, parent: QWidget | None, title: str, text: str, details: Sequence[str] = ()) -> None:
        self.messages.append(Message("error", title, text, tuple(details)))

    def save_path(self, parent: QWidget | None, title: str, suggested: str, filters: str) -> str | None:
        self.messages.append(Message("save_path", title, suggested, (filters,)))
        return self.chosen_paths.pop(0) if self.chosen_paths else None

    def folder_path(self, parent: QWidget | None, title: str, start: str) -> str | None:
        self.messages.append(Message("folder_path", title, start))
        return self.chosen_paths.pop(0) if self.chosen_paths else None

    def open_path(self, parent: QWidget | None, title: str, start: str, filters: str) -> str | None:
        self.messages.append(Message("open_path", title, start, (filters,)))
        return self.chosen_paths.pop(0) if self.chosen_paths else None

    def show_file(self, path: str) -> bool:
        self.messages.append(Message("show_file", "Open file", path))
        return True

    def of_kind(self, kind: str) -> list[Message]:
        return [m for m in self.messages if m.kind == kind]
