"""Disputes of co-op invoices (SPEC §14): filing with documents checked by content, Dispute IDs
per year, the filing window, acceptance as a credit memo, rejection, overdue disputes, and bad
input refused with the database unchanged. Both backends, and `coop dispute` once."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.cli.main import main
from app.models import CoopInvoice, Document
from app.services import disputes, invoice_views
from app.services.errors import ValidationFailed
from app.services.invoice_views import invoice_by_number
from tests.integration.settlement_support import FEB, MAR, counts, entry_lines, example_m

D = Decimal
FILED = date(2026, 3, 15)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
CSV = "slip_no,line_no,rebate,note\nS1,1,480.00,réclamation\n".encode()


def xlsx() -> bytes:
    book = Workbook()
    book.active.append(["slip_no", "rebate"])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def anna(ctx):  # type: ignore[no-untyped-def]
    return example_m(ctx)["anna"]


def file(ctx, amount: str = "20.00", invoice: str = FEB, day: date = FILED, attachments=(), **fields):  # type: ignore[no-untyped-def]
    values = {"reason": "RATE", "title": "Rate on S1", "summary": "S1 should earn 1.92 %"} | fields
    with ctx.uow() as uow:
        return disputes.file_dispute(
            uow, invoice, values["reason"], D(amount), values["title"], values["summary"], list(attachments), day
        )


def test_a_dispute_gets_its_id_and_keeps_its_documents(ctx, anna):
    book = xlsx()  # made once: a workbook's bytes hold the second it was written
    first = file(anna, attachments=[("backup.pdf", PDF), ("photo.png", PNG), ("scan.jpg", JPEG),
                                    ("lines.xlsx", book), ("lines.csv", CSV)])  # fmt: skip
    second = file(anna, "30.00", invoice=MAR, day=date(2026, 4, 2), reason="quantity")
    assert (first.dispute_no, second.dispute_no) == ("DSP-2026-000001", "DSP-2026-000002")
    assert (first.invoice_no, first.vendor, first.reason, first.amount, first.status) == (
        FEB, "V100", "RATE", D("20.00"), "OPEN",
    )  # fmt: skip
    assert (second.reason, first.deadline, first.overdue) == ("QUANTITY", date(2026, 4, 14), False)
    with ctx.uow() as uow:
        docs = uow.session.execute(
            select(Document.owner, Document.file_name, Document.content_type, Document.size).order_by(Document.id)
        ).all()
        ids = dict(uow.session.execute(select(CoopInvoice.invoice_no, CoopInvoice.id)).all())
        disputed = invoice_views.open_disputed(uow.session, ids.values())
    assert [tuple(d) for d in docs] == [
        ("DISPUTE", "backup.pdf", "application/pdf", len(PDF)),
        ("DISPUTE", "photo.png", "image/png", len(PNG)),
        ("DISPUTE", "scan.jpg", "image/jpeg", len(JPEG)),
        ("DISPUTE", "lines.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", len(book)),
        ("DISPUTE", "lines.csv", "text/csv", len(CSV)),
    ]
    assert disputed == {ids[FEB]: D("20.00"), ids[MAR]: D("30.00")}


def test_accepting_part_of_a_dispute_credits_the_invoice(ctx, anna):
    filed = file(anna, "100.00")
    with anna.uow() as uow:
        answered = disputes.accept_dispute(uow, filed.dispute_no, D("60.00"), date(2026, 3, 20))
    assert (answered.status, answered.resolved_amount, answered.resolved_date) == (
        "ACCEPTED", D("60.00"), date(2026, 3, 20),
    )  # fmt: skip
    with ctx.uow() as uow:
        view = invoice_by_number(uow.session, FEB)
        assert view is not None and (view.open_amount, view.status) == (D("990.00"), "SHORT_PAID")
        assert invoice_views.open_disputed(uow.session, [view.id]) == {}
    assert entry_lines(ctx, "DISPUTE_CREDIT") == [
        ("ADVERTISING", "60.00", "0.00", "COOP", "1"),
        ("CLAIMS_RECEIVABLE", "0.00", "60.00", "COOP", "1"),
    ]
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as again, anna.uow() as uow:
        disputes.reject_dispute(uow, filed.dispute_no, "too late", date(2026, 3, 21))
    assert str(again.value) == "Dispute DSP-2026-000001, dispute: dispute DSP-2026-000001 is ACCEPTED already"
    assert counts(ctx) == before


def test_accepting_all_and_rejecting(ctx, anna):
    whole, other = file(anna, "40.00"), file(anna, "15.00")
    with anna.uow() as uow:
        assert disputes.accept_dispute(uow, whole.dispute_no, None, FILED).resolved_amount == D("40.00")
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as no_reason, anna.uow() as uow:
        disputes.reject_dispute(uow, other.dispute_no, "  ", FILED)
    assert str(no_reason.value) == "Dispute DSP-2026-000002, reason: is required"
    assert counts(ctx) == before
    with anna.uow() as uow:
        rejected = disputes.reject_dispute(uow, other.dispute_no, "rate is as agreed", FILED)
    assert (rejected.status, rejected.resolution_reason, rejected.resolved_amount) == (
        "REJECTED", "rate is as agreed", D("0.00"),
    )  # fmt: skip
    assert counts(ctx)["settlement"] == before["settlement"]  # a rejection credits nothing


def test_unanswered_disputes_are_overdue_after_30_days(ctx, anna):
    early = file(anna, "10.00", day=date(2026, 3, 1))
    late = file(anna, "10.00", invoice=MAR, day=date(2026, 4, 1))
    answered = file(anna, "10.00", day=date(2026, 3, 2))
    with anna.uow() as uow:
        disputes.reject_dispute(uow, answered.dispute_no, "no", date(2026, 3, 3))
    with ctx.uow() as uow:
        on_deadline = disputes.dispute_views(uow.session, date(2026, 3, 31))
        after = disputes.dispute_views(uow.session, date(2026, 5, 2))
    assert [(r.dispute_no, r.deadline, r.overdue, r.status) for r in on_deadline] == [
        (early.dispute_no, date(2026, 3, 31), False, "OPEN"),
        (late.dispute_no, date(2026, 5, 1), False, "OPEN"),
        (answered.dispute_no, date(2026, 4, 1), False, "REJECTED"),
    ]
    assert [r.overdue for r in after] == [True, True, False]


def test_the_filing_window_counts_both_ends(ctx, anna):
    assert file(anna, day=date(2026, 4, 29)).dispute_no == "DSP-2026-000001"  # invoice date Feb 28 + 60 days
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as late:
        file(anna, day=date(2026, 4, 30))
    assert str(late.value) == (
        "Dispute of CO-2602-V100-0001, date: 2026-04-30 is outside the filing window of invoice "
        "CO-2602-V100-0001: 60 days from its date, 2026-02-28 to 2026-04-29"
    )
    assert counts(ctx) == before


def test_bad_disputes_are_refused_with_the_database_unchanged(ctx, anna, tmp_path: Path):
    file(anna, "1000.00")  # 50.00 of the 1,050.00 left to dispute
    huge = tmp_path / "scan.pdf"
    with huge.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(50 * 1024 * 1024)
    program = tmp_path / "invoice.pdf"
    program.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 64)
    script = ("notes.csv", b"#!/bin/sh\nrm -rf /\n")
    word = ("letter.docx", _zip("word/document.xml"))
    before = counts(ctx)
    cases = [
        ({"amount": "50.01"}, "amount: 50.01 is more than the open 50.00 of CO-2602-V100-0001 "
                              "(1,000.00 of it under open dispute already)"),
        ({"attachments": [huge]}, "attachment scan.pdf: is 50.0 MB; a document may be at most 10.0 MB"),
        ({"attachments": [program]}, "attachment invoice.pdf: is an executable program; only PDF, PNG, JPEG, XLSX or "
                                     "CSV documents are accepted"),
        ({"attachments": [script]}, "attachment notes.csv: is an executable program; only PDF, PNG, JPEG, XLSX or "
                                    "CSV documents are accepted"),
        ({"attachments": [word]}, "attachment letter.docx: is not a PDF, PNG, JPEG, XLSX or CSV document (checked by "
                                  "its content)"),
        ({"attachments": [tmp_path / "missing.pdf"]}, f"attachment missing.pdf: {tmp_path / 'missing.pdf'} does not "
                                                      "exist"),
        ({"summary": "  "}, "summary: is required"),
        ({"title": ""}, "title: is required"),
        ({"reason": "PRICE"}, "reason: must be PRICING, QUANTITY, NOT_COVERED, DUPLICATE, RATE or OTHER (got PRICE)"),
        ({"amount": "0"}, "amount: must be greater than 0 (got 0)"),
        ({"invoice": "CO-2604-V100-0001", "amount": "1.00"}, "invoice: invoice CO-2604-V100-0001 is a credit to the "
                                                             "vendor, not an amount it owes"),
    ]  # fmt: skip
    for given, message in cases:
        label = f"Dispute of {given.get('invoice', FEB)}"
        with pytest.raises(ValidationFailed) as refused:
            file(anna, **({"amount": "10.00"} | given))
        assert [str(p) for p in refused.value.problems] == [f"{label}, {message}"], given
    assert counts(ctx) == before


def _zip(member: str) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, "<w/>")
    return out.getvalue()


def test_coop_dispute_file_prints_the_dispute_id(ctx, anna, db_url, tmp_path, capsys):
    backup = tmp_path / "backup.csv"
    backup.write_bytes(CSV)
    run = ["--db", db_url, "--user", "anna", "dispute"]
    capsys.readouterr()
    assert main([*run, "file", "--invoice", FEB, "--reason", "rate", "--amount", "25.00", "--title", "Rate on S1",
                 "--summary", "S1 should earn 1.92 %", "--attach", str(backup), "--date", "2026-03-15"]) == 0  # fmt: skip
    assert capsys.readouterr().out == "DSP-2026-000001\n"
    assert main([*run, "file", "--invoice", FEB, "--reason", "RATE", "--amount", "25.00", "--title", "T",
                 "--summary", "", "--date", "2026-03-15"]) == 1  # fmt: skip
    assert capsys.readouterr().err == f"error: Dispute of {FEB}, summary: is required; nothing was written\n"
    assert main([*run, "accept", "DSP-2026-000001", "--amount", "5.00", "--date", "2026-03-16"]) == 0
    assert capsys.readouterr().out == f"DSP-2026-000001 ACCEPTED: 5.00 credited to {FEB}\n"
    assert main([*run, "reject", "DSP-2026-000001", "--reason", "no", "--date", "2026-03-16"]) == 1
    assert "is ACCEPTED already; nothing was written" in capsys.readouterr().err
