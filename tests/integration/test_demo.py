"""`coop demo`: the demo company of resources/demo (the import files of SPEC §9) loads through
the import service, posts cleanly and shows every feature of the agreements (SPEC §3-§6),
dated for the day it is loaded; importing the files one by one with `coop import` gives
the same database; a failure leaves the database as it was."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import DateTime, func, select

from app.adapters import db
from app.cli.main import main as cli_main
from app.domain.money import UNLIMITED
from app.domain.rates import line_result, result_percent
from app.models import (
    Agreement,
    AgreementHistory,
    AgreementLine,
    Base,
    Category,
    Company,
    GlAccount,
    GlReference,
    JournalEntry,
    JournalLine,
    LineAccrual,
    Product,
    ReceiptLine,
    ReceivingSlip,
    Vendor,
)
from app.services import demo, estimated, masterdata, posting
from app.services.context import AppContext
from app.services.demo import months_between, move_months
from app.services.errors import ImportFailed, ServiceError
from app.services.imports import HEADERS
from tests.conftest import drop_pg, fresh_pg_url

TODAY = date(2026, 3, 18)
FILES = demo.demo_files()
SUMMARY = (
    "Demo company loaded: 8 vendors, 352 products, 26 agreements (35 ladders), 2,353 receipt lines "
    "posted (607 slips), 4 draft slips"
)


def test_moving_by_months_keeps_the_day_and_the_month_ends():
    assert months_between(date(2026, 12, 1), TODAY) == -9
    assert months_between(date(2026, 12, 1), date(2028, 1, 31)) == 13
    assert move_months(date(2026, 11, 17), -9) == date(2026, 2, 17)
    assert move_months(date(2026, 1, 30), 1) == date(2026, 2, 28)  # clamped to the month
    assert move_months(date(2026, 6, 30), 1) == date(2026, 7, 31)  # a month end stays one
    assert move_months(date(2026, 12, 31), -10) == date(2026, 2, 28)
    assert move_months(date(2027, 2, 28), 12) == date(2028, 2, 29)
    assert move_months(date(2028, 2, 29), -12) == date(2027, 2, 28)
    assert move_months(date(2026, 1, 1), -13) == date(2024, 12, 1)
    assert move_months(date(2026, 12, 1), 0) == date(2026, 12, 1)


def _rows(name: str) -> list[dict[str, str]]:
    with open(FILES.folder / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_files_are_import_files_dated_for_their_month():
    assert FILES.written_for.day == 1 and FILES.company == "Northshore Building Supply Ltd"
    for kind, name in (*demo.FILES, demo.DRAFTS):
        required, optional = HEADERS[kind]
        with open(FILES.folder / name, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert set(required) <= set(header) <= set(required + optional), name
    base = FILES.written_for
    program = (move_months(base, -11), move_months(base, 1) - timedelta(days=1))
    following = (move_months(base, 1), move_months(base, 13) - timedelta(days=1))
    agreements = _rows("agreements.csv") + _rows("agreements-accepted.csv")
    periods = {(date.fromisoformat(r["start_date"]), date.fromisoformat(r["end_date"])) for r in agreements}
    assert periods == {program, following}
    assert {
        r["status"] for r in agreements if (r["start_date"], r["end_date"]) == tuple(d.isoformat() for d in following)
    } == {"PENDING"}
    receipts = _rows("receipts.csv")
    days = {date.fromisoformat(r["received_date"]) for r in receipts}
    assert program[0] <= min(days) and max(days) < base
    assert len({(d.year, d.month) for d in days}) == 11  # the eleven whole months before
    assert all(r["reference"] for r in receipts)
    drafts = _rows("receipts-drafts.csv")
    assert {r["received_date"] for r in drafts} == {base.isoformat()}
    assert {r["unit_cost"] for r in drafts} == {""}  # the products' costs
    assert not {r["slip_no"] for r in drafts} & {r["slip_no"] for r in receipts}


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _accrued(session) -> tuple[Decimal, Decimal, Decimal]:
    return tuple(
        session.execute(
            select(func.sum(LineAccrual.rebate), func.sum(LineAccrual.retro), func.sum(LineAccrual.inventory))
        ).one()
    )


def test_demo_company_loads_posts_and_rerates_clean(ctx, db_url, capsys):
    with ctx.uow() as uow:
        summary = demo.load_demo(uow, today=TODAY)
    assert summary == SUMMARY

    with ctx.uow() as uow:
        s = uow.session
        company = s.get(Company, 1)
        assert company.name == "Northshore Building Supply Ltd" and company.currency == "CAD"
        assert "BC" in company.address

        # Vendors, categories, products.
        vendors = list(s.scalars(select(Vendor)))
        assert len(vendors) == 8
        assert all(v.name and v.address and v.currency == "CAD" and v.active for v in vendors)
        levels = dict(s.execute(select(Category.level, func.count()).group_by(Category.level)).all())
        assert levels == {1: 8, 2: 23, 3: 52, 4: 84}
        tree = masterdata.category_map(uow)
        products = list(s.scalars(select(Product)))
        assert len(products) == 352
        for prod in products:
            cats = (prod.cat1, prod.cat2, prod.cat3, prod.cat4)
            assert all(cats), prod.code
            assert tree[(1, prod.cat1)] is None
            for level in (2, 3, 4):
                assert tree[(level, cats[level - 1])] == cats[level - 2], prod.code
            assert Decimal(0) < prod.unit_cost
        assert {p.vendor_id for p in products} == {v.id for v in vendors}

        # GL accounts and reference.
        numbers = set(s.scalars(select(GlAccount.number)))
        assert {"1200", "2150", "1310", "6100", "4810", "4820", "4830", "1320"} <= numbers and len(numbers) == 16
        roles = dict(s.execute(select(GlReference.role, GlAccount.number).join(GlAccount)).all())
        assert roles == {
            "INVENTORY": "1200",
            "RECEIVED_NOT_INVOICED": "2150",
            "REBATE_RECEIVABLE": "1310",
            "ADVERTISING": "6100",
            "REBATE_EARNED": "4810",
            "DAMAGE_ALLOWANCE": "4820",
            "FREIGHT_ALLOWANCE": "4830",
            "CLAIMS_RECEIVABLE": "1320",
            "CASH": "1010",
            "ACCOUNTS_PAYABLE": "2100",
            "REBATE_WRITE_OFF": "6900",
            "PURCHASE_PRICE_VARIANCE": "5100",
        }

        # Agreements: every kind and status, and every feature of the grid.
        agreements = list(s.scalars(select(Agreement)))
        assert {a.kind for a in agreements} == {
            "COOP", "VOLUME", "PERIODIC", "DAMAGE", "FREIGHT", "LUMP_SUM", "PRICE_PROTECTION"
        }  # fmt: skip
        (lump,) = [a for a in agreements if a.kind == "LUMP_SUM"]
        assert (lump.amount, lump.start_date, lump.end_date, lump.method) == (
            Decimal("6000.00"), date(2025, 4, 1), date(2026, 3, 31), "CD"
        )  # fmt: skip
        statuses = [a.status for a in agreements]
        assert (statuses.count("ACCEPTED"), statuses.count("PENDING"), statuses.count("REJECTED")) == (22, 2, 2)
        status_of = {a.id: a.status for a in agreements}
        kind_of = {a.id: a.kind for a in agreements}
        lines = list(s.scalars(select(AgreementLine)))
        accepted = [ln for ln in lines if status_of[ln.agreement_id] == "ACCEPTED"]
        # SPEC §4.2 degressive line: 2, 1.5, 1, 0.5 with Deg -> 4.913 %.
        deg = [ln for ln in accepted if ln.degressive]
        assert any(
            (ln.rebate1, ln.rebate2, ln.rebate3, ln.rebate4)
            == (Decimal("2"), Decimal("1.5"), Decimal("1"), Decimal("0.5"))
            for ln in deg
        )
        assert Decimal("4.913") in {
            result_percent(line_result((ln.rebate1, ln.rebate2, ln.rebate3, ln.rebate4), True)) for ln in deg
        }
        ladders: dict[tuple, list[AgreementLine]] = {}
        for ln in accepted:
            key = (ln.agreement_id, ln.product_id, ln.cat1, ln.cat2, ln.cat3, ln.cat4, ln.start_date, ln.end_date)
            ladders.setdefault(key, []).append(ln)
        multi = [sorted(m, key=lambda ln: ln.max_amount) for m in ladders.values() if len(m) >= 3]
        assert any(not m[0].retro for m in multi), "a marginal ladder of three tiers or more"
        retro_zero = [
            m
            for m in ladders.values()
            if m[0].retro and len(m) > 1 and min(m, key=lambda ln: ln.max_amount).rebate1 == 0
        ]
        assert retro_zero, "a Retro ladder with a zero first tier"
        assert any(m[-1].max_amount == UNLIMITED for m in multi)
        # Product ladders overriding a group ladder of the same agreement (precedence).
        product_ladders = [ln for ln in accepted if ln.product_id is not None]
        assert product_ladders
        by_id = {p.id: p for p in products}
        overridden = 0
        for ln in product_ladders:
            prod = by_id[ln.product_id]
            for other in accepted:
                if (
                    other.agreement_id == ln.agreement_id
                    and other.product_id is None
                    and all(
                        c in ("ALL", pc)
                        for c, pc in zip(
                            (other.cat1, other.cat2, other.cat3, other.cat4),
                            (prod.cat1, prod.cat2, prod.cat3, prod.cat4),
                            strict=True,
                        )
                    )
                ):
                    overridden += 1
                    break
        assert overridden >= 2
        assert {ln.period for ln in accepted if kind_of[ln.agreement_id] == "PERIODIC"} == {"M", "Q", "Y"}
        assert {Decimal("40"), Decimal("100")} <= {ln.product_pct for ln in accepted}
        assert {ln.method for ln in accepted} == {"SC", "NC", "CD"}
        # Moved to the month of loading: the twelve months ending with this month.
        assert {(ln.start_date, ln.end_date) for ln in accepted} == {(date(2025, 4, 1), date(2026, 3, 31))}
        assert {(ln.start_date, ln.end_date) for ln in lines if status_of[ln.agreement_id] == "PENDING"} == {
            (date(2026, 4, 1), date(2027, 3, 31))
        }
        assert (
            _count(
                s,
                AgreementHistory,
                AgreementHistory.field == "Status",
                AgreementHistory.old_value == "PENDING",
                AgreementHistory.new_value == "ACCEPTED",
            )
            == 1
        )

        # Receiving: posted slips over the eleven months before this one, returns, drafts of today.
        posted_lines = _count(
            s, ReceiptLine, ReceiptLine.slip_id.in_(select(ReceivingSlip.id).where(ReceivingSlip.status == "POSTED"))
        )
        assert posted_lines == 2353
        assert _count(s, ReceivingSlip, ReceivingSlip.status == "POSTED") == 607
        assert _count(s, ReceiptLine, ReceiptLine.quantity < 0) == 12
        assert _count(s, ReceivingSlip, ReceivingSlip.reference.like("RTV %")) == 12
        assert _count(s, ReceivingSlip, ReceivingSlip.reference.like("PO % / PS %")) == 607 - 12 + 4
        first, last = s.execute(
            select(func.min(ReceivingSlip.received_date), func.max(ReceivingSlip.received_date)).where(
                ReceivingSlip.status == "POSTED"
            )
        ).one()
        assert date(2025, 4, 1) <= first and last <= date(2026, 2, 28)
        assert (last - first).days >= 300  # spread over the year
        drafts = list(s.scalars(select(ReceivingSlip).where(ReceivingSlip.status == "DRAFT")))
        assert len(drafts) == 4 and all(d.received_date == TODAY for d in drafts)

        # Journal: every entry balances; accruals, retroactive parts, no re-rating needed.
        sums = s.execute(
            select(JournalLine.entry_id, func.sum(JournalLine.debit), func.sum(JournalLine.credit)).group_by(
                JournalLine.entry_id
            )
        ).all()
        assert len(sums) == _count(s, JournalEntry) > posted_lines
        assert all(debit == credit for _e, debit, credit in sums)
        sources = dict(s.execute(select(JournalEntry.source, func.count()).group_by(JournalEntry.source)).all())
        assert sources["RECEIPT"] == posted_lines
        assert sources["ACCRUAL"] > posted_lines and sources["RETRO"] >= 1
        assert "RERATE" not in sources  # posted in date order from scratch
        # The price change: 14.40 -> 13.90 with 240 on hand inside LAURGYP's price protection.
        assert sources["PRICE_PROTECTION"] == 1
        claim = s.execute(
            select(JournalLine.role, JournalLine.debit, JournalLine.credit)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(JournalEntry.source == "PRICE_PROTECTION")
            .order_by(JournalLine.id)
        ).all()
        assert [tuple(r) for r in claim] == [
            ("REBATE_RECEIVABLE", Decimal("120.00"), Decimal("0.00")),
            ("INVENTORY", Decimal("0.00"), Decimal("120.00")),
        ]
        # Tier progress: lines reach tier 2 and beyond; the accruals to the cent.
        tiers = dict(s.execute(select(LineAccrual.tier, func.count()).group_by(LineAccrual.tier)).all())
        assert tiers == {0: 1932, 1: 2868, 2: 1580, 3: 317}  # 0: at a provisional rate (no tier)
        assert _accrued(s) == (Decimal("250441.37"), Decimal("14194.23"), Decimal("36263.29"))
        # Provisional rates: co-op on steel framing (KEYSTEEL has no co-op agreement), freight
        # where no agreement covers it, but not for IRONCLAD (waived).
        provisional = dict(
            s.execute(
                select(LineAccrual.kind, func.count()).where(LineAccrual.tier == 0).group_by(LineAccrual.kind)
            ).all()
        )
        assert provisional == {"COOP": 199, "FREIGHT": 1733}
        waived = select(Vendor.id).where(Vendor.code == "IRONCLAD").scalar_subquery()
        assert _count(s, LineAccrual, LineAccrual.kind == "FREIGHT", LineAccrual.vendor_id == waived) == 0

        # The estimated rebates report has something to say.
        rows = estimated.estimated_rebates(uow, as_of=TODAY)
        assert len(rows) >= 20 and all(r.volume != 0 for r in rows if not r.period and r.kind != "LUMP_SUM")
        assert any(r.tier >= 2 for r in rows) and any(r.retroactive > 0 for r in rows)
        assert any(r.needed_for_next is not None and r.needed_for_next > 0 for r in rows)
        assert any(r.applied_to_cost > 0 for r in rows)
        (lump_row,) = [r for r in rows if r.kind == "LUMP_SUM"]  # 6,000.00 from 2025-04-01: 352 of 365 days
        assert (lump_row.amount, lump_row.rebate, lump_row.to_accrue) == (
            Decimal("6000.00"), Decimal("5786.30"), Decimal("213.70")
        )  # fmt: skip

    # Re-rating the unchanged state posts nothing (SPEC §6.3).
    with ctx.uow() as uow:
        assert posting.rerate(uow, today=TODAY) == 0

    # A second load: --if-empty does nothing and says so; without it, refused.
    with ctx.uow() as uow:
        message = demo.load_demo(uow, if_empty=True, today=TODAY)
        assert "already has 8 vendors" in message
        with pytest.raises(ServiceError, match="already has 8 vendors"):
            demo.load_demo(uow, today=TODAY)
    assert cli_main(["--db", db_url, "demo", "--if-empty"]) == 0
    assert "already has 8 vendors" in capsys.readouterr().out

    # The clerk posts today's drafts: they fall in the accepted agreements and accrue.
    with ctx.uow() as uow:
        result = posting.post_slips(uow, today=TODAY)
        assert (result.slips, result.lines) == (4, 13)
    with ctx.uow() as uow:
        s = uow.session
        assert _count(s, ReceivingSlip, ReceivingSlip.status == "DRAFT") == 0
        assert s.execute(
            select(func.count(), func.sum(LineAccrual.rebate)).where(LineAccrual.received_date == TODAY)
        ).one() == (38, Decimal("2356.15"))
        sums = s.execute(select(func.sum(JournalLine.debit), func.sum(JournalLine.credit))).one()
        assert sums[0] == sums[1]


@pytest.fixture
def fresh_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes more fresh databases on the backend of db_url."""
    made: list[str] = []  # PostgreSQL databases to drop
    count = iter(range(1000))

    def make() -> str:
        if db_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'other{next(count)}.sqlite'}"
            engine = db.make_engine(url)
            db.upgrade(engine)
            engine.dispose()
        else:
            url, name = fresh_pg_url(request.getfixturevalue("pg_template"))
            made.append(name)
        return url

    yield make
    for name in made:
        drop_pg(name)


