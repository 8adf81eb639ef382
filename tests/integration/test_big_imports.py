"""Imports larger than one statement can carry (issue 11, item 8).

PostgreSQL carries at most 65,535 parameters per statement; an import of 120,000 receipt
rows failed on the `IN (...)` list of its slip numbers. These files go past that limit with
one key per row (66,000 one-line slips, 66,000 products): the receipts file is the issue's
file at 55% of its size, enough to pass the limit by 465 keys. The imports stay one
transaction: a bad last row, or a failure after parts were written, leaves the database
exactly as it was.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.adapters.bulk import KEYS_PER_STATEMENT
from app.domain.money import cents
from app.models import JournalEntry, JournalLine, Product, ReceiptLine, ReceivingSlip
from app.services import posting, receiving
from app.services.context import AppContext
from app.services.imports import import_file
from app.services.receiving import LINES_PER_WRITE
from tests.conftest import import_example
from tests.integration.test_bad_input import snapshot
from tests.integration.test_cli_examples import coop

D = Decimal
PG_PARAMETER_LIMIT = 65_535
BIG = 66_000
PRODUCTS = ("GYP-HALF-4X8", "GYP-OTHER")  # both under the GYPSUM ladder of example B
COSTS = (D("1.25"), D("0.80"), D("2.10"))
HEADER = "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost"


def receipt(i: int) -> tuple[str, date, str, Decimal, Decimal]:
    """Row i of the generated file: one slip per row, dated in January to June 2026."""
    return (f"B{i:06d}", date(2026, 1, 1) + timedelta(days=i % 180), PRODUCTS[i % 2], D(1 + i % 17), COSTS[i % 3])


def receipts_csv(path: Path, count: int, *extra: str) -> Path:
    with path.open("w") as fh:
        fh.write(HEADER + "\n")
        for i in range(count):
            slip, when, product, quantity, cost = receipt(i)
            fh.write(f"{slip},V100,{when.isoformat()},1,{product},{quantity},{cost}\n")
        fh.writelines(line + "\n" for line in extra)
    return path


def stored_receipts(ctx: AppContext) -> tuple[int, int, Decimal, set[str]]:
    with ctx.uow() as uow:
        s = uow.session
        slips = s.scalar(select(func.count()).select_from(ReceivingSlip))
        lines = s.scalar(select(func.count()).select_from(ReceiptLine))
        total = s.scalar(select(func.sum(ReceiptLine.amount))) or D(0)
        statuses = set(s.scalars(select(ReceivingSlip.status).distinct()))
    return slips, lines, total, statuses


@pytest.fixture
def base(ctx: AppContext) -> AppContext:
    import_example(
        ctx, "B_marginal", kinds=("categories", "vendors", "products", "gl-accounts", "gl-reference", "agreements")
    )
    return ctx


def test_the_files_pass_the_parameter_limit():
    assert BIG > PG_PARAMETER_LIMIT
    assert KEYS_PER_STATEMENT * 2 < PG_PARAMETER_LIMIT  # a slice stays far below it


def test_a_receipts_file_past_the_parameter_limit_imports_through_coop(base, db_url, tmp_path, capsys):
    path = receipts_csv(tmp_path / "receipts.csv", BIG)
    capsys.readouterr()
    assert coop(db_url, "import", "receipts", str(path)) == 0
    out, err = capsys.readouterr()
    assert out == f"Imported {BIG:,} rows of receipts from {path}\n"
    parts = list(range(LINES_PER_WRITE, BIG, LINES_PER_WRITE)) + [BIG]
    assert err.splitlines() == [
        f"  read {BIG:,} rows; checking them",
        *(f"  wrote {n:,} of {BIG:,} rows" for n in parts),
    ]
    expected = sum((cents(q * c) for _s, _d, _p, q, c in map(receipt, range(BIG))), D(0))
    assert stored_receipts(base) == (BIG, BIG, expected, {"DRAFT"})
    with base.uow() as uow:
        row = uow.session.execute(
            select(
                ReceivingSlip.received_date,
                Product.code,
                ReceiptLine.quantity,
                ReceiptLine.unit_cost,
                ReceiptLine.amount,
            )
            .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
            .join(Product)
            .where(ReceivingSlip.slip_no == "B065999")
        ).one()
    assert tuple(row) == (date(2026, 4, 30), "GYP-OTHER", D(6), D("2.10"), D("12.60"))


def test_a_bad_last_row_of_a_big_file_writes_nothing(base, db_url, tmp_path, capsys):
    path = receipts_csv(tmp_path / "receipts.csv", BIG, "Z1,V100,2026-03-01,1,NOPE,1,1.00")
    before = snapshot(base)
    capsys.readouterr()
    assert coop(db_url, "import", "receipts", str(path)) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"  read {BIG + 1:,} rows; checking them",
        "error: 1 problem(s), nothing was written:",
        f"  row {BIG + 2}, product_code: product NOPE does not exist",
    ]
    assert snapshot(base) == before


class Interrupted(Exception):
    pass


def test_a_failure_after_parts_were_written_rolls_all_of_them_back(base, tmp_path):
    """The parts are written in the one transaction: stopped after the second part (as a
    crash or a lost connection would), the first two parts are gone too."""
    path = receipts_csv(tmp_path / "receipts.csv", 3 * LINES_PER_WRITE)
    before = snapshot(base)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 2 * LINES_PER_WRITE:
            raise Interrupted

    with pytest.raises(Interrupted), base.uow() as uow:
        import_file(uow, "receipts", path, progress=progress)
    assert seen == [(0, 30_000), (10_000, 30_000), (20_000, 30_000)]
    assert snapshot(base) == before


def test_a_products_file_past_the_parameter_limit_imports_and_imports_again(base, db_url, tmp_path):
    path = tmp_path / "products.csv"
    with path.open("w") as fh:
        fh.write("code,description,vendor_code,cat1,cat2,cat3,cat4,unit_cost\n")
        fh.writelines(
            f"P{i:06d},Board {i},V100,GYPSUM,GYP-BOARD,GYP-REG,GYP-REG-HALF,{COSTS[i % 3]}\n" for i in range(BIG)
        )
    assert coop(db_url, "import", "products", str(path)) == 0
    assert coop(db_url, "import", "products", str(path)) == 0  # every code exists: updated, not added
    with base.uow() as uow:
        count, total = uow.session.execute(
            select(func.count(), func.sum(Product.unit_cost)).where(Product.code.like("P%"))
        ).one()
    assert count == BIG
    assert total == sum((COSTS[i % 3] for i in range(BIG)), D(0))


def marginal_b(volume: Decimal) -> Decimal:
    """SPEC §10 B's ladder, G(V): 30,000 @2%, 50,000 @3%, 999,999,999 @3.5%."""
    tiers = ((D(0), D(30_000), D("0.02")), (D(30_000), D(50_000), D("0.03")), (D(50_000), D(999_999_999), D("0.035")))
    return sum((rate * max(D(0), min(volume, top) - bottom) for bottom, top, rate in tiers), D(0))


