"""Vendor invoices matched to receipts and the payment run (SPEC §15–§16, example N), on both
backends: exact amounts in the journal and on the co-op invoices, each defect held, bad input
refused with nothing written, never below zero, a held line resolved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import (
    InvoiceResolution,
    JournalEntry,
    JournalLine,
    PaymentRun,
    PaymentRunLine,
    PaymentRunVendor,
    Settlement,
    VendorInvoice,
    VendorInvoiceLine,
)
from app.services import disputes, month_close, payment_run, posting
from app.services.errors import ValidationFailed
from app.services.invoice_views import invoice_by_number
from app.services.vendor_invoice_lines import line_views, missing_invoices, resolve_line
from app.services.vendor_invoices import VendorInvoiceIn, VendorInvoiceLineIn, enter_vendor_invoices
from tests.conftest import EXAMPLES, import_example, import_text

D = Decimal
FEB15 = date(2026, 2, 15)
CO = "CO-2601-V100-0001"


@pytest.fixture
def example_n(ctx):  # type: ignore[no-untyped-def]
    """A COOP ladder at 2 % (CD); S1 (Jan 10, 12,000.00) and S2 (Feb 2, 200.00) posted; January
    closed: CO-2601-V100-0001 of 240.00 (CD). No vendor invoice yet."""
    import_example(ctx, "N_payment_run")
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 2, 2))
    assert month_close.close_month(ctx, "2026-01", date(2026, 2, 1)).invoices == [CO]
    return ctx


def invoice(no: str, *lines: tuple[str, int, str, str, str], due: date = FEB15) -> VendorInvoiceIn:
    return VendorInvoiceIn(
        no, "V100", date(2026, 1, 16), due,
        tuple(VendorInvoiceLineIn(s, n, p, D(q), D(c), f"{no} line {i}") for i, (s, n, p, q, c) in enumerate(lines, 1)),
        no,
    )  # fmt: skip


AP1 = ("S1", 1, "GYP-OTHER", "12000", "1.00")


def enter(ctx, *records: VendorInvoiceIn):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return enter_vendor_invoices(uow, list(records))


def run(ctx, day: date = FEB15):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return payment_run.run_payments(uow, day)


def entry_of(ctx, source: str) -> list[tuple[str, Decimal, Decimal]]:  # type: ignore[no-untyped-def]
    jl, je = JournalLine, JournalEntry
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(jl.role, func.sum(jl.debit), func.sum(jl.credit))
            .join(je, je.id == jl.entry_id)
            .where(je.source == source)
            .group_by(jl.role)
            .order_by(jl.role)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def coop_open(ctx) -> tuple[Decimal, str]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        view = invoice_by_number(uow.session, CO)
        assert view is not None
        return view.open_amount, view.status


def counts(ctx) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(t))  # type: ignore[misc]
            for t in (VendorInvoice, VendorInvoiceLine, JournalEntry, PaymentRun, PaymentRunLine, Settlement)
        )


def test_example_n_deduction_in_a_payment_run(example_n):
    ctx = example_n
    (entered,) = enter(ctx, invoice("AP-1", AP1))
    assert (entered.amount, entered.held) == (D("12000.00"), 0)
    assert entry_of(ctx, "VENDOR_INVOICE") == [
        ("ACCOUNTS_PAYABLE", D("0.00"), D("12000.00")),
        ("RECEIVED_NOT_INVOICED", D("12000.00"), D("0.00")),
    ]
    assert run(ctx, date(2026, 2, 14)).vendors == ()  # not due yet
    result = run(ctx)
    (paid,) = result.vendors
    assert (paid.payment.gross, paid.payment.deducted, paid.payment.net) == (D("12000.00"), D("240.00"), D("11760.00"))
    assert entry_of(ctx, "PAYMENT_RUN") == [
        ("ACCOUNTS_PAYABLE", D("12000.00"), D("0.00")),
        ("CASH", D("0.00"), D("11760.00")),
        ("CLAIMS_RECEIVABLE", D("0.00"), D("240.00")),
    ]
    assert coop_open(ctx) == (D("0.00"), "PAID")
    with ctx.uow() as uow:
        row = uow.session.scalars(select(PaymentRunVendor)).one()
        assert (row.gross, row.deductions, row.provision, row.net) == (
            D("12000.00"),
            D("240.00"),
            D("0.00"),
            D("11760.00"),
        )
        kind, amount = uow.session.execute(select(Settlement.kind, Settlement.amount)).one()
        assert (kind, amount) == ("DEDUCTION", D("240.00"))
    before = counts(ctx)
    assert run(ctx, date(2026, 3, 1)).vendors == ()  # paid once
    assert counts(ctx) == before


def test_example_n_with_100_under_open_dispute(example_n):
    ctx = example_n
    with ctx.uow() as uow:
        disputes.file_dispute(uow, CO, "RATE", D("100.00"), "Rate", "Tier", [], date(2026, 2, 5))
    enter(ctx, invoice("AP-1", AP1))
    (paid,) = run(ctx).vendors
    assert (paid.payment.deducted, paid.payment.net) == (D("140.00"), D("11860.00"))
    assert coop_open(ctx) == (D("100.00"), "SHORT_PAID")


def test_never_below_zero_what_cannot_be_deducted_stays_open(example_n):
    ctx = example_n
    enter(ctx, invoice("AP-2", ("S2", 1, "GYP-HALF-4X8", "100", "2.00")))
    (paid,) = run(ctx).vendors
    assert (paid.payment.gross, paid.payment.deducted, paid.payment.net) == (D("200.00"), D("200.00"), D("0.00"))
    assert entry_of(ctx, "PAYMENT_RUN") == [
        ("ACCOUNTS_PAYABLE", D("200.00"), D("0.00")),
        ("CLAIMS_RECEIVABLE", D("0.00"), D("200.00")),
    ]
    assert coop_open(ctx) == (D("40.00"), "SHORT_PAID")
    enter(ctx, invoice("AP-1", AP1))  # the next run deducts the rest
    (paid,) = run(ctx, date(2026, 2, 20)).vendors
    assert (paid.payment.deducted, paid.payment.net) == (D("40.00"), D("11960.00"))
    assert coop_open(ctx) == (D("0.00"), "PAID")


def test_each_defect_is_held_and_posts_nothing(example_n):
    ctx = example_n
    (entered,) = enter(
        ctx,
        invoice(
            "AP-9",
            ("S1", 1, "GYP-OTHER", "100", "1.00"),  # matched
            ("S1", 1, "NO-SUCH", "1", "1.00"),
            ("S1", 1, "GYP-HALF-4X8", "1", "2.00"),  # S1's line is of GYP-OTHER
            ("S1", 2, "GYP-OTHER", "1", "1.00"),  # S1 has no line 2
            ("S1", 1, "GYP-OTHER", "11901", "1.00"),  # 11,900 left to invoice
            ("S1", 1, "GYP-OTHER", "10", "1.02"),
            ("S1", 1, "GYP-OTHER", "10", "1.01"),  # within a cent: PPV 0.10
        ),
    )
    assert [m.defect for m in entered.matches] == [
        None, "UNRECOGNIZED_PRODUCT", "PRODUCT_NOT_ON_SLIP", "PRODUCT_NOT_ON_SLIP", "QUANTITY_OVER_RECEIVED",
        "COST_MISMATCH", None,
    ]  # fmt: skip
    assert entry_of(ctx, "VENDOR_INVOICE") == [
        ("ACCOUNTS_PAYABLE", D("0.00"), D("110.10")),
        ("PURCHASE_PRICE_VARIANCE", D("0.10"), D("0.00")),
        ("RECEIVED_NOT_INVOICED", D("110.00"), D("0.00")),
    ]
    with ctx.uow() as uow:
        states = [(v.line_no, v.state) for v in line_views(uow.session)]
    assert states == [(1, "MATCHED"), (2, "HELD"), (3, "HELD"), (4, "HELD"), (5, "HELD"), (6, "HELD"), (7, "MATCHED")]
    (paid,) = run(ctx).vendors  # only the matched lines are payable
    assert (paid.payment.gross, paid.payment.deducted, paid.payment.net) == (D("110.10"), D("110.10"), D("0.00"))


def test_a_duplicate_invoice_number_is_refused_with_nothing_written(example_n):
    ctx = example_n
    enter(ctx, invoice("AP-1", AP1))
    before = counts(ctx)
    with pytest.raises(ValidationFailed, match="invoice AP-1 of V100 is recorded already"):
        enter(ctx, invoice("AP-7", ("S2", 1, "GYP-HALF-4X8", "1", "2.00")), invoice("AP-1", AP1))
    with pytest.raises(ValidationFailed, match="is given twice"):
        enter(ctx, invoice("AP-8", AP1), invoice("AP-8", AP1))
    assert counts(ctx) == before


def test_bad_input_is_refused_with_nothing_written(example_n):
    ctx = example_n
    before = counts(ctx)
    bad = [
        VendorInvoiceIn(
            "X-1", "NOPE", date(2026, 1, 16), FEB15, (VendorInvoiceLineIn("S1", 1, "GYP-OTHER", D(1), D(1)),)
        ),
        invoice("X-2", ("S1", 1, "GYP-OTHER", "-5", "1.00")),
        invoice("X-3", AP1, due=date(2026, 1, 15)),
    ]
    with pytest.raises(ValidationFailed) as refused:
        enter(ctx, *bad)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("vendor_code", "vendor NOPE does not exist"),
        ("quantity", "must be greater than 0 (got -5; a credit is a credit note)"),
        ("due_date", "2026-01-15 is before the invoice date 2026-01-16"),
    ]
    assert counts(ctx) == before


def test_a_held_line_resolved_by_a_late_receipt_is_paid(example_n, tmp_path):
    ctx = example_n
    (entered,) = enter(ctx, invoice("AP-3", ("S9", 1, "GYP-OTHER", "50", "1.00")))  # S9 not received yet
    assert [m.defect for m in entered.matches] == ["PRODUCT_NOT_ON_SLIP"]
    with ctx.uow() as uow:
        (held,) = line_views(uow.session)
    with pytest.raises(ValidationFailed, match="still PRODUCT_NOT_ON_SLIP"):
        with ctx.uow() as uow:
            resolve_line(uow, held.line_id, "LATE_RECEIPT", "S9 arrived", date(2026, 2, 10))
    import_text(ctx, "receipts", "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
                "S9,V100,2026-02-09,1,GYP-OTHER,50,1.00\n", tmp_path)  # fmt: skip
    with ctx.uow() as uow:
        posting.post_slips(uow, ["S9"], today=date(2026, 2, 9))
    with ctx.uow() as uow:
        view = resolve_line(uow, held.line_id, "LATE_RECEIPT", "S9 arrived", date(2026, 2, 10))
    assert (view.state, view.resolution) == ("RESOLVED", "LATE_RECEIPT")
    with pytest.raises(ValidationFailed, match="is resolved already"):
        with ctx.uow() as uow:
            resolve_line(uow, held.line_id, "CREDIT_NOTE", "again", date(2026, 2, 10))
    with ctx.uow() as uow:
        assert [(v.line_no, v.state, v.amount) for v in line_views(uow.session)] == [
            (1, "RESOLVED", D("50.00")), (2, "MATCHED", D("50.00"))
        ]  # fmt: skip
        assert uow.session.scalar(select(func.count()).select_from(InvoiceResolution)) == 1
    (paid,) = run(ctx).vendors
    assert (paid.payment.gross, paid.payment.deducted) == (D("50.00"), D("50.00"))


def test_a_credit_note_closes_a_held_line(example_n):
    ctx = example_n
    enter(ctx, invoice("AP-4", ("S1", 1, "GYP-OTHER", "10", "1.50")))
    with ctx.uow() as uow:
        (held,) = line_views(uow.session)
        with pytest.raises(ValidationFailed, match="note"):
            resolve_line(uow, held.line_id, "CREDIT_NOTE", " ", date(2026, 2, 1))
    with ctx.uow() as uow:
        view = resolve_line(uow, held.line_id, "CREDIT_NOTE", "CN-77", date(2026, 2, 1))
    assert (view.state, view.defect, view.note) == ("RESOLVED", "COST_MISMATCH", "CN-77")
    assert run(ctx).vendors == ()


def test_missing_invoices_after_30_days(example_n):
    ctx = example_n
    with ctx.uow() as uow:
        assert [(m.slip_no, m.received_date) for m in missing_invoices(uow.session, date(2026, 2, 9))] == []
        assert [(m.slip_no, m.amount) for m in missing_invoices(uow.session, date(2026, 2, 10))] == [
            ("S1", D("12000.00"))
        ]
    enter(ctx, invoice("AP-1", AP1))
    with ctx.uow() as uow:
        assert [m.slip_no for m in missing_invoices(uow.session, date(2026, 3, 31))] == ["S2"]


def test_import_vendor_invoices_names_row_and_column(example_n, tmp_path):
    from app.services.errors import ImportFailed
    from app.services.imports import import_file

    bad = tmp_path / "vi.csv"
    bad.write_text(
        "invoice_no,vendor_code,invoice_date,due_date,slip_no,line_no,product_code,quantity,unit_cost\n"
        "AP-5,V100,2026-01-16,2026-02-15,S1,1,GYP-OTHER,10,1.00\n"
        "AP-5,V100,2026-01-17,2026-02-15,S1,1,GYP-OTHER,x,1.00\n"
    )
    before = counts(example_n)
    with pytest.raises(ImportFailed) as failed:
        with example_n.uow() as uow:
            import_file(uow, "vendor-invoices", bad)
    assert {(p.record, p.field) for p in failed.value.problems} == {("row 3", "quantity"), ("row 3", "invoice_date")}
    assert counts(example_n) == before
    with example_n.uow() as uow:
        assert import_file(uow, "vendor-invoices", EXAMPLES / "N_payment_run" / "vendor-invoices.csv") == 1


def test_a_held_line_closed_by_a_credit_note_is_not_payable_in_the_balance(example_n):
    from app.services.vendor_balances import vendor_balances

    ctx = example_n
    enter(ctx, invoice("AP-4", ("S1", 1, "GYP-OTHER", "10", "1.50")))  # COST_MISMATCH, names S1 line 1
    with ctx.uow() as uow:
        (held,) = line_views(uow.session)
        resolve_line(uow, held.line_id, "CREDIT_NOTE", "CN-77", date(2026, 2, 1))
    with ctx.uow() as uow:
        (balance,) = vendor_balances(uow.session, date(2030, 12, 31))  # a day after the resolution was written
    assert (balance.open_vendor_invoices, balance.received_not_invoiced) == (D("0.00"), D("12200.00"))
    assert run(ctx).vendors == ()


def test_a_slip_of_another_vendor_is_refused_with_nothing_written(example_n, tmp_path):

    ctx = example_n
    files = {
        "vendors": "code,name,currency\nV200,Prairie Lumber,CAD\n",
        "products": "code,description,vendor_code,cat1,cat2,cat3,cat4,unit_cost\n"
        "LUM-200,Stud,V200,LUMBER,LUM-DIM,LUM-SPF,LUM-SPF-2X4,1.00\n",
        "receipts": "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
        "T1,V200,2026-01-12,1,LUM-200,5,1.00\n",
    }
    for kind, text in files.items():
        import_text(ctx, kind, text, tmp_path)
    with ctx.uow() as uow:
        posting.post_slips(uow, ["T1"], today=date(2026, 1, 12))
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as refused:
        enter(ctx, invoice("AP-6", AP1, ("T1", 1, "LUM-200", "5", "1.00")))
    assert [(p.record, p.field, p.message) for p in refused.value.problems] == [
        ("AP-6 line 2", "slip_no", "slip T1 is not a slip of vendor V100")
    ]
    assert counts(ctx) == before


def test_a_vendor_invoice_file_without_a_column_is_refused_with_nothing_written(example_n, tmp_path):
    from app.services.errors import ImportFailed
    from app.services.imports import import_file

    path = tmp_path / "vi.csv"
    path.write_text(
        "invoice_no,vendor_code,invoice_date,slip_no,line_no,product_code,quantity,unit_cost\n"
        "AP-5,V100,2026-01-16,S1,1,GYP-OTHER,10,1.00\n"
    )
    before = counts(example_n)
    with pytest.raises(ImportFailed) as failed:
        with example_n.uow() as uow:
            import_file(uow, "vendor-invoices", path)
    assert [(p.record, p.field) for p in failed.value.problems] == [("vi.csv header", "due_date")]
    assert counts(example_n) == before


def test_what_is_open_on_a_day_counts_only_settlements_and_answers_dated_by_then(example_n):
    """One rule for every read of a day: the balances, the statement and the run see an invoice
    open by the settlements dated up to the day, and a dispute open until its answer's date."""
    from app.services.vendor_balances import open_coop_invoices

    ctx = example_n
    with ctx.uow() as uow:
        disputes.file_dispute(uow, CO, "RATE", D("100.00"), "Rate", "Tier", [], date(2026, 2, 5))
    enter(ctx, invoice("AP-1", AP1))
    run(ctx)  # deducts 140.00 on Feb 15
    with ctx.uow() as uow:
        disputes.accept_dispute(uow, "DSP-2026-000001", day=date(2026, 2, 20))

    def on(day: date) -> list[tuple[Decimal, Decimal, Decimal]]:
        with ctx.uow() as uow:
            return [(c.billed, c.open, c.disputed) for c in open_coop_invoices(uow.session, day)]

    assert on(date(2026, 2, 4)) == [(D("240.00"), D("240.00"), D("0.00"))]
    assert on(date(2026, 2, 14)) == [(D("240.00"), D("240.00"), D("100.00"))]
    assert on(date(2026, 2, 19)) == [(D("240.00"), D("100.00"), D("100.00"))]
    assert on(date(2026, 2, 20)) == []
    assert coop_open(ctx) == (D("0.00"), "PAID")


