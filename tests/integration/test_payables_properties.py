"""Properties of the payables side (SPEC §15–§16, issue 16): for random vendors (2–3, each
with a COOP ladder of 5, 25 or 60 % on GYPSUM settled by deduction, CD, and some with a
lump sum of a month, CD too, so that some are in debit balance and the provisions hold), random receipts posted and
months closed (CD co-op invoices dated each month's end), random vendor invoices of those
receipts (some lines flagged: quantity over received, cost mismatch, unknown product; some
flagged lines closed by a credit note), random cheques and disputes (filed, then rejected or
accepted in part) on the co-op invoices, the daily provisions on some days, and payment runs
on random days: after every run

- no vendor's net is below zero (the run's result and every payment_run_vendor row);
- each deduction is at most what was deductible when the run read it: the co-op invoice's
  open amount less its open disputed amount, for an OPEN or SHORT_PAID `CD` invoice of that
  vendor dated by the run date (an amount under open dispute is never deducted); and when a
  deductible amount is left undeducted the vendor's net and hold are zero (the run deducts
  all it can before it pays anything);
- over all runs no co-op invoice is deducted beyond its open amount (never twice): none is
  open below zero, and its DEDUCTION settlement lines are its payment_run_line deductions;
- each vendor invoice line is paid at most once, only when matched, for its amount;
- money is conserved per vendor, with the identities as the services define them (the run's
  entry debits ACCOUNTS_PAYABLE with gross − held, gross counting earlier holds released):
  ACCOUNTS_PAYABLE, net credit in the journal
      = the matched lines' amounts − Σ over the vendor's runs of (gross − held)
      = the matched lines no run has paid + what runs hold for provisions, not yet released
        (the sum of the payment_run_line provision rows),
  and that is what the vendor's balance shows as open vendor invoices (app.services.
  vendor_balances on a day after every document: a held-back amount is still owed; a flagged
  line closed by a credit note is not payable and posted nothing, so it is not open);
  CLAIMS_RECEIVABLE, net debit = Σ open_amount of the vendor's co-op invoices
  (app.services.invoice_views, any method; cheques, deductions and accepted disputes credit
  it), which is the balance's open invoices too;
  RECEIVED_NOT_INVOICED, net credit = the posted receipt lines' amounts − the matched lines'
  received values = the balance's received not invoiced.

SQLite and PostgreSQL; seeds fixed so a failure replays."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.domain.invoicing import last_day
from app.models import (
    JournalEntry,
    JournalLine,
    PaymentRunLine,
    PaymentRunVendor,
    ReceiptLine,
    ReceivingSlip,
    Settlement,
    SettlementLine,
    Vendor,
    VendorInvoice,
    VendorInvoiceLine,
)
from app.services import disputes, month_close, payment_run, posting, provisions, settlement
from app.services.imports import import_file
from app.services.invoice_views import invoice_views, open_disputed
from app.services.vendor_balances import vendor_balances
from app.services.vendor_invoice_lines import line_views, resolve_line
from app.services.vendor_invoices import VendorInvoiceIn, VendorInvoiceLineIn, enter_vendor_invoices
from tests.conftest import EXAMPLES, IMPORT_ORDER

D = Decimal
ZERO = D("0.00")
N = EXAMPLES / "N_payment_run"
FAR = date(2030, 12, 31)
DEDUCTIBLE = ("OPEN", "SHORT_PAID")
PRODUCT_HEADER = "code,description,vendor_code,cat1,cat2,cat3,cat4,unit_cost\n"
AGREEMENT_HEADER = (EXAMPLES.parent / "part2" / "O_provision" / "agreements.csv").read_text().splitlines()[0] + "\n"


@dataclass
class Scenario:
    rng: random.Random
    vendors: list[str]
    slips: dict[str, date]  # slip -> received date
    left: dict[tuple[str, int], tuple[str, str, int, D]] = field(default_factory=dict)  # (slip, line) -> vendor, ...
    numbers: int = 0

    def number(self, prefix: str) -> str:
        self.numbers += 1
        return f"{prefix}-{self.numbers}"


def company(ctx, tmp_path: Path, rng: random.Random) -> Scenario:  # type: ignore[no-untyped-def]
    vendors = [f"V{n}" for n in range(1, rng.randint(2, 3) + 1)]
    rates = [rng.choice(("5", "25", "60")) for _v in vendors]  # 60 %: deductions beyond what is payable
    lumps = [(v, rng.randint(1, 3), rng.randint(2000, 30000)) for v in vendors if rng.random() < 0.6]  # debit balances
    receipts = ["slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost"]
    slips: dict[str, date] = {}
    pending: dict[tuple[str, int], tuple[str, str, int, D]] = {}
    for v in vendors:
        for i in range(rng.randint(4, 9)):
            slip, day = f"{v}-R{i}", date(2026, 1, 1) + timedelta(days=rng.randrange(0, 90))
            slips[slip] = day
            for n in range(1, rng.randint(1, 2) + 1):
                product = f"{v}-{rng.choice(('GYP', 'GYP', 'SPF'))}"
                qty, cost = rng.randint(10, 2000), D(rng.randint(100, 900)) / 100
                receipts.append(f"{slip},{v},{day},{n},{product},{qty},{cost}")
                pending[(slip, n)] = (v, product, qty, cost)
    files = {
        "categories": (N / "categories.csv").read_text(),
        "vendors": "code,name,currency\n" + "".join(f"{v},Vendor {v},CAD\n" for v in vendors),
        "products": PRODUCT_HEADER
        + "".join(
            f"{v}-GYP,Gypsum of {v},{v},GYPSUM,GYP-BOARD,GYP-REG,GYP-REG-HALF,1.00\n"
            f"{v}-SPF,SPF of {v},{v},LUMBER,LUM-DIM,LUM-SPF,LUM-SPF-2X4,1.00\n"
            for v in vendors
        ),
        "gl-accounts": (N / "gl-accounts.csv").read_text(),
        "gl-reference": (N / "gl-reference.csv").read_text(),
        "agreements": AGREEMENT_HEADER
        + "".join(
            f",{v},COOP,ACCEPTED,GYPSUM,ALL,ALL,ALL,,999999999,2026-01-01,2026-12-31,{rate},,,,CD,N,N,0,,\n"
            for v, rate in zip(vendors, rates, strict=True)
        )
        + "".join(
            f",{v},LUMP_SUM,ACCEPTED,,,,,,,2026-0{m}-01,{last_day(f'2026-0{m}')},,,,,CD,,,,,{amount}\n"
            for v, m, amount in lumps
        ),
        "receipts": "\n".join(receipts) + "\n",
    }
    for kind in IMPORT_ORDER:
        path = tmp_path / f"{kind}.csv"
        path.write_text(files[kind])
        with ctx.uow() as uow:
            import_file(uow, kind, path)
    scenario = Scenario(rng, vendors, slips)
    scenario.left = pending
    return scenario


def post_and_close(ctx, sc: Scenario, month: int) -> dict[tuple[str, int], tuple[str, str, int, D]]:  # type: ignore[no-untyped-def]
    """Post the month's slips, close the month; the receiving lines posted now."""
    end = last_day(f"2026-{month:02d}")
    due = sorted(s for s, day in sc.slips.items() if day.month == month)
    if due:
        with ctx.uow() as uow:
            posting.post_slips(uow, due, today=end)
    month_close.close_month(ctx, f"2026-{month:02d}", end + timedelta(days=1))
    return {k: v for k, v in sc.left.items() if k[0] in due}