def test_many_drafts_saved_again_and_posted_by_name_in_one_transaction(base, tmp_path):
    count = KEYS_PER_STATEMENT + 1_000  # two slices of keys, two parts of slips
    path = receipts_csv(tmp_path / "receipts.csv", count)
    with base.uow() as uow:
        assert import_file(uow, "receipts", path) == count
    slips = [
        receiving.SlipIn(slip, "V100", when, (receiving.SlipLineIn(1, product, quantity + 1, cost),))
        for slip, when, product, quantity, cost in map(receipt, range(count))
    ]
    with base.uow() as uow:
        receiving.save_slips(uow, slips, replace_draft=True)
    volume = sum((cents((q + 1) * c) for _s, _d, _p, q, c in map(receipt, range(count))), D(0))
    assert stored_receipts(base) == (count, count, volume, {"DRAFT"})
    with base.uow() as uow:
        result = posting.post_slips(uow, [s.slip_no or "" for s in reversed(slips)], today=date(2026, 7, 1))
    assert (result.slips, result.lines, result.rerate_entries) == (count, count, 0)
    assert stored_receipts(base) == (count, count, volume, {"POSTED"})
    with base.uow() as uow:
        by_source = dict(
            uow.session.execute(
                select(JournalEntry.source, func.sum(JournalLine.debit))
                .join(JournalEntry)
                .where(JournalLine.role == "REBATE_RECEIVABLE")
                .group_by(JournalEntry.source)
            ).all()
        )
    assert by_source == {"ACCRUAL": cents(marginal_b(volume))}