def test_a_cd_credit_invoice_is_paid_with_the_vendors_next_payment(example_n, tmp_path):
    """A February return makes February's CD invoice a credit to the vendor (−96.00: S2's 4.00
    less the return's 100.00); the March run pays it with AP-1, before deducting January's
    240.00, and both invoices end PAID."""

    ctx = example_n
    import_text(ctx, "receipts", "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
                "S3,V100,2026-02-20,1,GYP-OTHER,-5000,1.00\n", tmp_path)  # fmt: skip
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 2, 20))
    credit_no = "CO-2602-V100-0001"
    assert month_close.close_month(ctx, "2026-02", date(2026, 3, 1)).invoices == [credit_no]
    with ctx.uow() as uow:
        credit = invoice_by_number(uow.session, credit_no)
        assert credit is not None and (credit.amount, credit.method, credit.status) == (D("-96.00"), "CD", "CREDIT")
    enter(ctx, invoice("AP-1", AP1, due=date(2026, 3, 5)))
    (paid,) = run(ctx, date(2026, 3, 5)).vendors
    assert [(d.invoice_no, d.amount) for d in paid.payment.deductions] == [(credit_no, D("-96.00")), (CO, D("240.00"))]
    assert (paid.payment.gross, paid.payment.deducted, paid.payment.net) == (D("12000.00"), D("144.00"), D("11856.00"))
    assert entry_of(ctx, "PAYMENT_RUN") == [
        ("ACCOUNTS_PAYABLE", D("12000.00"), D("0.00")),
        ("CASH", D("0.00"), D("11856.00")),
        ("CLAIMS_RECEIVABLE", D("96.00"), D("240.00")),
    ]
    with ctx.uow() as uow:
        views = {no: invoice_by_number(uow.session, no) for no in (CO, credit_no)}
        assert {no: (v.open_amount, v.status) for no, v in views.items() if v} == {
            CO: (D("0.00"), "PAID"),
            credit_no: (D("0.00"), "PAID"),
        }
    assert run(ctx, date(2026, 3, 31)).vendors == ()  # paid once


