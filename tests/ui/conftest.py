"""Shared fixtures of the screen tests: SQLite only, a headless interaction, real key presses."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QLineEdit, QWidget

from app.adapters import db
from app.services.context import AppContext
from app.ui.agreements import AgreementScreen
from app.ui.base import UiEnv
from app.ui.grid import GridView
from app.ui.interaction import HeadlessInteraction
from app.ui.operations import Runner
from tests.conftest import import_example

MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference")


@pytest.fixture(autouse=True)
def collect_on_the_ui_thread() -> Iterator[None]:
    """As the application does (app.ui.collector): no garbage collection in worker threads,
    which could free Qt objects of earlier tests on the wrong thread; collect here instead."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The screens are tested on SQLite (the services run on both backends elsewhere)."""
    url = f"sqlite:///{tmp_path / 'ui.sqlite'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    return url


def make_env(ctx: AppContext, tmp_path: Path, name: str = "ui") -> UiEnv:
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    return UiEnv(ctx, Runner(ctx, HeadlessInteraction()), settings)


@pytest.fixture
def env(ctx: AppContext, tmp_path: Path, qapp: QApplication) -> Iterator[UiEnv]:
    environment = make_env(ctx, tmp_path)
    yield environment
    environment.runner.wait()


@pytest.fixture
def example(ctx: AppContext) -> Callable[..., None]:
    def load(name: str, kinds: tuple[str, ...] = (*MASTER, "agreements")) -> None:
        import_example(ctx, name, kinds=kinds)

    return load


def show(qtbot, widget: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    activate(qtbot, widget)
    return widget


def activate(qtbot, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


@pytest.fixture
def open_agreements(qtbot, env: UiEnv) -> Callable[..., AgreementScreen]:  # type: ignore[no-untyped-def]
    def make(kind: str = "COOP", vendor: str | None = None, environment: UiEnv | None = None) -> AgreementScreen:
        screen = AgreementScreen(environment or env, kind)
        show(qtbot, screen)
        screen.start()
        if vendor:
            choose_vendor(qtbot, screen.vendor_box, vendor)
        return screen

    return make


def wait_idle(qtbot, env: UiEnv) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not env.runner.busy, timeout=30000)


def choose_vendor(qtbot, box: QComboBox, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type in the vendor box (code or part of the name) and press Enter."""
    line = box.lineEdit()
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def cell_pos(view: GridView, row: int, column: str) -> QPoint:
    model = view.model()
    index = model.index(row, model.column_index(column))  # type: ignore[attr-defined]
    view.scrollTo(index)
    return view.visualRect(index).center()


def click_cell(qtbot, view: GridView, row: int, column: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_pos(view, row, column))


def editor_of(view: GridView) -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None and widget is not view and view.isAncestorOf(widget), "no cell editor open"
    return widget


def type_cell(qtbot, view: GridView, row: int, column: str, text: str, commit: bool = True) -> QWidget:  # type: ignore[no-untyped-def]
    """Double-click a cell, replace its text by typing, and press Enter (or leave it open)."""
    pos = cell_pos(view, row, column)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    editor = editor_of(view)
    if isinstance(editor, QDateEdit):  # opens on the year: digits fill year, month, day
        QApplication.processEvents()
        assert editor.currentSection() == QDateEdit.Section.YearSection
        qtbot.keyClicks(editor, text.replace("-", ""))
    elif isinstance(editor, QLineEdit):
        editor.selectAll()
        qtbot.keyClicks(editor, text)
    elif isinstance(editor, QComboBox):
        qtbot.keyClicks(editor, text)
    if commit:
        press(qtbot, editor, Qt.Key.Key_Return)
    return editor


def press(qtbot, widget: QWidget, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    """A key press, then the events it posted (the delegate commits an edit queued)."""
    qtbot.keyClick(widget, key, modifier)
    QApplication.processEvents()


def date_text(view: GridView, row: int, column: str) -> str:
    model = view.model()
    return model.index(row, model.column_index(column)).data()  # type: ignore[attr-defined]


def qdate(text: str) -> QDate:
    return QDate.fromString(text, "yyyy-MM-dd")
