"""Maintenance > Audit Trail: the recorded changes, newest first, searched by table, user, dates
and text; what changed on one line, the whole row before and after in the tooltip."""

from __future__ import annotations

import re
from datetime import date, timedelta

from PySide6.QtCore import Qt

from app.services import masterdata
from app.services.masterdata import VendorIn
from app.ui.audit_trail import AuditTrailScreen
from tests.ui.conftest import MASTER, show, wait_idle
from tests.ui.test_reports_screens import column_texts


def test_the_screen_shows_and_searches_the_trail(qtbot, env, ctx, example, qtmodeltester):
    example("B_marginal", MASTER)  # categories, vendors, products, GL accounts and reference
    with ctx.uow() as uow:
        masterdata.save_vendors(uow, [VendorIn("V100", "Northern Gypsum Inc")])
    screen = AuditTrailScreen(env)
    show(qtbot, screen)
    screen.start()
    wait_idle(qtbot, env)
    view = screen.view
    # the company, 8 categories, V100, 3 products, 5 accounts, 5 GL roles, then V100 renamed
    assert view.model().rowCount() == 1 + 8 + 1 + 3 + 5 + 5 + 1
    assert screen.summary.text() == "24 changes"
    assert [view.shown(0, c) for c in ("DB login", "User", "Table", "Action", "Record", "What changed")] == [
        "",  # SQLite has no logins
        "tester",
        "vendor",
        "UPDATE",
        "V100 (#1)",
        "name: 'Northern Gypsum Ltd' → 'Northern Gypsum Inc'",
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", view.shown(0, "When"))
    tip = view.model().index(0, screen.model.column_index("What changed")).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == (
        "Before: id 1, code 'V100', name 'Northern Gypsum Ltd', currency 'CAD', address '', active yes, "
        "billing_address '', email '', default_method 'CD', terms_days 30\n"
        "After: id 1, code 'V100', name 'Northern Gypsum Inc', currency 'CAD', address '', active yes, "
        "billing_address '', email '', default_method 'CD', terms_days 30"
    )
    qtmodeltester.check(screen.model)

    screen.table_box.setCurrentIndex(screen.table_box.findData("product"))
    wait_idle(qtbot, env)
    assert column_texts(view, "Record") == ["SPF-2X4-8 (#3)", "GYP-OTHER (#2)", "GYP-HALF-4X8 (#1)"]
    assert set(column_texts(view, "Action")) == {"INSERT"}
    assert column_texts(view, "What changed")[1] == (
        "id: 2; code: 'GYP-OTHER'; description: 'Gypsum other'; vendor_id: 1; cat1: 'GYPSUM'; "
        "cat2: 'GYP-BOARD'; cat3: 'GYP-REG'; cat4: 'GYP-REG-HALF'; unit_cost: 1.0000"
    )

    screen.text_edit.setText("gyp-other")
    screen.text_edit.editingFinished.emit()
    wait_idle(qtbot, env)
    assert column_texts(view, "Record") == ["GYP-OTHER (#2)"]
    assert screen.summary.text() == "1 change"

    screen.table_box.setCurrentIndex(0)  # all tables
    screen.text_edit.clear()
    screen.user_edit.setText("someone")
    screen.user_edit.editingFinished.emit()
    wait_idle(qtbot, env)
    assert view.model().rowCount() == 0 and screen.summary.text() == "0 changes"

    screen.user_edit.setText("tester")
    screen.date_to.set_value(date.today() - timedelta(days=1))
    screen.refresh()
    wait_idle(qtbot, env)
    assert view.model().rowCount() == 0
    screen.date_to.set_value(date.today())
    screen.refresh()
    wait_idle(qtbot, env)
    assert view.model().rowCount() == 24
