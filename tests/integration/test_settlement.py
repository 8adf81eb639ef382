"""Settlement of co-op invoices (SPEC §14, example M): cheques, credit notes, write-offs and
their reversal, on invoices made by the real month close; bad input refused with the database
unchanged. Both backends; example M once more through the `coop` command line."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from app.cli.main import main
from app.models import GlReference, JournalLine, Settlement
from app.services import settlement
from app.services.errors import PermissionDenied, PostingRefused, ValidationFailed
from app.services.invoice_views import invoice_by_number
from tests.conftest import EXAMPLES, IMPORT_ORDER
from tests.integration.settlement_support import APR, FEB, MAR, counts, entry_lines, example_m

D = Decimal
DAY = date(2026, 5, 10)  # after the three invoices


@pytest.fixture
def users(ctx):  # type: ignore[no-untyped-def]
    return example_m(ctx)


def state(ctx, number: str) -> tuple[Decimal, str]:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        view = invoice_by_number(uow.session, number)
        assert view is not None
        return view.open_amount, view.status


def pay(ctx, amount: str, *invoices: str, currency: str = "CAD", ref: str = "CHQ-1001", vendor: str = "V100"):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return settlement.record_payment(uow, vendor, DAY, D(amount), currency, ref, list(invoices))


def write_off(ctx, number: str, amount: str, reason: str = "short paid"):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        return settlement.write_off(uow, number, D(amount), reason, date(2026, 5, 12))


def test_example_m_cheque_short_payment_and_write_off(ctx, users):
    anna, maria = users["anna"], users["maria"]
    paid = pay(anna, "1000.00", FEB)
    assert [(i.invoice_no, i.applied, i.open, i.status) for i in paid.invoices] == [
        (FEB, D("1000.00"), D("50.00"), "SHORT_PAID")
    ]
    assert state(ctx, FEB) == (D("50.00"), "SHORT_PAID")
    before = counts(ctx)
    with pytest.raises(PermissionDenied) as refused:
        write_off(anna, FEB, "50.00")
    assert str(refused.value) == (
        "anna (Accountant) may not write off 50.00 of invoice CO-2602-V100-0001: above the company's tolerance of "
        "5.00 only a manager or an administrator may; nothing was written"
    )
    assert counts(ctx) == before
    done = write_off(maria, FEB, "50.00")
    assert [(i.open, i.status) for i in done.invoices] == [(D("0.00"), "PAID")]
    assert state(ctx, FEB) == (D("0.00"), "PAID")
    assert entry_lines(ctx, "INVOICE")[:2] == [
        ("CLAIMS_RECEIVABLE", "1050.00", "0.00", "COOP", "1"),
        ("REBATE_RECEIVABLE", "0.00", "1050.00", "COOP", "1"),
    ]
    assert entry_lines(ctx, "PAYMENT") == [
        ("CASH", "1000.00", "0.00", "COOP", "1"),
        ("CLAIMS_RECEIVABLE", "0.00", "1000.00", "COOP", "1"),
    ]
    assert entry_lines(ctx, "WRITE_OFF") == [
        ("REBATE_WRITE_OFF", "50.00", "0.00", "COOP", "1"),
        ("CLAIMS_RECEIVABLE", "0.00", "50.00", "COOP", "1"),
    ]
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(
                Settlement.kind, Settlement.amount, Settlement.reference, Settlement.reason, Settlement.created_by
            ).order_by(Settlement.id)
        ).all()
        vendors = set(uow.session.scalars(select(JournalLine.vendor_id).where(JournalLine.role == "CASH")))
    assert [tuple(r) for r in rows] == [
        ("PAYMENT", D("1000.00"), "CHQ-1001", "", "anna"),
        ("WRITE_OFF", D("50.00"), FEB, "short paid", "maria"),
    ]
    assert None not in vendors


def test_a_cheque_over_the_open_amount_is_refused_and_nothing_recorded(ctx, users):
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as refused:
        pay(users["anna"], "1100.00", FEB)
    assert str(refused.value) == "Vendor payment CHQ-1001, amount: 1,100.00 is more than the open 1,050.00 of " + FEB
    assert counts(ctx) == before
    assert state(ctx, FEB) == (D("1050.00"), "OPEN")


@pytest.mark.parametrize(
    ("amount", "invoices", "currency", "message"),
    [
        ("100.00", [FEB], "USD", "currency: USD is not the currency of invoice CO-2602-V100-0001 (CAD)"),
        ("100.00", [], "CAD", "invoice: names no invoice: every invoice it settles must be named"),
        ("1375.01", [FEB, MAR], "CAD", "amount: 1,375.01 is more than the open 1,375.00 of CO-2602-V100-0001, " + MAR),
        ("100.00", [APR], "CAD", "invoice: invoice CO-2604-V100-0001 is a credit to the vendor, not an amount it owes"),
        ("100.00", ["CO-2602-V999-0001"], "CAD", "invoice: invoice CO-2602-V999-0001 does not exist"),
        ("100.00", [FEB, FEB], "CAD", "invoice: invoice CO-2602-V100-0001 is named twice"),
        ("100.001", [FEB], "CAD", "amount: 100.001 has more than 2 decimals"),
        ("0", [FEB], "CAD", "amount: must be greater than 0 (got 0)"),
    ],
)
def test_bad_payments_are_refused_with_the_database_unchanged(ctx, users, amount, invoices, currency, message):
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as refused:
        pay(users["anna"], amount, *invoices, currency=currency)
    assert str(refused.value) == f"Vendor payment CHQ-1001, {message}"
    assert counts(ctx) == before


def test_a_cheque_is_applied_to_the_named_invoices_in_order(ctx, users):
    paid = pay(users["anna"], "1200.00", FEB, MAR)
    assert [(i.invoice_no, i.applied, i.open, i.status) for i in paid.invoices] == [
        (FEB, D("1050.00"), D("0.00"), "PAID"),
        (MAR, D("150.00"), D("175.00"), "SHORT_PAID"),
    ]
    assert entry_lines(ctx, "PAYMENT") == [  # two invoices: no agreement number on the entry
        ("CASH", "1200.00", "0.00", "COOP", None),
        ("CLAIMS_RECEIVABLE", "0.00", "1050.00", "COOP", None),
        ("CLAIMS_RECEIVABLE", "0.00", "150.00", "COOP", None),
    ]
    with pytest.raises(ValidationFailed) as refused:  # paid in full: nothing open
        pay(users["anna"], "10.00", FEB, ref="CHQ-1002")
    assert str(refused.value) == "Vendor payment CHQ-1002, invoice: invoice CO-2602-V100-0001 has nothing open"


def test_a_credit_note_settles_against_accounts_payable(ctx, users):
    with users["anna"].uow() as uow:
        note = settlement.record_credit_note(uow, "V100", DAY, D("325.00"), "CN-77", [MAR])
    assert (note.kind, note.currency, [(i.open, i.status) for i in note.invoices]) == (
        "CREDIT_NOTE", "CAD", [(D("0.00"), "PAID")],
    )  # fmt: skip
    assert entry_lines(ctx, "CREDIT_NOTE") == [
        ("ACCOUNTS_PAYABLE", "325.00", "0.00", "COOP", "1"),
        ("CLAIMS_RECEIVABLE", "0.00", "325.00", "COOP", "1"),
    ]


def test_a_write_off_needs_a_reason_and_at_most_the_open_amount(ctx, users):
    anna = users["anna"]
    small = write_off(anna, MAR, "5.00")  # up to the tolerance: an accountant's
    assert [(i.open, i.status) for i in small.invoices] == [(D("320.00"), "SHORT_PAID")]
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as refused:
        write_off(users["maria"], MAR, "320.01", reason=" ")
    assert [str(p) for p in refused.value.problems] == [
        "Write-off CO-2603-V100-0001, reason: is required",
        "Write-off CO-2603-V100-0001, amount: 320.01 is more than the open 320.00",
    ]
    with pytest.raises(ValidationFailed) as early, users["maria"].uow() as uow:
        settlement.write_off(uow, MAR, D("1.00"), "early", date(2026, 3, 30))
    assert str(early.value) == f"Write-off {MAR}, date: 2026-03-30 is before the date of invoice {MAR} (2026-03-31)"
    with pytest.raises(PermissionDenied):  # a manager may not record cheques
        pay(users["maria"], "10.00", MAR)
    assert counts(ctx) == before


def test_a_reversal_reopens_the_invoice_once(ctx, users):
    anna = users["anna"]
    paid = pay(anna, "1000.00", FEB)
    with anna.uow() as uow:
        undone = settlement.reverse_settlement(uow, paid.settlement_id, date(2026, 5, 11), "cheque bounced")
    assert (undone.kind, undone.amount, [(i.applied, i.open, i.status) for i in undone.invoices]) == (
        "REVERSAL", D("-1000.00"), [(D("-1000.00"), D("1050.00"), "OPEN")],
    )  # fmt: skip
    assert entry_lines(ctx, "REVERSAL") == [
        ("CASH", "0.00", "1000.00", "COOP", "1"),
        ("CLAIMS_RECEIVABLE", "1000.00", "0.00", "COOP", "1"),
    ]
    before = counts(ctx)
    with pytest.raises(ValidationFailed) as refused, anna.uow() as uow:
        settlement.reverse_settlement(uow, paid.settlement_id, date(2026, 5, 12), "again")
    assert str(refused.value) == f"Reversal of settlement {paid.settlement_id}, settlement: settlement " \
        f"{paid.settlement_id} is reversed already"  # fmt: skip
    with pytest.raises(ValidationFailed) as twice, anna.uow() as uow:
        settlement.reverse_settlement(uow, undone.settlement_id, date(2026, 5, 12), "undo the undo")
    assert "a Reversal is not reversed" in str(twice.value)
    assert counts(ctx) == before


def test_example_m_through_the_command_line(db_url, tmp_path, capsys):
    def coop(user: str, *args: str) -> int:
        return main(["--db", db_url, "--user", user, *args])

    for kind in IMPORT_ORDER:
        assert coop("root", "import", kind, str(EXAMPLES / "M_settlement" / f"{kind}.csv")) == 0
    assert coop("root", "post", "--slip", "S1", "--slip", "S2") == 0
    assert coop("root", "close", "--month", "2026-02", "--date", "2026-03-01") == 0
    for login, role in (("root", "ADMIN"), ("maria", "MANAGER"), ("anna", "ACCOUNTANT")):
        assert coop("root", "user", "add", login, "--role", role) == 0
    capsys.readouterr()
    cheque = ("payment", "--vendor", "V100", "--date", "2026-03-10", "--currency", "CAD", "--ref", "CHQ-1001")
    assert coop("anna", *cheque, "--amount", "1100.00", "--invoice", FEB) == 1
    assert capsys.readouterr().err == (
        "error: Vendor payment CHQ-1001, amount: 1,100.00 is more than the open 1,050.00 of "
        f"{FEB}; nothing was written\n"
    )
    assert coop("anna", *cheque, "--amount", "1000.00", "--invoice", FEB) == 0
    assert f"  {FEB}  applied 1,000.00  open 50.00  SHORT_PAID\n" in capsys.readouterr().out
    off = ("write-off", FEB, "--amount", "50.00", "--reason", "short paid", "--date", "2026-03-12")
    assert coop("anna", *off) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: anna (Accountant) may not write off 50.00 of invoice CO-2602-V100-0001: above the company's "
        "tolerance of 5.00 only a manager or an administrator may; nothing was written\n"
    )
    assert coop("maria", *off) == 0
    assert f"  {FEB}  applied 50.00  open 0.00  PAID\n" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:  # more than 2 decimals: a usage error, nothing run
        coop("anna", *cheque, "--amount", "10.001", "--invoice", FEB)
    assert usage.value.code == 2
    out = tmp_path / "journal.csv"
    assert coop("root", "export", "journal", "--out", str(out)) == 0
    net: dict[tuple[str, str], Decimal] = {}
    with out.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["source"] in ("INVOICE", "PAYMENT", "WRITE_OFF"):
                key = (row["source"], row["account_role"])
                net[key] = net.get(key, D(0)) + D(row["debit"] or "0") - D(row["credit"] or "0")
    assert net == {
        ("INVOICE", "CLAIMS_RECEIVABLE"): D("1050.00"),
        ("INVOICE", "REBATE_RECEIVABLE"): D("-1050.00"),
        ("PAYMENT", "CASH"): D("1000.00"),
        ("PAYMENT", "CLAIMS_RECEIVABLE"): D("-1000.00"),
        ("WRITE_OFF", "REBATE_WRITE_OFF"): D("50.00"),
        ("WRITE_OFF", "CLAIMS_RECEIVABLE"): D("-50.00"),
    }


def test_a_settlement_needs_an_account_for_each_role_it_posts_to(ctx, users):
    with ctx.uow() as uow:
        uow.session.execute(delete(GlReference).where(GlReference.role == "CASH"))
        uow.commit()
    before = counts(ctx)
    with pytest.raises(PostingRefused) as refused:
        pay(users["anna"], "10.00", FEB)
    assert str(refused.value) == (
        "GL reference incomplete: no account for CASH (set it in Maintenance > GL Reference); nothing was recorded"
    )
    assert counts(ctx) == before
    assert write_off(users["anna"], FEB, "1.00").invoices[0].open == D("1049.00")  # no CASH needed
