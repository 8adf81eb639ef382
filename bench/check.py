"""Accrual results checked, not only timed.

The expected accrual of a receipt line is computed here from the stored rows with the
pure engine only (app.domain: LadderIndex, LadderRun, line_result): ladders are built
from agreement_line rows by this module, not by app.services. It is compared with what
posting wrote: the line_accrual row and the net journal lines of the receipt line.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.journal import pnl_role
from app.domain.ladder import (
    ALL,
    Ladder,
    LadderRun,
    LadderTerms,
    LineAccrual,
    Scope,
    Tier,
    ladder_key,
    period_key,
)
from app.domain.ladder_index import LadderIndex
from app.domain.rates import line_result
from app.domain.vocabulary import INVENTORY, LADDER_KINDS, REBATE_RECEIVABLE, RECEIVED_NOT_INVOICED
from app.models import (
    Agreement,
    AgreementLine,
    JournalEntry,
    JournalLine,
    Product,
    ReceiptLine,
    ReceivingSlip,
)
from app.models import LineAccrual as LineAccrualRow
from app.services import queries
from app.services.context import UnitOfWork

ZERO = Decimal(0)
KINDS = LADDER_KINDS  # COOP, VOLUME, PERIODIC, DAMAGE, FREIGHT: a kind without a ladder must post nothing


@dataclass(frozen=True)
class Line:
    id: int
    slip_no: str
    line_no: int
    received: date
    vendor_id: int
    product: str
    cats: tuple[str | None, ...]
    amount: Decimal

    @property
    def position(self) -> tuple[date, str, int]:
        return (self.received, self.slip_no, self.line_no)


@dataclass
class CheckResult:
    name: str
    lines: int = 0  # receipt lines checked
    accruals: int = 0  # (line, kind) pairs checked
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, text: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(text)
        elif len(self.problems) == 50:
            self.problems.append("… more problems not listed")

    def summary(self) -> str:
        state = "all equal" if self.ok else f"{len(self.problems)} PROBLEMS"
        return f"{self.name}: {self.lines:,} lines / {self.accruals:,} accruals vs pure engine, {state}"


def engine_ladders(session: Session, vendor_ids: Iterable[int]) -> dict[int, dict[str, list[Ladder]]]:
    """Accepted ladders per vendor and kind, built from the agreement_line rows (SPEC §5.1)."""
    ids = sorted(set(vendor_ids))
    agreements = {a.id: a for a in session.execute(
        select(Agreement.id, Agreement.vendor_id, Agreement.kind, Agreement.number)
        .where(Agreement.status == "ACCEPTED", Agreement.vendor_id.in_(ids)))}  # fmt: skip
    codes = dict(session.execute(select(Product.id, Product.code).where(Product.vendor_id.in_(ids))).all())
    groups: dict[str, list[object]] = defaultdict(list)
    scopes: dict[str, tuple[Scope, int]] = {}
    for row in session.execute(select(AgreementLine).where(AgreementLine.agreement_id.in_(list(agreements)))).scalars():
        if row.product_id is not None:
            scope = Scope(product=codes.get(row.product_id, f"#{row.product_id}"))
        else:
            scope = Scope(cats=tuple(c if c and c != ALL else ALL for c in (row.cat1, row.cat2, row.cat3, row.cat4)))  # type: ignore[arg-type]
        key = ladder_key(row.agreement_id, scope, row.start_date, row.end_date)
        groups[key].append(row)
        scopes[key] = (scope, row.agreement_id)
    result: dict[int, dict[str, list[Ladder]]] = defaultdict(lambda: defaultdict(list))
    for key, rows in groups.items():
        rows.sort(key=lambda r: r.max_amount)  # type: ignore[attr-defined]
        first = rows[0]
        scope, aid = scopes[key]
        agreement = agreements[aid]
        tiers = tuple(
            Tier(r.max_amount, line_result((r.rebate1, r.rebate2, r.rebate3, r.rebate4), r.degressive))  # type: ignore[attr-defined]
            for r in rows
        )
        terms = LadderTerms(
            tiers,
            first.retro,
            first.product_pct,  # type: ignore[attr-defined]
            first.period if agreement.kind == "PERIODIC" else None,
        )  # type: ignore[attr-defined]
        result[agreement.vendor_id][agreement.kind].append(
            Ladder(key, aid, agreement.number, agreement.kind, scope, first.start_date, first.end_date, terms)
        )  # type: ignore[attr-defined]
    return result


def posted_lines(session: Session, vendor_ids: Iterable[int] | None = None) -> dict[int, list[Line]]:
    """Posted receipt lines per vendor, in ladder order (received date, slip number, line number)."""
    query = (
        select(ReceiptLine.id, ReceivingSlip.slip_no, ReceiptLine.line_no, ReceivingSlip.received_date,
               ReceivingSlip.vendor_id, Product.code, Product.cat1, Product.cat2, Product.cat3, Product.cat4,
               ReceiptLine.amount)
        .join(ReceivingSlip, ReceivingSlip.id == ReceiptLine.slip_id)
        .join(Product, Product.id == ReceiptLine.product_id)
        .where(ReceivingSlip.status == "POSTED")
    )  # fmt: skip
    if vendor_ids is not None:
        query = query.where(ReceivingSlip.vendor_id.in_(sorted(set(vendor_ids))))
    by_vendor: dict[int, list[Line]] = defaultdict(list)
    for r in session.execute(query):
        by_vendor[r[4]].append(Line(r[0], r[1], r[2], r[3], r[4], r[5], (r[6], r[7], r[8], r[9]), r[10]))
    for lines in by_vendor.values():
        lines.sort(key=lambda ln: ln.position)
    return by_vendor


Expected = dict[tuple[int, str], tuple[Ladder, LineAccrual]]


def expected_accruals(lines: list[Line], ladders: dict[str, list[Ladder]], wanted: set[int] | None = None) -> Expected:
    """(line id, kind) -> (ladder, accrual) from scratch; only ladders holding a wanted line."""
    out: Expected = {}
    for kind, kind_ladders in ladders.items():
        members: dict[str, list[Line]] = defaultdict(list)
        index = LadderIndex({0: {kind: kind_ladders}})
        for line in lines:
            for _kind, ladder in index.ladders_of(0, line.product, line.cats, line.received):
                members[ladder.key].append(line)
        by_key = {lad.key: lad for lad in kind_ladders}
        for key, ladder_lines in members.items():
            if wanted is not None and not any(ln.id in wanted for ln in ladder_lines):
                continue
            run = LadderRun(by_key[key].terms)
            for line in ladder_lines:
                acc = run.add(line.received, line.amount)
                if wanted is None or line.id in wanted:
                    out[(line.id, kind)] = (by_key[key], acc)
    return out


def _accrual_rows(session: Session, line_ids: list[int]) -> dict[tuple[int, str], tuple[object, ...]]:
    t = LineAccrualRow
    out: dict[tuple[int, str], tuple[object, ...]] = {}
    for i in range(0, len(line_ids), 5000):
        chunk = line_ids[i : i + 5000]
        for r in session.execute(
            select(t.receipt_line_id, t.kind, t.ladder_key, t.rebate, t.retro, t.inventory, t.tier, t.period_key).where(
                t.receipt_line_id.in_(chunk)
            )
        ):
            out[(r[0], r[1])] = tuple(r[2:])
    return out


def _journal_nets(
    session: Session,
    line_ids: list[int],
    min_entry: int = 0,
    sources: tuple[str, ...] = ("ACCRUAL", "RETRO", "RERATE", "RECEIPT"),
) -> dict[tuple[int, str | None, str], Decimal]:
    """(receipt line, kind, role) -> debit - credit of the journal lines of those sources."""
    j = JournalLine
    out: dict[tuple[int, str | None, str], Decimal] = defaultdict(lambda: ZERO)
    for i in range(0, len(line_ids), 5000):
        chunk = line_ids[i : i + 5000]
        rows = session.execute(
            select(j.receipt_line_id, j.kind, j.role, func.sum(j.debit), func.sum(j.credit))
            .join(JournalEntry, JournalEntry.id == j.entry_id)
            .where(j.receipt_line_id.in_(chunk), JournalEntry.source.in_(sources), j.entry_id > min_entry)
            .group_by(j.receipt_line_id, j.kind, j.role)
        )
        for rl, kind, role, debit, credit in rows:
            out[(rl, kind, role)] += (debit or ZERO) - (credit or ZERO)
    return out


def compare(
    result: CheckResult,
    lines: dict[int, Line],
    expected: Expected,
    stored: dict[tuple[int, str], tuple[object, ...]],
    nets: dict[tuple[int, str | None, str], Decimal],
    receipts: bool = True,
) -> None:
    for line_id, line in lines.items():
        result.lines += 1
        where = f"slip {line.slip_no} line {line.line_no} (receipt_line {line_id})"
        if receipts:
            if nets.get((line_id, None, INVENTORY), ZERO) != line.amount:
                result.add(f"{where}: RECEIPT Dr INVENTORY {nets.get((line_id, None, INVENTORY))} != {line.amount}")
            if nets.get((line_id, None, RECEIVED_NOT_INVOICED), ZERO) != -line.amount:
                result.add(f"{where}: RECEIPT Cr RECEIVED_NOT_INVOICED != {line.amount}")
        for kind in KINDS:
            exp = expected.get((line_id, kind))
            row = stored.get((line_id, kind))
            rebate = exp[1].rebate if exp else ZERO
            inventory = exp[1].inventory if exp else ZERO
            if exp is None and row is None:
                pass
            elif exp is None:
                result.add(f"{where} {kind}: posted under {row[0]} but the engine finds no ladder")  # type: ignore[index]
            elif row is None:
                result.add(f"{where} {kind}: engine ladder {exp[0].key} rebate {rebate}, nothing posted")
            else:
                acc = exp[1]
                want = (
                    exp[0].key,
                    acc.rebate,
                    acc.retro,
                    acc.inventory,
                    acc.tier,
                    period_key(exp[0].terms.period, line.received),
                )
                if tuple(row) != want:
                    result.add(f"{where} {kind}: line_accrual {tuple(map(str, row))} != engine {tuple(map(str, want))}")
            if exp is not None:
                result.accruals += 1
            got_rebate = nets.get((line_id, kind, REBATE_RECEIVABLE), ZERO)
            got_inventory = -nets.get((line_id, kind, INVENTORY), ZERO)
            got_pnl = -nets.get((line_id, kind, pnl_role(kind)), ZERO)
            if (got_rebate, got_inventory, got_pnl) != (rebate, inventory, rebate - inventory):
                result.add(
                    f"{where} {kind}: journal net receivable/inventory/P&L {got_rebate}/{got_inventory}/"
                    f"{got_pnl} != engine {rebate}/{inventory}/{rebate - inventory}"
                )


def sample_check(
    session: Session, n: int = 1000, seed: int = 7, name: str = "sample", vendor_ids: set[int] | None = None
) -> CheckResult:
    """n posted lines drawn at random (of these vendors), each recomputed over its whole ladder."""
    result = CheckResult(name)
    query = select(ReceiptLine.id).join(ReceivingSlip).where(ReceivingSlip.status == "POSTED").order_by(ReceiptLine.id)
    if vendor_ids is not None:
        query = query.where(ReceivingSlip.vendor_id.in_(sorted(vendor_ids)))
    ids = list(session.scalars(query))
    sample = set(random.Random(seed).sample(ids, min(n, len(ids))))
    vendors = set(
        session.scalars(select(ReceivingSlip.vendor_id).join(ReceiptLine).where(ReceiptLine.id.in_(sorted(sample))))
    )
    by_vendor = posted_lines(session, vendors)
    ladders = engine_ladders(session, vendors)
    expected: Expected = {}
    chosen: dict[int, Line] = {}
    for vid, lines in by_vendor.items():
        wanted = {ln.id for ln in lines if ln.id in sample}
        chosen.update({ln.id: ln for ln in lines if ln.id in wanted})
        expected.update(expected_accruals(lines, ladders.get(vid, {}), wanted))
    keys = sorted(chosen)
    compare(result, chosen, expected, _accrual_rows(session, keys), _journal_nets(session, keys))
    balance(session, result)
    return result


def balance(session: Session, result: CheckResult) -> None:
    """Every journal entry balances to the cent (SPEC §6.2)."""
    j = JournalLine
    bad = (
        session.execute(
            select(j.entry_id).group_by(j.entry_id).having(func.sum(j.debit) != func.sum(j.credit)).limit(5)
        )
        .scalars()
        .all()
    )
    for entry_id in bad:
        result.add(f"journal entry {entry_id} does not balance")


@dataclass
class Snapshot:
    """What was posted for one vendor before a back-dated slip."""

    vendor_id: int
    max_entry: int
    posted: dict[tuple[int, str], tuple[Decimal, Decimal]]  # (line, kind) -> (rebate, inventory)


def snapshot(session: Session, vendor_id: int) -> Snapshot:
    t = LineAccrualRow
    posted = {
        (r[0], r[1]): (r[2], r[3])
        for r in session.execute(
            select(t.receipt_line_id, t.kind, t.rebate, t.inventory).where(t.vendor_id == vendor_id)
        )
    }
    max_entry = session.scalar(select(func.coalesce(func.max(JournalEntry.id), 0))) or 0
    return Snapshot(vendor_id, max_entry, posted)


def backdated_check(uow: UnitOfWork, before: Snapshot, slip_no: str) -> tuple[CheckResult, int]:
    """After posting a back-dated slip: the vendor's every line equals the engine from scratch,
    and the entries that posting wrote are exactly the engine's differences: ACCRUAL/RETRO
    for the new slip's lines, RERATE (new - previously posted) for the lines already posted.
    The drill-down's volume after each line (a window sum) equals the engine's too."""
    session = uow.session
    result = CheckResult("back-dated slip")
    lines = posted_lines(session, [before.vendor_id]).get(before.vendor_id, [])
    ladders = engine_ladders(session, [before.vendor_id]).get(before.vendor_id, {})
    expected = expected_accruals(lines, ladders)
    by_id = {ln.id: ln for ln in lines}
    keys = sorted(by_id)
    compare(result, by_id, expected, _accrual_rows(session, keys), _journal_nets(session, keys))
    engine_volumes: dict[str, dict[tuple[str, int], Decimal]] = defaultdict(dict)
    for (line_id, _kind), (ladder, acc) in expected.items():
        engine_volumes[ladder.key][(by_id[line_id].slip_no, by_id[line_id].line_no)] = acc.volume_after
    for key, want_volumes in sorted(engine_volumes.items()):
        shown = {(ln.slip_no, ln.line_no): ln.volume_after for ln in queries.ladder_lines(uow, key)}
        if shown != want_volumes:
            wrong = sorted(k for k in want_volumes if shown.get(k) != want_volumes[k])[:3]
            result.add(f"ladder {key}: drill-down volume after {wrong} differs from the engine")
    # The new entries alone, per line and kind.
    new_nets = _journal_nets(session, keys, min_entry=before.max_entry)
    rerate_rows = 0
    for line_id, line in by_id.items():
        for kind in KINDS:
            exp = expected.get((line_id, kind))
            new = (exp[1].rebate, exp[1].inventory) if exp else (ZERO, ZERO)
            old = before.posted.get((line_id, kind), (ZERO, ZERO))
            want = (new[0] - old[0], new[1] - old[1])
            got = (
                new_nets.get((line_id, kind, REBATE_RECEIVABLE), ZERO),
                -new_nets.get((line_id, kind, INVENTORY), ZERO),
            )
            if got != want:
                result.add(
                    f"slip {line.slip_no} line {line.line_no} {kind}: this posting wrote "
                    f"receivable/inventory {got[0]}/{got[1]}, the engine's difference is {want[0]}/{want[1]}"
                )
    rerate_rows = (
        session.scalar(
            select(func.count())
            .select_from(JournalLine)
            .join(JournalEntry)
            .where(JournalEntry.id > before.max_entry, JournalEntry.source == "RERATE")
        )
        or 0
    )
    wrong_vendor = (
        session.scalar(
            select(func.count())
            .select_from(JournalLine)
            .where(JournalLine.entry_id > before.max_entry, JournalLine.vendor_id != before.vendor_id)
        )
        or 0
    )
    if wrong_vendor:
        result.add(f"{wrong_vendor} journal lines of other vendors written by the back-dated posting")
    if not any(ln.slip_no == slip_no for ln in lines):
        result.add(f"slip {slip_no} is not posted")
    return result, rerate_rows
