"""Bad input is refused with the record and the field named, and writes nothing.

SPEC §3.3 (agreement validation), §6 (posting refusals), §9 (import files: all or
nothing, errors name the row and the column). Every case starts from a valid base
(example B_marginal, plus its own preparation), takes a snapshot of every table, does
one bad thing (an import file, a service call or the `coop` command), checks the error
and its message, and checks the database still holds exactly what it held, row by row.
Each case runs on SQLite and on PostgreSQL (COOP_TEST_PG_URL).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.adapters import db
from app.cli.main import main as cli_main
from app.domain.validation import LineDraft
from app.models import Base
from app.services import agreements, masterdata, posting, receiving
from app.services.context import AppContext
from app.services.errors import (
    AlreadyPosted,
    ImportFailed,
    NotFound,
    PostingRefused,
    ServiceError,
    ValidationFailed,
)
from app.services.imports import import_file
from tests.conftest import BACKENDS, EXAMPLES, drop_pg, fresh_pg_url, import_example

MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference")
AGREED = (*MASTER, "agreements")
FULL = (*AGREED, "receipts")

AGREEMENT_COLUMNS = (
    "agreement_no", "vendor_code", "kind", "status", "cat1", "cat2", "cat3", "cat4", "product_code",
    "max_amount", "start_date", "end_date", "rebate1", "rebate2", "rebate3", "rebate4", "method",
    "degressive", "retro", "product_pct", "period",
)  # fmt: skip
# A valid line of a new pending agreement N2 (the base holds V100's accepted COOP agreement 1).
GOOD_LINE = {
    "agreement_no": "N2", "vendor_code": "V100", "kind": "COOP", "status": "PENDING",
    "cat1": "GYPSUM", "cat2": "ALL", "cat3": "ALL", "cat4": "ALL", "product_code": "",
    "max_amount": "30000", "start_date": "2026-01-01", "end_date": "2026-12-31",
    "rebate1": "2", "rebate2": "", "rebate3": "", "rebate4": "", "method": "SC",
    "degressive": "N", "retro": "N", "product_pct": "0", "period": "",
}  # fmt: skip
RECEIPT_HEADER = "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost"
PRODUCT_HEADER = "code,description,vendor_code,cat1,cat2,cat3,cat4,unit_cost"


def agreement_csv(*lines: dict[str, str]) -> str:
    """Agreement file: each line is GOOD_LINE with some cells changed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AGREEMENT_COLUMNS)
    writer.writerows([{**GOOD_LINE, **line}[c] for c in AGREEMENT_COLUMNS] for line in lines)
    return out.getvalue()


class CliFailed(Exception):
    """The `coop` command ended with exit code 1; the message is its stderr."""


@dataclass
class Env:
    ctx: AppContext
    tmp: Path
    url: str
    capsys: pytest.CaptureFixture[str] | None

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def import_(self, kind: str, content: str | bytes, name: str | None = None) -> int:
        path = self.write(name or f"{kind}.csv", content)
        with self.ctx.uow() as uow:
            return import_file(uow, kind, path)

    def cli(self, *args: str) -> None:
        assert self.capsys is not None
        self.capsys.readouterr()
        code = cli_main(["--db", self.url, "--user", "tester", *args])
        captured = self.capsys.readouterr()
        assert code == 1, (code, captured.out, captured.err)
        assert captured.out == ""
        raise CliFailed(captured.err)


Action = Callable[[Env], object]


@dataclass(frozen=True)
class Case:
    id: str
    act: Action
    raises: type[Exception]
    # ValidationFailed: (record, field, message fragment) each matched by one problem.
    # Other errors (and the CLI's stderr): fragments of the message.
    expect: tuple[tuple[str, str, str], ...] = ()
    text: tuple[str, ...] = ()
    base: tuple[str, ...] = AGREED
    prepare: Action | None = None
    bug: str = ""  # a known bug elsewhere: the case is expected to fail until it is fixed


def imp(kind: str, content: str | bytes, name: str | None = None) -> Action:
    return lambda env: env.import_(kind, content, name)


def imp_agreements(*lines: dict[str, str]) -> Action:
    return imp("agreements", agreement_csv(*lines))


def imp_receipts(*rows: str) -> Action:
    return imp("receipts", "\n".join((RECEIPT_HEADER, *rows)) + "\n")


def cli_import(kind: str, content: str | bytes, name: str | None = None) -> Action:
    return lambda env: env.cli("import", kind, str(env.write(name or f"{kind}.csv", content)))


# --- setups beyond the example files ---------------------------------------------------


def add_other_vendor(env: Env) -> None:
    """Vendor V200 with product LUM-200 (another vendor's product)."""
    with env.ctx.uow() as uow:
        masterdata.save_vendors(uow, [masterdata.VendorIn("V200", "Prairie Lumber")])
    with env.ctx.uow() as uow:
        masterdata.save_products(
            uow,
            [
                masterdata.ProductIn(
                    "LUM-200", "SPF 2x6", "V200", ("LUMBER", "LUM-DIM", "LUM-SPF", None), Decimal("2.50")
                )
            ],
        )


def post_s1(env: Env) -> None:
    with env.ctx.uow() as uow:
        posting.post_slips(uow, ["S1"], today=date(2026, 2, 1))


def gl_without_advertising(env: Env) -> None:
    env.import_(
        "gl-reference",
        "role,account_number\nINVENTORY,1200\nRECEIVED_NOT_INVOICED,2150\nREBATE_RECEIVABLE,1310\nREBATE_EARNED,4810\n",
    )
    import_example(env.ctx, "B_marginal", kinds=("agreements", "receipts"))


# --- bad operations through the services ------------------------------------------------


def post(*slips: str) -> Action:
    def act(env: Env) -> None:
        with env.ctx.uow() as uow:
            posting.post_slips(uow, list(slips) or None, today=date(2026, 3, 1))

    return act


def set_accepted_status(status: str) -> Action:
    """The service asked to move accepted agreement 1 to another status (SPEC §11.1)."""

    def act(env: Env) -> None:
        with env.ctx.uow() as uow:
            agreement_id = agreements.find_agreement(uow, "V100", "COOP", None)
            assert agreement_id is not None
            agreements.set_status(uow, agreement_id, status, today=date(2026, 3, 1))

    return act


def accepted_agreements_file(status: str) -> str:
    return (EXAMPLES / "B_marginal" / "agreements.csv").read_text().replace("ACCEPTED", status)


def amend_accepted_with_bad_line(env: Env) -> None:
    """The maintenance screen saving accepted agreement 1 with a new, invalid product line."""
    with env.ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", None)
        assert agreement_id is not None
        view = agreements.load_agreement(uow, agreement_id)
        bad = LineDraft(
            label="Line new",
            product="SPF-2X4-8",
            max_amount=Decimal("-5"),
            start=date(2026, 5, 1),
            end=date(2026, 4, 1),
            rebates=(Decimal("2"), None, None, None),
            degressive=True,
        )
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=[*view.lines, bad],
            agreement_id=agreement_id,
            expected_version=view.version,
            today=date(2026, 3, 1),
        )


