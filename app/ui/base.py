"""What every screen gets (context, runner, settings) and the screen base class."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .interaction import Interaction
from .operations import Runner

if TYPE_CHECKING:  # the main window shows before SQLAlchemy and the services are imported
    from app.services.context import AppContext


@dataclass
class UiEnv:
    ctx: AppContext
    runner: Runner
    settings: QSettings

    @property
    def interaction(self) -> Interaction:
        return self.runner.interaction

    @property
    def last_vendor(self) -> str | None:
        value = self.settings.value("last_vendor")
        return str(value) if value else None

    @last_vendor.setter
    def last_vendor(self, code: str | None) -> None:
        self.settings.setValue("last_vendor", code or "")


class Screen(QWidget):
    """A tab of the main window. Ctrl+S saves, Esc cancels (after confirmation)."""

    title = "Screen"
    status_message = Signal(str)

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.save_action = self.add_shortcut("Save", QKeySequence.StandardKey.Save, self.save)

    def add_shortcut(
        self, text: str, key: QKeySequence | QKeySequence.StandardKey | str, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    @property
    def runner(self) -> Runner:
        return self.env.runner

    def is_dirty(self) -> bool:
        return False

    def save(self) -> None:
        """Screens with something to save override this."""

    def discard(self) -> None:
        """Reload from the database, dropping unsaved changes."""

    def cancel(self) -> None:
        if not self.is_dirty():
            return
        if self.env.interaction.confirm(self, "Cancel changes", "Discard the unsaved changes?"):
            self.discard()

    def can_close(self) -> bool:
        return not self.is_dirty() or self.env.interaction.confirm(
            self, "Close " + self.title, "Close without saving? The unsaved changes are lost."
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)


class ProblemList(QListWidget):
    """The messages of a refused save; activating one goes to its cell."""

    def __init__(self, go_to: Callable[[str, str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.go_to = go_to
        self.setMaximumHeight(110)
        self.setStyleSheet("QListWidget { color: #8a1010; }")
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self.hide()

    def show_problems(self, problems: Sequence[object]) -> None:
        self.clear()
        for problem in problems:
            item = QListWidgetItem(str(problem))
            item.setData(Qt.ItemDataRole.UserRole, (problem.record, problem.field))  # type: ignore[attr-defined]
            self.addItem(item)
        self.setVisible(bool(problems))

    def messages(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        record, field = item.data(Qt.ItemDataRole.UserRole)
        self.go_to(record, field)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold;")
    return label


def lay_out_form_dialog(
    dialog: QDialog, note: str, rows: list[tuple[str, QWidget | QLayout]], status: QLabel, action: QPushButton
) -> None:
    """A dialog of one form: a note on top, the labelled rows, and at the bottom the
    status (stretching), the action (the default button) and Close."""
    action.setDefault(True)
    close = QPushButton("Close")
    close.clicked.connect(dialog.close)
    form = QFormLayout()
    for label, field in rows:
        form.addRow(label, field)
    buttons = QHBoxLayout()
    buttons.addWidget(status, 1)
    buttons.addWidget(action)
    buttons.addWidget(close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel(note))
    layout.addLayout(form)
    layout.addLayout(buttons)
