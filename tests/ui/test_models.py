"""Every table model passes pytest-qt's model tester, with rows, edits, inserts and removals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.domain.money import ZERO
from app.services import agreements, queries, receiving
from app.services.agreements import LineDraft
from app.ui.agreement_lines import AgreementLinesModel
from app.ui.history import HISTORY_SPEC, HistoryModel, history_events
from app.ui.list_model import ListModel
from app.ui.masterdata import CATEGORIES, PRODUCTS, VENDORS, RecordsModel
from app.ui.models import Column, fmt_decimal
from app.ui.receiving_panels import JOURNAL_SPEC, PREVIEW_SPEC
from app.ui.slip_lines import SlipLinesModel

SEED = LineDraft(
    label="x",
    line_no=1,
    cats=("GYPSUM", "ALL", "ALL", "ALL"),
    max_amount=Decimal("999999999.00"),
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    rebates=(Decimal(2), Decimal("1.5"), Decimal(1), Decimal("0.5")),
    degressive=True,
)


@pytest.mark.parametrize("product, periodic", [(False, False), (True, True)])
def test_agreement_lines_model(qtmodeltester, product, periodic):
    model = AgreementLinesModel(product, periodic, agreements.result_of, LineDraft)
    line = (
        SEED
        if not product
        else LineDraft(
            label="p",
            line_no=2,
            product="GYP-HALF-4X8",
            max_amount=Decimal(10),
            start=date(2026, 1, 1),
            end=date(2026, 3, 31),
            rebates=(Decimal(1), None, None, None),
            period="Q",
        )
    )
    model.load([line, line], agreements.line_values)
    qtmodeltester.check(model, force_py=True)
    model.insert_row(1, model.new_row(0))
    model.setData(model.index(1, model.column_index("Rebate 1")), "3")
    model.setData(model.index(0, model.column_index("Deg")), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    model.remove_rows([2])
    qtmodeltester.check(model, force_py=True)
    assert model.columns[-1].name == ("Period" if periodic else "Product %")
    names = [c.name for c in model.columns]
    scope = ["Product"] if product else ["CAT1", "CAT2", "CAT3", "CAT4"]
    assert names[: len(scope) + 10] == [
        *scope,
        "Maximum Amount",
        "Start Date",
        "End Date",
        "Rebate 1",
        "Rebate 2",
        "Rebate 3",
        "Rebate 4",
        "M",
        "Deg",
        "Retro",
    ]
    assert names[len(scope) + 10 : len(scope) + 12] == ["Result", "Product %"]


def test_result_column_is_read_only_and_exact():
    model = AgreementLinesModel(False, False, agreements.result_of, LineDraft)
    model.load([SEED], agreements.line_values)
    result = model.index(0, model.column_index("Result"))
    assert result.data() == "4.913"
    assert not model.setData(result, "1")
    assert not model.flags(result) & Qt.ItemFlag.ItemIsEditable
    assert (
        model.index(0, model.column_index("Maximum Amount")).data() == "no limit"
    )  # stored 999,999,999.00 (SPEC §3.2)
    assert model.drafts()[0].rebates == SEED.rebates and model.drafts()[0].label == "Group row 1"


def test_decimal_cells_never_take_floats_or_garbage():
    model = AgreementLinesModel(False, False, agreements.result_of, LineDraft)
    model.load([SEED], agreements.line_values)
    index = model.index(0, model.column_index("Rebate 1"))
    assert not model.setData(index, 2.5)  # a float is refused
    assert not model.setData(index, "abc")
    assert not model.setData(index, "-1")
    assert model.setData(index, "2.125")
    assert model.rows[0]["Rebate 1"] == Decimal("2.125")
    assert fmt_decimal(Decimal("2.125"), 2, 4) == "2.125" and fmt_decimal(Decimal(2), 2, 4) == "2.00"


def test_slip_lines_model(qtmodeltester):
    model = SlipLinesModel(receiving.extended)
    model.products = {"A": queries.ProductRow("A", "Alpha", "V", ("X", None, None, None), Decimal("1.25"))}
    model.set_rows([{"Product": "A", "Quantity": Decimal(4), "Unit Cost": Decimal("1.25")}, {}])
    qtmodeltester.check(model, force_py=True)
    model.setData(model.index(1, model.column_index("Product")), "A")
    assert model.rows[1]["Unit Cost"] == Decimal("1.25")
    model.setData(model.index(1, model.column_index("Quantity")), "-2")
    assert model.index(1, model.column_index("Extended")).data() == "-2.50"
    assert model.total() == Decimal("2.50")
    model.set_credits({1: (Decimal("0.10"), Decimal("1.2250"))})
    qtmodeltester.check(model, force_py=True)


def test_slip_lines_as_the_service_takes_them_and_the_preview_credits():
    model = SlipLinesModel(receiving.extended)
    model.set_rows(
        [
            {"Product": "A", "Quantity": Decimal(4), "Unit Cost": Decimal("1.25")},
            {"Product": "B", "Quantity": Decimal(3), "Unit Cost": Decimal("1.00")},
            {},
        ]
    )
    lines = model.lines_in("Line")
    assert lines == (
        receiving.SlipLineIn(1, "A", Decimal(4), Decimal("1.25"), label="Line 1"),
        receiving.SlipLineIn(2, "B", Decimal(3), Decimal("1.00"), label="Line 2"),
        receiving.SlipLineIn(3, "", Decimal(0), None, label="Line 3"),
    )

    def row(applied: str, net: str) -> receiving.PreviewRow:
        money = Decimal(applied)
        return receiving.PreviewRow(1, "COOP", "A", "1", 1, Decimal(2), money, ZERO, money, Decimal(net))

    # line 1: two ladders apply to its cost; line 2: no rebate, its own cost; line 3: not previewed
    model.show_preview(lines[:2], [row("0.10", "1.2250"), row("0.20", "1.1750")])
    assert model.credits == {
        1: (Decimal("0.30"), Decimal("1.1750")),
        2: (Decimal("0.00"), Decimal("1.0000")),
    }


def test_list_models(qtmodeltester):
    at = datetime(2026, 1, 2, 3, 4, 5)
    rows = [agreements.HistoryRow(1, "Rebate 1", "2", "2.5", "tester", at),
            agreements.HistoryRow(1, "Maximum Amount", "30000", "999999999", "tester", at)]  # fmt: skip
    history = HistoryModel(HISTORY_SPEC, history_events(rows))
    qtmodeltester.check(history, force_py=True)
    assert history.rowCount() == 1  # one save of one line: one event, its fields in the grid's order
    assert [history.index(0, c).data() for c in range(1, 4)] == [
        "2 fields", "Maximum Amount 30,000.00; Rebate 1 2.00", "Maximum Amount no limit; Rebate 1 2.50"
    ]  # fmt: skip
    preview = ListModel(
        PREVIEW_SPEC,
        [
            receiving.PreviewRow(
                1,
                "COOP",
                "GYPSUM / ALL / ALL / ALL",
                "1",
                1,
                Decimal("2.000"),
                Decimal("500.00"),
                Decimal(0),
                Decimal(0),
                Decimal("1.0000"),
            )
        ],
    )
    qtmodeltester.check(preview, force_py=True)
    journal = ListModel(
        JOURNAL_SPEC,
        [
            queries.JournalRow(
                1,
                date(2026, 2, 1),
                "ACCRUAL",
                1,
                "1310",
                "REBATE_RECEIVABLE",
                Decimal("500.00"),
                Decimal(0),
                "GYP-OTHER",
                "COOP",
                "memo",
            )
        ],
    )
    qtmodeltester.check(journal, force_py=True)
    assert journal.index(0, 6).data() == "500.00" and journal.index(0, 7).data() == ""
    journal.set_records([])
    qtmodeltester.check(journal, force_py=True)


@pytest.mark.parametrize("spec", [VENDORS, PRODUCTS, CATEGORIES])
def test_records_models(qtmodeltester, spec):
    model = RecordsModel(spec)
    model.set_rows([{"Code": "A", "_saved": True}, {"Code": "B", "_saved": True}])
    qtmodeltester.check(model, force_py=True)
    key = model.index(0, model.column_index("Code"))
    assert not model.flags(key) & Qt.ItemFlag.ItemIsEditable
    model.insert_row(2, {"_changed": True})
    assert model.flags(model.index(2, model.column_index("Code"))) & Qt.ItemFlag.ItemIsEditable
    qtmodeltester.check(model, force_py=True)


def test_agreement_cells_as_painted_and_edited():
    """What each role gives for the cells of a loaded agreement (the values are made when a
    cell is asked for, from the rows; the brushes and flags are shared constants)."""
    lines = [
        SEED,
        LineDraft(
            label="y",
            line_no=2,
            cats=("GYPSUM", None, None, None),
            max_amount=Decimal("1234.5"),
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            rebates=(Decimal("1.2345"), None, None, None),
        ),
        LineDraft(
            label="z",
            line_no=7,
            cats=("STEEL", "ALL", "ALL", "ALL"),
            max_amount=Decimal(5),
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            rebates=(None, None, None, None),
            retro=True,
        ),
    ]
    model = AgreementLinesModel(False, False, agreements.result_of, LineDraft)
    model.load(lines, agreements.line_values)

    def cell(row: int, name: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        return model.index(row, model.column_index(name)).data(role)

    edit, check, background = Qt.ItemDataRole.EditRole, Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.BackgroundRole
    assert [cell(1, n) for n in ("CAT1", "CAT2", "Maximum Amount", "Start Date", "Rebate 1", "Rebate 2", "M")] == [
        "GYPSUM",
        "ALL",
        "1,234.50",
        "2026-01-01",
        "1.2345",
        "",
        "SC",
    ]
    assert cell(0, "Maximum Amount") == "no limit" and cell(0, "Maximum Amount", edit) == "999999999.00"
    assert cell(0, "Rebate 2") == "1.50" and cell(1, "Rebate 1", edit) == "1.2345"
    assert cell(0, "Result") == "4.913" and cell(2, "Result") == ""  # 1 - .98 × .985 × .99 × .995 (Deg)
    assert cell(0, "Deg") == "" and cell(0, "Deg", check) == Qt.CheckState.Checked
    assert cell(2, "Deg", check) == Qt.CheckState.Unchecked and cell(2, "Retro", check) == Qt.CheckState.Checked
    assert cell(1, "Start Date", edit).toString("yyyy-MM-dd") == "2026-01-01"
    assert model.headerData(2, Qt.Orientation.Vertical) == "7"
    # one band per ladder (rows 0 and 1 are the same ladder: a blank level is ALL)
    assert [cell(r, "CAT1", background).color().name() for r in range(3)] == ["#ffffff", "#ffffff", "#e9f0f9"]
    assert cell(0, "Result", background).color().name() == "#f3f3f3"
    assert model.ladder_rows(1) == [0, 1] and model.ladder_rows(2) == [2]
    flags = model.index(0, model.column_index("Rebate 1")).flags()
    assert flags & Qt.ItemFlag.ItemIsEditable and not flags & Qt.ItemFlag.ItemIsUserCheckable
    assert model.index(0, model.column_index("Deg")).flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.index(0, model.column_index("Result")).flags() & Qt.ItemFlag.ItemIsEditable
    model.set_problems({(1, "Rebate 1"): "too high"})
    assert cell(1, "Rebate 1", background).color().name() == "#f6c9c9"
    assert cell(1, "Rebate 1", Qt.ItemDataRole.ToolTipRole) == "too high"
    model.read_only = True
    assert model.index(0, model.column_index("Rebate 1")).flags() == (
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    )


def test_an_entry_or_line_number_reads_without_a_thousands_separator():
    from app.ui.journal import JOURNAL_COLUMNS as COLUMNS

    entry = next(c for c in COLUMNS if c.name == "Entry")
    line = next(c for c in COLUMNS if c.name == "Line")
    record = {"entry_no": 1608, "line_no": 1200}
    assert (entry.display(record), line.display(record)) == ("1608", "1200")
    assert entry.numeric  # right-aligned and sorted as a number


def test_a_long_text_in_a_list_shows_whole_in_its_tooltip():
    from app.ui.list_model import RecordSpec

    note = "provisional rate: no accepted agreement of this kind covers the line"
    model = ListModel(
        RecordSpec(columns=(Column("Note"), Column("Rebate", "decimal"))), [{"Note": note, "Rebate": None}]
    )
    model.records.append({"Note": "short", "Rebate": None})
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == note
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None
