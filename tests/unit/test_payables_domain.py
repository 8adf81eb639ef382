"""Vendor invoice matching and the payment run of one vendor (SPEC §15–§16, example N): the
pure rules, exact amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.matching import InvoiceLineIn, Matcher, ReceivingLine, invoice_entry_lines, match_line
from app.domain.payment_run import (
    CoopOpen,
    Hold,
    PayableLine,
    moves_money,
    payment_lines,
    remittance_rows,
    vendor_payment,
)
from app.domain.vocabulary import CREDIT, OPEN, PAID, SHORT_PAID

D = Decimal
S1 = ReceivingLine(11, "S1", 1, "GYP", D("12000"), D("1.00"))


def line(qty: str = "12000", cost: str = "1.00", product: str = "GYP", slip: str = "S1", no: int = 1) -> InvoiceLineIn:
    return InvoiceLineIn(slip, no, product, D(qty), D(cost))


def test_a_line_that_matches_its_receipt():
    m = match_line(line(), True, S1)
    assert (m.defect, m.receipt_line_id, m.amount, m.received_value, m.variance) == (
        None, 11, D("12000.00"), D("12000.00"), D("0.00")
    )  # fmt: skip


def test_each_defect():
    assert match_line(line(product="NOPE"), False, S1).defect == "UNRECOGNIZED_PRODUCT"
    assert match_line(line(product="OTHER"), True, S1).defect == "PRODUCT_NOT_ON_SLIP"  # the line is of GYP
    assert match_line(line(), True, None).defect == "PRODUCT_NOT_ON_SLIP"  # no such posted line
    assert match_line(line(qty="12001"), True, S1).defect == "QUANTITY_OVER_RECEIVED"
    invoiced = ReceivingLine(11, "S1", 1, "GYP", D("12000"), D("1.00"), D("11000"))
    over = match_line(line(qty="1001"), True, invoiced)
    assert (over.defect, over.message) == (
        "QUANTITY_OVER_RECEIVED",
        "1001 invoiced, 1000 received and not yet invoiced",
    )
    assert match_line(line(cost="1.02"), True, S1).defect == "COST_MISMATCH"


def test_the_cost_tolerance_is_a_cent_or_half_a_percent_whichever_is_larger():
    assert match_line(line(cost="1.01"), True, S1).defect is None  # 0.01 per unit
    assert match_line(line(cost="1.0101"), True, S1).defect == "COST_MISMATCH"
    dear = ReceivingLine(12, "S9", 1, "GYP", D("10"), D("100.00"))
    ok = match_line(line(qty="10", cost="100.50", slip="S9"), True, dear)  # 0.5 % of 100.00
    assert (ok.defect, ok.amount, ok.received_value, ok.variance) == (None, D("1005.00"), D("1000.00"), D("5.00"))
    assert match_line(line(qty="10", cost="100.51", slip="S9"), True, dear).defect == "COST_MISMATCH"


def test_lines_of_one_file_share_what_was_received():
    matcher = Matcher({("S1", 1): S1}, frozenset({"GYP"}))
    assert matcher.match(line(qty="7000")).defect is None
    assert matcher.match(line(qty="5001")).defect == "QUANTITY_OVER_RECEIVED"
    assert matcher.match(line(qty="5000")).defect is None


def test_the_entry_of_a_vendor_invoice_carries_the_price_variance():
    dear = ReceivingLine(12, "S9", 1, "GYP", D("10"), D("100.00"))
    matches = [match_line(line(), True, S1), match_line(line(qty="10", cost="100.50", slip="S9"), True, dear),
               match_line(line(cost="2.00"), True, S1)]  # fmt: skip
    assert invoice_entry_lines(matches, "m") == (
        ("RECEIVED_NOT_INVOICED", 1300000, 0, None, "m"),
        ("PURCHASE_PRICE_VARIANCE", 500, 0, None, "m"),
        ("ACCOUNTS_PAYABLE", 0, 1300500, None, "m"),
    )  # the flagged line posts nothing


FEB15 = date(2026, 2, 15)
AP1 = PayableLine(1, 1, "AP-1", FEB15, D("12000.00"))
CO = CoopOpen(7, "CO-2601-V100-0001", date(2026, 1, 31), "COOP", OPEN, D("240.00"), D("0"))


def test_example_n_deduction_in_a_payment_run():
    p = vendor_payment(FEB15, [AP1], [CO], None)
    assert (p.gross, p.deducted, p.held, p.net) == (D("12000.00"), D("240.00"), D("0"), D("11760.00"))
    assert payment_lines(p, "run") == (
        ("ACCOUNTS_PAYABLE", 1200000, 0, None, "run"),
        ("CASH", 0, 1176000, None, "run"),
        ("CLAIMS_RECEIVABLE", 0, 24000, "COOP", "run CO-2601-V100-0001"),
    )


def test_example_n_with_100_under_open_dispute():
    disputed = CoopOpen(7, "CO-2601-V100-0001", date(2026, 1, 31), "COOP", OPEN, D("240.00"), D("100.00"))
    p = vendor_payment(FEB15, [AP1], [disputed], None)
    assert (p.deducted, p.net) == (D("140.00"), D("11860.00"))


def test_only_what_is_due_and_deductible_counts():
    later = PayableLine(2, 2, "AP-2", date(2026, 2, 16), D("500.00"))
    paid = CoopOpen(8, "CO-X", date(2026, 1, 31), "COOP", PAID, D("0"), D("0"))
    future = CoopOpen(9, "CO-Y", date(2026, 2, 28), "COOP", OPEN, D("50.00"), D("0"))
    p = vendor_payment(FEB15, [AP1, later], [CO, paid, future], None)
    assert ([ln.invoice_no for ln in p.lines], [d.invoice_no for d in p.deductions]) == (["AP-1"], [CO.invoice_no])


def test_never_below_zero_the_rest_stays_open_oldest_first():
    small = PayableLine(1, 1, "AP-1", FEB15, D("300.00"))
    older = CoopOpen(5, "CO-A", date(2025, 12, 31), "COOP", SHORT_PAID, D("200.00"), D("0"))
    p = vendor_payment(FEB15, [small], [CO, older], None)
    assert [(d.invoice_no, d.amount) for d in p.deductions] == [("CO-A", D("200.00")), (CO.invoice_no, D("100.00"))]
    assert (p.gross, p.deducted, p.net) == (D("300.00"), D("300.00"), D("0.00"))
    assert payment_lines(p, "r")[0] == ("ACCOUNTS_PAYABLE", 30000, 0, None, "r")
    assert [ln.role for ln in payment_lines(p, "r")] == ["ACCOUNTS_PAYABLE", "CLAIMS_RECEIVABLE", "CLAIMS_RECEIVABLE"]


def test_a_cd_credit_to_the_vendor_is_paid_with_its_next_payment():
    """A CD invoice with a negative total (§13: a credit to the vendor) rides with the vendor's
    next payment, before the amounts it owes: it raises what is left to deduct from."""
    small = PayableLine(1, 1, "AP-1", FEB15, D("300.00"))
    credit = CoopOpen(6, "CO-C", date(2026, 1, 31), "COOP", CREDIT, D("-118.00"), D("0"))
    owed = CoopOpen(5, "CO-A", date(2025, 12, 31), "COOP", OPEN, D("400.00"), D("0"))
    p = vendor_payment(FEB15, [small], [owed, credit], None)
    assert [(d.invoice_no, d.amount) for d in p.deductions] == [("CO-C", D("-118.00")), ("CO-A", D("400.00"))]
    assert (p.gross, p.deducted, p.net) == (D("300.00"), D("282.00"), D("18.00"))
    assert payment_lines(p, "r") == (
        ("ACCOUNTS_PAYABLE", 30000, 0, None, "r"),
        ("CASH", 0, 1800, None, "r"),
        ("CLAIMS_RECEIVABLE", 11800, 0, "COOP", "r CO-C"),
        ("CLAIMS_RECEIVABLE", 0, 40000, "COOP", "r CO-A"),
    )
    assert [(r.item, r.amount) for r in remittance_rows(p)][1:3] == [
        ("Credit paid: co-op invoice", D("118.00")),
        ("Deducted: co-op invoice", D("-400.00")),
    ]
    # no payment to ride with (nothing due): the credit waits; paid or future credits are left out
    assert vendor_payment(FEB15, [], [credit], None).deductions == ()
    later = CoopOpen(9, "CO-L", date(2026, 2, 28), "COOP", CREDIT, D("-50.00"), D("0"))
    assert [d.invoice_no for d in vendor_payment(FEB15, [small], [later], None).deductions] == []


def test_a_credit_paid_and_a_provision_never_debit_accounts_payable_below_zero():
    """Gross 300, a CD credit of 96, a provision of 500: the provision holds the vendor's 300
    and no more; the credit is paid; AP is debited nothing, never -96. With 96 owed on another
    invoice too, the provision holds what is left of the vendor's own money (204)."""
    small = PayableLine(1, 1, "AP-1", FEB15, D("300.00"))
    credit = CoopOpen(6, "CO-C", date(2026, 1, 31), "COOP", CREDIT, D("-96.00"), D("0"))
    provision = Hold(3, "260210_PROVISION_FOR_RECEIVABLES", D("500.00"))
    p = vendor_payment(FEB15, [small], [credit], provision)
    assert (p.gross, p.deducted, p.held, p.net) == (D("300.00"), D("-96.00"), D("300.00"), D("96.00"))
    assert payment_lines(p, "r") == (
        ("CASH", 0, 9600, None, "r"),
        ("CLAIMS_RECEIVABLE", 9600, 0, "COOP", "r CO-C"),
    )
    # a credit that offsets a deduction to nothing still posts both, by kind
    owed = CoopOpen(5, "CO-V", date(2025, 12, 31), "VOLUME", OPEN, D("96.00"), D("0"))
    q = vendor_payment(FEB15, [small], [credit, owed], provision)
    assert (q.deducted, q.held, q.net, moves_money(q)) == (D("0.00"), D("204.00"), D("96.00"), True)
    assert payment_lines(q, "r") == (
        ("ACCOUNTS_PAYABLE", 9600, 0, None, "r"),
        ("CASH", 0, 9600, None, "r"),
        ("CLAIMS_RECEIVABLE", 9600, 0, "COOP", "r CO-C"),
        ("CLAIMS_RECEIVABLE", 0, 9600, "VOLUME", "r CO-V"),
    )
    assert all(line[1] >= 0 and line[2] >= 0 for line in payment_lines(q, "r"))


