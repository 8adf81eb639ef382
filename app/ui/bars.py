"""Helpers of the screens' bars and fields: a row of widgets (`hbox`), a path typed in a field
(`typed_path`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from .base import UiEnv

BarItem = QWidget | str | int | tuple[QWidget, int] | None


def hbox(*items: BarItem) -> QHBoxLayout:
    """A row of a screen's bar, left to right: a widget; (widget, stretch factor); text, shown
    as a label; a number, that many pixels of space; None, a stretch that takes the room left."""
    row = QHBoxLayout()
    for item in items:
        if item is None:
            row.addStretch(1)
        elif isinstance(item, int):
            row.addSpacing(item)
        elif isinstance(item, str):
            row.addWidget(QLabel(item))
        elif isinstance(item, tuple):
            row.addWidget(*item)
        else:
            row.addWidget(item)
    return row


def typed_path(env: UiEnv, parent: QWidget, title: str, edit: QLineEdit, missing: str) -> Path | None:
    """The path typed in edit (a leading ~ expanded); None, after saying `missing`, when it is blank."""
    text = edit.text().strip()
    if not text:
        env.interaction.error(parent, title, missing)
        return None
    return Path(text).expanduser()