def _contents(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the company (and its changes in the audit trail), every column but the
    times of day (stamps of when things were written), as sorted rows."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if not isinstance(getattr(c.type, "impl", c.type), DateTime)]
                if table.name != "company":
                    query = select(*columns)
                    if table.name == "audit_trail":  # the company's changes, like the company, differ
                        query = query.where(table.c.table_name != "company")
                    out[table.name] = sorted(conn.execute(query).all(), key=repr)
            return out
    finally:
        engine.dispose()


def test_the_files_imported_one_by_one_make_the_demo_company(ctx, db_url, fresh_url, capsys):
    """The user's path: `coop import` of each file, `coop post`, then the drafts, gives the
    database `coop demo` makes on the day the files are dated for, row for row; a year
    later the demo is the same company a year later, to the cent."""
    other_url = fresh_url()

    def coop(*args: str) -> str:
        capsys.readouterr()
        code = cli_main(["--db", other_url, "--user", "tester", *args])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    coop("db", "upgrade", "--company", FILES.company, "--currency", FILES.currency)
    for kind, name in demo.FILES:
        count = len(_rows(name))
        assert coop("import", kind, str(FILES.folder / name)).startswith(
            f"Imported {count:,} {'row' if count == 1 else 'rows'} of {kind}"
        )
    assert coop("post").startswith("Posted 607 slips, 2353 lines")
    kind, name = demo.DRAFTS
    coop("import", kind, str(FILES.folder / name))

    with ctx.uow() as uow:
        assert demo.load_demo(uow, today=FILES.written_for) == SUMMARY
    mine, theirs = _contents(other_url), _contents(db_url)
    assert {t: len(r) for t, r in mine.items()} == {t: len(r) for t, r in theirs.items()}
    assert mine == theirs
    assert len(mine["journal_line"]) > 10_000
    with ctx.uow() as uow:
        at_base = _accrued(uow.session)
    assert at_base == (Decimal("251081.20"), Decimal("14194.23"), Decimal("36519.22"))

    # A year later: every date a year on, the same accruals to the cent (M/Q/Y buckets keep
    # their calendar months).
    later = AppContext.open(fresh_url(), user="tester", upgrade=False)
    try:
        with later.uow() as uow:
            assert demo.load_demo(uow, today=date(2027, 12, 20)) == SUMMARY
        with later.uow() as uow:
            s = uow.session
            assert _accrued(s) == at_base
            assert s.execute(
                select(func.min(ReceivingSlip.received_date), func.max(ReceivingSlip.received_date))
            ).one() == (date(2027, 1, 2), date(2027, 12, 20))
    finally:
        later.engine.dispose()


def test_a_failure_loads_nothing(ctx, tmp_path):
    """The demo is one transaction: a bad file (here the last one, after the posting) leaves
    the database exactly as it was, and names the file, row and column."""
    folder = tmp_path / "demo"
    shutil.copytree(FILES.folder, folder)
    drafts = folder / demo.DRAFTS[1]
    text = drafts.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace("GYP-JC-AP17", "NOPE")
    drafts.write_text("\n".join(text) + "\n", encoding="utf-8")

    before = _contents(str(ctx.engine.url.render_as_string(hide_password=False)))
    with ctx.uow() as uow, pytest.raises(ImportFailed) as failed:
        demo.load_demo(uow, today=TODAY, folder=folder)
    assert [str(p) for p in failed.value.problems] == [
        "receipts-drafts.csv row 3, product_code: product NOPE does not exist"
    ]
    assert _contents(str(ctx.engine.url.render_as_string(hide_password=False))) == before
    with ctx.uow() as uow:
        assert _count(uow.session, Vendor) == 0 and _count(uow.session, JournalEntry) == 0
        # and it loads afterwards
        assert demo.load_demo(uow, today=TODAY) == SUMMARY


def test_one_transaction_refuses_a_service_that_rolls_back_inside(ctx):
    """The demo's unit of work: the services' commits wait for the end (test_a_failure_loads_nothing
    shows that they do); a rollback in the middle (which would drop the work before it) fails
    the whole instead of committing the rest."""
    with ctx.uow() as uow:
        before = uow.session.scalar(select(Company.name).where(Company.id == 1))
    with ctx.uow() as uow, pytest.raises(RuntimeError, match="rolled back inside one_transaction"):
        with uow.one_transaction():
            masterdata.set_company(uow, "Half done", "CAD")
            masterdata.set_company(uow, "Half done", "USD")
            uow.session.rollback()
            masterdata.set_company(uow, "Other", "CAD")
    with ctx.uow() as uow:
        assert uow.session.scalar(select(Company.name).where(Company.id == 1)) == before
        with uow.one_transaction():
            masterdata.set_company(uow, "Both", "CAD")
            masterdata.set_company(uow, "Both", "CAD", "1 Main Street")
    with ctx.uow() as uow:
        assert (masterdata.company(uow).name, masterdata.company(uow).address) == ("Both", "1 Main Street")


def test_coop_demo_if_empty_loads_an_empty_database(db_url, capsys):
    """`make run`'s path: `coop demo --if-empty` on a new database loads the company, dated today."""
    assert cli_main(["--db", db_url, "demo", "--if-empty"]) == 0
    assert capsys.readouterr().out.strip() == SUMMARY
    ctx = AppContext.open(db_url, upgrade=False)
    try:
        with ctx.uow() as uow:
            drafts = set(
                uow.session.scalars(select(ReceivingSlip.received_date).where(ReceivingSlip.status == "DRAFT"))
            )
            assert drafts == {date.today()}
            last = uow.session.scalar(
                select(func.max(AgreementLine.end_date)).join(Agreement).where(Agreement.status == "ACCEPTED")
            )
            assert last == move_months(date.today().replace(day=1), 1) - timedelta(days=1)
    finally:
        ctx.engine.dispose()
