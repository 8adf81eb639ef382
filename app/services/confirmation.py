"""The agreement confirmation (SPEC §11.1): what is sent to the vendor to sign, as plain data
(the report gets no session) and as a PDF file (app.reports.confirmation_pdf)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.domain.vocabulary import KIND_NAMES
from app.models import Vendor

from .agreement_header import decision_text
from .agreement_views import find_agreement, load_agreement, result_of
from .context import UnitOfWork
from .errors import NotFound
from .masterdata import company
from .outfile import output_file, protected_files
from .security import Permission, require


@dataclass(frozen=True)
class ConfirmationLine:
    scope: str  # "GYPSUM / ALL / ALL / ALL" or "product GYP-12"
    tier: int  # 1 for the first tier of its ladder (scope and dates), by Maximum Amount
    max_amount: Decimal | None
    start: date | None
    end: date | None
    rebates: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]
    result: Decimal  # percent, 3 decimals (SPEC §4.1)
    method: str | None
    product_pct: Decimal | None
    retro: bool
    degressive: bool
    period: str | None


@dataclass(frozen=True)
class ConfirmationData:
    company_name: str
    company_address: str
    currency: str
    vendor_code: str
    vendor_name: str
    vendor_address: str  # the billing address (else the vendor's address)
    vendor_email: str
    kind: str
    kind_name: str
    number: str
    status: str
    decision: str | None  # "Accepted by maria on 2026-03-01"
    description: str
    vendor_ref: str
    start: date | None
    end: date | None
    lines: tuple[ConfirmationLine, ...]
    terms: str
    printed: date


def confirmation_data(
    uow: UnitOfWork, vendor: str, kind: str, number: str | None, printed: date | None = None
) -> ConfirmationData:
    """The confirmation of agreement `number` of the vendor and kind (None: its first)."""
    require(uow, Permission.REPORTS)
    agreement_id = find_agreement(uow, vendor, kind, number)
    if agreement_id is None:
        raise NotFound(f"{vendor} has no {kind} agreement{f' {number}' if number else ''}")
    return confirmation_of(uow, agreement_id, printed)


def confirmation_of(uow: UnitOfWork, agreement_id: int, printed: date | None = None) -> ConfirmationData:
    require(uow, Permission.REPORTS)
    view = load_agreement(uow, agreement_id)
    v = uow.session.scalars(select(Vendor).where(Vendor.code == view.vendor)).one()
    firm = company(uow)
    ladders: dict[object, list[Decimal]] = {}
    for line in view.lines:
        ladders.setdefault(line.ladder_id(), []).append(line.max_amount or Decimal(0))
    lines = []
    for line in view.lines:
        tiers = sorted(ladders[line.ladder_id()])
        scope = f"product {line.product}" if line.product else " / ".join(line.scope().cats)
        lines.append(
            ConfirmationLine(
                scope,
                tiers.index(line.max_amount or Decimal(0)) + 1,
                line.max_amount,
                line.start,
                line.end,
                line.rebates,
                result_of(line),
                line.method,
                line.product_pct,
                line.retro,
                line.degressive,
                line.period,
            )  # fmt: skip
        )
    return ConfirmationData(
        company_name=firm.name,
        company_address=firm.address or "",
        currency=firm.currency,
        vendor_code=v.code,
        vendor_name=v.name,
        vendor_address=v.billing_address or v.address or "",
        vendor_email=v.email or "",
        kind=view.kind,
        kind_name=KIND_NAMES[view.kind],
        number=view.number,
        status=view.status,
        decision=decision_text(view.status, view.decided_by, view.decided_at),
        description=view.description,
        vendor_ref=view.vendor_ref,
        start=view.start,
        end=view.end,
        lines=tuple(lines),
        terms=view.terms,
        printed=printed or date.today(),
    )


def write_confirmation(
    uow: UnitOfWork, vendor: str, kind: str, number: str | None, out: str | Path, *, force: bool = False
) -> tuple[ConfirmationData, int]:
    """`coop agreement confirmation`: the PDF written to `out` (replacing a file there only
    with force); the data and the number of pages."""
    from app.reports.confirmation_pdf import write_confirmation_pdf

    with output_file(out, force=force, protect=protected_files(uow.ctx), suffixes=(".pdf",)) as temp:
        data = confirmation_data(uow, vendor, kind, number)
        return data, write_confirmation_pdf(temp, data)


def write_confirmation_of(uow: UnitOfWork, agreement_id: int, out: str | Path, *, force: bool = False) -> int:
    """The confirmation of one agreement (the agreement screen's button) to `out`; its pages."""
    from app.reports.confirmation_pdf import write_confirmation_pdf

    with output_file(out, force=force, protect=protected_files(uow.ctx), suffixes=(".pdf",)) as temp:
        return write_confirmation_pdf(temp, confirmation_of(uow, agreement_id))
