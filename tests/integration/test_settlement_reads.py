"""The reads of the settlement screens (app.services.settlement_reads) on example M, both backends:
the invoices a payment may name, the first step of a dispute checked as filing checks it, the
disputes list, the company's settlement settings, the agreements that require actuals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services import agreements, disputes, masterdata, settlement, settlement_reads
from app.services.agreement_header import AgreementHeader
from tests.integration.settlement_support import FEB, MAR, counts, example_m

D = Decimal


@pytest.fixture
def users(ctx):  # type: ignore[no-untyped-def]
    return example_m(ctx)


def test_payable_invoices_are_the_vendors_owed_ones_oldest_first(ctx, users):
    with users["anna"].uow() as uow:
        settlement.record_payment(uow, "V100", date(2026, 5, 10), D("1000.00"), "CAD", "CHQ-1", [FEB])
    with users["anna"].uow() as uow:
        found = settlement_reads.payable_invoices(uow, "V100")
    assert [(v.invoice_no, v.open_amount, v.status) for v in found] == [
        (FEB, D("50.00"), "SHORT_PAID"),
        (MAR, D("325.00"), "OPEN"),
    ]  # April's credit to the vendor is not offered


def test_the_first_step_of_a_dispute_is_checked_as_filing_checks_it(ctx, users):
    day = date(2026, 3, 10)
    before = counts(ctx)
    with users["anna"].uow() as uow:
        assert settlement_reads.dispute_problems(uow, FEB, "PRICING", D("100.00"), day) == []
        found = settlement_reads.dispute_problems(uow, FEB, "WHIM", D("1100.00"), date(2026, 6, 1))
    assert [str(p) for p in found] == [
        "Dispute of CO-2602-V100-0001, reason: must be PRICING, QUANTITY, NOT_COVERED, DUPLICATE, RATE or OTHER "
        "(got WHIM)",
        "Dispute of CO-2602-V100-0001, date: 2026-06-01 is outside the filing window of invoice CO-2602-V100-0001: "
        "60 days from its date, 2026-02-28 to 2026-04-29",
    ]
    with users["anna"].uow() as uow:
        disputes.file_dispute(uow, FEB, "RATE", D("1000.00"), "Rate", "Tier 2", [], day)
    with users["anna"].uow() as uow:
        found = settlement_reads.dispute_problems(uow, FEB, "RATE", D("100.00"), day)
        listed = settlement_reads.dispute_list(uow, date(2026, 4, 20))
    assert [str(p) for p in found] == [
        "Dispute of CO-2602-V100-0001, amount: 100.00 is more than the open 50.00 of CO-2602-V100-0001 "
        "(1,000.00 of it under open dispute already)"
    ]
    assert [(d.dispute_no, d.overdue) for d in listed] == [("DSP-2026-000001", True)]
    assert counts(ctx)["dispute"] == before["dispute"] + 1


def test_settlement_terms_and_the_agreements_requiring_actuals(ctx, users):
    with users["root"].uow() as uow:
        assert settlement_reads.settlement_terms(uow) == settlement_reads.SettlementTerms("", D("5.00"), 60)
        masterdata.set_settlement_terms(uow, "Bank X", D("7.50"), 45)
    with users["root"].uow() as uow:
        assert settlement_reads.settlement_terms(uow) == settlement_reads.SettlementTerms("Bank X", D("7.50"), 45)
        assert settlement_reads.actuals_agreements(uow) == []
        (summary,) = agreements.list_agreements(uow, "V100", "COOP")
        view = agreements.load_agreement(uow, summary.id)
        assert view.actuals_required is False
        agreements.save_agreement(
            uow, vendor="V100", kind="COOP", status=view.status, lines=list(view.lines), agreement_id=view.id,
            expected_version=view.version, header=AgreementHeader(view.description, view.vendor_ref, view.start,
                                                                  view.end, None, True),
        )  # fmt: skip
    with users["root"].uow() as uow:
        assert agreements.load_agreement(uow, summary.id).actuals_required is True
        (flagged,) = settlement_reads.actuals_agreements(uow)
    assert (flagged.vendor, flagged.kind, flagged.number, flagged.status) == ("V100", "COOP", "1", "ACCEPTED")
