"""Settlement rules (SPEC §14): amounts applied to named invoices in order, the entry of each
kind of settlement and of its reversal, the filing window and overdue disputes, documents
told apart by their content."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from app.domain import documents
from app.domain.journal import UnbalancedEntry
from app.domain.settlement import (
    Applied,
    OpenInvoice,
    apply_amount,
    date_problems,
    is_overdue,
    named_invoice_problems,
    reversal_lines,
    roles_needed,
    settlement_lines,
    within_window,
    write_off_problems,
)
from app.domain.validation import Problem

D = Decimal


def invoice(no: str, open_: str, kind: str = "COOP", status: str = "OPEN", vendor: int = 1) -> OpenInvoice:
    return OpenInvoice(1, no, vendor, "7", kind, "CAD", date(2025, 2, 28), status, D(open_))


def test_an_amount_is_applied_in_the_order_named():
    a, b, c = invoice("A", "100.00"), invoice("B", "50.00"), invoice("C", "25.00")
    assert apply_amount("P", D("120.00"), [a, b, c]) == [Applied(a, D("100.00")), Applied(b, D("20.00"))]
    assert apply_amount("P", D("175.00"), [a, b, c]) == [Applied(a, D("100.00")), Applied(b, D("50.00")),
                                                         Applied(c, D("25.00"))]  # fmt: skip
    assert apply_amount("P", D("175.01"), [a, b, c]) == Problem(
        "P", "amount", "175.01 is more than the open 175.00 of A, B, C"
    )


def test_example_m_entries():
    sc = invoice("CO-2502-V100-0001", "1050.00")
    assert settlement_lines("PAYMENT", [Applied(sc, D("1000.00"))], "Vendor payment CHQ") == (
        ("CASH", 100000, 0, "COOP", "Vendor payment CHQ"),
        ("CLAIMS_RECEIVABLE", 0, 100000, "COOP", "Vendor payment CHQ CO-2502-V100-0001"),
    )
    off = settlement_lines("WRITE_OFF", [Applied(sc, D("50.00"))], "Write-off")
    assert [(ln.role, ln.debit, ln.credit) for ln in off] == [
        ("REBATE_WRITE_OFF", 5000, 0),
        ("CLAIMS_RECEIVABLE", 0, 5000),
    ]
    note = settlement_lines("CREDIT_NOTE", [Applied(sc, D("1.00"))], "CN")
    assert [ln.role for ln in note] == ["ACCOUNTS_PAYABLE", "CLAIMS_RECEIVABLE"]


def test_a_dispute_credit_debits_the_kind_p_and_l_role():
    for kind, role in (("COOP", "ADVERTISING"), ("VOLUME", "REBATE_EARNED"), ("FREIGHT", "FREIGHT_ALLOWANCE")):
        lines = settlement_lines("DISPUTE_CREDIT", [Applied(invoice("X", "9.00", kind), D("9.00"))], "DSP")
        assert [(ln.role, ln.debit, ln.credit) for ln in lines] == [(role, 900, 0), ("CLAIMS_RECEIVABLE", 0, 900)]
        assert roles_needed("DISPUTE_CREDIT", [kind]) == (role, "CLAIMS_RECEIVABLE")
    assert roles_needed("PAYMENT", ["COOP", "DAMAGE"]) == ("CASH", "CLAIMS_RECEIVABLE")


def test_a_reversal_swaps_the_lines_and_still_balances():
    lines = settlement_lines("PAYMENT", [Applied(invoice("A", "5.00"), D("5.00"))], "P")
    assert [(ln.role, ln.debit, ln.credit) for ln in reversal_lines(lines, "R")] == [
        ("CASH", 0, 500),
        ("CLAIMS_RECEIVABLE", 500, 0),
    ]
    with pytest.raises(UnbalancedEntry):
        reversal_lines(lines[:1], "R")


def test_what_a_settlement_may_name():
    found = {
        "A": invoice("A", "10.00"),
        "H": invoice("H", "10.00", status="HELD"),
        "C": invoice("C", "-10.00", status="CREDIT"),
        "P": invoice("P", "0.00", status="PAID"),
        "O": invoice("O", "10.00", vendor=2),
    }
    messages = [
        p.message for p in named_invoice_problems("P", ["A", "H", "C", "P", "O", "Z", "A"], found, 1, "V1", "USD")
    ]
    assert messages == [
        "USD is not the currency of invoice A (CAD)",
        "invoice H is HELD until the vendor's actual is accepted",
        "USD is not the currency of invoice H (CAD)",
        "invoice C is a credit to the vendor, not an amount it owes",
        "USD is not the currency of invoice C (CAD)",
        "invoice P has nothing open",
        "USD is not the currency of invoice P (CAD)",
        "invoice O is not an invoice of vendor V1",
        "invoice Z does not exist",
        "invoice A is named twice",
    ]
    assert [p.message for p in date_problems("P", date(2025, 2, 27), [found["A"], found["H"]])] == [
        "2025-02-27 is before the date of invoice A (2025-02-28)",
        "2025-02-27 is before the date of invoice H (2025-02-28)",
    ]
    assert date_problems("P", date(2025, 2, 28), [found["A"]]) == []
    assert [p.message for p in write_off_problems("W", found["A"], D("10.01"), "")] == [
        "is required",
        "10.01 is more than the open 10.00",
    ]


def test_the_filing_window_and_overdue_disputes():
    day = date(2025, 2, 28)
    assert [within_window(day, d, 60) for d in (date(2025, 2, 27), day, date(2025, 4, 29), date(2025, 4, 30))] == [
        False, True, True, False,
    ]  # fmt: skip
    assert (is_overdue(date(2025, 3, 1), date(2025, 3, 31)), is_overdue(date(2025, 3, 1), date(2025, 4, 1))) == (
        False, True,
    )  # fmt: skip


def _zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, "x")
    return out.getvalue()


def test_documents_are_told_apart_by_their_content():
    assert [
        documents.content_type(data)
        for data in (
            b"%PDF-1.7", b"\x89PNG\r\n", b"\xff\xd8\xff\xdb", _zip("xl/workbook.xml"), b"a,b\n1,\xc3\xa9\n",
            _zip("word/document.xml"), b"MZ\x90", b"\x7fELF\x02", b"#!/bin/sh", b"a\x00b", b"\xff\xfe\x00",
        )
    ] == [documents.PDF, documents.PNG, documents.JPEG, documents.XLSX, documents.CSV] + [None] * 6  # fmt: skip
    assert documents.document_problems("D", "x.pdf", 10 * 1024 * 1024, b"%PDF") == []
    assert [p.message for p in documents.document_problems("D", "x.pdf", 10 * 1024 * 1024 + 1, None)] == [
        "is 10.0 MB; a document may be at most 10.0 MB"
    ]
    assert [p.field for p in documents.document_problems("D", "run.png", 3, b"MZ!")] == ["attachment run.png"]
    assert [p.message for p in documents.document_problems("D", "e.csv", 0, b"")] == ["is empty"]
