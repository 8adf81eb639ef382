"""Write the demo company of app/services/demo.py (build_plan) as the import files of
SPEC §9 in resources/demo/, once: afterwards the files are the demo's source.

    python -m tools.demo_to_csv [--seed 7] [--written-for 2026-12-01]

The files are written for a first of the month (`written_for`): the receipts fill the eleven
whole months before it, the agreements run the twelve months ending with its month, and
the draft slips are dated that day; `coop demo` moves the dates to the month of loading.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.domain.money import UNLIMITED
from app.services import demo
from app.services.demo_catalogue import COMPANY_ADDRESS, COMPANY_NAME, CURRENCY, GL_REFERENCE

OUT = Path(__file__).resolve().parents[1] / "resources" / "demo"
AGREEMENT_HEADER = ("agreement_no", "vendor_code", "kind", "status", "cat1", "cat2", "cat3", "cat4",
                    "product_code", "max_amount", "start_date", "end_date", "rebate1", "rebate2",
                    "rebate3", "rebate4", "method", "degressive", "retro", "product_pct", "period")
RECEIPT_HEADER = ("slip_no", "vendor_code", "received_date", "line_no", "product_code", "quantity",
                  "unit_cost", "reference")


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Decimal):
        return "999999999" if value == UNLIMITED else f"{value:f}"
    return str(value)


def write(name: str, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with open(OUT / name, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        out.writerows([text(v) for v in row] for row in rows)


def receipt_rows(slips: list, first_no: int) -> list[tuple[object, ...]]:
    rows = []
    for n, slip in enumerate(slips, start=first_no):
        slip_no = slip.slip_no or f"R{n:06d}"
        for line in slip.lines:
            rows.append((slip_no, slip.vendor, slip.received, line.line_no, line.product, line.quantity,
                         line.unit_cost, slip.reference))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--written-for", type=date.fromisoformat, default=date(2026, 12, 1))
    args = parser.parse_args(argv)
    if args.written_for.day != 1:
        parser.error("--written-for must be the first of a month")
    plan = demo.build_plan(args.seed, args.written_for)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "demo.json").write_text(json.dumps({
        "company": {"name": COMPANY_NAME, "currency": CURRENCY, "address": COMPANY_ADDRESS},
        "written_for": args.written_for.isoformat(),
    }, indent=2) + "\n", encoding="utf-8")
    write("gl-accounts.csv", ("number", "name", "type"), [(a.number, a.name, a.type) for a in plan.accounts])
    write("gl-reference.csv", ("role", "account_number"), list(GL_REFERENCE))
    write("categories.csv", ("level", "code", "parent_code", "description"),
          [(c.level, c.code, c.parent_code, c.description) for c in plan.categories])
    write("vendors.csv", ("code", "name", "currency", "address"),
          [(v.code, v.name, v.currency, v.address) for v in plan.vendors])
    write("products.csv", ("code", "description", "vendor_code", "cat1", "cat2", "cat3", "cat4", "unit_cost"),
          [(p.code, p.description, p.vendor_code, *p.cats, p.unit_cost) for p in plan.products])
    numbers: Counter[tuple[str, str]] = Counter()
    signed, accepted = [], []
    for spec, lines in plan.agreements:
        numbers[(spec.vendor, spec.kind)] += 1
        number = numbers[(spec.vendor, spec.kind)]
        for status, out in ((("PENDING", signed), (spec.status, accepted)) if spec.accept_later
                            else ((spec.status, signed),)):
            for ln in lines:
                out.append((number, spec.vendor, spec.kind, status, *(ln.cats if ln.product is None else ("",) * 4),
                            ln.product, ln.max_amount, ln.start, ln.end, *ln.rebates, ln.method,
                            ln.degressive, ln.retro, ln.product_pct, ln.period))
    write("agreements.csv", AGREEMENT_HEADER, signed)
    write("agreements-accepted.csv", AGREEMENT_HEADER, accepted)
    write("receipts.csv", RECEIPT_HEADER, receipt_rows(plan.slips, 1))
    write("receipts-drafts.csv", RECEIPT_HEADER, receipt_rows(plan.drafts, len(plan.slips) + 1))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
