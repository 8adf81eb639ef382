"""The accrual audit (SPEC §16, `coop audit`): what the journal, the accrual cache and the
accepted agreements say of each posted receipt line.

§16's four lists, vendor by vendor (each vendor read under its posting lock, so a posting is
either wholly seen or not at all):
- NOT_DESIRED: receipt lines whose posted accrual (the journal's) differs from the desired
  state (the engine's from-scratch run, not written; empty after a re-rate);
- NOT_COVERED: posted receipt lines that no accepted ladder and no provisional rate covers, for
  a kind the vendor has ladders of or a provisional rate exists for, unless the vendor is
  waived from the kind then;
- BACKUP_DIFFERS: co-op invoices whose backup (the REBATE_RECEIVABLE journal lines they hold)
  does not add up to the invoice's amount;
- NO_RECEIPTS: accepted agreements no receipt line accrues under.
And the journal's own check:
- CACHE_DIFFERS: receipt lines whose cached accrual (line_accrual) differs from the journal
  (changed outside the program: `coop rerate --full` refuses to re-rate such a vendor).
NOT_DESIRED and CACHE_DIFFERS make the audit fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.adapters.accrual_writer import VOLUME_UNITS
from app.adapters.accruals import (
    agreement_numbers,
    journal_accruals,
    line_query,
    load_posted,
    lock_vendors,
    posting_lines,
    vendor_accruals,
)
from app.domain.accrual import rerate_vendor
from app.domain.accrual_audit import AGREEMENT, cache_differences, desired_differences
from app.domain.accrual_changes import AccrualChanges
from app.domain.accrual_rows import OutOfRange
from app.domain.ladder import Ladder
from app.domain.ladder_index import LadderIndex
from app.domain.vocabulary import ACCEPTED, LADDER_KINDS, POSTED
from app.models import Agreement, CoopInvoice, InvoiceLine, JournalLine, LineAccrual, ReceivingSlip, Vendor

from .context import UnitOfWork
from .errors import PostingRefused
from .ratings import LadderCache
from .security import Permission, require

CACHE_DIFFERS, NOT_DESIRED, NOT_COVERED, NO_RECEIPTS = "CACHE_DIFFERS", "NOT_DESIRED", "NOT_COVERED", "NO_RECEIPTS"
BACKUP_DIFFERS = "BACKUP_DIFFERS"
COLUMNS = (
    "list", "vendor_code", "agreement_no", "invoice_no", "slip_no", "line_no", "kind", "field", "value", "expected"
)  # fmt: skip
TITLES = {
    CACHE_DIFFERS: "Receipt lines whose cached accrual (line_accrual) differs from the journal "
    "(value: line_accrual, expected: journal)",
    NOT_DESIRED: "Receipt lines whose posted accrual (the journal) differs from the desired state "
    "(value: journal, expected: desired)",
    NOT_COVERED: "Posted receipt lines no accepted ladder and no provisional rate covers, for a kind the vendor "
    "is not waived from",
    BACKUP_DIFFERS: "Co-op invoices whose backup does not add up to the invoice (value: backup, expected: invoice)",
    NO_RECEIPTS: "Accepted agreements with no receipts",
}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AuditRow:
    """One finding; value and expected are money (Decimal) or, for an agreement, its number."""

    list: str
    vendor_code: str
    agreement_no: str = ""
    slip_no: str = ""
    line_no: int | None = None
    kind: str = ""
    field: str = ""
    value: Decimal | str | None = None
    expected: Decimal | str | None = None
    invoice_no: str = ""

    def values(self) -> tuple[object, ...]:
        return (
            self.list,
            self.vendor_code,
            self.agreement_no,
            self.invoice_no,
            self.slip_no,
            self.line_no,
            self.kind,
            self.field,
            self.value,
            self.expected,
        )


@dataclass
class AuditReport:
    cache: list[AuditRow] = field(default_factory=list)
    desired: list[AuditRow] = field(default_factory=list)
    uncovered: list[AuditRow] = field(default_factory=list)
    idle: list[AuditRow] = field(default_factory=list)
    backup: list[AuditRow] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """The journal and its cache disagree, or a re-rate has something to post."""
        return bool(self.cache or self.desired)

    def sections(self) -> list[tuple[str, list[AuditRow]]]:
        return [
            (NOT_DESIRED, self.desired),
            (NOT_COVERED, self.uncovered),
            (BACKUP_DIFFERS, self.backup),
            (NO_RECEIPTS, self.idle),
            (CACHE_DIFFERS, self.cache),
        ]

    def rows(self) -> Iterator[tuple[object, ...]]:
        for _name, rows in self.sections():
            for row in rows:
                yield row.values()


def _money(units: int) -> Decimal:
    return Decimal(units).scaleb(-2)


def accrual_audit(uow: UnitOfWork, *, today: date | None = None, progress: Progress | None = None) -> AuditReport:
    """The four lists of the accrual audit (SPEC §16), read-only."""
    require(uow, Permission.REPORTS)
    session = uow.session
    ladders = LadderCache()
    vendors = session.execute(select(Vendor.id, Vendor.code).order_by(Vendor.code)).all()
    session.rollback()
    report = AuditReport()
    for done, (vid, code) in enumerate(vendors, start=1):
        lock_vendors(session, [vid])  # a posting of this vendor is seen whole or not at all
        by_vendor = ladders.get(session)
        _audit_vendor(session, report, vid, code, by_vendor.get(vid, {}), ladders, today or date.today())
        session.rollback()  # the lock goes: posting waits for one vendor at a time
        if progress:
            progress(done, len(vendors))
    report.idle = _idle_agreements(session)
    report.backup = _backup_differences(session)
    session.rollback()
    return report


def _audit_vendor(
    session: Session,
    report: AuditReport,
    vid: int,
    code: str,
    ladders: dict[str, list[Ladder]],
    cache: LadderCache,
    today: date,
) -> None:
    rows = load_posted(session, vendor_accruals(vid))
    journal = journal_accruals(session, vid)
    for d in cache_differences(rows, journal):
        report.cache.append(
            AuditRow(
                CACHE_DIFFERS, code, "", d.slip_no, d.line_no, d.kind, d.field, _money(d.cached), _money(d.journal)
            )
        )
    where = (ReceivingSlip.vendor_id == vid) & (ReceivingSlip.status == POSTED)
    lines = posting_lines(session, line_query(session).where(where))
    posted = {(r.line_id, r.kind): r for r in rows}
    changes = AccrualChanges(today, agreement_numbers(session), VOLUME_UNITS)  # thrown away: nothing is written
    try:
        rerate_vendor(changes, vid, lines, ladders, dict(posted), cache.provisional)  # it pops what it compares
    except OutOfRange as refused:
        raise PostingRefused(str(refused)) from None
    for w in desired_differences(changes, posted, journal):
        value: Decimal | str
        expected: Decimal | str
        if w.field == AGREEMENT:
            value, expected = str(w.posted), str(w.desired)
        else:
            value, expected = _money(int(w.posted)), _money(int(w.desired))
        report.desired.append(AuditRow(NOT_DESIRED, code, "", w.slip_no, w.line_no, w.kind, w.field, value, expected))
    table = cache.provisional
    kinds = sorted({kind for kind, kind_ladders in ladders.items() if kind_ladders} | set(table.kinds()))
    if not kinds:
        return
    index = LadderIndex({vid: ladders})
    for line in lines:
        covered = {kind for kind, _ladder in index.ladders_of(vid, line.product, line.cats, line.received)}
        for kind in kinds:  # no ladder, and no provisional rate unless the vendor is waived from it (SPEC §16)
            if kind not in covered and not table.covers(vid, kind, line.cats[0], line.received):
                report.uncovered.append(AuditRow(NOT_COVERED, code, "", line.slip_no, line.line_no, kind))


def _idle_agreements(session: Session) -> list[AuditRow]:
    """Accepted agreements of the kinds with ladders that no line_accrual row names (a lump sum
    or a price protection earns without receipts)."""
    used = set(session.scalars(select(LineAccrual.agreement_id).distinct()))
    query = (
        select(Vendor.code, Agreement.number, Agreement.kind, Agreement.id)
        .join(Vendor, Vendor.id == Agreement.vendor_id)
        .where(Agreement.status == ACCEPTED, Agreement.kind.in_(LADDER_KINDS))
        .order_by(Vendor.code, Agreement.kind, Agreement.number)
    )
    return [
        AuditRow(NO_RECEIPTS, code, number, kind=kind)
        for code, number, kind, aid in session.execute(query)
        if aid not in used
    ]


def _backup_differences(session: Session) -> list[AuditRow]:
    """Co-op invoices whose journal lines (invoice_line) do not add up to their amount."""
    inv, il, jl = CoopInvoice, InvoiceLine, JournalLine
    query = (
        select(Vendor.code, inv.agreement_no, inv.invoice_no, inv.kind, inv.amount, func.sum(jl.debit),
               func.sum(jl.credit))
        .join(Vendor, Vendor.id == inv.vendor_id)
        .outerjoin(il, il.invoice_id == inv.id)
        .outerjoin(jl, jl.id == il.journal_line_id)
        .group_by(Vendor.code, inv.agreement_no, inv.invoice_no, inv.kind, inv.amount)
        .order_by(Vendor.code, inv.invoice_no)
    )  # fmt: skip
    out = []
    for code, agreement_no, invoice_no, kind, amount, debit, credit in session.execute(query):
        backup = (debit or Decimal("0.00")) - (credit or Decimal("0.00"))
        if backup != amount:
            out.append(AuditRow(BACKUP_DIFFERS, code, agreement_no or "", kind=kind, field="amount", value=backup,
                                expected=amount, invoice_no=invoice_no))  # fmt: skip
    return out


def report_text(report: AuditReport) -> Iterator[str]:
    """The report as text lines, a section per list (an empty list says so)."""
    for name, rows in report.sections():
        yield f"{name}: {TITLES[name]}: {len(rows) or 'none'}"
        for row in rows:
            if row.invoice_no:
                where = f"invoice {row.invoice_no}"
            elif row.agreement_no:
                where = f"agreement {row.agreement_no}"
            else:
                where = f"slip {row.slip_no} line {row.line_no}"
            text = f"  {row.vendor_code} {where} {row.kind}"
            if row.field:
                text += f" {row.field}: {_shown(row.value)}, expected {_shown(row.expected)}"
            yield text


def _shown(value: Decimal | str | None) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return value or "(none)"
