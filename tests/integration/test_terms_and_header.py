"""Terms and conditions (SPEC §11.1): the company's template per kind copied into each new
agreement, editable while pending, read-only once accepted; the agreement header (issue 14);
the vendor fields and the product's vendor item code of SPEC §18 in the imports. Refusals
name the record and field and leave the database as it was; SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.validation import LineDraft
from app.models import Base, Product, TermsTemplate, Vendor
from app.services import agreements, imports, security, terms
from app.services.agreements import AgreementHeader
from app.services.context import AppContext
from app.services.errors import ImportFailed, PermissionDenied, ValidationFailed
from tests.conftest import EXAMPLES, import_example

MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference")
LINE = LineDraft(
    label="Line",
    cats=("GYPSUM", "ALL", "ALL", "ALL"),
    max_amount=Decimal("999999999"),
    rebates=(Decimal(2), None, None, None),
)
HEADER = AgreementHeader("Spring flyer 2026", "VC-2026-17", date(2026, 3, 1), date(2026, 5, 31))


def snapshot(ctx: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with ctx.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture
def company(ctx: AppContext) -> AppContext:
    import_example(ctx, "B_marginal", MASTER)
    return ctx


def new_pending(ctx: AppContext, header: AgreementHeader | None = HEADER) -> agreements.AgreementView:
    with ctx.uow() as uow:
        return agreements.save_agreement(uow, vendor="V100", kind="COOP", status="PENDING", lines=[LINE], header=header)


def test_a_new_agreement_takes_its_kind_s_template_then_the_company_s_own(company):
    with company.uow() as uow:
        assert [t.stored for t in terms.list_templates(uow)] == [False] * 7  # the defaults, nothing written
        assert uow.session.scalars(select(TermsTemplate)).all() == []
    first = new_pending(company)
    assert first.terms == terms.DEFAULT_TERMS["COOP"] and first.terms.startswith("Co-op advertising: the vendor")
    with company.uow() as uow:
        assert terms.save_templates(uow, {"COOP": "Our co-op terms.\n1. Pay on time."}) == 1
    second = new_pending(company)
    assert second.terms == "Our co-op terms.\n1. Pay on time."
    with company.uow() as uow:
        assert agreements.load_agreement(uow, first.id).terms == terms.DEFAULT_TERMS["COOP"]  # a copy, kept
        assert terms.template_text(uow, "VOLUME") == terms.DEFAULT_TERMS["VOLUME"]


def test_the_header_is_saved_lines_take_its_dates_and_history_has_it(company):
    view = new_pending(company)
    assert (view.description, view.vendor_ref, view.start, view.end) == (
        "Spring flyer 2026",
        "VC-2026-17",
        date(2026, 3, 1),
        date(2026, 5, 31),
    )
    assert (view.lines[0].start, view.lines[0].end) == (date(2026, 3, 1), date(2026, 5, 31))
    with company.uow() as uow:
        changed = agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="PENDING",
            lines=list(view.lines),
            agreement_id=view.id,
            expected_version=view.version,
            header=replace(HEADER, vendor_ref="VC-2026-18", terms="Edited while pending."),
        )
        notes = {
            h.field: (h.old_value, h.new_value) for h in reversed(agreements.history(uow, view.id)) if h.line_no is None
        }
    assert changed.vendor_ref == "VC-2026-18" and changed.terms == "Edited while pending."
    assert notes["Vendor Ref"] == ("VC-2026-17", "VC-2026-18")
    assert notes["Terms"] == (terms.DEFAULT_TERMS["COOP"], "Edited while pending.")
    assert notes["Description"] == (None, "Spring flyer 2026")


def test_the_terms_of_an_accepted_agreement_are_read_only(company):
    view = new_pending(company)
    with company.uow() as uow:
        view = agreements.set_status(uow, view.id, "ACCEPTED", expected_version=view.version)
    before = snapshot(company)
    with company.uow() as uow, pytest.raises(ValidationFailed) as info:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=list(view.lines),
            agreement_id=view.id,
            expected_version=view.version,
            header=replace(HEADER, terms="Changed after the vendor signed."),
        )
    assert [(p.record, p.field, p.message) for p in info.value.problems] == [
        (
            f"Agreement {view.number}",
            "Terms",
            f"agreement {view.number} of V100 is accepted: its terms and conditions can no longer change",
        )
    ]
    assert snapshot(company) == before
    with company.uow() as uow:  # the rest of its header still changes
        same_terms = replace(HEADER, description="Spring flyer 2026 (final)", terms=view.terms)
        saved = agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=list(view.lines),
            agreement_id=view.id,
            expected_version=view.version,
            header=same_terms,
        )
    assert saved.description == "Spring flyer 2026 (final)" and saved.terms == view.terms


def test_bad_headers_and_templates_write_nothing(company):
    with company.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
        security.save_user(uow, "maria", "MANAGER")
    before = snapshot(company)
    with company.uow() as uow, pytest.raises(ValidationFailed) as info:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="PENDING",
            lines=[LINE],
            header=AgreementHeader("x" * 201, "", date(2026, 6, 1), date(2026, 5, 1)),
        )
    assert {(p.record, p.field) for p in info.value.problems} == {
        ("Agreement", "Description"),
        ("Agreement", "End Date"),
        ("Line", "End Date"),  # the line took the header's dates
    }
    with (
        AppContext(company.engine, "maria").uow() as uow,
        pytest.raises(PermissionDenied, match="may not maintain terms"),
    ):
        terms.save_templates(uow, {"COOP": "mine"})
    with company.uow() as uow, pytest.raises(ValidationFailed, match="Terms template BOGUS, kind"):
        terms.save_templates(uow, {"COOP": "fine", "BOGUS": "no"})
    assert snapshot(company) == before


def test_import_agreements_with_description_and_vendor_ref(company, tmp_path):
    text = (EXAMPLES / "B_marginal" / "agreements.csv").read_text().splitlines()
    rows = [text[0] + ",description,vendor_ref", *(f"{r},Marginal co-op,VC-9" for r in text[1:])]
    path = tmp_path / "agreements.csv"
    path.write_text("\n".join(rows) + "\n")
    with company.uow() as uow:
        imports.import_file(uow, "agreements", path)
    with company.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", None)
        assert agreement_id is not None
        view = agreements.load_agreement(uow, agreement_id)
    assert (view.description, view.vendor_ref, view.terms) == ("Marginal co-op", "VC-9", terms.DEFAULT_TERMS["COOP"])


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_vendor_and_product_fields_of_the_imports(company, tmp_path):
    vendors = _write(
        tmp_path / "vendors.csv",
        [
            "code,name,currency,billing_address,email,default_method,terms_days",
            'V100,Northern Gypsum Ltd,CAD,"PO Box 12, Sudbury",ap@northern.example,sc,45',
            "V300,New Vendor,CAD,,,,",
        ],
    )
    products = _write(
        tmp_path / "products.csv",
        [
            "code,description,vendor_code,cat1,cat2,cat3,cat4,unit_cost,vendor_item_code",
            "GYP-OTHER,Other,V100,GYPSUM,,,,1,NG-4411",
        ],
    )
    with company.uow() as uow:
        imports.import_file(uow, "vendors", vendors)
        imports.import_file(uow, "products", products)
    with company.uow() as uow:
        got = {
            v.code: (v.billing_address, v.email, v.default_method, v.terms_days)
            for v in uow.session.scalars(select(Vendor))
        }
        item = uow.session.scalar(select(Product.vendor_item_code).where(Product.code == "GYP-OTHER"))
    assert got["V100"] == ("PO Box 12, Sudbury", "ap@northern.example", "SC", 45)
    assert got["V300"] == ("", "", "CD", 30)
    assert item == "NG-4411"
    # A file without the optional columns keeps them.
    with company.uow() as uow:
        imports.import_file(uow, "vendors", EXAMPLES / "B_marginal" / "vendors.csv")
    with company.uow() as uow:
        kept = uow.session.scalars(select(Vendor).where(Vendor.code == "V100")).one()
        assert (kept.email, kept.default_method, kept.terms_days) == ("ap@northern.example", "SC", 45)


def test_bad_vendor_fields_are_refused_by_row_and_column(company, tmp_path):
    path = _write(
        tmp_path / "vendors.csv",
        [
            "code,name,currency,email,default_method,terms_days",
            "V100,Northern Gypsum Ltd,CAD,not-an-address,XX,400",
            "V101,Other,CAD,a@b.example,CD,thirty",
        ],
    )
    before = snapshot(company)
    with company.uow() as uow, pytest.raises(ImportFailed) as info:
        imports.import_file(uow, "vendors", path)
    assert {(p.record, p.field) for p in info.value.problems} == {("row 3", "terms_days")}
    path = _write(
        tmp_path / "vendors2.csv",
        ["code,name,currency,email,default_method,terms_days", "V100,Northern Gypsum Ltd,CAD,not-an-address,XX,400"],
    )
    with company.uow() as uow, pytest.raises(ImportFailed) as info:
        imports.import_file(uow, "vendors", path)
    assert {(p.record, p.field): p.message for p in info.value.problems} == {
        ("row 2", "email"): "'not-an-address' is not an e-mail address (name@domain)",
        ("row 2", "default_method"): "must be SC, NC or CD (got XX)",
        ("row 2", "terms_days"): "must be 0 to 365 days (got 400)",
    }
    assert snapshot(company) == before
