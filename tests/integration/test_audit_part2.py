"""The accrual audit's lists as SPEC §16 gives them, on example O (both backends): a lumber line
that no ladder and no provisional rate covers, a co-op invoice whose backup no longer adds up
(a journal line appended to it behind the program's back), the order of the lists, and the
exit status: only the first list (and the journal's own check) fails the audit."""

from __future__ import annotations

import csv
from decimal import Decimal

from sqlalchemy import select

from app.cli.main import main
from app.models import CoopInvoice, InvoiceLine, JournalLine
from app.services import audit
from tests.integration.payables_support import FEB_INVOICE, example_o

D = Decimal


def test_the_four_lists_of_section_16(ctx, db_url, tmp_path, capsys):
    example_o(ctx)
    with ctx.uow() as uow:
        report = audit.accrual_audit(uow)
    assert [name for name, _rows in report.sections()] == [
        "NOT_DESIRED", "NOT_COVERED", "BACKUP_DIFFERS", "NO_RECEIPTS", "CACHE_DIFFERS"
    ]  # fmt: skip
    assert [(r.vendor_code, r.slip_no, r.line_no, r.kind) for r in report.uncovered] == [("VR", "R1", 2, "COOP")]
    assert (report.desired, report.backup, report.idle, report.cache) == ([], [], [], [])
    with ctx.uow() as uow:  # R1 line 1's COOP accrual (1,000.00) appended to February's invoice
        session = uow.session
        invoice_id = session.scalar(select(CoopInvoice.id).where(CoopInvoice.invoice_no == FEB_INVOICE))
        line_id = session.scalar(
            select(JournalLine.id).where(JournalLine.role == "REBATE_RECEIVABLE", JournalLine.slip_no == "R1")
        )
        session.add(InvoiceLine(journal_line_id=line_id, invoice_id=invoice_id, scope="", tier=None, rate=None))
        uow.commit()
    with ctx.uow() as uow:
        report = audit.accrual_audit(uow)
    assert [(r.vendor_code, r.agreement_no, r.invoice_no, r.kind, r.value, r.expected) for r in report.backup] == [
        ("VR", "L1", FEB_INVOICE, "LUMP_SUM", D("6000.00"), D("5000.00"))
    ]
    assert not report.failed
    ctx.engine.dispose()
    capsys.readouterr()
    assert main(["--db", db_url, "--user", "tester", "audit"]) == 0  # only the first list fails the audit
    out = capsys.readouterr().out
    section = out.split("BACKUP_DIFFERS: ", 1)[1].split("NO_RECEIPTS: ", 1)[0].splitlines()
    assert section[1:] == [f"  VR invoice {FEB_INVOICE} LUMP_SUM amount: 6,000.00, expected 5,000.00"]
    target = tmp_path / "audit.csv"
    assert main(["--db", db_url, "--user", "tester", "audit", "--out", str(target)]) == 0
    with target.open(newline="") as fh:
        rows = [(r["list"], r["invoice_no"], r["slip_no"], r["value"], r["expected"]) for r in csv.DictReader(fh)]
    assert rows == [
        ("NOT_COVERED", "", "R1", "", ""),
        ("BACKUP_DIFFERS", FEB_INVOICE, "", "6000.00", "5000.00"),
    ]
