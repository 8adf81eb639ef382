"""Vendor balances and provisions for receivables as pure rules (SPEC §15, example O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.balances import ProvisionStep, VendorBalance, provision_name, provision_step, reversal_name

D = Decimal


def vr(open_invoices: str) -> VendorBalance:
    return VendorBalance(
        1, "VR", "Ridge", accrued_not_invoiced=D("1000.00"), open_invoices=D(open_invoices),
        open_disputes=D("0.00"), open_vendor_invoices=D("4000.00"), received_not_invoiced=D("500.00"),
    )  # fmt: skip


def test_example_o_mar_17_places_the_difference() -> None:
    mar17 = vr("5000.00")
    assert (mar17.receivable, mar17.payable, mar17.debit_balance, mar17.excess) == (
        D("6000.00"), D("4500.00"), True, D("1500.00")
    )  # fmt: skip
    assert provision_name(date(2025, 3, 17)) == "250317_PROVISION_FOR_RECEIVABLES"
    assert provision_step(None, mar17.excess) == ProvisionStep(False, D("1500.00"))


def test_example_o_mar_18_cheque_reverses_and_places_nothing() -> None:
    mar18 = vr("2000.00")  # 5,000.00 less the cheque of 3,000.00
    assert (mar18.receivable, mar18.payable, mar18.debit_balance, mar18.excess) == (
        D("3000.00"), D("4500.00"), False, D("0.00")
    )  # fmt: skip
    assert provision_step(D("1500.00"), mar18.excess) == ProvisionStep(True, None)
    assert reversal_name("250317_PROVISION_FOR_RECEIVABLES") == "250317_PROVISION_FOR_RECEIVABLESR"


def test_a_changed_difference_reverses_and_places_again_and_the_same_one_does_nothing() -> None:
    assert provision_step(D("1500.00"), D("1200.00")) == ProvisionStep(True, D("1200.00"))
    assert provision_step(D("1500.00"), D("1500.00")).nothing
    assert provision_step(None, D("0.00")).nothing
    assert provision_step(None, D("-10.00")).nothing


def test_open_disputes_lower_the_receivable() -> None:
    disputed = VendorBalance(2, "VS", "S", open_invoices=D("800.00"), open_disputes=D("300.00"))
    assert (disputed.receivable, disputed.payable, disputed.excess) == (D("500.00"), D("0"), D("500.00"))
    assert not VendorBalance(3, "VT", "T", received_not_invoiced=D("1.00")).debit_balance