def test_fill_from_slip_gives_what_is_left_to_invoice(example_n, tmp_path):
    from app.services.vendor_invoices import slip_to_invoice

    ctx = example_n
    import_text(ctx, "receipts", "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
                "S7,V100,2026-02-20,1,GYP-OTHER,10,1.00\n", tmp_path)  # fmt: skip
    with ctx.uow() as uow:
        found = slip_to_invoice(uow, "S1")
    assert (found.vendor_code, [(ln.slip_no, ln.slip_line_no, ln.product_code, ln.quantity, ln.unit_cost)
                                for ln in found.lines]) == ("V100", [("S1", 1, "GYP-OTHER", D("12000"), D("1.00"))])  # fmt: skip
    enter(ctx, invoice("AP-1", ("S1", 1, "GYP-OTHER", "7000", "1.00")))
    with ctx.uow() as uow:
        assert [ln.quantity for ln in slip_to_invoice(uow, "S1").lines] == [D("5000")]
    enter(ctx, invoice("AP-2", ("S1", 1, "GYP-OTHER", "5000", "1.00")))
    with ctx.uow() as uow:
        assert slip_to_invoice(uow, "S1").lines == ()
    for slip, message in (("S9", "slip S9 does not exist"), ("S7", "slip S7 is not posted")):
        with pytest.raises(ValidationFailed) as refused, ctx.uow() as uow:
            slip_to_invoice(uow, slip)
        assert [(p.record, p.field, p.message) for p in refused.value.problems] == [
            (f"Slip {slip}", "slip_no", message)
        ]
