"""Example N end to end through `coop` (import, post, close, import vendor-invoices,
payment-run with the remittance advice), on both backends; two payment runs at once on
PostgreSQL pay each vendor invoice line once."""

from __future__ import annotations

import csv
import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.cli.main import main
from app.models import JournalEntry, JournalLine, PaymentRunLine, PaymentRunVendor
from app.services import month_close, payment_run, posting
from app.services.context import AppContext
from tests.conftest import EXAMPLES, IMPORT_ORDER, import_example

D = Decimal
N = EXAMPLES / "N_payment_run"


def coop(capsys, url: str, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(["--db", url, "--user", "tester", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_example_n_through_the_command_line(db_url, tmp_path, capsys):
    for kind in IMPORT_ORDER:
        assert coop(capsys, db_url, "import", kind, str(N / f"{kind}.csv"))[0] == 0
    assert coop(capsys, db_url, "post", "--date", "2026-02-02")[0] == 0
    assert coop(capsys, db_url, "close", "--month", "2026-01", "--date", "2026-02-01")[0] == 0
    assert coop(capsys, db_url, "import", "vendor-invoices", str(N / "vendor-invoices.csv"))[0] == 0
    code, _out, err = coop(capsys, db_url, "import", "vendor-invoices", str(N / "vendor-invoices.csv"))
    assert code == 1 and "row 2, invoice_no: invoice AP-1 of V100 is recorded already" in err
    out_dir = tmp_path / "remit" / "feb15"
    code, out, _err = coop(capsys, db_url, "payment-run", "--date", "2026-02-15", "--out", str(out_dir))
    assert code == 0
    assert out.splitlines() == [
        "V100: gross 12,000.00, deductions 240.00, provision 0.00, net 11,760.00",
        f"Wrote 1 remittance advices to {out_dir}",
    ]
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "remittance-2026-02-15-V100.csv",
        "remittance-2026-02-15-V100.pdf",
    ]
    assert (out_dir / "remittance-2026-02-15-V100.pdf").read_bytes().startswith(b"%PDF")
    with (out_dir / "remittance-2026-02-15-V100.csv").open(newline="") as fh:
        rows = [(r["item"], r["reference"], r["due_date"], r["amount"]) for r in csv.DictReader(fh)]
    assert rows == [
        ("Invoice paid", "AP-1", "2026-02-15", "12000.00"),
        ("Deducted: co-op invoice", "CO-2601-V100-0001", "", "-240.00"),
        ("Gross", "", "", "12000.00"),
        ("Deductions", "", "", "-240.00"),
        ("Provision", "", "", "0.00"),
        ("Net paid", "", "", "11760.00"),
    ]
    journal = tmp_path / "journal.csv"
    assert coop(capsys, db_url, "export", "journal", "--source", "PAYMENT_RUN", "--out", str(journal))[0] == 0
    with journal.open(newline="") as fh:
        lines = [(r["account_role"], r["debit"], r["credit"]) for r in csv.DictReader(fh)]
    assert sorted(lines) == [("ACCOUNTS_PAYABLE", "12000.00", "0.00"), ("CASH", "0.00", "11760.00"),
                             ("CLAIMS_RECEIVABLE", "0.00", "240.00")]  # fmt: skip
    code, out, _err = coop(capsys, db_url, "payment-run", "--date", "2026-02-15")
    assert (code, out.strip()) == (0, "Nothing to pay on 2026-02-15")


@pytest.mark.pg
def test_two_payment_runs_at_once_pay_each_line_once(ctx, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency is checked on PostgreSQL")
    import_example(ctx, "N_payment_run")
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 2, 2))
    month_close.close_month(ctx, "2026-01", date(2026, 2, 1))
    with ctx.uow() as uow:
        from app.services.imports import import_file

        import_file(uow, "vendor-invoices", N / "vendor-invoices.csv")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run() -> None:
        other = AppContext.open(db_url, user="tester", upgrade=False)
        try:
            with other.uow() as uow:
                barrier.wait()
                outcomes.append([v.payment.net for v in payment_run.run_payments(uow, date(2026, 2, 15)).vendors])
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcomes.append(exc)
        finally:
            other.engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == ["[Decimal('11760.00')]", "[]"]
    with ctx.uow() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(PaymentRunVendor)) == 1
        assert s.scalar(select(func.count()).where(PaymentRunLine.vendor_invoice_line_id.is_not(None))) == 1
        cash = s.scalar(
            select(func.sum(JournalLine.credit))
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(JournalEntry.source == "PAYMENT_RUN", JournalLine.role == "CASH")
        )
        assert cash == D("11760.00")