def save_usd_vendor(env: Env) -> None:
    with env.ctx.uow() as uow:
        masterdata.save_vendors(uow, [masterdata.VendorIn("V300", "Yankee Supply", "USD", label="Vendor V300")])


def save_slip_service(env: Env) -> None:
    with env.ctx.uow() as uow:
        receiving.save_slips(
            uow,
            [
                receiving.SlipIn(
                    "S9",
                    "V100",
                    date(2026, 3, 1),
                    (
                        receiving.SlipLineIn(1, "GYP-OTHER", Decimal(0), label="S9 line 1"),
                        receiving.SlipLineIn(2, "NOPE", Decimal(5), Decimal("-1"), label="S9 line 2"),
                    ),
                    label="Slip S9",
                )
            ],
        )


def save_long_reference_service(env: Env) -> None:
    """The receiving screen saving a slip whose reference (packing slip, PO) is too long."""
    with env.ctx.uow() as uow:
        receiving.save_slips(
            uow,
            [
                receiving.SlipIn(
                    "S9",
                    "V100",
                    date(2026, 3, 1),
                    (receiving.SlipLineIn(1, "GYP-OTHER", Decimal(1)),),
                    reference="P" * 61,
                    label="Slip S9",
                )
            ],
        )


def save_huge_slip_service(env: Env) -> None:
    """The receiving screen saving a slip beyond the limits (app.domain.limits), its lines
    labelled as the screen labels them."""
    with env.ctx.uow() as uow:
        receiving.save_slips(
            uow,
            [
                receiving.SlipIn(
                    "S9",
                    "V100",
                    date(2026, 3, 1),
                    (
                        receiving.SlipLineIn(1, "GYP-OTHER", Decimal(10000), Decimal("999999999.99"), label="Line 1"),
                        receiving.SlipLineIn(2, "GYP-OTHER", Decimal(2000000), label="Line 2"),
                        receiving.SlipLineIn(3, "GYP-HALF-4X8", Decimal(3), Decimal("33333333.3367"), label="Line 3"),
                    ),
                    label="Slip",
                )
            ],
            replace_draft=True,
        )


def xlsx_with_text_quantity(env: Env) -> int:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(RECEIPT_HEADER.split(","))
    sheet.append(["S9", "V100", date(2026, 3, 1), 1, "GYP-OTHER", 10, 1.25])
    sheet.append(["S9", "V100", date(2026, 3, 1), 2, "GYP-OTHER", "abc", 1.25])
    path = env.tmp / "receipts.xlsx"
    book.save(path)
    with env.ctx.uow() as uow:
        return import_file(uow, "receipts", path)


def xlsx_empty(env: Env) -> int:
    from openpyxl import Workbook

    path = env.tmp / "vendors.xlsx"
    Workbook().save(path)
    with env.ctx.uow() as uow:
        return import_file(uow, "vendors", path)