def vendor_invoices(ctx, sc: Scenario, posted: dict, month: int) -> None:  # type: ignore[no-untyped-def]
    """Random vendor invoices of the receiving lines posted and not invoiced yet (some lines
    flagged: these leave the receiving line to invoice)."""
    rng, end = sc.rng, last_day(f"2026-{month:02d}")
    records = []
    for v in sc.vendors:
        mine = [k for k, found in sorted(posted.items()) if found[0] == v and rng.random() < 0.8]
        rng.shuffle(mine)
        while mine:
            k = rng.randint(1, 3)
            take, mine = mine[:k], mine[k:]
            no, day = sc.number(f"VI-{v}"), end - timedelta(days=rng.randrange(0, 15))
            lines = []
            for slip, n in take:
                _v, product, qty, cost = sc.left[(slip, n)]
                odds = rng.random()
                if odds < 0.12:
                    lines.append(VendorInvoiceLineIn(slip, n, product, D(qty + rng.randint(1, 5)), cost))
                elif odds < 0.22:
                    lines.append(VendorInvoiceLineIn(slip, n, product, D(qty), cost * 2))
                elif odds < 0.27:
                    lines.append(VendorInvoiceLineIn(slip, n, "NO-SUCH", D(qty), cost))
                else:
                    part = qty if rng.random() < 0.6 else max(1, qty // rng.randint(2, 10))
                    lines.append(VendorInvoiceLineIn(slip, n, product, D(part), cost))
                    if part == qty:
                        del sc.left[(slip, n)]
                        posted.pop((slip, n), None)
                    else:
                        sc.left[(slip, n)] = (_v, product, qty - part, cost)
                        posted[(slip, n)] = sc.left[(slip, n)]
            records.append(VendorInvoiceIn(no, v, day, day + timedelta(days=rng.randrange(0, 45)), tuple(lines)))
    if records:
        with ctx.uow() as uow:
            enter_vendor_invoices(uow, records)


def credit_notes(ctx, sc: Scenario, day: date) -> None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        held = [v for v in line_views(uow.session) if v.state == "HELD" and v.invoice_date <= day]
    for line in held:
        if sc.rng.random() < 0.3:
            with ctx.uow() as uow:
                resolve_line(uow, line.line_id, "CREDIT_NOTE", sc.number("CN"), day)


def cents(rng: random.Random, most: D) -> D:
    return D(rng.randint(1, int(most * 100))) / 100


def cheques_and_disputes(ctx, sc: Scenario, day: date) -> None:  # type: ignore[no-untyped-def]
    """Cheques for part of some open co-op invoices, disputes of some, answers to some open
    disputes (rejected, or accepted in part)."""
    rng = sc.rng
    with ctx.uow() as uow:
        views = [v for v in invoice_views(uow.session) if v.status in DEDUCTIBLE and v.invoice_date <= day]
        answer = [(d.dispute_no, d.amount, d.invoice_no) for d in disputes.dispute_views(uow.session, day)
                  if d.status == "OPEN"]  # fmt: skip
    for no, amount, invoice_no in answer:
        odds = rng.random()
        with ctx.uow() as uow:
            if odds < 0.3:
                disputes.reject_dispute(uow, no, "the rate is right", day)
            elif odds < 0.5:
                view = next(v for v in invoice_views(uow.session) if v.invoice_no == invoice_no)
                disputes.accept_dispute(uow, no, cents(rng, min(amount, view.open_amount)), day)
    for view in views:
        with ctx.uow() as uow:
            (now,) = [v for v in invoice_views(uow.session) if v.id == view.id]
            free = now.open_amount - open_disputed(uow.session, [view.id]).get(view.id, ZERO)
        if free > 0 and rng.random() < 0.3:
            with ctx.uow() as uow:
                settlement.record_payment(uow, now.vendor_code, day, cents(rng, now.open_amount), "CAD",
                                          sc.number("CHQ"), [now.invoice_no])  # fmt: skip
            with ctx.uow() as uow:
                (now,) = [v for v in invoice_views(uow.session) if v.id == view.id]
                free = now.open_amount - open_disputed(uow.session, [view.id]).get(view.id, ZERO)
        if free > 0 and rng.random() < 0.4 and (day - now.invoice_date).days <= 60:
            with ctx.uow() as uow:
                disputes.file_dispute(uow, now.invoice_no, "RATE", cents(rng, free), "Rate", "They say 4 %", [], day)


def deductible(ctx, run_date: date) -> dict[int, tuple[int, D]]:  # type: ignore[no-untyped-def]
    """Co-op invoice id -> (vendor id, what a run on run_date may deduct of it), read now."""
    with ctx.uow() as uow:
        views = invoice_views(uow.session)
        disputed = open_disputed(uow.session, [v.id for v in views])
    return {
        v.id: (v.vendor_id, max(ZERO, v.open_amount - disputed.get(v.id, ZERO)) if (
            v.method == "CD" and v.status in DEDUCTIBLE and v.invoice_date <= run_date) else ZERO)
        for v in views
    }  # fmt: skip


def pay(ctx, run_date: date) -> None:  # type: ignore[no-untyped-def]
    before = deductible(ctx, run_date)
    with ctx.uow() as uow:
        result = payment_run.run_payments(uow, run_date)
    for vr in result.vendors:
        p = vr.payment
        assert p.net >= 0 and p.held >= 0, (vr.vendor_code, p)
        assert p.gross == p.deducted + p.held + p.net
        taken: dict[int, D] = defaultdict(lambda: ZERO)
        for d in p.deductions:
            vendor_id, most = before[d.invoice_id]
            assert vendor_id == vr.vendor_id
            assert ZERO < d.amount <= most, (d, most)
            taken[d.invoice_id] += d.amount
        undeducted = [i for i, (vid, most) in before.items() if vid == vr.vendor_id and most > taken[i]]
        if undeducted:
            assert (p.net, p.held) == (ZERO, ZERO), (vr.vendor_code, undeducted, p)
    check_books(ctx)


def net(session, role: str, credit: bool = False) -> dict[int, D]:  # type: ignore[no-untyped-def]
    jl = JournalLine
    rows = session.execute(
        select(jl.vendor_id, func.sum(jl.debit - jl.credit))
        .join(JournalEntry, JournalEntry.id == jl.entry_id)
        .where(jl.role == role)
        .group_by(jl.vendor_id)
    )
    return {vid: (-D(total) if credit else D(total)) for vid, total in rows}


def check_books(ctx) -> None:  # type: ignore[no-untyped-def]
    prl, vil, vi = PaymentRunLine, VendorInvoiceLine, VendorInvoice
    with ctx.uow() as uow:
        s = uow.session
        lines = {
            lid: (vid, amount, received, defect)
            for lid, vid, amount, received, defect in s.execute(
                select(vil.id, vi.vendor_id, vil.amount, vil.received_value, vil.defect).join(
                    vi, vi.id == vil.vendor_invoice_id
                )
            )
        }
        paid: dict[int, list[D]] = defaultdict(list)
        for lid, amount in s.execute(select(prl.vendor_invoice_line_id, prl.amount).where(
                prl.vendor_invoice_line_id.is_not(None))):  # fmt: skip
            paid[lid].append(amount)
        for lid, amounts in paid.items():
            assert lines[lid][3] is None and amounts == [lines[lid][1]], (lid, lines[lid], amounts)
        assert all(n >= 0 for n in s.scalars(select(PaymentRunVendor.net)))
        views = invoice_views(s)
        deducted: dict[int, D] = defaultdict(lambda: ZERO)
        for iid, amount in s.execute(select(prl.coop_invoice_id, prl.amount).where(prl.coop_invoice_id.is_not(None))):
            deducted[iid] += amount
        settled = dict(
            s.execute(
                select(SettlementLine.invoice_id, func.sum(SettlementLine.amount))
                .join(Settlement, Settlement.id == SettlementLine.settlement_id)
                .where(Settlement.kind == "DEDUCTION")
                .group_by(SettlementLine.invoice_id)
            ).all()
        )
        assert {k: D(v) for k, v in settled.items()} == dict(deducted)
        for v in views:
            assert v.open_amount >= 0 and deducted[v.id] <= v.amount, v
        matched, received, unpaid = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
        for lid, (vid, amount, value, defect) in lines.items():
            if defect is None:
                matched[vid] += amount
                received[vid] += value
                if lid not in paid:
                    unpaid[vid] += amount
        holds: dict[int, D] = defaultdict(lambda: ZERO)
        for vid, amount in s.execute(select(prl.vendor_id, prl.amount).where(prl.provision_id.is_not(None))):
            holds[vid] += amount
        debited: dict[int, D] = defaultdict(lambda: ZERO)
        for vid, gross, held in s.execute(
            select(PaymentRunVendor.vendor_id, PaymentRunVendor.gross, PaymentRunVendor.provision)
        ):
            debited[vid] += gross - held
        posted: dict[int, D] = defaultdict(lambda: ZERO)
        for vid, amount in s.execute(
            select(ReceivingSlip.vendor_id, ReceiptLine.amount)
            .join(ReceiptLine, ReceiptLine.slip_id == ReceivingSlip.id)
            .where(ReceivingSlip.status == "POSTED")
        ):
            posted[vid] += amount
        ap, claims, rni = (
            net(s, "ACCOUNTS_PAYABLE", True),
            net(s, "CLAIMS_RECEIVABLE"),
            net(s, "RECEIVED_NOT_INVOICED", True),
        )
        balances = {b.vendor_id: b for b in vendor_balances(s, FAR, list(s.scalars(select(Vendor.id))))}
        for vid, b in balances.items():
            code = b.vendor_code
            assert ap.get(vid, ZERO) == matched[vid] - debited[vid] == unpaid[vid] + holds[vid], code
            assert b.open_vendor_invoices == unpaid[vid] + holds[vid] == ap.get(vid, ZERO), code
            open_coop = sum((v.open_amount for v in views if v.vendor_id == vid), ZERO)
            assert claims.get(vid, ZERO) == open_coop == b.open_invoices, code
            assert rni.get(vid, ZERO) == posted[vid] - received[vid] == b.received_not_invoiced, code


@pytest.mark.parametrize("seed", [1, 7, 23, 42])
def test_random_payables_keep_the_books(ctx, tmp_path, seed):
    rng = random.Random(seed)
    sc = company(ctx, tmp_path, rng)
    runs = 0
    for month in (1, 2, 3):
        posted = post_and_close(ctx, sc, month)
        vendor_invoices(ctx, sc, posted, month)
        first = last_day(f"2026-{month:02d}") + timedelta(days=1)
        days = sorted(rng.sample(range(0, 28), rng.randint(1, 2)))
        for offset in days:
            day = first + timedelta(days=offset)
            credit_notes(ctx, sc, day)
            cheques_and_disputes(ctx, sc, day)
            if rng.random() < 0.8:
                with ctx.uow() as uow:
                    provisions.run_provisions(uow, day)
            pay(ctx, day)
            runs += 1
    with ctx.uow() as uow:
        provisions.run_provisions(uow, date(2026, 6, 30))
    pay(ctx, date(2026, 6, 30))  # everything due
    with ctx.uow() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(PaymentRunVendor)) >= 2
        assert s.scalar(select(func.count()).where(PaymentRunLine.coop_invoice_id.is_not(None))) >= 1
    assert runs >= 3
