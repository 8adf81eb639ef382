"""What makes an agreement's save refused (SPEC §3.3), checked against the stored data: the
validation rules of app.domain.validation with the categories, products and the other accepted
ladders of the vendor; a new agreement's number; lines that are not on the agreement."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.adapters.bulk import rows_in
from app.domain.lifecycle import transition_problem
from app.domain.validation import LineDraft, Lookups, OtherLadder, Problem, validate_agreement
from app.domain.vocabulary import ACCEPTED
from app.models import Agreement, AgreementLine, Product, Vendor

from .agreement_views import scope_cats
from .context import UnitOfWork
from .ladders import build_ladders
from .masterdata import category_map


def normalise(line: LineDraft) -> LineDraft:
    """Codes upper-cased where users type them; group lines get ALL for blank levels."""
    if line.product:
        return replace(
            line,
            cats=(None, None, None, None),
            method=(line.method or "").upper() or None,
            period=(line.period or "").upper() or None,
        )
    return replace(
        line,
        cats=scope_cats(tuple(line.cats)),
        method=(line.method or "").upper() or None,
        period=(line.period or "").upper() or None,
    )


def agreement_problems(
    uow: UnitOfWork,
    v: Vendor,
    kind: str,
    status: str,
    lines: list[LineDraft],
    row: Agreement | None,
    number: str | None,
) -> list[Problem]:
    """Every reason to refuse the save (SPEC §3.3), at once."""
    session = uow.session
    problems = validate_agreement(
        v.code, kind, status, lines, _lookups(uow, v, kind, row.id if row is not None else None, lines)
    )
    if row is not None and (moved := transition_problem(row.number, v.code, row.status, status)) is not None:
        problems.append(moved)
    if number and len(number) > 20:
        problems.append(Problem(f"Agreement {number[:20]}…", "Number", "is too long (at most 20 characters)"))
    elif (
        number
        and row is None
        and session.scalar(
            select(Agreement.id).where(Agreement.vendor_id == v.id, Agreement.kind == kind, Agreement.number == number)
        )
    ):
        problems.append(Problem(f"Agreement {number}", "Number", f"{v.code} already has {kind} agreement {number}"))
    if row is not None:
        stored = {ln.line_no for ln in row.lines}
        problems.extend(
            Problem(ln.label, "Line", f"line {ln.line_no} is not on this agreement")
            for ln in lines
            if ln.line_no is not None and ln.line_no not in stored
        )
    return problems


def _lookups(uow: UnitOfWork, vendor: Vendor, kind: str, agreement_id: int | None, lines: list[LineDraft]) -> Lookups:
    session = uow.session
    wanted = {ln.product for ln in lines if ln.product}
    products = {}
    if wanted:
        rows = rows_in(
            session,
            select(Product.code, Vendor.code, Product.cat1, Product.cat2, Product.cat3, Product.cat4).join(
                Vendor, Vendor.id == Product.vendor_id
            ),
            Product.code,
            sorted(wanted),
        )
        products = {code: (vcode, (c1, c2, c3, c4)) for code, vcode, c1, c2, c3, c4 in rows}
    others = list(
        session.scalars(
            select(Agreement).where(
                Agreement.vendor_id == vendor.id,
                Agreement.kind == kind,
                Agreement.status == ACCEPTED,
                Agreement.id != (agreement_id or -1),
            )
        )
    )
    other_ladders: list[OtherLadder] = []
    if others:
        olines = list(
            session.scalars(select(AgreementLine).where(AgreementLine.agreement_id.in_([a.id for a in others])))
        )
        pids = {ln.product_id for ln in olines if ln.product_id}
        codes = dict(rows_in(session, select(Product.id, Product.code), Product.id, sorted(pids)))
        for ladder in build_ladders(others, olines, codes):
            other_ladders.append(OtherLadder(ladder.agreement_no, ladder.scope.key, ladder.start, ladder.end))
    return Lookups(category_map(uow), products, other_ladders)
