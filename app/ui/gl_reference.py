"""GL reference (SPEC §6.1): the five account roles mapped to GL accounts, and the account list."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.vocabulary import ROLE_TEXT
from app.services import gl_accounts, queries
from app.services.errors import ValidationFailed

from .base import ProblemList, Screen, UiEnv
from .masterdata import ACCOUNTS, RecordsPanel

NOT_SET = "(not set)"


class GlReferenceScreen(Screen):
    title = "GL Reference"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.combos: dict[str, QComboBox] = {}
        self.missing: dict[str, QLabel] = {}
        self.loaded: dict[str, str | None] = {}
        box = QGroupBox("Account roles")
        form = QFormLayout(box)
        for role, text in ROLE_TEXT.items():
            combo = QComboBox()
            combo.setMinimumWidth(320)
            combo.currentIndexChanged.connect(lambda _i: self._mark_missing())
            note = QLabel()
            note.setStyleSheet("color: #a01010;")
            row = QHBoxLayout()
            row.addWidget(combo)
            row.addWidget(note)
            row.addStretch(1)
            form.addRow(f"{role} — {text}:", row)
            self.combos[role], self.missing[role] = combo, note
        save = QPushButton("Save roles (Ctrl+S)")
        save.clicked.connect(self.save)
        form.addRow("", save)
        self.problems = ProblemList(lambda _r, _f: None)
        self.accounts = RecordsPanel(env, ACCOUNTS, self)
        self.accounts.on_saved = self._fill_combos
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.problems)
        layout.addWidget(self.accounts, 1)

    def start(self) -> None:
        self.accounts.reload()
        self._fill_combos()

    def _fill_combos(self) -> None:
        accounts = self.runner.call(self, "GL accounts", lambda uow: queries.accounts(uow)) or []
        mapping = self.runner.call(self, "GL reference", lambda uow: queries.gl_reference(uow)) or {}
        self.loaded = dict(mapping)
        for role, combo in self.combos.items():
            combo.blockSignals(True)
            current = combo.currentData() or mapping.get(role)
            combo.clear()
            combo.addItem(NOT_SET, None)
            for a in accounts:
                combo.addItem(f"{a.number} — {a.name} ({a.type})", a.number)
            combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
            combo.blockSignals(False)
        self._mark_missing()

    def _mark_missing(self) -> None:
        for role, combo in self.combos.items():
            self.missing[role].setText("" if combo.currentData() else "no account: posting is refused")

    def mapping(self) -> dict[str, str | None]:
        return {role: combo.currentData() for role, combo in self.combos.items()}

    def is_dirty(self) -> bool:
        return self.mapping() != self.loaded or self.accounts.model.dirty

    def discard(self) -> None:
        for combo in self.combos.values():
            combo.setCurrentIndex(0)
        self.start()

    def save(self) -> None:
        if self.runner.busy:
            return
        if self.accounts.model.changed():
            self.accounts.save()
            return
        chosen = [(role, role, number) for role, number in self.mapping().items() if number]
        self.runner.run(
            self,
            "Saving GL reference",
            lambda uow, _job: gl_accounts.save_gl_reference(uow, chosen),
            self._saved,
            on_error=self._failed,
        )

    def _saved(self, _count: Any) -> None:
        self.problems.show_problems([])
        self._fill_combos()
        missing = [role for role, number in self.loaded.items() if not number]
        self.status_message.emit("GL reference saved" + (f"; still missing: {', '.join(missing)}" if missing else ""))

    def _failed(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationFailed):
            self.problems.show_problems(exc.problems)
            return True
        return False
