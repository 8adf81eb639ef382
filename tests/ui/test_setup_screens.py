"""GL reference, vendors, products and categories screens."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from app.services import queries
from app.ui.gl_reference import GlReferenceScreen
from app.ui.masterdata import CATEGORIES, PRODUCTS, VENDORS, RecordsScreen
from tests.ui.conftest import press, show, type_cell, wait_idle


def records_screen(qtbot, env, spec):
    screen = RecordsScreen(env, spec)
    show(qtbot, screen)
    screen.start()
    return screen


def test_gl_reference_maps_the_roles(qtbot, env, ctx, example):
    example("B_marginal", kinds=("gl-accounts",))
    screen = GlReferenceScreen(env)
    show(qtbot, screen)
    screen.start()
    assert list(screen.combos) == [
        "INVENTORY",
        "RECEIVED_NOT_INVOICED",
        "REBATE_RECEIVABLE",
        "ADVERTISING",
        "REBATE_EARNED",
        "DAMAGE_ALLOWANCE",  # Part II (SPEC §18)
        "FREIGHT_ALLOWANCE",
        "CLAIMS_RECEIVABLE",
        "CASH",
        "ACCOUNTS_PAYABLE",
        "REBATE_WRITE_OFF",
        "PURCHASE_PRICE_VARIANCE",
    ]
    assert screen.accounts.model.rowCount() == 5
    assert all(label.text() for label in screen.missing.values())  # nothing set yet
    for role, number in (("INVENTORY", "1200"), ("REBATE_RECEIVABLE", "1310")):
        combo = screen.combos[role]
        combo.setCurrentIndex(combo.findData(number))
    assert screen.missing["INVENTORY"].text() == ""
    press(qtbot, screen.combos["INVENTORY"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        mapping = queries.gl_reference(uow)
    assert mapping["INVENTORY"] == "1200" and mapping["REBATE_RECEIVABLE"] == "1310"
    assert mapping["ADVERTISING"] is None


def test_gl_accounts_are_added_in_the_grid(qtbot, env, ctx):
    screen = GlReferenceScreen(env)
    show(qtbot, screen)
    screen.start()
    view = screen.accounts.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    type_cell(qtbot, view, 0, "Number", "1200")
    type_cell(qtbot, view, 0, "Name", "Inventory")
    type_cell(qtbot, view, 0, "Type", "ASSET")
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        assert [(a.number, a.name, a.type) for a in queries.accounts(uow)] == [("1200", "Inventory", "ASSET")]
    assert screen.combos["INVENTORY"].findData("1200") > 0


def test_vendor_rows_with_problems_are_highlighted(qtbot, env, ctx):
    screen = records_screen(qtbot, env, VENDORS)
    view = screen.panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    type_cell(qtbot, view, 0, "Code", "V1")
    type_cell(qtbot, view, 0, "Name", "First")
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    type_cell(qtbot, view, 1, "Code", "V2")
    type_cell(qtbot, view, 1, "Name", "Second")
    type_cell(qtbot, view, 1, "Currency", "USD")
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    model = screen.panel.model
    assert "multi-currency" in model.index(1, model.column_index("Currency")).data(Qt.ItemDataRole.ToolTipRole)
    assert screen.panel.problems.messages()[0].startswith("Row 2, currency:")
    with ctx.uow() as uow:
        assert queries.vendors(uow) == []
    type_cell(qtbot, view, 1, "Currency", "CAD")
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        assert [(v.code, v.name, v.currency) for v in queries.vendors(uow)] == [
            ("V1", "First", "CAD"),
            ("V2", "Second", "CAD"),
        ]
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable  # a saved code stays


def test_products_and_categories_are_saved_from_their_grids(qtbot, env, ctx, example):
    example("B_marginal", kinds=("categories", "vendors"))
    categories = records_screen(qtbot, env, CATEGORIES)
    view = categories.panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    row = categories.panel.model.rowCount() - 1
    type_cell(qtbot, view, row, "Level", "2")
    type_cell(qtbot, view, row, "Code", "GYP-TRIM")
    type_cell(qtbot, view, row, "Parent", "GYPSUM")
    categories.save()
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        assert ("GYP-TRIM", "GYPSUM") in {(c.code, c.parent) for c in queries.categories(uow, 2)}
    products = records_screen(qtbot, env, PRODUCTS)
    view = products.panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    for column, text in (
        ("Code", "TRIM-1"),
        ("Description", "Trim"),
        ("Vendor", "V100"),
        ("CAT1", "GYPSUM"),
        ("CAT2", "GYP-TRIM"),
        ("Unit Cost", "2.3456"),
    ):
        type_cell(qtbot, view, 0, column, text)
    products.save()
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        [product] = queries.products(uow, "V100")
    assert (product.code, product.cats[:2], product.unit_cost) == ("TRIM-1", ("GYPSUM", "GYP-TRIM"), Decimal("2.3456"))


def test_vendor_billing_fields_and_product_vendor_item_from_the_grids(qtbot, env, ctx, example):
    """SPEC §11.1, §18: billing address, e-mail, default method, terms days; a bad e-mail or
    terms is named on its cell and nothing is saved."""
    example("B_marginal", kinds=("categories", "vendors", "products"))
    screen = records_screen(qtbot, env, VENDORS)
    view = screen.panel.view
    model = screen.panel.model
    assert (model.rows[0]["Method"], model.rows[0]["Terms Days"]) == ("CD", "30")  # the defaults
    view.setFocus()
    type_cell(qtbot, view, 0, "E-mail", "ap-northern.example")
    type_cell(qtbot, view, 0, "Terms Days", "400")
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert screen.panel.problems.messages() == [
        "Row 1, email: 'ap-northern.example' is not an e-mail address (name@domain)",
        "Row 1, terms_days: must be 0 to 365 days (got 400)",
    ]
    assert "e-mail" in model.index(0, model.column_index("E-mail")).data(Qt.ItemDataRole.ToolTipRole)
    with ctx.uow() as uow:
        assert queries.vendors(uow)[0].email == ""
    type_cell(qtbot, view, 0, "E-mail", "ap@northern.example")
    type_cell(qtbot, view, 0, "Terms Days", "45")
    type_cell(qtbot, view, 0, "Billing Address", "PO Box 12, Sudbury")
    type_cell(qtbot, view, 0, "Method", "SC")
    press(qtbot, view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        v = queries.vendors(uow)[0]
    assert (v.billing_address, v.email, v.default_method, v.terms_days) == (
        "PO Box 12, Sudbury",
        "ap@northern.example",
        "SC",
        45,
    )
    products = records_screen(qtbot, env, PRODUCTS)
    view = products.panel.view
    view.setFocus()
    type_cell(qtbot, view, 0, "Vendor Item", "NG-4411")
    products.save()
    wait_idle(qtbot, env)
    with ctx.uow() as uow:
        assert queries.products(uow)[0].vendor_item_code == "NG-4411"


def test_products_are_searched_in_sql_and_a_long_list_is_cut(qtbot, env, ctx, example, monkeypatch):
    """Issue 17: a search box on Products (code, description, vendor, vendor item; any case),
    read in SQL a page of masterdata.PAGE rows at a time; unsaved changes are kept
    unless the user agrees to discard them."""
    from app.ui import masterdata

    example("B_marginal", kinds=("categories", "vendors", "products"))
    screen = records_screen(qtbot, env, PRODUCTS)
    panel = screen.panel
    codes = [r["Code"] for r in panel.model.rows]
    assert len(codes) >= 2 and panel.shown.text() == f"{len(codes)} products"
    qtbot.keyClicks(panel.search, "half")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert [r["Code"] for r in panel.model.rows] == ["GYP-HALF-4X8"]
    monkeypatch.setattr(masterdata, "PAGE", 1)
    panel.search.clear()
    panel.reload()  # a page of one row, and the next as the grid is scrolled to its end
    qtbot.waitUntil(lambda: len(panel.model.rows) == len(codes))
    assert [r["Code"] for r in panel.model.rows] == codes and panel.shown.text() == f"{len(codes)} products"
    type_cell(qtbot, panel.view, 0, "Description", "Changed")
    env.runner.interaction.answers.append(False)  # type: ignore[attr-defined]  # keep the change
    panel.reload()
    assert panel.model.rows[0]["Description"] == "Changed"


def test_a_long_vendor_address_shows_whole_in_its_tooltip(qtbot, env, ctx, example):
    example("B_marginal", kinds=("vendors",))
    address = "1200 Industrial Parkway, Unit 14, Burnaby BC V5J 0A1"
    with ctx.uow() as uow:
        from app.models import Vendor

        uow.session.query(Vendor).update({Vendor.address: address})
        uow.commit()
    screen = records_screen(qtbot, env, VENDORS)
    model = screen.panel.model
    index = model.index(0, model.column_index("Address"))
    assert index.data(Qt.ItemDataRole.ToolTipRole) == address


def test_a_filter_under_every_column_narrows_the_products_in_sql(qtbot, env, ctx, example):
    """Issue 17: a filter box under each column of Products (read in SQL by the rule of
    app.domain.filters), lined up with its column as it is scrolled; one that cannot be read
    is marked and said, the rows staying; Esc clears it."""
    from app.ui.filter_header import BAD

    example("B_marginal", kinds=("categories", "vendors", "products"))
    screen = records_screen(qtbot, env, PRODUCTS)
    panel, header = screen.panel, screen.panel.filter_row
    assert header is not None and [b.column.name for b in header.boxes] == [c.name for c in PRODUCTS.columns]
    cat1 = header.boxes[panel.model.column_index("CAT1")]
    qtbot.keyClicks(cat1, "lumber")
    qtbot.waitUntil(lambda: [r["Code"] for r in panel.model.rows] == ["SPF-2X4-8"])
    assert panel.shown.text() == "1 product (filtered)"
    cost = header.boxes[panel.model.column_index("Unit Cost")]
    qtbot.keyClicks(cost, "abc")
    qtbot.keyClick(cost, Qt.Key.Key_Return)
    assert panel.shown.text() == "Unit Cost filter: 'abc' is not a number"
    assert cost.styleSheet() == BAD and cost.toolTip().startswith("'abc' is not a number")
    assert [r["Code"] for r in panel.model.rows] == ["SPF-2X4-8"]  # the rows shown stay
    cost.clear()
    qtbot.keyClicks(cost, "<=1")
    qtbot.keyClick(cost, Qt.Key.Key_Return)
    assert cost.styleSheet() == "" and [r["Code"] for r in panel.model.rows] == ["SPF-2X4-8"]
    cat1.setFocus()
    qtbot.keyClick(cat1, Qt.Key.Key_Escape)  # cleared: every product again
    assert cat1.text() == "" and len(panel.model.rows) == 3 and panel.shown.text() == "3 products (filtered)"
    screen.resize(500, 400)
    panel.view.horizontalScrollBar().setValue(panel.view.horizontalScrollBar().maximum())
    for i, box in enumerate(header.boxes):
        assert box.x() == header.sectionViewportPosition(i) + 1 and box.width() == header.sectionSize(i) - 2


def test_vendors_and_categories_filter_by_column(qtbot, env, ctx, example):
    example("B_marginal", kinds=("categories", "vendors"))
    with ctx.uow() as uow:
        from app.models import Vendor

        uow.session.add(Vendor(code="OLDCO", name="Old Company", currency="CAD", address="", active=False))
        uow.commit()
    panel = filtered(qtbot, records_screen(qtbot, env, VENDORS), "Active", "n")
    assert [r["Code"] for r in panel.model.rows] == ["OLDCO"] and panel.shown.text() == "1 vendor (filtered)"
    panel = filtered(qtbot, records_screen(qtbot, env, CATEGORIES), "Level", "=4")
    assert {r["Level"] for r in panel.model.rows} == {"4"} and len(panel.model.rows) >= 2


def filtered(qtbot, screen, column, typed):
    """The screen's panel once `typed` is typed in the column's filter box and Enter pressed."""
    panel = screen.panel
    assert panel.filter_row is not None
    box = panel.filter_row.boxes[panel.model.column_index(column)]
    qtbot.keyClicks(box, typed)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    return panel


def test_products_are_read_a_page_at_a_time_and_no_page_moves_a_row_added(qtbot, env, ctx, example, monkeypatch):
    """Issue 17 (100,000 products): the grid reads masterdata.PAGE rows, and the next page only
    when Qt asks for more (scrolled to the end); while a row added is not saved no page is
    read, so the new row and the "Row N" of a message stay where they are; a page that could
    not be read is asked for again."""
    from PySide6.QtCore import QModelIndex

    from app.ui import masterdata

    example("B_marginal", kinds=("categories", "vendors", "products"))
    monkeypatch.setattr(masterdata, "PAGE", 2)
    screen = RecordsScreen(env, PRODUCTS)  # not shown: Qt asks for no more rows by itself
    qtbot.addWidget(screen)
    screen.start()
    panel, model, root = screen.panel, screen.panel.model, QModelIndex()
    assert [r["Code"] for r in model.rows] == ["GYP-HALF-4X8", "GYP-OTHER"]
    assert panel.shown.text() == "first 2 read: scroll down for more, or search or filter to narrow"
    assert model.canFetchMore(root)
    panel.add()
    model.set_values(2, {"Code": "NEW-1"})
    assert not model.canFetchMore(root)
    assert panel.shown.text() == "first 2 read: save the rows added to read more, or search or filter to narrow"
    model.fetchMore(root)  # asked anyway: nothing moves
    assert [r["Code"] for r in model.rows] == ["GYP-HALF-4X8", "GYP-OTHER", "NEW-1"]
    panel.reload(force=True)  # the new row discarded: reading goes on
    real = queries.products

    def fails_once(*args, **kwargs):
        monkeypatch.setattr(queries, "products", real)
        raise RuntimeError("the server went away")

    monkeypatch.setattr(queries, "products", fails_once)
    model.fetchMore(root)
    assert len(model.rows) == 2 and model.canFetchMore(root)  # not read: asked again at the next scroll
    model.fetchMore(root)
    assert [r["Code"] for r in model.rows] == ["GYP-HALF-4X8", "GYP-OTHER", "SPF-2X4-8"]
    assert not model.canFetchMore(root) and panel.shown.text() == "3 products"


def test_a_filter_that_cannot_be_read_does_not_stop_a_save_from_showing_what_was_saved(qtbot, env, ctx, example):
    example("B_marginal", kinds=("categories", "vendors", "products"))
    screen = records_screen(qtbot, env, PRODUCTS)
    panel = filtered(qtbot, screen, "Unit Cost", "abc")
    assert panel.shown.text() == "Unit Cost filter: 'abc' is not a number"
    type_cell(qtbot, panel.view, 0, "Description", "Renamed")
    panel.save()
    wait_idle(qtbot, env)
    assert not panel.model.dirty and panel.model.changed() == []  # read again, with the filters last read
    assert panel.model.rows[0]["Description"] == "Renamed" and len(panel.model.rows) == 3
    vendors = filtered(qtbot, records_screen(qtbot, env, VENDORS), "Terms Days", ">=30")
    assert [r["Code"] for r in vendors.model.rows] == ["V100"]  # a number column, though kept as text
