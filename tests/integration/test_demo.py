"""`coop demo`: the demo company loads through the services, posts cleanly and shows every
feature of the agreements (SPEC §3-§6). The full load runs once per backend."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.cli.main import main as cli_main
from app.domain.money import UNLIMITED, decimal_places
from app.domain.rates import line_result, result_percent
from app.models import (
    Agreement,
    AgreementHistory,
    AgreementLine,
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
from app.services import demo, masterdata, posting, reports
from app.services.errors import ServiceError

TODAY = date(2026, 3, 18)


def test_plan_is_deterministic_from_the_seed_and_exact():
    first, again, other = demo.build_plan(7, TODAY), demo.build_plan(7, TODAY), demo.build_plan(8, TODAY)
    assert first.slips == again.slips and first.drafts == again.drafts
    assert first.agreements == again.agreements and first.products == again.products
    assert first.slips != other.slips
    assert first.program == (date(2025, 4, 1), date(2026, 3, 31))
    assert first.next_program == (date(2026, 4, 1), date(2027, 3, 31))
    for slip in first.slips:
        assert TODAY - timedelta(days=366) <= slip.received < TODAY
        for line in slip.lines:
            assert isinstance(line.quantity, Decimal) and isinstance(line.unit_cost, Decimal)
    for product in first.products:
        assert isinstance(product.unit_cost, Decimal) and decimal_places(product.unit_cost) <= 4
    for _spec, lines in first.agreements:
        for line in lines:
            assert isinstance(line.max_amount, Decimal)
            assert all(r is None or isinstance(r, Decimal) for r in line.rebates)


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_company_loads_posts_and_rerates_clean(ctx, db_url, capsys):
    with ctx.uow() as uow:
        summary = demo.load_demo(uow, seed=7, today=TODAY)
    assert summary.startswith("Demo company loaded: 8 vendors, ")

    with ctx.uow() as uow:
        s = uow.session
        company = s.get(Company, 1)
        assert company.name == "Northshore Building Supply Ltd" and company.currency == "CAD"
        assert "BC" in company.address

        # Vendors, categories, products.
        vendors = list(s.scalars(select(Vendor)))
        assert len(vendors) >= 6
        assert all(v.name and v.address and v.currency == "CAD" and v.active for v in vendors)
        levels = dict(s.execute(select(Category.level, func.count()).group_by(Category.level)).all())
        assert levels[1] >= 6 and levels[2] > levels[1] and levels[3] > levels[2] and levels[4] > levels[3]
        tree = masterdata.category_map(uow)
        products = list(s.scalars(select(Product)))
        assert len(products) >= 300
        for prod in products:
            cats = (prod.cat1, prod.cat2, prod.cat3, prod.cat4)
            assert all(cats), prod.code
            assert tree[(1, prod.cat1)] is None
            for level in (2, 3, 4):
                assert tree[(level, cats[level - 1])] == cats[level - 2], prod.code
            assert Decimal(0) < prod.unit_cost and decimal_places(prod.unit_cost) <= 4
        assert {p.vendor_id for p in products} == {v.id for v in vendors}

        # GL accounts and reference.
        numbers = set(s.scalars(select(GlAccount.number)))
        assert {"1200", "2150", "1310", "6100", "4810"} <= numbers and len(numbers) > 5
        roles = dict(s.execute(select(GlReference.role, GlAccount.number).join(GlAccount)).all())
        assert roles == {"INVENTORY": "1200", "RECEIVED_NOT_INVOICED": "2150", "REBATE_RECEIVABLE": "1310",
                         "ADVERTISING": "6100", "REBATE_EARNED": "4810"}

        # Agreements: every kind and status, and every feature of the grid.
        agreements = list(s.scalars(select(Agreement)))
        assert {a.kind for a in agreements} == {"COOP", "VOLUME", "PERIODIC"}
        statuses = [a.status for a in agreements]
        assert {"ACCEPTED", "PENDING", "REJECTED"} <= set(statuses)
        assert statuses.count("ACCEPTED") > len(statuses) / 2
        assert 1 <= statuses.count("PENDING") <= 3
        status_of = {a.id: a.status for a in agreements}
        kind_of = {a.id: a.kind for a in agreements}
        lines = list(s.scalars(select(AgreementLine)))
        accepted = [ln for ln in lines if status_of[ln.agreement_id] == "ACCEPTED"]
        # SPEC §4.2 degressive line: 2, 1.5, 1, 0.5 with Deg -> 4.913 %.
        deg = [ln for ln in accepted if ln.degressive]
        assert any((ln.rebate1, ln.rebate2, ln.rebate3, ln.rebate4)
                   == (Decimal("2"), Decimal("1.5"), Decimal("1"), Decimal("0.5")) for ln in deg)
        assert Decimal("4.913") in {
            result_percent(line_result((ln.rebate1, ln.rebate2, ln.rebate3, ln.rebate4), True)) for ln in deg}
        ladders: dict[tuple, list[AgreementLine]] = {}
        for ln in accepted:
            key = (ln.agreement_id, ln.product_id, ln.cat1, ln.cat2, ln.cat3, ln.cat4, ln.start_date, ln.end_date)
            ladders.setdefault(key, []).append(ln)
        multi = [sorted(m, key=lambda ln: ln.max_amount) for m in ladders.values() if len(m) >= 3]
        assert any(not m[0].retro for m in multi), "a marginal ladder of three tiers or more"
        retro_zero = [m for m in ladders.values() if m[0].retro and len(m) > 1
                      and min(m, key=lambda ln: ln.max_amount).rebate1 == 0]
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
                if (other.agreement_id == ln.agreement_id and other.product_id is None
                        and all(c in ("ALL", pc) for c, pc in zip(
                            (other.cat1, other.cat2, other.cat3, other.cat4),
                            (prod.cat1, prod.cat2, prod.cat3, prod.cat4), strict=True))):
                    overridden += 1
                    break
        assert overridden >= 2
        assert {ln.period for ln in accepted if kind_of[ln.agreement_id] == "PERIODIC"} == {"M", "Q", "Y"}
        assert {Decimal("40"), Decimal("100")} <= {ln.product_pct for ln in accepted}
        assert {ln.method for ln in accepted} == {"SC", "NC", "CD"}
        today_in = [ln for ln in accepted if ln.start_date <= TODAY <= ln.end_date]
        assert len(today_in) == len(accepted)
        assert all(ln.start_date <= TODAY - timedelta(days=330) for ln in accepted)
        assert _count(s, AgreementHistory, AgreementHistory.field == "Status", AgreementHistory.old_value == "PENDING",
                      AgreementHistory.new_value == "ACCEPTED") == 1

        # Receiving: posted slips over the last twelve months, returns, drafts of today.
        posted_lines = _count(s, ReceiptLine, ReceiptLine.slip_id.in_(
            select(ReceivingSlip.id).where(ReceivingSlip.status == "POSTED")))
        assert posted_lines >= 2000
        assert f"{posted_lines:,} receipt lines posted" in summary
        assert _count(s, ReceivingSlip, ReceivingSlip.status == "POSTED") >= 500
        assert _count(s, ReceiptLine, ReceiptLine.quantity < 0) >= 3
        first, last = s.execute(select(func.min(ReceivingSlip.received_date), func.max(ReceivingSlip.received_date))
                                .where(ReceivingSlip.status == "POSTED")).one()
        assert TODAY - timedelta(days=366) <= first and last < TODAY
        assert (last - first).days >= 300  # spread over the year
        drafts = list(s.scalars(select(ReceivingSlip).where(ReceivingSlip.status == "DRAFT")))
        assert 3 <= len(drafts) <= 5 and all(d.received_date == TODAY for d in drafts)
        assert f"{len(drafts)} draft slips" in summary

        # Journal: every entry balances; accruals, retroactive parts, no re-rating needed.
        sums = s.execute(select(JournalLine.entry_id, func.sum(JournalLine.debit), func.sum(JournalLine.credit))
                         .group_by(JournalLine.entry_id)).all()
        assert len(sums) == _count(s, JournalEntry) > posted_lines
        assert all(debit == credit for _e, debit, credit in sums)
        sources = dict(s.execute(select(JournalEntry.source, func.count()).group_by(JournalEntry.source)).all())
        assert sources["RECEIPT"] == posted_lines
        assert sources["ACCRUAL"] > posted_lines and sources["RETRO"] >= 1
        assert "RERATE" not in sources  # posted in date order from scratch
        # Tier progress: lines reach tier 2 and beyond.
        tiers = dict(s.execute(select(LineAccrual.tier, func.count()).group_by(LineAccrual.tier)).all())
        assert sum(n for t, n in tiers.items() if t >= 2) >= 100 and max(tiers) >= 3
        assert s.scalar(select(func.sum(LineAccrual.retro))) > 0
        assert s.scalar(select(func.sum(LineAccrual.inventory))) > 0

        # The estimated rebates report has something to say.
        rows = reports.estimated_rebates(uow, as_of=TODAY)
        assert len(rows) >= 20 and all(r.volume != 0 for r in rows if not r.period)
        assert any(r.tier >= 2 for r in rows) and any(r.retroactive > 0 for r in rows)
        assert any(r.needed_for_next is not None and r.needed_for_next > 0 for r in rows)
        assert any(r.applied_to_cost > 0 for r in rows)

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

    # The clerk posts today's drafts.
    with ctx.uow() as uow:
        result = posting.post_slips(uow, today=TODAY)
        assert result.slips == len(drafts) and result.lines >= len(drafts) * 2
    with ctx.uow() as uow:
        s = uow.session
        assert _count(s, ReceivingSlip, ReceivingSlip.status == "DRAFT") == 0
        sums = s.execute(select(func.sum(JournalLine.debit), func.sum(JournalLine.credit))).one()
        assert sums[0] == sums[1]
