"""Provisions for receivables and vendor balances (SPEC §15, example O) on both backends: the
balance of a day counts the documents dated up to it; the daily run places, keeps, reverses
and replaces provisions with the names of §15; bad input is refused with nothing written;
example O once more through the `coop` command line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.cli.main import main
from app.services import disputes, provisions, security, settlement
from app.services.context import AppContext
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.provision_reads import active_provision
from app.services.vendor_balances import balance_rows, debit_balance_count, vendor_balances
from tests.conftest import IMPORT_ORDER
from tests.integration.payables_support import (
    FEB_INVOICE,
    MAR17,
    MAR18,
    add_vendor_invoice,
    example_o,
    provision_count,
)
from tests.integration.payables_support import provisions as provision_rows

D = Decimal
NAME = "250317_PROVISION_FOR_RECEIVABLES"


@pytest.fixture
def vr(ctx: AppContext) -> AppContext:
    example_o(ctx)
    return ctx


def balance(ctx: AppContext, on: date) -> tuple[Decimal, ...]:
    with ctx.uow() as uow:
        (b,) = vendor_balances(uow.session, on)
        return (b.accrued_not_invoiced, b.open_invoices, b.open_disputes, b.open_vendor_invoices,
                b.received_not_invoiced, b.receivable, b.payable)  # fmt: skip


def run(ctx: AppContext, on: date) -> list[tuple[str, str, str, bool]]:
    with ctx.uow() as uow:
        return [(e.name, e.vendor_code, f"{e.amount:.2f}", e.reversal) for e in provisions.run_provisions(uow, on)]


def cheque(ctx: AppContext, amount: str, day: date = MAR18) -> None:
    with ctx.uow() as uow:
        settlement.record_payment(uow, "VR", day, D(amount), "CAD", "CHQ-77", [FEB_INVOICE])


def test_example_o_balances_provision_and_reversal(vr):
    assert balance(vr, MAR17) == (
        D("1000.00"), D("5000.00"), D("0.00"), D("4000.00"), D("500.00"), D("6000.00"), D("4500.00")
    )  # fmt: skip
    assert run(vr, MAR17) == [(NAME, "VR", "1500.00", False)]
    assert run(vr, MAR17) == []  # the same day again: nothing
    cheque(vr, "3000.00")
    assert balance(vr, MAR17)[5] == D("6000.00")  # the cheque of Mar 18 is not counted on Mar 17
    assert balance(vr, MAR18)[1:2] + balance(vr, MAR18)[5:] == (D("2000.00"), D("3000.00"), D("4500.00"))
    assert run(vr, MAR18) == [(NAME + "R", "VR", "-1500.00", True)]
    assert run(vr, MAR18) == []
    assert provision_rows(vr) == [
        (NAME, "VR", "1500.00", MAR17),
        (NAME + "R", "VR", "-1500.00", MAR18),
    ]
    with vr.uow() as uow:
        held = active_provision(uow.session, 1, MAR17)
        assert held is not None and (held.name, held.amount) == (NAME, D("1500.00"))
        assert active_provision(uow.session, 1, MAR18) is None
        assert active_provision(uow.session, 1, date(2025, 3, 16)) is None


def test_balances_before_the_documents_dated_later(vr):
    # Mar 4: the February invoice only (R1 is received Mar 5, AP-1 is dated Mar 10)
    assert balance(vr, date(2025, 3, 4)) == (
        D("0.00"), D("5000.00"), D("0.00"), D("0.00"), D("0.00"), D("5000.00"), D("0.00")
    )  # fmt: skip
    # Feb 27: the lump sum is accrued and invoiced on Feb 28: nothing at all
    with vr.uow() as uow:
        assert vendor_balances(uow.session, date(2025, 2, 27)) == []
    # Mar 5: R1 posted, AP-1 not yet: 1,000.00 accrued, 4,500.00 received not invoiced
    assert balance(vr, date(2025, 3, 5))[:5] == (D("1000.00"), D("5000.00"), D("0.00"), D("0.00"), D("4500.00"))


def test_a_changed_difference_reverses_and_places_a_new_provision(vr):
    assert run(vr, MAR17) == [(NAME, "VR", "1500.00", False)]
    cheque(vr, "1000.00")  # receivable 5,000.00 against 4,500.00
    assert run(vr, MAR18) == [
        (NAME + "R", "VR", "-1500.00", True),
        ("250318_PROVISION_FOR_RECEIVABLES", "VR", "500.00", False),
    ]
    with vr.uow() as uow:
        held = active_provision(uow.session, 1, MAR18)
        assert held is not None and (held.name, held.amount) == ("250318_PROVISION_FOR_RECEIVABLES", D("500.00"))
        (row,) = balance_rows(uow, MAR18)
        assert (row.balance.excess, row.provision_name, row.provision) == (
            D("500.00"), "250318_PROVISION_FOR_RECEIVABLES", D("500.00")
        )  # fmt: skip
        assert debit_balance_count(uow.session, MAR18) == 1
    # a second vendor invoice of Mar 19 (R1 line 2, 500.00 at cost) leaves the payable as it is
    add_vendor_invoice(vr, "VR", "AP-2", date(2025, 3, 19), date(2025, 4, 18), [("R1", 2, "50", "10.00")])
    assert balance(vr, date(2025, 3, 19))[3:5] == (D("4500.00"), D("0.00"))
    assert run(vr, date(2025, 3, 19)) == []


def test_an_open_dispute_lowers_the_receivable(vr):
    with vr.uow() as uow:
        disputes.file_dispute(uow, FEB_INVOICE, "PRICING", D("1200.00"), "Placement", "Not run", [], MAR17)
    assert balance(vr, MAR17)[2] == D("1200.00")
    assert balance(vr, date(2025, 3, 16))[2] == D("0.00")
    assert run(vr, MAR17) == [(NAME, "VR", "300.00", False)]
    with vr.uow() as uow:
        disputes.reject_dispute(uow, "DSP-2025-000001", "it ran", MAR18)
    assert run(vr, MAR18) == [(NAME + "R", "VR", "-300.00", True),
                              ("250318_PROVISION_FOR_RECEIVABLES", "VR", "1500.00", False)]  # fmt: skip


def test_bad_input_is_refused_and_nothing_written(vr):
    with vr.uow() as uow:
        security.save_user(uow, "root", "ADMIN")
    with AppContext(vr.engine, "root").uow() as uow:
        security.save_user(uow, "carl", "CLERK")
    with pytest.raises(PermissionDenied), AppContext(vr.engine, "carl").uow() as uow:
        provisions.run_provisions(uow, MAR17)
    with pytest.raises(ValidationFailed) as refused, AppContext(vr.engine, "root").uow() as uow:
        provisions.run_provisions(uow, None)
    assert [(p.record, p.field, p.message) for p in refused.value.problems] == [("provisions", "date", "is required")]
    assert provision_count(vr) == 0


def test_a_run_dated_before_the_latest_provision_is_refused_with_nothing_written(vr):
    assert run(vr, MAR18) == [("250318_PROVISION_FOR_RECEIVABLES", "VR", "1500.00", False)]
    with pytest.raises(ValidationFailed) as refused, vr.uow() as uow:
        provisions.run_provisions(uow, MAR17)
    assert [(p.record, p.field, p.message) for p in refused.value.problems] == [
        ("provisions", "date", "2025-03-17 is before the latest provision run (2025-03-18)")
    ]
    assert provision_count(vr) == 1
    assert run(vr, MAR18) == []  # the same day again is allowed: nothing changes


def test_example_o_through_the_command_line(vr, db_url, capsys):
    def coop(*args: str) -> int:
        return main(["--db", db_url, "--user", "tester", *args])

    vr.engine.dispose()
    capsys.readouterr()
    assert coop("provisions", "--date", "2025-03-17") == 0
    assert capsys.readouterr().out == f"{NAME}  VR  1,500.00\n"
    assert coop("provisions", "--date", "2025-03-17") == 0
    assert capsys.readouterr().out == ""
    cheque = ("--vendor", "VR", "--date", "2025-03-18", "--amount", "3000.00", "--currency", "CAD", "--ref", "C1")
    assert coop("payment", *cheque, "--invoice", FEB_INVOICE) == 0
    capsys.readouterr()
    assert coop("provisions", "--date", "2025-03-18") == 0
    assert capsys.readouterr().out == f"{NAME}R  VR  -1,500.00\n"
    with pytest.raises(SystemExit) as usage:  # not a date: a usage error, nothing run
        coop("provisions", "--date", "2025-13-01")
    assert usage.value.code == 2
    assert provision_rows(vr) == [(NAME, "VR", "1500.00", MAR17), (NAME + "R", "VR", "-1500.00", MAR18)]


def test_the_statement_flags_the_debit_balance(vr, db_url, tmp_path):
    from pypdf import PdfReader

    from app.services.statements import statement_data

    with vr.uow() as uow:
        data = statement_data(uow, "VR", date(2025, 3, 1), MAR17)
    assert data.balance is not None and (data.balance.receivable, data.balance.payable) == (
        D("6000.00"), D("4500.00")
    )  # fmt: skip
    vr.engine.dispose()

    def printed(to: str) -> str:
        out = tmp_path / f"VR-{to}.pdf"
        args = ["--db", db_url, "--user", "tester", "statement", "--vendor", "VR", "--from", "2025-03-01"]
        assert main([*args, "--to", to, "--out", str(out)]) == 0
        return " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())

    assert (
        "Debit balance: the vendor owes 1,500.00 CAD more than we owe it (receivable 6,000.00 against payable "
        "4,500.00 on 2025-03-17)." in printed("2025-03-17")
    )
    cheque(vr, "3000.00")
    assert "Debit balance" not in printed("2025-03-18")


def test_the_payment_run_holds_the_active_provision(vr):
    from app.services import payment_run

    assert run(vr, MAR17) == [(NAME, "VR", "1500.00", False)]
    with vr.uow() as uow:
        (due,) = payment_run.preview_payment_run(uow, date(2025, 4, 9))
    assert (due.payment.gross, due.payment.held, due.payment.net) == (D("4000.00"), D("1500.00"), D("2500.00"))
    assert due.payment.hold is not None and due.payment.hold.name == NAME
    cheque(vr, "3000.00")
    assert run(vr, MAR18) == [(NAME + "R", "VR", "-1500.00", True)]
    with vr.uow() as uow:
        (due,) = payment_run.preview_payment_run(uow, date(2025, 4, 9))
    assert (due.payment.held, due.payment.net) == (D("0.00"), D("4000.00"))


def test_example_o_entirely_through_coop(db_url, capsys):
    from tests.integration.payables_support import O_DIR

    def coop(*args: str) -> int:
        return main(["--db", db_url, "--user", "tester", *args])

    for kind in (*IMPORT_ORDER, "vendor-invoices"):
        if kind == "vendor-invoices":
            assert coop("close", "--month", "2025-02", "--date", "2025-03-01") == 0
            assert coop("post", "--date", "2025-03-05") == 0
        assert coop("import", kind, str(O_DIR / f"{kind}.csv")) == 0
    capsys.readouterr()
    assert coop("provisions", "--date", "2025-03-17") == 0
    assert capsys.readouterr().out == f"{NAME}  VR  1,500.00\n"
    cheque = ("--vendor", "VR", "--date", "2025-03-18", "--amount", "3000.00", "--currency", "CAD", "--ref", "C1")
    assert coop("payment", *cheque, "--invoice", FEB_INVOICE) == 0
    capsys.readouterr()
    assert coop("provisions", "--date", "2025-03-18") == 0
    assert capsys.readouterr().out == f"{NAME}R  VR  -1,500.00\n"
    assert coop("provisions", "--date", "2025-03-18") == 0
    assert capsys.readouterr().out == ""


@pytest.mark.pg
def test_two_provision_runs_at_once_place_one_provision(vr, db_url):
    import threading

    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency is checked on PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def once() -> None:
        other = AppContext.open(db_url, user="tester", upgrade=False)
        try:
            with other.uow() as uow:
                barrier.wait()
                outcomes.append([e.name for e in provisions.run_provisions(uow, MAR17)])
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcomes.append(exc)
        finally:
            other.engine.dispose()

    threads = [threading.Thread(target=once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == [f"['{NAME}']", "[]"]  # the second run waited and found it
    assert provision_rows(vr) == [(NAME, "VR", "1500.00", MAR17)]
