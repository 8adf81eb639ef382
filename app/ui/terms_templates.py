"""Terms and Conditions templates (SPEC §11.1; administrators): the company's text for each
kind of agreement, copied into every new agreement of that kind. A kind never saved shows
the program's default text."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.services import terms
from app.services.errors import ValidationFailed

from .base import ProblemList, Screen, UiEnv, heading


class TermsTemplatesScreen(Screen):
    title = "Terms and Conditions"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.loaded: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.kinds: list[str] = []
        self.current: str | None = None
        self.kind_list = QListWidget(self)
        self.kind_list.setMaximumWidth(240)
        self.kind_list.currentRowChanged.connect(self._kind_chosen)
        self.editor = QPlainTextEdit(self)
        self.note = QLabel("")
        self.note.setStyleSheet("color: #555;")
        self.save_button = QPushButton("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        default = QPushButton("Program default")
        default.setToolTip("Put the program's default text for this kind in the editor")
        default.clicked.connect(self._default)
        cancel = QPushButton("Cancel (Esc)")
        cancel.clicked.connect(self.cancel)
        bar = QHBoxLayout()
        bar.addWidget(heading("Terms and conditions templates by kind of agreement"))
        bar.addStretch(1)
        for button in (default, self.save_button, cancel):
            bar.addWidget(button)
        body = QHBoxLayout()
        body.addWidget(self.kind_list)
        right = QVBoxLayout()
        right.addWidget(self.note)
        right.addWidget(self.editor, 1)
        body.addLayout(right, 1)
        self.problems = ProblemList(lambda _r, _f: None)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)
        layout.addWidget(self.problems)

    def start(self) -> None:
        found = self.runner.call(self, self.title, lambda uow: terms.list_templates(uow)) or []
        self.kinds = [t.kind for t in found]
        self.loaded = {t.kind: t.text for t in found}
        self.texts = dict(self.loaded)
        self.stored = {t.kind: t.stored for t in found}
        self.current = None
        self.kind_list.blockSignals(True)
        self.kind_list.clear()
        self.kind_list.addItems([f"{t.name} ({t.kind})" for t in found])
        self.kind_list.blockSignals(False)
        if found:
            self.kind_list.setCurrentRow(0)
            self._kind_chosen(0)

    def _keep_current(self) -> None:
        if self.current is not None:
            self.texts[self.current] = self.editor.toPlainText()

    def _kind_chosen(self, row: int) -> None:
        self._keep_current()
        if not 0 <= row < len(self.kinds):
            return
        self.current = kind = self.kinds[row]
        self.editor.setPlainText(self.texts[kind])
        self.note.setText(
            "Copied into each new agreement of this kind; agreements already made keep their own copy."
            + ("" if self.stored.get(kind) else " Not saved yet: the program's default text.")
        )

    def _default(self) -> None:
        if self.current is not None:
            self.editor.setPlainText(terms.DEFAULT_TERMS[self.current])

    def changed(self) -> dict[str, str]:
        self._keep_current()
        return {kind: text for kind, text in self.texts.items() if text != self.loaded.get(kind)}

    def is_dirty(self) -> bool:
        return bool(self.changed())

    def discard(self) -> None:
        self.start()

    def save(self) -> None:
        if self.runner.busy:
            return
        changed = self.changed()
        if not changed:
            self.status_message.emit("Nothing to save")
            return
        self.runner.run(
            self,
            "Saving terms and conditions",
            lambda uow, _job: terms.save_templates(uow, changed),
            self._saved,
            on_error=self._failed,
        )

    def _saved(self, count: Any) -> None:
        self.problems.show_problems([])
        row = self.kind_list.currentRow()
        self.start()
        self.kind_list.setCurrentRow(row)
        self.status_message.emit(f"Saved {count} terms and conditions template{'s' if count != 1 else ''}")

    def _failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            self.problems.show_problems(exc.problems)
            return True
        return False