def xlsx(env: Env, name: str, header: tuple[str, ...], row: dict[str, object], percent: tuple[str, ...]) -> Path:
    """One data row; the cells of the `percent` columns formatted as percents (0.02 shows 2%)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append([row.get(h) for h in header])
    for column in percent:
        sheet.cell(2, header.index(column) + 1).number_format = "0.00%"
    path = env.tmp / name
    book.save(path)
    return path


XLSX_LINE = {
    **GOOD_LINE,
    "max_amount": 30000,
    "start_date": date(2026, 1, 1),
    "end_date": date(2026, 12, 31),
    "rebate1": 0.02,
    "product_pct": 0,
}
XLSX_RECEIPT = {
    "slip_no": "S9",
    "vendor_code": "V100",
    "received_date": date(2026, 3, 1),
    "line_no": 1,
    "product_code": "GYP-OTHER",
    "quantity": 10,
    "unit_cost": 1.25,
}


def xlsx_import(kind: str, row: dict[str, object], percent: tuple[str, ...]) -> Action:
    header = AGREEMENT_COLUMNS if kind == "agreements" else tuple(RECEIPT_HEADER.split(","))

    def act(env: Env) -> int:
        path = xlsx(env, f"{kind}.xlsx", header, row, percent)
        with env.ctx.uow() as uow:
            return import_file(uow, kind, path)

    return act


def cli_xlsx_import(kind: str, row: dict[str, object], percent: tuple[str, ...]) -> Action:
    header = AGREEMENT_COLUMNS if kind == "agreements" else tuple(RECEIPT_HEADER.split(","))
    return lambda env: env.cli("import", kind, str(xlsx(env, f"{kind}.xlsx", header, row, percent)))


LADDER = {"cat1": "LUMBER", "cat2": "", "cat3": "", "cat4": ""}

CASES = [
    # --- whole files ---------------------------------------------------------------------
    Case("file-empty", imp("receipts", b""), ImportFailed, (("receipts.csv", "", "empty"),)),
    Case(
        "file-header-only",
        imp("receipts", RECEIPT_HEADER + "\n"),
        ImportFailed,
        (("receipts.csv", "", "header but no data rows"),),
    ),
    Case(
        "file-unknown-column",
        imp("vendors", "code,name,currency,colour\nV200,Prairie,CAD,red\n"),
        ImportFailed,
        (("vendors.csv header", "colour", "unknown column"),),
    ),
    Case(
        "file-missing-required-column",
        imp("products", "code,description,vendor_code,cat1,cat2,cat3,cat4\nP1,Thing,V100,GYPSUM,,,\n"),
        ImportFailed,
        (("products.csv header", "unit_cost", "required column is missing"),),
    ),
    Case(
        "file-duplicated-header",
        imp("gl-accounts", "number,name,type,name\n1400,Cash,ASSET,Cash\n"),
        ImportFailed,
        (("gl-accounts.csv header", "name", "is repeated"),),
    ),
    Case(
        "file-not-utf8",
        imp("vendors", "code,name,currency\nV200,Société Générale,CAD\n".encode("latin-1")),
        ImportFailed,
        (("vendors.csv", "", "not UTF-8"),),
    ),
    Case(
        "file-xlsx-that-is-csv",
        imp("vendors", "code,name,currency\nV200,Prairie,CAD\n", "vendors.xlsx"),
        ImportFailed,
        (("vendors.xlsx", "", "not a valid .xlsx"),),
    ),
    Case(
        "file-wrong-extension",
        imp("vendors", "code,name,currency\nV200,Prairie,CAD\n", "vendors.txt"),
        ImportFailed,
        (("vendors.txt", "", "must be .csv or .xlsx"),),
    ),
    Case(
        "file-row-longer-than-header",
        imp("vendors", "code,name,currency\nV200,Prairie,CAD\nV201,A,CAD,X,Y\n"),
        ImportFailed,
        (("row 3", "", "has 5 cells but the header has 3"),),
    ),
    Case(
        "file-quote-left-open",
        imp("vendors", 'code,name,currency\nV200,"Prairie,CAD\n'),
        ImportFailed,
        (("vendors.csv", "", "not valid CSV (line 2: unexpected end of data)"),),
    ),
    Case("file-xlsx-without-rows", xlsx_empty, ImportFailed, (("vendors.xlsx", "", "the file is empty"),)),
    Case(
        "file-separated-by-semicolons",
        imp("receipts", RECEIPT_HEADER.replace(",", ";") + "\nS9;V100;2026-03-01;1;GYP-OTHER;10;1,00\n"),
        ImportFailed,
        (("receipts.csv header", "", "the columns are separated by semicolons (;): save the file as CSV with commas"),),
    ),
    Case(
        "receipt-codes-in-the-wrong-case",
        imp_receipts("S9,v100,2026-03-01,1,GYP-OTHER,10,1.00", "S10,V100,2026-03-01,1,gyp-other,10,1.00"),
        ImportFailed,
        (
            ("row 2 (slip S9)", "vendor_code", "vendor v100 does not exist (did you mean V100?)"),
            ("row 3", "product_code", "product gyp-other does not exist (did you mean GYP-OTHER?)"),
        ),
    ),
    Case(
        "xlsx-text-in-quantity",
        xlsx_with_text_quantity,
        ImportFailed,
        (("row 3", "quantity", "'abc' is not a number"),),
        base=FULL,
    ),
    # a cell formatted as a percent (what typing 2% stores: 0.02) outside a percent column
    Case(
        "xlsx-percent-in-max-amount",
        xlsx_import("agreements", {**XLSX_LINE, "max_amount": 300}, ("rebate1", "max_amount")),
        ImportFailed,
        (("row 2", "max_amount", "is formatted as a percent (shows 30000%) but is not a percent column"),),
    ),
    Case(
        "xlsx-percent-in-quantity",
        xlsx_import("receipts", {**XLSX_RECEIPT, "quantity": 0.5}, ("quantity",)),
        ImportFailed,
        (("row 2", "quantity", "is formatted as a percent (shows 50%)"),),
        base=FULL,
    ),
    Case(
        "xlsx-percent-rebate-above-100",
        xlsx_import("agreements", {**XLSX_LINE, "rebate1": 1.5}, ("rebate1",)),
        ImportFailed,
        (("row 2", "rebate1", "must be between 0 and 100"),),
    ),
    Case(
        "cli-import-xlsx-percent-in-unit-cost",
        cli_xlsx_import("receipts", {**XLSX_RECEIPT, "unit_cost": 0.0125}, ("unit_cost",)),
        CliFailed,
        text=(
            "row 2, unit_cost: is formatted as a percent (shows 1.25%) but is not a percent column: "
            "format the cell as a plain number",
        ),
        base=FULL,
    ),
    # --- categories, vendors, products, GL ---------------------------------------------------
    Case(
        "category-parent-missing",
        imp("categories", "level,code,parent_code,description\n2,LUM-SHEET,PLYWOOD,Sheet goods\n"),
        ImportFailed,
        (("row 2", "parent_code", "parent PLYWOOD does not exist at level 1"),),
    ),
    Case(
        "category-level-5",
        imp("categories", "level,code,parent_code,description\n5,GYP-REG-HALF-X,GYP-REG-HALF,Too deep\n"),
        ImportFailed,
        (("row 2", "level", "must be 1, 2, 3 or 4 (got 5)"),),
    ),
    Case(
        "category-level-not-a-number",
        imp("categories", "level,code,parent_code,description\nabc,X1,,Bad level\n,X2,,No level\n"),
        ImportFailed,
        (("row 2", "level", "'abc' is not a whole number"), ("row 3", "level", "is required")),
    ),
    Case(
        "category-moved-to-other-parent",
        imp("categories", "level,code,parent_code,description\n2,GYP-BOARD,LUMBER,Board\n"),
        ImportFailed,
        (("row 2", "parent_code", "already exists under GYPSUM"),),
    ),
    Case(
        "vendor-currency-usd",
        imp("vendors", "code,name,currency\nV200,Prairie Lumber,CAD\nV300,Yankee,USD\n"),
        ImportFailed,
        (("row 3", "currency", "differs from the company currency CAD"),),
    ),
    Case(
        "vendor-usd-through-service",
        save_usd_vendor,
        ValidationFailed,
        (("Vendor V300", "currency", "vendor currency USD differs from the company currency CAD"),),
    ),
    Case(
        "vendor-bad-code-blank-name-repeated",
        imp("vendors", "code,name,currency\nV 200,Prairie,CAD\nV201,,CAD\nV201,Again,CAD\n"),
        ImportFailed,
        (
            ("row 2", "code", "not a valid code"),
            ("row 3", "name", "is required"),
            ("row 4", "code", "V201 is repeated (also on row 3)"),
        ),
    ),
    Case(
        "vendor-code-and-name-too-long",
        imp("vendors", "code,name,currency\n" + "V" * 21 + ",Prairie,CAD\nV200," + "N" * 121 + ",CAD\n"),
        ImportFailed,
        (
            ("row 2", "code", "is too long (21 characters; at most 20)"),
            ("row 3", "name", "is too long (121 characters; at most 120)"),
        ),
    ),
    Case(
        "category-code-and-description-too-long",
        imp("categories", "level,code,parent_code,description\n1," + "C" * 41 + ",,Long\n1,C1,," + "d" * 121 + "\n"),
        ImportFailed,
        (("row 2", "code", "at most 40"), ("row 3", "description", "at most 120")),
    ),
    Case(
        "product-unknown-vendor",
        imp("products", f"{PRODUCT_HEADER}\nP1,Thing,V999,GYPSUM,,,,1.00\n"),
        ImportFailed,
        (("row 2", "vendor_code", "vendor V999 does not exist"),),
    ),
    Case(
        "product-negative-unit-cost",
        imp("products", f"{PRODUCT_HEADER}\nP1,Thing,V100,GYPSUM,,,,-1.00\n"),
        ImportFailed,
        (("row 2", "unit_cost", "-1.00 is below 0"),),
    ),
    Case(
        "product-description-too-long-cost-too-large",
        imp(
            "products",
            f"{PRODUCT_HEADER}\nP1," + "d" * 201 + ",V100,GYPSUM,,,,1\nP2,Huge,V100,GYPSUM,,,,1000000000000000\n",
        ),
        ImportFailed,
        (
            ("row 2", "description", "at most 200"),
            ("row 3", "unit_cost", "is too large (got 1000000000000000; at most 100,000,000)"),
        ),
    ),
    Case(
        "product-unit-cost-just-over-the-limit",
        imp(
            "products",
            f"{PRODUCT_HEADER}\nP1,At the limit,V100,GYPSUM,,,,100000000\nP2,Over it,V100,GYPSUM,,,,100000000.0001\n",
        ),
        ImportFailed,
        (("row 3", "unit_cost", "is too large (got 100000000.0001; at most 100,000,000)"),),
    ),
    Case(
        "product-category-chain",
        imp(
            "products",
            f"{PRODUCT_HEADER}\nP1,Thing,V100,GYPSUM,LUM-DIM,,,1.00\n"
            "P2,Other,V100,NOPE,,,,1.00\nP3,Third,V100,LUMBER,,LUM-SPF,,1.00\n",
        ),
        ImportFailed,
        (
            ("row 2", "cat2", "category LUM-DIM belongs to LUMBER, not to GYPSUM"),
            ("row 3", "cat1", "category NOPE does not exist at level 1"),
            ("row 4", "cat3", "follows a blank category"),
        ),
    ),
    Case(
        "product-received-moved-to-other-vendor",
        imp("products", f"{PRODUCT_HEADER}\nGYP-OTHER,Gypsum other,V200,GYPSUM,,,,1.00\n"),
        ImportFailed,
        (("row 2", "vendor_code", "already received from another vendor"),),
        base=FULL,
        prepare=lambda env: (add_other_vendor(env), post_s1(env)),
    ),
    Case(
        "gl-account-bad-type",
        imp("gl-accounts", "number,name,type\n1400,Cash,MONEY\n"),
        ImportFailed,
        (("row 2", "type", "must be one of ASSET"),),
    ),
    Case(
        "gl-account-number-too-long",
        imp("gl-accounts", "number,name,type\n" + "1" * 21 + ",Cash,ASSET\n"),
        ImportFailed,
        (("row 2", "number", "at most 20"),),
    ),
    Case(
        "gl-reference-role-repeated",
        imp("gl-reference", "role,account_number\nINVENTORY,1200\ninventory,1310\n"),
        ImportFailed,
        (("row 3", "role", "INVENTORY is repeated (also on row 2)"),),
    ),
    Case(
        "gl-reference-bad-role-and-account",
        imp("gl-reference", "role,account_number\nFREIGHT,1200\nINVENTORY,9999\n"),
        ImportFailed,
        (("row 2", "role", "must be one of INVENTORY"), ("row 3", "account_number", "GL account 9999 does not exist")),
    ),
    # --- agreements: cells ----------------------------------------------------------------
    Case(
        "agreement-malformed-date",
        imp_agreements({"start_date": "2026/01/01"}),
        ImportFailed,
        (("row 2", "start_date", "'2026/01/01' is not a date (YYYY-MM-DD)"),),
    ),
    Case(
        "agreement-impossible-date",
        imp_agreements({"end_date": "2026-02-30"}),
        ImportFailed,
        (("row 2", "end_date", "'2026-02-30' is not a date"),),
    ),
    Case(
        "agreement-text-and-comma-amounts",
        imp_agreements({"max_amount": "abc"}, {"max_amount": "50,000", "rebate1": "3"}),
        ImportFailed,
        (("row 2", "max_amount", "'abc' is not a number"), ("row 3", "max_amount", "'50,000' is not a number")),
    ),
    Case(
        "agreement-bad-boolean-and-kind",
        imp_agreements({"degressive": "yes"}, {"kind": "REBATE"}),
        ImportFailed,
        (
            ("row 2", "degressive", "must be Y or N"),
            ("row 3", "kind", "must be COOP, VOLUME, PERIODIC, DAMAGE, FREIGHT, LUMP_SUM or PRICE_PROTECTION"),
        ),
    ),
    # --- agreements: §3.3 -------------------------------------------------------------------
    Case(
        "agreement-start-after-end",
        imp_agreements({"start_date": "2026-07-01", "end_date": "2026-06-30"}),
        ImportFailed,
        (("row 2", "end_date", "2026-06-30 is before the start date 2026-07-01"),),
    ),
    Case(
        "agreement-negative-rebate",
        imp_agreements({"rebate1": "-1"}),
        ImportFailed,
        (("row 2", "rebate1", "must be between 0 and 100 (got -1)"),),
    ),
    Case(
        "agreement-rebate-over-100",
        imp_agreements({"rebate2": "100.5"}),
        ImportFailed,
        (("row 2", "rebate2", "must be between 0 and 100 (got 100.5)"),),
    ),
    Case(
        "agreement-rebate-5-decimals",
        imp_agreements({"rebate1": "2.12345"}),
        ImportFailed,
        (("row 2", "rebate1", "more than 4 decimals"),),
    ),
    Case(
        "agreement-max-amount-zero-and-negative",
        imp_agreements({"max_amount": "0"}, {"max_amount": "-100", "cat1": "LUMBER"}),
        ImportFailed,
        (
            ("row 2", "max_amount", "must be greater than 0 (got 0)"),
            ("row 3", "max_amount", "must be greater than 0 (got -100)"),
        ),
    ),
    Case(
        "agreement-max-amount-3-decimals",
        imp_agreements({"max_amount": "1000.005"}),
        ImportFailed,
        (("row 2", "max_amount", "more than 2 decimals"),),
    ),
    Case(
        "agreement-max-amount-too-large",
        imp_agreements({"max_amount": "99999999999999999999"}),
        ImportFailed,
        (("row 2", "max_amount", "is too large"),),
    ),
    Case(
        "agreement-max-amount-just-over-the-limit",
        imp_agreements({"max_amount": "9999999999999.99"}, {"max_amount": "10000000000000", "cat1": "LUMBER"}),
        ImportFailed,
        (
            (
                "row 3",
                "max_amount",
                "is too large (got 10000000000000; at most 9,999,999,999,999.99, and 999,999,999.00 means unlimited)",
            ),
        ),
    ),
    Case(
        "agreement-number-too-long",
        imp_agreements({"agreement_no": "A" * 21}),
        ImportFailed,
        (("row 2", "agreement_no", "at most 20"),),
    ),
    Case(
        "agreement-no-rebate",
        imp_agreements({"rebate1": "0"}),
        ImportFailed,
        (("row 2", "rebate1", "at least one rebate greater than 0"),),
    ),
    Case(
        "agreement-unknown-vendor",
        imp_agreements({"vendor_code": "V999"}),
        ImportFailed,
        (("row 2", "vendor_code", "vendor V999 does not exist"),),
    ),
    Case(
        "agreement-unknown-product",
        imp_agreements({"product_code": "NOPE"}),
        ImportFailed,
        (("row 2", "product_code", "product NOPE does not exist"),),
    ),
    Case(
        "agreement-unknown-category",
        imp_agreements({"cat1": "PLYWOOD"}),
        ImportFailed,
        (("row 2", "cat1", "category PLYWOOD does not exist at level 1"),),
    ),
    Case(
        "agreement-category-chain",
        imp_agreements({"cat1": "LUMBER", "cat2": "GYP-BOARD"}),
        ImportFailed,
        (("row 2", "cat2", "category GYP-BOARD does not belong to CAT1 LUMBER"),),
    ),
    Case(
        "agreement-all-not-suffix",
        imp_agreements({"cat1": "ALL", "cat2": "GYP-BOARD"}),
        ImportFailed,
        (("row 2", "cat2", "GYP-BOARD after ALL"),),
    ),
    Case(
        "agreement-tiers-not-increasing",
        imp_agreements(LADDER, {**LADDER, "rebate1": "3"}, {**LADDER, "max_amount": "99999", "rebate1": "4"}),
        ImportFailed,
        (("row 3", "max_amount", "strictly increasing maximum amounts; 30000 is also on row 2"),),
    ),
    Case(
        "agreement-two-retro-values",
        imp_agreements(LADDER, {**LADDER, "max_amount": "99999", "retro": "Y", "rebate1": "3"}),
        ImportFailed,
        (("row 3", "retro", "every tier of a ladder has the same Retro"),),
    ),
    Case(
        "agreement-two-methods",
        imp_agreements(LADDER, {**LADDER, "max_amount": "99999", "method": "NC", "rebate1": "3"}),
        ImportFailed,
        (("row 3", "method", "every tier of a ladder has the same M"),),
    ),
    Case(
        "agreement-two-product-pcts",
        imp_agreements(LADDER, {**LADDER, "max_amount": "99999", "product_pct": "10", "rebate1": "3"}),
        ImportFailed,
        (("row 3", "product_pct", "every tier of a ladder has the same Product %"),),
    ),
    Case(
        "agreement-overlaps-accepted-agreement",
        imp_agreements({"status": "ACCEPTED", "start_date": "2026-06-01", "end_date": "2027-05-31"}),
        ImportFailed,
        (
            (
                "row 2",
                "start_date",
                "overlaps the ladder 2026-01-01..2026-12-31 with the same scope in accepted agreement 1",
            ),
        ),
    ),
    Case(
        "agreement-overlapping-ladders-in-file",
        imp_agreements(
            {**LADDER, "status": "ACCEPTED"},
            {**LADDER, "status": "ACCEPTED", "start_date": "2026-06-01", "end_date": "2027-05-31"},
        ),
        ImportFailed,
        (("row 3", "start_date", "ladder 2026-06-01..2027-05-31 overlaps the ladder 2026-01-01..2026-12-31"),),
    ),
    Case(
        "agreement-deg-with-one-rebate",
        imp_agreements({"degressive": "Y"}),
        ImportFailed,
        (("row 2", "degressive", "degressive needs two or more rebates"),),
    ),
    Case(
        "agreement-product-of-other-vendor",
        imp_agreements({"product_code": "LUM-200"}),
        ImportFailed,
        (("row 2", "product_code", "product LUM-200 belongs to vendor V200, not V100"),),
        prepare=add_other_vendor,
    ),
    Case(
        "agreement-product-pct-over-100",
        imp_agreements({"product_pct": "101"}),
        ImportFailed,
        (("row 2", "product_pct", "must be between 0 and 100 (got 101)"),),
    ),
    Case(
        "agreement-invalid-method",
        imp_agreements({"method": "XX"}),
        ImportFailed,
        (("row 2", "method", "must be SC, NC or CD (got XX)"),),
    ),
    Case(
        "agreement-periodic-without-period",
        imp_agreements({"kind": "PERIODIC"}),
        ImportFailed,
        (("row 2", "period", "must be M, Q or Y (got blank)"),),
    ),
    Case(
        "agreement-period-on-coop",
        imp_agreements({"period": "Q"}),
        ImportFailed,
        (("row 2", "period", "only Periodic Rebate agreements have a period"),),
    ),
    Case(
        "agreement-invalid-status",
        imp_agreements({"status": "APPROVED"}),
        ImportFailed,
        (("row 2", "status", "must be PENDING, ACCEPTED or REJECTED (got APPROVED)"),),
    ),
    Case(
        "agreement-mixed-status",
        imp_agreements(LADDER, {**LADDER, "max_amount": "99999", "status": "ACCEPTED"}),
        ImportFailed,
        (("row 3", "status", "rows of one agreement need one status"),),
    ),
    Case(
        "agreement-accepted-to-rejected-by-import",
        imp("agreements", accepted_agreements_file("REJECTED")),
        ImportFailed,
        (("row 2", "status", "agreement 1 of V100 is accepted: an accepted agreement can never become REJECTED"),),
    ),
    Case(
        "agreement-accepted-to-pending-by-import",
        imp("agreements", accepted_agreements_file("PENDING")),
        ImportFailed,
        (("row 2", "status", "agreement 1 of V100 is accepted: an accepted agreement can never become PENDING"),),
    ),
    Case(
        "agreement-accepted-to-pending-by-cli-import",
        cli_import("agreements", accepted_agreements_file("PENDING")),
        CliFailed,
        text=("row 2, status: agreement 1 of V100 is accepted: an accepted agreement can never become PENDING",),
    ),
    Case(
        "agreement-accepted-to-rejected-by-service",
        set_accepted_status("REJECTED"),
        ValidationFailed,
        (
            (
                "Agreement 1",
                "Status",
                "agreement 1 of V100 is accepted: an accepted agreement can never become REJECTED",
            ),
        ),
    ),
    Case(
        "agreement-accepted-to-pending-by-service",
        set_accepted_status("PENDING"),
        ValidationFailed,
        (("Agreement 1", "Status", "agreement 1 of V100 is accepted: an accepted agreement can never become PENDING"),),
    ),
    Case(
        "agreement-screen-save-several-problems",
        amend_accepted_with_bad_line,
        ValidationFailed,
        (
            ("Line new", "Maximum Amount", "must be greater than 0 (got -5)"),
            ("Line new", "End Date", "2026-04-01 is before the start date 2026-05-01"),
            ("Line new", "Deg", "degressive needs two or more rebates"),
        ),
    ),
    Case(
        "agreement-many-problems-at-once",
        imp_agreements(
            {"rebate1": "150"},
            {"cat1": "LUMBER", "method": "ZZ", "product_pct": "-1"},
            {"vendor_code": "V999", "agreement_no": "X"},
        ),
        ImportFailed,
        (
            ("row 2", "rebate1", "between 0 and 100"),
            ("row 3", "method", "must be SC, NC or CD"),
            ("row 3", "product_pct", "between 0 and 100"),
            ("row 4", "vendor_code", "vendor V999 does not exist"),
        ),
    ),
    # --- receipts ---------------------------------------------------------------------------
    Case(
        "receipt-duplicated-slip-and-line",
        imp_receipts("S9,V100,2026-03-01,1,GYP-OTHER,10,1.00", "S9,V100,2026-03-01,1,GYP-HALF-4X8,5,1.00"),
        ImportFailed,
        (("row 3", "line_no", "slip S9 line 1 is repeated (also row 2)"),),
        base=FULL,
    ),
    Case(
        "receipt-slip-already-exists",
        imp_receipts("S1,V100,2026-03-01,1,GYP-OTHER,10,1.00"),
        ImportFailed,
        (("row 2 (slip S1)", "slip_no", "slip S1 already exists"),),
        base=FULL,
    ),
    Case(
        "receipt-slip-already-posted",
        imp_receipts("S1,V100,2026-03-01,1,GYP-OTHER,10,1.00"),
        ImportFailed,
        (("row 2 (slip S1)", "slip_no", "slip S1 is already posted"),),
        base=FULL,
        prepare=post_s1,
    ),
    Case(
        "receipt-quantity-zero",
        imp_receipts("S9,V100,2026-03-01,1,GYP-OTHER,0,1.00"),
        ImportFailed,
        (("row 2", "quantity", "cannot be 0"),),
        base=FULL,
    ),
    Case(
        "receipt-text-in-quantity",
        imp_receipts("S9,V100,2026-03-01,1,GYP-OTHER,abc,1.00"),
        ImportFailed,
        (("row 2", "quantity", "'abc' is not a number"),),
        base=FULL,
    ),
    Case(
        "receipt-negative-unit-cost",
        imp_receipts("S9,V100,2026-03-01,1,GYP-OTHER,10,-1.00"),
        ImportFailed,
        (("row 2", "unit_cost", "cannot be negative"),),
        base=FULL,
    ),
    Case(
        "receipt-one-slip-two-vendors",
        imp_receipts("S9,V100,2026-03-01,1,GYP-OTHER,10,1.00", "S9,V200,2026-03-01,2,LUM-200,5,1.00"),
        ImportFailed,
        (("row 3", "vendor_code", "slip S9 is for V100 on row 2"),),
        base=FULL,
        prepare=add_other_vendor,
    ),
    Case(
        "receipt-one-slip-two-dates",
        imp_receipts("S9,V100,2026-03-01,1,GYP-OTHER,10,1.00", "S9,V100,2026-03-02,2,GYP-OTHER,5,1.00"),
        ImportFailed,
        (("row 3", "received_date", "slip S9 is dated 2026-03-01 on row 2"),),
        base=FULL,
    ),
    Case(
        "receipt-unknown-product-and-other-vendors-product",
        imp_receipts(
            "S9,V100,2026-03-01,1,NOPE,10,1.00",
            "S9,V100,2026-03-01,2,LUM-200,5,1.00",
            "S10,V999,2026-03-01,1,GYP-OTHER,5,1.00",
        ),
        ImportFailed,
        (
            ("row 2", "product_code", "product NOPE does not exist"),
            ("row 3", "product_code", "product LUM-200 is not supplied by V100"),
            ("row 4 (slip S10)", "vendor_code", "vendor V999 does not exist"),
        ),
        base=FULL,
        prepare=add_other_vendor,
    ),
    Case(
        "receipt-bad-date-and-line-no",
        imp_receipts("S9,V100,01/03/2026,1,GYP-OTHER,10,1.00", "S10,V100,2026-03-01,1.5,GYP-OTHER,10,1.00"),
        ImportFailed,
        (("row 2", "received_date", "'01/03/2026' is not a date"), ("row 3", "line_no", "'1.5' is not a whole number")),
        base=FULL,
    ),
    Case(
        "receipt-amount-and-line-no-too-large",
        imp_receipts("S9,V100,2026-03-01,1,GYP-OTHER,1000000,100.01", "S9,V100,2026-03-01,3000000000,GYP-OTHER,1,1"),
        ImportFailed,
        (
            (
                "row 2",
                "quantity",
                "quantity x unit cost is too large: must be between -100,000,000.00 "
                "and 100,000,000.00 per line (got 100,010,000.00)",
            ),
            ("row 3", "line_no", "is too large (got 3000000000"),
        ),
        base=FULL,
    ),
    Case(
        "receipt-quantity-and-unit-cost-beyond-the-limits",
        imp_receipts(
            "S9,V100,2026-03-01,1,GYP-OTHER,1000000.0001,1",
            "S9,V100,2026-03-01,2,GYP-OTHER,-1000001,1",
            "S9,V100,2026-03-01,3,GYP-OTHER,1,100000000.0001",
            "S9,V100,2026-03-01,4,GYP-OTHER,-1,-100",
            "S9,V100,2026-03-01,5,GYP-OTHER,-1000000,100.0001",
        ),
        ImportFailed,
        (
            ("row 2", "quantity", "is too large: must be between -1,000,000 and 1,000,000 (got 1000000.0001)"),
            ("row 3", "quantity", "must be between -1,000,000 and 1,000,000 (got -1000001)"),
            ("row 4", "unit_cost", "is too large (got 100000000.0001; at most 100,000,000)"),
            ("row 5", "unit_cost", "cannot be negative (got -100)"),
            ("row 6", "quantity", "per line (got -100,000,100.00)"),
        ),
        base=FULL,
    ),
    Case(
        "receipt-beyond-the-limits-through-service",
        save_huge_slip_service,
        ValidationFailed,
        (
            ("Line 1", "unit_cost", "is too large (got 999999999.99; at most 100,000,000)"),
            ("Line 2", "quantity", "must be between -1,000,000 and 1,000,000 (got 2000000)"),
            (
                "Line 3",
                "quantity",
                "quantity x unit cost is too large: must be between -100,000,000.00 and "
                "100,000,000.00 per line (got 100,000,000.01)",
            ),
        ),
        base=FULL,
    ),
    Case(
        "receipt-slip-no-too-long",
        imp_receipts("S" * 31 + ",V100,2026-03-01,1,GYP-OTHER,1,1"),
        ImportFailed,
        (("row 2 (slip " + "S" * 31 + ")", "slip_no", "at most 30"),),
        base=FULL,
    ),
    Case(
        "receipt-one-slip-two-references",
        imp(
            "receipts",
            f"{RECEIPT_HEADER},reference\nS9,V100,2026-03-01,1,GYP-OTHER,1,1,\n"
            "S9,V100,2026-03-01,2,GYP-OTHER,1,1,PO 1\nS9,V100,2026-03-01,3,GYP-OTHER,1,1,PO 2\n",
        ),
        ImportFailed,
        (("row 4", "reference", "slip S9 has reference 'PO 1' on row 3"),),
        base=FULL,
    ),
    Case(
        "receipt-reference-too-long",
        imp("receipts", f"{RECEIPT_HEADER},reference\nS9,V100,2026-03-01,1,GYP-OTHER,1,1,{'P' * 61}\n"),
        ImportFailed,
        (("row 2 (slip S9)", "reference", "is too long (61 characters; at most 60)"),),
        base=FULL,
    ),
    Case(
        "receipt-reference-too-long-through-service",
        save_long_reference_service,
        ValidationFailed,
        (("Slip S9", "reference", "is too long (61 characters; at most 60)"),),
        base=FULL,
    ),
    Case(
        "receipt-through-service",
        save_slip_service,
        ValidationFailed,
        (
            ("S9 line 1", "quantity", "cannot be 0"),
            ("S9 line 2", "product_code", "product NOPE does not exist"),
            ("S9 line 2", "unit_cost", "cannot be negative"),
        ),
        base=FULL,
    ),
    # --- posting ----------------------------------------------------------------------------
    Case(
        "post-missing-gl-role",
        post(),
        PostingRefused,
        text=("no account for ADVERTISING",),
        base=MASTER[:-1],
        prepare=gl_without_advertising,
    ),
    Case(
        "post-already-posted-slip",
        post("S2", "S1"),
        AlreadyPosted,
        text=("S1 is already posted",),
        base=FULL,
        prepare=post_s1,
    ),
    Case(
        "post-same-slip-twice-in-one-call",
        post("S1", "S1"),
        ServiceError,
        text=("S1 is named more than once",),
        base=FULL,
    ),
    Case("post-unknown-slip", post("S1", "S9"), NotFound, text=("Receiving slip S9 does not exist",), base=FULL),
    # --- the coop command ---------------------------------------------------------------------
    Case(
        "cli-import-bad-rebate",
        cli_import("agreements", agreement_csv({"rebate1": "101"})),
        CliFailed,
        text=("error: 1 problem(s), nothing was written:", "row 2, rebate1: must be between 0 and 100"),
    ),
    Case(
        "cli-import-missing-column",
        cli_import("vendors", "code,name\nV200,Prairie\n"),
        CliFailed,
        text=("vendors.csv header, currency: required column is missing",),
    ),
    Case(
        "cli-import-file-not-found",
        lambda env: env.cli("import", "vendors", str(env.tmp / "nope.csv")),
        CliFailed,
        text=("nope.csv: file not found",),
    ),
    Case(
        "cli-import-receipts-beyond-the-limits",
        cli_import("receipts", f"{RECEIPT_HEADER}\nS9,V100,2026-03-01,1,GYP-OTHER,10000,999999999.99\n"),
        CliFailed,
        text=(
            "error: 1 problem(s), nothing was written:",
            "row 2, unit_cost: is too large (got 999999999.99; at most 100,000,000)",
        ),
        base=FULL,
    ),
    Case(
        "cli-post-missing-gl-role",
        lambda env: env.cli("post"),
        CliFailed,
        text=("error: GL reference incomplete: no account for ADVERTISING",),
        base=MASTER[:-1],
        prepare=gl_without_advertising,
    ),
    Case(
        "cli-post-already-posted",
        lambda env: env.cli("post", "--slip", "S1"),
        CliFailed,
        text=("error: Receiving slip S1 is already posted",),
        base=FULL,
        prepare=post_s1,
    ),
]


# --- issue 14: lump sums, price protection and price changes (SPEC §11.2, §18) ------------

LUMP_SUM_COLUMNS = (*AGREEMENT_COLUMNS, "amount")
# A valid LUMP_SUM row: amount, dates and method, the rest blank.
LUMP_SUM_ROW = {
    **{c: "" for c in AGREEMENT_COLUMNS}, "agreement_no": "L1", "vendor_code": "V100", "kind": "LUMP_SUM",
    "status": "PENDING", "start_date": "2026-01-01", "end_date": "2026-12-31", "method": "CD", "amount": "12000.00",
}  # fmt: skip
PROTECTION_ROW = {**LUMP_SUM_ROW, "agreement_no": "P1", "kind": "PRICE_PROTECTION", "status": "ACCEPTED",
                  "cat1": "GYPSUM", "amount": ""}  # fmt: skip
PRICE_HEADER = "product_code,effective_date,new_unit_cost,on_hand"


def lump_sum_csv(*rows: dict[str, str], base: dict[str, str] = LUMP_SUM_ROW) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LUMP_SUM_COLUMNS)
    writer.writerows([{**base, **row}[c] for c in LUMP_SUM_COLUMNS] for row in rows)
    return out.getvalue()


def imp_lump_sum(*rows: dict[str, str]) -> Action:
    return imp("agreements", lump_sum_csv(*rows))


def imp_protection(*rows: dict[str, str]) -> Action:
    return imp("agreements", lump_sum_csv(*rows, base=PROTECTION_ROW))


def imp_prices(*rows: str) -> Action:
    return imp("price-changes", "\n".join((PRICE_HEADER, *rows)) + "\n")


def protected_and_posted(env: Env) -> None:
    """V100's accepted PRICE_PROTECTION agreement for GYPSUM in 2026; the receipts posted
    (GYP-OTHER first received 2026-02-01)."""
    env.import_("agreements", lump_sum_csv({}, base=PROTECTION_ROW))
    with env.ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 3, 1))


def protected_without_receivable(env: Env) -> None:
    env.import_("gl-reference", "role,account_number\nINVENTORY,1200\nRECEIVED_NOT_INVOICED,2150\nADVERTISING,6100\n")
    env.import_("agreements", lump_sum_csv({}, base=PROTECTION_ROW))


def save_lump_sum_service(amount: Decimal | None) -> Action:
    """The agreement screen saving a new lump sum."""
    from app.domain.lump_sum import LumpSum

    def act(env: Env) -> None:
        with env.ctx.uow() as uow:
            agreements.save_agreement(
                uow, vendor="V100", kind="LUMP_SUM", status="PENDING", lines=[],
                lump_sum=LumpSum(amount, date(2026, 1, 1), date(2026, 12, 31), "CD"),
            )  # fmt: skip

    return act


def key_price_change(env: Env) -> None:
    """The Price Change screen keying one change with a negative quantity on hand."""
    from app.services import price_changes

    with env.ctx.uow() as uow:
        price_changes.enter_price_changes(
            uow, [price_changes.PriceChangeIn("GYP-OTHER", date(2026, 4, 1), Decimal("0.90"), Decimal("-5"))]
        )


CASES += [
    Case("lump-sum-no-amount", imp_lump_sum({"amount": ""}), ImportFailed,
         (("row 2", "amount", "is required for a lump sum"),)),
    Case("lump-sum-zero-amount", imp_lump_sum({"amount": "0"}), ImportFailed,
         (("row 2", "amount", "must be greater than 0 (got 0)"),)),
    Case("lump-sum-negative-amount", imp_lump_sum({"amount": "-5"}), ImportFailed,
         (("row 2", "amount", "must be greater than 0"),)),
    Case("lump-sum-dates", imp_lump_sum({"start_date": ""}, {"agreement_no": "L2", "end_date": "2025-12-31"}),
         ImportFailed, (("row 2", "start_date", "is required"), ("row 3", "end_date", "is before the start date"))),
    Case("lump-sum-method", imp_lump_sum({"method": "XX"}), ImportFailed,
         (("row 2", "method", "must be SC, NC or CD (got XX)"),)),
    Case("lump-sum-with-rate-and-scope", imp_lump_sum({"rebate1": "2", "cat1": "GYPSUM", "retro": "Y"}), ImportFailed,
         (("row 2", "rebate1", "must be blank on a LUMP_SUM row"), ("row 2", "cat1", "must be blank"),
          ("row 2", "retro", "must be N or blank"))),
    Case("lump-sum-two-rows", imp_lump_sum({}, {}), ImportFailed,
         (("row 3", "agreement_no", "a LUMP_SUM agreement is one row"),)),
    Case("amount-on-a-coop-row", imp("agreements", lump_sum_csv({**GOOD_LINE, "amount": "5"})), ImportFailed,
         (("row 2", "amount", "only a LUMP_SUM row has an amount"),)),
    Case("lump-sum-service-zero-amount", save_lump_sum_service(Decimal(0)), ValidationFailed,
         (("Agreement (new)", "Amount", "must be greater than 0"),)),
    Case("cli-lump-sum-no-amount", cli_import("agreements", lump_sum_csv({"amount": ""})), CliFailed,
         text=("row 2, amount: is required for a lump sum",)),
    Case("protection-with-maximum-and-rate", imp_protection({"max_amount": "1000", "rebate2": "1.5"}), ImportFailed,
         (("row 2", "max_amount", "a price-protection line has no maximum"),
          ("row 2", "rebate2", "a price-protection line has no rates"))),
    Case("price-change-unknown-product", imp_prices("GYP-OTHER,2026-04-01,0.90,10", "NOPE,2026-04-01,1.00,5"),
         ImportFailed, (("row 3", "product_code", "product NOPE does not exist"),), base=FULL,
         prepare=protected_and_posted),
    Case("price-change-negative-on-hand", imp_prices("GYP-OTHER,2026-04-01,0.90,-1"), ImportFailed,
         (("row 2", "on_hand", "cannot be negative (got -1)"),), base=FULL, prepare=protected_and_posted),
    Case("price-change-cost-not-positive", imp_prices("GYP-OTHER,2026-04-01,0,10", "GYP-OTHER,2026-04-02,abc,10"),
         ImportFailed, (("row 2", "new_unit_cost", "must be greater than 0"), ("row 3", "new_unit_cost", "is not a number")),
         base=FULL, prepare=protected_and_posted),
    Case("price-change-before-the-product-existed", imp_prices("GYP-OTHER,2026-01-15,0.90,10"), ImportFailed,
         (("row 2", "effective_date", "is before product GYP-OTHER existed (first received 2026-02-01)"),),
         base=FULL, prepare=protected_and_posted),
    Case("price-change-bad-date", imp_prices("GYP-OTHER,01/04/2026,0.90,10"), ImportFailed,
         (("row 2", "effective_date", "is not a date (YYYY-MM-DD)"),), base=FULL, prepare=protected_and_posted),
    Case("price-change-service-negative-on-hand", key_price_change, ValidationFailed,
         (("Price change", "on_hand", "cannot be negative"),), base=FULL, prepare=protected_and_posted),
    Case("cli-price-change-missing-gl-role", cli_import("price-changes", f"{PRICE_HEADER}\nGYP-OTHER,2026-04-01,0.90,10\n"),
         CliFailed, text=("error: GL reference incomplete: no account for REBATE_RECEIVABLE",),
         base=MASTER[:-1], prepare=protected_without_receivable),
]  # fmt: skip


Snapshot = dict[str, list[tuple[object, ...]]]


def snapshot(ctx: AppContext) -> Snapshot:
    """Every row of every table, all columns, by primary key."""
    with ctx.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


# --- one base database per backend and setup, shared by the cases that use it -------------
#
# Every case proves that it left the database exactly as it found it, so the cases with the
# same setup can share one database; building it once per backend keeps the file fast.
# A case that did change it fails, and the next case using that base gets a fresh one.


@dataclass
class SharedBase:
    url: str
    ctx: AppContext
    pristine: Snapshot
    pg_name: str | None


@pytest.fixture(scope="module")
def shared_bases() -> Iterator[dict[tuple[object, ...], SharedBase]]:
    bases: dict[tuple[object, ...], SharedBase] = {}
    yield bases
    for base in bases.values():
        _drop(base)


def _drop(base: SharedBase) -> None:
    base.ctx.engine.dispose()
    if base.pg_name:
        drop_pg(base.pg_name)


def _build(request: pytest.FixtureRequest, backend: str, case: Case) -> SharedBase:
    pg_name = None
    if backend == "sqlite":
        folder = request.getfixturevalue("tmp_path_factory").mktemp("bad-input-base")
        url = f"sqlite:///{folder / 'coop.sqlite'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
    else:
        url, pg_name = fresh_pg_url(request.getfixturevalue("pg_template"))
    context = AppContext.open(url, user="tester", upgrade=False)
    import_example(context, "B_marginal", kinds=case.base)
    if case.prepare:
        folder = request.getfixturevalue("tmp_path_factory").mktemp("bad-input-prepare")
        case.prepare(Env(context, folder, url, None))
    return SharedBase(url, context, snapshot(context), pg_name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, shared_bases: dict[tuple[object, ...], SharedBase]) -> str:
    """Overrides conftest's fresh database: the case's base, built once per backend."""
    case: Case = request.node.callspec.params["case"]
    key = (request.param, case.base, case.prepare)
    base = shared_bases.get(key)
    if base is not None and snapshot(base.ctx) != base.pristine:
        _drop(base)  # an earlier case wrote to it (and failed for that)
        base = None
    if base is None:
        base = shared_bases[key] = _build(request, request.param, case)
    return base.url


def check_problems(exc: ValidationFailed, expect: tuple[tuple[str, str, str], ...]) -> None:
    problems = exc.problems
    assert problems, "a refusal must say what is wrong"
    for record, field, fragment in expect:
        assert any(p.record == record and p.field == field and fragment in p.message for p in problems), (
            f"expected {record!r}, {field!r}: ...{fragment}... among:\n{exc}"
        )
        where = f"{record}, {field}" if field else record
        assert where in str(exc)
    for p in problems:
        assert p.record and p.message, p


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=c.bug, strict=True)] if c.bug else []) for c in CASES],
)
def test_bad_input_is_refused_and_writes_nothing(
    case: Case, ctx: AppContext, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = Env(ctx, tmp_path, db_url, capsys)
    before = snapshot(ctx)
    assert before["vendor"] and before["category"] and before["gl_account"]

    with pytest.raises(case.raises) as info:
        case.act(env)

    if isinstance(info.value, ValidationFailed):
        check_problems(info.value, case.expect)
    else:
        assert not case.expect
    message = str(info.value)
    for fragment in case.text:
        assert fragment in message, message
    assert snapshot(ctx) == before


def test_cases_cover_the_brief() -> None:
    assert len([c for c in CASES if not c.bug]) >= 35
    assert len({c.id for c in CASES}) == len(CASES)


def test_a_file_separated_by_semicolons_or_tabs_gets_one_hint_not_one_per_column(tmp_path: Path) -> None:
    from app.services.tabular import read_table

    required = tuple(RECEIPT_HEADER.split(","))
    for separator, called in ((";", "semicolons (;)"), ("\t", "tabs")):
        path = tmp_path / "receipts.csv"
        path.write_text(
            RECEIPT_HEADER.replace(",", separator) + "\n" + separator.join("S9 V100 2026-03-01 1 P 1 1".split())
        )
        with pytest.raises(ImportFailed) as refused:
            read_table(path, required)
        (problem,) = refused.value.problems
        assert (problem.record, problem.field) == ("receipts.csv header", "")
        assert problem.message.startswith(f"the columns are separated by {called}")
