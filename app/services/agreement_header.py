"""An agreement's header and decision (SPEC §11.1, issue 14): its description, the vendor's
contract reference, the header dates its new lines default to, its terms and conditions
(a copy of the company's template when created, editable while pending, read-only once
accepted), and who accepted or rejected it and when. Part of app.services.agreements'
save: checked with the lines, written in its transaction, each change in history (§7)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

from app.domain.lump_sum import LumpSum
from app.domain.validation import LineDraft, Problem
from app.domain.vocabulary import ACCEPTED, PENDING, REJECTED
from app.models import Agreement

from .agreement_views import text
from .context import UnitOfWork
from .record_checks import check_length
from .terms import TERMS_MAX, template_text

DECISIONS = (ACCEPTED, REJECTED)


class Noted(Protocol):
    """Where the changes of one save are noted (app.services.agreements._History)."""

    user: str
    stamp: datetime

    def note(self, agreement_id: int, line_no: int | None, field: str, old: object, new: object) -> None: ...


@dataclass(frozen=True)
class AgreementHeader:
    """The header as a screen or a file gives it. terms None: unchanged (a new agreement: the
    company's template for its kind)."""

    description: str = ""
    vendor_ref: str = ""
    start: date | None = None
    end: date | None = None
    terms: str | None = None
    actuals_required: bool | None = None  # SPEC §13; None: unchanged (a new agreement: N)


# Header field -> (History / screen name, Agreement attribute).
FIELDS = (
    ("description", "Description", "description"),
    ("vendor_ref", "Vendor Ref", "vendor_ref"),
    ("start", "Start Date", "start_date"),
    ("end", "End Date", "end_date"),
    ("terms", "Terms", "terms"),
    ("actuals_required", "Actuals Required", "actuals_required"),
)
KEPT_WHEN_NONE = ("terms", "actuals_required")  # a header value None leaves these as stored


def header_of(row: Agreement) -> AgreementHeader:
    return AgreementHeader(
        row.description or "", row.vendor_ref or "", row.start_date, row.end_date, row.terms or "",
        bool(row.actuals_required),
    )  # fmt: skip


def with_header_dates(lines: list[LineDraft], header: AgreementHeader | None) -> list[LineDraft]:
    """Lines without a Start or End Date take the header's (issue 14: lines default to them)."""
    if header is None or (header.start is None and header.end is None):
        return lines
    return [
        replace(ln, start=ln.start or header.start, end=ln.end or header.end)
        if ln.start is None or ln.end is None
        else ln
        for ln in lines
    ]


def header_problems(row: Agreement | None, vendor: str, header: AgreementHeader | None) -> list[Problem]:
    """Why the header may not be saved: too long, dates reversed, the terms of an accepted
    agreement changed (SPEC §11.1: read-only once accepted)."""
    if header is None:
        return []
    record = f"Agreement {row.number}" if row is not None else "Agreement"
    out: list[Problem] = []
    check_length(header.description, record, "Description", out, Agreement.description)
    check_length(header.vendor_ref, record, "Vendor Ref", out, Agreement.vendor_ref)
    if header.start is not None and header.end is not None and header.start > header.end:
        out.append(Problem(record, "End Date", f"is before the Start Date ({header.start.isoformat()})"))
    if header.terms is not None and len(header.terms) > TERMS_MAX:
        out.append(Problem(record, "Terms", f"is too long ({len(header.terms):,} characters; at most {TERMS_MAX:,})"))
    if (
        row is not None
        and row.status == ACCEPTED
        and header.terms is not None
        and header.terms.strip() != (row.terms or "").strip()
    ):
        out.append(
            Problem(
                record,
                "Terms",
                f"agreement {row.number} of {vendor} is accepted: its terms and conditions can no longer change",
            )
        )
    return out


def write_header(uow: UnitOfWork, row: Agreement, header: AgreementHeader | None, new: bool, history: Noted) -> bool:
    """The header stored (a new agreement's terms: the template of its kind), each change
    noted; whether anything changed."""
    if header is None and not new:
        return False
    wanted = header or AgreementHeader()
    if new and wanted.terms is None:
        wanted = replace(wanted, terms=template_text(uow, row.kind))
    if new and wanted.actuals_required is None:
        wanted = replace(wanted, actuals_required=False)
    fields = [(label, attr, getattr(wanted, name)) for name, label, attr in FIELDS]
    kept = [f for f in fields if f[2] is not None or f[1] not in KEPT_WHEN_NONE]
    return write_fields(row, kept, new, history)


def write_fields(row: Agreement, fields: Iterable[tuple[str, str, object]], new: bool, history: Noted) -> bool:
    """(label, attribute, value) set on the agreement where they differ, each change noted (a
    new agreement: every value, from nothing); whether anything changed."""
    changed = False
    for label, attr, value in fields:
        old = None if new else getattr(row, attr)
        if text(old) != text(value):
            history.note(row.id, None, label, old, value)
            setattr(row, attr, value)
            changed = True
    return changed


def stored_lump_sum(row: Agreement) -> LumpSum:
    return LumpSum(row.amount, row.start_date, row.end_date, row.method)


def write_lump_sum(row: Agreement, terms: LumpSum, history: Noted) -> bool:
    """A lump sum's amount, dates and M on its agreement (SPEC §11.2), each change noted."""
    fields = (("Amount", "amount", terms.amount), ("Start Date", "start_date", terms.start),
              ("End Date", "end_date", terms.end), ("M", "method", terms.method))  # fmt: skip
    return write_fields(row, fields, False, history)


def decision_text(status: str, by: str | None, at: datetime | None) -> str | None:
    """How a decision reads on the screen, the confirmation and in history:
    "Accepted by maria on 2026-03-01"."""
    if status not in DECISIONS or by is None or at is None:
        return None
    return f"{status.capitalize()} by {by} on {at.astimezone().date().isoformat()}"


def decision_time(stamp: datetime, decided_on: date | None) -> datetime:
    """When a decision is recorded as made: now, or the day given (`--date`) at this time of
    day, in this computer's time zone (so that it reads as that day here)."""
    if decided_on is None:
        return stamp
    return datetime.combine(decided_on, stamp.astimezone().time()).astimezone()


def write_decision(row: Agreement, old_status: str | None, decided_on: date | None, history: Noted) -> None:
    """Who accepted or rejected the agreement and when (SPEC §11.1), kept on the agreement and
    noted in history; a rejected agreement reopened as pending has no decision."""
    status = row.status
    if status == old_status:
        return
    before = decision_text(old_status or "", row.decided_by, row.decided_at)
    if status in DECISIONS:
        row.decided_by, row.decided_at = history.user, decision_time(history.stamp, decided_on)
    elif status == PENDING:
        row.decided_by, row.decided_at = None, None
    after = decision_text(status, row.decided_by, row.decided_at)
    if before != after:
        history.note(row.id, None, "Decision", before, after)
