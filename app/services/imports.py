"""`coop import KIND FILE`: every kind of SPEC §9, all or nothing, errors by row and column."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.adapters.accruals import lock_vendors, now
from app.adapters.bulk import rows_in, string_length
from app.domain.limits import MAX_AMOUNT_MAX
from app.domain.lump_sum import LumpSum
from app.domain.money import ZERO
from app.domain.validation import LineDraft
from app.domain.vocabulary import KINDS as AGREEMENT_KINDS
from app.domain.vocabulary import KINDS_TEXT, LADDER_KINDS, LUMP_SUM
from app.models import Agreement, Vendor

from . import agreements as agreement_service
from . import gl_accounts, masterdata, price_changes, provisional_imports, receiving, vendor_invoice_imports
from .agreement_header import AgreementHeader
from .agreement_rows import line_row, lump_sum_row
from .context import UnitOfWork
from .errors import ImportFailed, NotFound, Problem, ValidationFailed
from .expected_accruals import set_expected_volumes
from .record_checks import missing_code
from .tabular import Cells, Row, read_table

HEADERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "categories": (("level", "code", "parent_code", "description"), ()),
    "vendors": (("code", "name", "currency"), ("address", "billing_address", "email", "default_method", "terms_days")),
    "products": (("code", "description", "vendor_code", "cat1", "cat2", "cat3", "cat4", "unit_cost"),
                 ("vendor_item_code",)),
    "gl-accounts": (("number", "name", "type"), ()),
    "gl-reference": (("role", "account_number"), ()),
    "agreements": (
        ("vendor_code", "kind", "status", "cat1", "cat2", "cat3", "cat4", "product_code", "max_amount",
         "start_date", "end_date", "rebate1", "rebate2", "rebate3", "rebate4", "method", "degressive",
         "retro", "product_pct", "period"),
        ("agreement_no", "amount", "description", "vendor_ref", "actuals_required", "expected_volume"),
    ),
    "receipts": (("slip_no", "vendor_code", "received_date", "line_no", "product_code", "quantity",
                  "unit_cost"), ("reference",)),
    "provisional-rates": (("kind", "from_date", "to_date", "cat1", "rate"), ()),
    "waivers": (("vendor_code", "kind", "from_date", "to_date"), ()),
    "price-changes": (("product_code", "effective_date", "new_unit_cost", "on_hand"), ()),  # SPEC §18
    "vendor-invoices": (vendor_invoice_imports.COLUMNS, ()),  # SPEC §18
}  # fmt: skip
KINDS = tuple(HEADERS)
# The columns that hold a percent (2 means 2%): there a spreadsheet cell formatted as a
# percent (0.02 shown as 2%) reads as the percent it shows; in any other column it is
# refused (tabular.read_table). A kind with percent columns declares them here.
PERCENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "agreements": ("rebate1", "rebate2", "rebate3", "rebate4", "product_pct"),
    "provisional-rates": ("rate",),
}

# Agreement fields as the screen names them -> the import column.
AGREEMENT_COLUMNS = {
    "CAT1": "cat1", "CAT2": "cat2", "CAT3": "cat3", "CAT4": "cat4", "Product": "product_code",
    "Maximum Amount": "max_amount", "Start Date": "start_date", "End Date": "end_date",
    "Rebate 1": "rebate1", "Rebate 2": "rebate2", "Rebate 3": "rebate3", "Rebate 4": "rebate4",
    "M": "method", "Deg": "degressive", "Retro": "retro", "Product %": "product_pct",
    "Period": "period", "Status": "status", "Kind": "kind", "Number": "agreement_no", "Line": "",
    "Amount": "amount", "Description": "description", "Vendor Ref": "vendor_ref",
}  # fmt: skip
HUNDRED = Decimal(100)
Progress = Callable[[int, int], None]
NUMBER_LENGTH = string_length(Agreement, "number")


def import_file(
    uow: UnitOfWork, kind: str, path: str | Path, *, today: date | None = None, progress: Progress | None = None
) -> int:
    """Import one file; returns the number of rows. Raises ImportFailed, writing nothing.

    progress(done, total), in rows of the file: (0, total) once the file is read, then as
    rows are written where a kind writes in parts (receipts). The import stays one
    transaction: a problem anywhere writes nothing."""
    if kind not in HEADERS:
        raise ImportFailed([Problem("import", "KIND", f"unknown kind {kind!r} (one of {', '.join(KINDS)})")])
    required, optional = HEADERS[kind]
    table = read_table(path, required, optional, percent=PERCENT_COLUMNS.get(kind, ()))
    if progress:
        progress(0, len(table.rows))
    try:
        if kind == "receipts":
            return _receipts(uow, table.rows, progress)
        handler = {
            "categories": _categories, "vendors": _vendors, "products": _products,
            "gl-accounts": _accounts, "gl-reference": _gl_reference, "agreements": _agreements,
            "provisional-rates": provisional_imports.rates, "waivers": provisional_imports.waivers, "price-changes": _price_changes,
            "vendor-invoices": vendor_invoice_imports.vendor_invoices,
        }[kind]  # fmt: skip
        return handler(uow, table.rows, today)
    except ImportFailed:
        raise
    except ValidationFailed as exc:
        raise ImportFailed(exc.problems) from None


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ImportFailed(problems)


def _categories(uow: UnitOfWork, rows: list[Row], _today: date | None) -> int:
    problems: list[Problem] = []
    records = []
    for row in rows:
        c = Cells(row, problems)
        level = c.integer("level")
        records.append(
            masterdata.CategoryIn(
                level or 0, c.text("code", True), c.text("parent_code") or None, c.text("description"), row.label
            )
        )
    _raise(problems)
    return masterdata.save_categories(uow, records)


def _vendors(uow: UnitOfWork, rows: list[Row], _today: date | None) -> int:
    """The optional columns of SPEC §18 left out of the file keep what a vendor has (a new
    vendor: the defaults)."""
    problems: list[Problem] = []
    records = []
    for r in rows:
        c = Cells(r, problems)
        terms_days = c.integer("terms_days") if r.cells.get("terms_days", "").strip() else None
        records.append(
            masterdata.VendorIn(
                r.cells["code"],
                r.cells["name"],
                r.cells["currency"] or None,
                r.cells.get("address", ""),
                True,
                r.label,
                billing_address=r.cells.get("billing_address"),
                email=r.cells["email"].strip() if "email" in r.cells else None,
                default_method=r.cells["default_method"].strip().upper() or None
                if "default_method" in r.cells
                else None,
                terms_days=terms_days,
            )
        )
    _raise(problems)
    return masterdata.save_vendors(uow, records)


def _products(uow: UnitOfWork, rows: list[Row], _today: date | None) -> int:
    problems: list[Problem] = []
    records = []
    for row in rows:
        c = Cells(row, problems)
        cost = c.decimal("unit_cost", places=4, minimum=Decimal(0))
        records.append(
            masterdata.ProductIn(
                c.text("code", True),
                c.text("description"),
                c.text("vendor_code", True),
                (c.text("cat1") or None, c.text("cat2") or None, c.text("cat3") or None, c.text("cat4") or None),
                cost if cost is not None else Decimal(0),
                row.label,
                vendor_item_code=row.cells["vendor_item_code"].strip() if "vendor_item_code" in row.cells else None,
            )
        )
    _raise(problems)
    return masterdata.save_products(uow, records)


def _accounts(uow: UnitOfWork, rows: list[Row], _today: date | None) -> int:
    records = [gl_accounts.AccountIn(r.cells["number"], r.cells["name"], r.cells["type"], r.label) for r in rows]
    return gl_accounts.save_accounts(uow, records)


def _gl_reference(uow: UnitOfWork, rows: list[Row], _today: date | None) -> int:
    return gl_accounts.save_gl_reference(
        uow, [(r.label, r.cells["role"].upper(), r.cells["account_number"]) for r in rows]
    )


def _price_changes(uow: UnitOfWork, rows: list[Row], _today: date | None) -> int:
    problems: list[Problem] = []
    records = []
    for row in rows:
        c = Cells(row, problems)
        records.append(
            price_changes.PriceChangeIn(
                c.text("product_code", True),
                c.date("effective_date"),
                c.decimal("new_unit_cost", required=True),
                c.decimal("on_hand", required=True),
                row.label,
            )
        )
    if problems:  # with what the service would refuse in the cells that did read
        told = {(p.record, p.field) for p in problems}
        problems.extend(p for p in price_changes.check(uow, records) if (p.record, p.field) not in told)
    _raise(problems)
    return len(price_changes.enter_price_changes(uow, records))


def _agreements(uow: UnitOfWork, rows: list[Row], today: date | None) -> int:
    problems: list[Problem] = []
    # the ladders' expected volumes (issue 15: accrual at the expected tier), by agreement
    expected: dict[tuple[str, str, str], list[tuple[LineDraft, Decimal]]] = defaultdict(list)
    groups: dict[tuple[str, str, str], list[tuple[Row, LineDraft | LumpSum, str]]] = defaultdict(list)
    for row in rows:
        c = Cells(row, problems)
        vendor = c.text("vendor_code", True)
        kind = c.text("kind", True).upper()
        status = c.text("status", True).upper()
        if kind not in AGREEMENT_KINDS:
            problems.append(Problem(row.label, "kind", f"must be {KINDS_TEXT} (got {kind or 'blank'})"))
            continue
        terms = lump_sum_row(c) if kind == LUMP_SUM else line_row(c, kind)
        c.boolean("actuals_required")  # Y, N or blank (SPEC §18)
        volume = c.decimal("expected_volume", places=2, minimum=ZERO, maximum=MAX_AMOUNT_MAX)
        if volume is not None and kind not in LADDER_KINDS:
            problems.append(Problem(row.label, "expected_volume", f"is for ladders only (this is {kind})"))
        elif volume is not None and isinstance(terms, LineDraft):
            expected[(vendor, kind, row.cells.get("agreement_no", ""))].append((terms, volume))
        if len(row.cells.get("agreement_no", "")) > NUMBER_LENGTH:
            problems.append(Problem(row.label, "agreement_no", f"is too long (at most {NUMBER_LENGTH} characters)"))
            continue
        groups[(vendor, kind, row.cells.get("agreement_no", ""))].append((row, terms, status))
    _raise(problems)
    session = uow.session
    # Every vendor of the file locked first, in id order as posting does: an accepted
    # agreement re-rates its vendor, whose entries take their numbers from the counter row
    # (locked to the commit); a vendor locked after that would deadlock with its posting.
    codes = sorted({vendor for vendor, _kind, _number in groups})
    lock_vendors(session, [r[0] for r in rows_in(session, select(Vendor.id), Vendor.code, codes)])
    for (vendor, kind, number), members in groups.items():
        first_row = members[0][0]
        statuses = {status for _r, _l, status in members}
        if len(statuses) > 1:
            problems.extend(
                Problem(
                    r.label, "status", f"rows of one agreement need one status ({members[0][2]} on {first_row.label})"
                )
                for r, _l, s in members
                if s != members[0][2]
            )
            continue
        try:
            agreement_id = agreement_service.find_agreement(uow, vendor, kind, number or None)
        except NotFound:
            problems.append(
                Problem(first_row.label, "vendor_code", missing_code(uow.session, "vendor", Vendor.code, vendor))
            )
            continue
        lines = [line for _r, line, _s in members if isinstance(line, LineDraft)]
        lump_sum = next((t for _r, t, _s in members if isinstance(t, LumpSum)), None)
        if lump_sum is not None and len(members) > 1:
            problems.extend(
                Problem(r.label, "agreement_no", f"a LUMP_SUM agreement is one row ({first_row.label})")
                for r, _l, _s in members[1:]
            )
            continue
        if agreement_id is not None and lines:
            lines = _match_existing(uow, agreement_id, lines)
        header = _header(uow, agreement_id, [r for r, _l, _s in members])
        try:
            saved = agreement_service.save_agreement(
                uow,
                vendor=vendor,
                kind=kind,
                status=members[0][2],
                lines=lines,
                agreement_id=agreement_id,
                number=number or None,
                today=today,
                commit=False,
                lump_sum=lump_sum,
                header=header,
            )
            if expected.get((vendor, kind, number)):
                set_expected_volumes(session, saved.id, expected[(vendor, kind, number)], uow.user, now())
        except ValidationFailed as exc:
            problems.extend(_to_columns(exc.problems, first_row))
    if problems:
        session.rollback()
        raise ImportFailed(problems)
    uow.commit()
    return len(rows)


def _header(uow: UnitOfWork, agreement_id: int | None, rows: list[Row]) -> AgreementHeader | None:
    """The optional header columns of an agreement's rows (the first non-blank value of each);
    None without them (the stored header kept). An existing agreement keeps its dates and terms."""
    if not {"description", "vendor_ref", "actuals_required"} & set(rows[0].cells):
        return None
    if agreement_id is None:
        base = AgreementHeader()
    else:
        view = agreement_service.load_agreement(uow, agreement_id)
        base = AgreementHeader(view.description, view.vendor_ref, view.start, view.end, None)
    flag = next((r.cells["actuals_required"].strip() for r in rows if r.cells.get("actuals_required", "").strip()), "")
    if flag:
        base = replace(base, actuals_required=flag.upper() == "Y")

    def given(name: str, stored: str) -> str:
        if name not in rows[0].cells:
            return stored
        return next((r.cells[name].strip() for r in rows if r.cells.get(name, "").strip()), "")

    return replace(
        base, description=given("description", base.description), vendor_ref=given("vendor_ref", base.vendor_ref)
    )


def _match_existing(uow: UnitOfWork, agreement_id: int, lines: list[LineDraft]) -> list[LineDraft]:
    """Re-importing an agreement amends it: a file line takes the line number of the stored
    line with the same scope, dates and Maximum Amount, so history shows field changes."""
    stored = agreement_service.load_agreement(uow, agreement_id).lines
    free = {(ln.scope().key, ln.start, ln.end, ln.max_amount): ln.line_no for ln in stored}
    matched = []
    for line in lines:
        key = (line.scope().key, line.start, line.end, line.max_amount)
        line_no = free.pop(key, None)
        matched.append(replace(line, line_no=line_no))
    return matched


def _to_columns(problems: list[Problem], first: Row) -> list[Problem]:
    out = []
    for p in problems:
        record = p.record if p.record.startswith("row ") else first.label
        out.append(Problem(record, AGREEMENT_COLUMNS.get(p.field, p.field) or p.field, p.message))
    return out


def _receipts(uow: UnitOfWork, rows: list[Row], progress: Progress | None) -> int:
    problems: list[Problem] = []
    slips: dict[str, list[tuple[Row, str, date | None, str, receiving.SlipLineIn]]] = defaultdict(list)
    for row in rows:
        c = Cells(row, problems)
        slip_no = c.text("slip_no", True)
        vendor = c.text("vendor_code", True)
        when = c.date("received_date")
        line_no = c.integer("line_no")
        quantity = c.decimal("quantity", required=True)
        cost = c.decimal("unit_cost")
        if not slip_no:
            continue
        slips[slip_no].append(
            (
                row,
                vendor,
                when,
                c.text("reference"),
                receiving.SlipLineIn(
                    line_no if line_no is not None else 0,
                    c.text("product_code", True),
                    quantity if quantity is not None else Decimal(1),
                    cost,
                    row.label,
                ),
            )
        )
    records = []
    for slip_no, members in slips.items():
        first, vendor, when, _ref, _line = members[0]
        # The slip's reference (packing slip, PO) is on any of its rows; a second one differs.
        ref_row, reference = next(((r, ref) for r, _v, _w, ref, _l in members if ref), (first, ""))
        for row, v, w, ref, _line in members[1:]:
            if v != vendor:
                problems.append(Problem(row.label, "vendor_code", f"slip {slip_no} is for {vendor} on {first.label}"))
            if w != when and w is not None and when is not None:
                problems.append(Problem(row.label, "received_date", f"slip {slip_no} is dated {when} on {first.label}"))
            if ref and ref != reference:
                problems.append(
                    Problem(row.label, "reference", f"slip {slip_no} has reference {reference!r} on {ref_row.label}")
                )
        if when is None:
            continue
        records.append(
            receiving.SlipIn(
                slip_no,
                vendor,
                when,
                tuple(m[4] for m in members),
                reference=reference,
                label=f"{first.label} (slip {slip_no})",
            )
        )
    _raise(problems)
    receiving.save_slips(uow, records, progress=progress)
    return len(rows)