def test_a_provision_holds_what_is_left_and_is_released_by_the_next_run():
    provision = Hold(3, "260210_PROVISION_FOR_RECEIVABLES", D("1500.00"))
    p = vendor_payment(FEB15, [AP1], [CO], provision)
    assert (p.gross, p.deducted, p.held, p.net) == (D("12000.00"), D("240.00"), D("1500.00"), D("10260.00"))
    assert payment_lines(p, "r")[:2] == (("ACCOUNTS_PAYABLE", 1050000, 0, None, "r"), ("CASH", 0, 1026000, None, "r"))
    rows = remittance_rows(p)
    assert [(r.item, r.reference, r.amount) for r in rows] == [
        ("Invoice paid", "AP-1", D("12000.00")),
        ("Deducted: co-op invoice", "CO-2601-V100-0001", D("-240.00")),
        ("Provision held", "260210_PROVISION_FOR_RECEIVABLES", D("-1500.00")),
        ("Gross", "", D("12000.00")),
        ("Deductions", "", D("-240.00")),
        ("Provision", "", D("-1500.00")),
        ("Net paid", "", D("10260.00")),
    ]
    # the provision reversed: the next run releases the hold and pays it
    nxt = vendor_payment(date(2026, 3, 1), [], [], None, [Hold(3, provision.name, D("1500.00"))])
    assert (nxt.gross, nxt.deducted, nxt.held, nxt.net) == (D("1500.00"), D("0"), D("0"), D("1500.00"))
    # still active: released and held again, nothing paid
    same = vendor_payment(date(2026, 3, 1), [], [], provision, [Hold(3, provision.name, D("1500.00"))])
    assert (same.gross, same.held, same.net) == (D("1500.00"), D("1500.00"), D("0.00"))
